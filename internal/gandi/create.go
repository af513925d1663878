package gandi

import (
	"context"
	"fmt"
	"time"

	"github.com/libdns/libdns"
)

// libdnsCreates tells whether libdns/gandi's AppendRecords writes a new
// rrset exactly as PutRRSet would: one value (it PUTs value by value, so a
// longer list would be written, and served, half-done for a moment), and
// not TXT, whose quoting it gets wrong (reference §2, quirk 3). Its other
// defects do not apply to a new rrset: with nothing there, appending is
// setting, and the TTL it rewrites is the one given.
func libdnsCreates(want RRSet) bool {
	return len(want.Values) == 1 && want.Type != "TXT" && want.Type != "SPF"
}

// createWithLibdns creates a new one-value rrset with libdns/gandi. Its
// errors are not trusted (it loses statuses and cannot retry), so whatever
// it says, the rrset is read back with the adapter's own client: done if it
// is want, written with the adapter's own PUT if still absent, and a
// conflict if someone else's values appeared meanwhile (libdns/gandi would
// have appended to them).
func (c *Client) createWithLibdns(ctx context.Context, fqdn string, want RRSet) error {
	rec := libdns.RR{Name: want.Name, Type: want.Type, TTL: time.Duration(want.TTL) * time.Second, Data: want.Values[0]}
	// Up to three requests: the domain (once per Client), the rrset, the PUT.
	libCtx, cancel := context.WithTimeout(ctx, 3*requestTimeout)
	_, libErr := c.libdns.AppendRecords(libCtx, fqdn, []libdns.Record{rec})
	cancel()
	if libErr != nil && c.Log != nil {
		c.Log.Debug("gandi: libdns/gandi could not create the rrset; checking it with chapterctl's own client",
			"rrset", want.Name+"/"+want.Type, "error", libErr.Error())
	}
	got, err := c.rrset(ctx, fqdn, want.Name, want.Type)
	switch {
	case err != nil:
		return err
	case Equal(got, want):
		return nil
	case len(got.Values) == 0:
		return c.replace(ctx, fqdn, want)
	}
	return fmt.Errorf("%s %w: someone else created it at the same moment, and it now holds %s; plan again",
		rrsetLabel(fqdn, want.Name, want.Type), ErrChanged, describe(got))
}
