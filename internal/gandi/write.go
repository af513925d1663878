package gandi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// PutRRSet makes the record set want.Name/want.Type of fqdn hold exactly
// want's values with want's TTL (0: Gandi's default, 10800), and nothing
// else. It reads the rrset first: when expect is given and the rrset is no
// longer what it says (an expect with no values: "absent"), it writes
// nothing and returns an error wrapping ErrChanged; when the rrset already
// equals want, it writes nothing at all. Otherwise it replaces the rrset
// whole with one PUT and reads it back to confirm.
func (c *Client) PutRRSet(ctx context.Context, fqdn string, want RRSet, expect *RRSet) error {
	fqdn, err := checkZone(fqdn)
	if err != nil {
		return err
	}
	if want, err = checkWant(fqdn, want); err != nil {
		return err
	}
	current, err := c.rrset(ctx, fqdn, want.Name, want.Type)
	if err != nil {
		return err
	}
	if err := checkExpect(fqdn, current, expect); err != nil {
		return err
	}
	if Equal(current, want) {
		return nil
	}
	if len(current.Values) == 0 && libdnsCreates(want) {
		return c.createWithLibdns(ctx, fqdn, want)
	}
	return c.replace(ctx, fqdn, want)
}

// DeleteRRSet removes the record set name/typ of fqdn. As with PutRRSet, an
// expect that no longer matches stops it with ErrChanged before anything is
// deleted. A record set that is already gone is not an error: the zone is as
// asked.
func (c *Client) DeleteRRSet(ctx context.Context, fqdn, name, typ string, expect *RRSet) error {
	fqdn, err := checkZone(fqdn)
	if err != nil {
		return err
	}
	if name, typ, err = checkKey(fqdn, name, typ); err != nil {
		return err
	}
	current, err := c.rrset(ctx, fqdn, name, typ)
	if err != nil || len(current.Values) == 0 {
		return err
	}
	if err := checkExpect(fqdn, current, expect); err != nil {
		return err
	}
	label := rrsetLabel(fqdn, name, typ)
	_, apiErr, err := c.request(ctx, http.MethodDelete, rrsetURL(fqdn, name, typ), nil)
	if err != nil {
		return err
	}
	// A 404 after a retry means the first try, whose answer was lost, worked.
	if apiErr != nil && (apiErr.Status != http.StatusNotFound || apiErr.domainMissing()) {
		return explain(fqdn, label, apiErr)
	}
	return c.verify(ctx, fqdn, RRSet{Name: name, Type: typ})
}

// putBody is what PUT …/records/{name}/{type} takes: the whole value list
// and an explicit TTL (an omitted one would reset it to 10800).
type putBody struct {
	Values []string `json:"rrset_values"`
	TTL    int      `json:"rrset_ttl"`
}

// replace writes want over whatever the rrset holds, in one PUT (Gandi
// answers 201 for a creation and a replacement alike), then confirms.
func (c *Client) replace(ctx context.Context, fqdn string, want RRSet) error {
	body, err := json.Marshal(putBody{Values: want.Values, TTL: want.TTL})
	if err != nil {
		return fmt.Errorf("gandi: encode %s: %w", rrsetLabel(fqdn, want.Name, want.Type), err)
	}
	_, apiErr, err := c.request(ctx, http.MethodPut, rrsetURL(fqdn, want.Name, want.Type), body)
	if err != nil {
		return err
	}
	if apiErr != nil {
		return explain(fqdn, rrsetLabel(fqdn, want.Name, want.Type), apiErr)
	}
	return c.verify(ctx, fqdn, want)
}

// verify reads the rrset back and checks it is want (no values: absent).
func (c *Client) verify(ctx context.Context, fqdn string, want RRSet) error {
	got, err := c.rrset(ctx, fqdn, want.Name, want.Type)
	if err != nil {
		return err
	}
	if !Equal(got, want) {
		return fmt.Errorf("%s holds %s right after chapterctl wrote %s at Gandi: "+
			"someone else may be editing the zone; run the command again",
			rrsetLabel(fqdn, want.Name, want.Type), describe(got), describe(want))
	}
	return nil
}

// rrset reads one record set; one that does not exist comes back with no
// values (and no error).
func (c *Client) rrset(ctx context.Context, fqdn, name, typ string) (RRSet, error) {
	rawURL := rrsetURL(fqdn, name, typ)
	r, apiErr, err := c.request(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return RRSet{}, err
	}
	absent := RRSet{Name: name, Type: typ}
	if apiErr != nil {
		if apiErr.Status == http.StatusNotFound && !apiErr.domainMissing() {
			return absent, nil
		}
		return RRSet{}, explain(fqdn, rrsetLabel(fqdn, name, typ), apiErr)
	}
	var rr RRSet
	if err := json.Unmarshal(r.body, &rr); err != nil {
		return RRSet{}, fmt.Errorf("gandi: read the answer to GET %s: %w", rawURL, err)
	}
	// The key of the request, not the answer's spelling of it, so that an
	// rrset compares equal to the one asked for.
	rr.Name, rr.Type = name, typ
	return rr, nil
}

// checkExpect stops a write when the rrset is no longer what the plan saw.
func checkExpect(fqdn string, current RRSet, expect *RRSet) error {
	if expect == nil {
		return nil
	}
	want := RRSet{Name: current.Name, Type: current.Type, TTL: expect.TTL, Values: expect.Values}
	if Equal(current, want) {
		return nil
	}
	return fmt.Errorf("%s %w: it now holds %s, the plan saw %s; nothing was written: plan again",
		rrsetLabel(fqdn, current.Name, current.Type), ErrChanged, describe(current), describe(want))
}
