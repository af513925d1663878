package gandi

import (
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Doctor faults: states of a zone (or of the registration) that doctor
// must find. Break changes the world and keeps what it changed in the
// domain (Domain.Broken); Heal puts it back only if the world still shows
// the fault, so a repair made meanwhile (chapterctl dns apply) stands.
const (
	FaultDKIMMissing           = "dkim-missing"
	FaultDKIMWrong             = "dkim-wrong"
	FaultSPFMissing            = "spf-missing"
	FaultSPFTwo                = "spf-two"
	FaultMXMissing             = "mx-missing"
	FaultMXWrong               = "mx-wrong"
	FaultDMARCMissing          = "dmarc-missing"
	FaultAppRecordMissing      = "app-record-missing"
	FaultMyRecordMissing       = "my-record-missing"
	FaultCAAForbidsLetsEncrypt = "caa-forbids-letsencrypt"
	FaultDomainExpiring        = "domain-expiring"
)

// rrsetChange finds, in a domain, the rrset a fault changes and what the
// fault makes of it (nil: the rrset is deleted). param is the fault's.
type rrsetChange func(dom *world.Domain, param string) (name, typ string, after *world.RRSet, err error)

func doctorFaults() []world.FaultSpec {
	rrsetFault := func(name, description string, change rrsetChange) world.FaultSpec {
		return world.FaultSpec{Name: name, Kind: world.KindDoctor, Description: description,
			Break: func(d *world.Data, param string) error { return breakRRSet(d, name, param, change) },
			Heal:  func(d *world.Data) error { healRRSet(d, name); return nil },
		}
	}
	return []world.FaultSpec{
		rrsetFault(FaultDKIMMissing, "the DKIM record (*._domainkey TXT) is deleted at Gandi", dkimMissing),
		rrsetFault(FaultDKIMWrong, "the DKIM record's key (p=) at Gandi no longer matches the server's", dkimWrong),
		rrsetFault(FaultSPFMissing, "the SPF value is removed from the apex TXT at Gandi", spfMissing),
		rrsetFault(FaultSPFTwo, "a second v=spf1 value is added to the apex TXT at Gandi (an SPF permerror)", spfTwo),
		rrsetFault(FaultMXMissing, "the apex MX records are deleted at Gandi", mxMissing),
		rrsetFault(FaultMXWrong, "the apex MX points at another mail host", mxWrong),
		rrsetFault(FaultDMARCMissing, "the _dmarc TXT record is deleted at Gandi", dmarcMissing),
		rrsetFault(FaultAppRecordMissing, "the A record of an app's host name is deleted (app-record-missing=HOST picks it)", appRecordMissing),
		rrsetFault(FaultMyRecordMissing, "the A record of my.<domain> is deleted at Gandi", myRecordMissing),
		rrsetFault(FaultCAAForbidsLetsEncrypt, `the apex CAA allows only another CA: 0 issue "digicert.com"`, caaForbidsLetsEncrypt),
		{Name: FaultDomainExpiring, Kind: world.KindDoctor,
			Description: "the domain's registration at Gandi expires in 10 days",
			Break:       breakExpiry, Heal: healExpiry},
	}
}

// breakRRSet applies a change and stashes the rrset as it was. Breaking a
// fault that is already broken first heals it, so the stash always holds
// the healthy state.
func breakRRSet(d *world.Data, fault, param string, change rrsetChange) error {
	dom, err := faultDomain(d, param)
	if err != nil {
		return err
	}
	healRRSet(d, fault)
	name, typ, after, err := change(dom, param)
	if err != nil {
		return err
	}
	var before *world.RRSet
	i := indexOf(dom.Records, name, typ)
	if i >= 0 {
		before = &cloneRecords(dom.Records[i : i+1])[0]
	}
	dom.Records = setOrDelete(dom.Records, name, typ, after, i)
	stash(dom, fault, world.FaultStash{Name: name, Type: typ, Index: i, Before: before, After: after})
	dom.Publish(publishAt(d))
	return nil
}

// healRRSet restores what Break changed wherever the rrset is still as the
// fault left it.
func healRRSet(d *world.Data, fault string) {
	for _, dom := range d.Gandi.Domains {
		st, ok := dom.Broken[fault]
		if !ok {
			continue
		}
		delete(dom.Broken, fault)
		var now *world.RRSet
		if i := indexOf(dom.Records, st.Name, st.Type); i >= 0 {
			now = &dom.Records[i]
		}
		if !sameRRSet(now, st.After) {
			continue // repaired (or changed again) since: leave it
		}
		dom.Records = setOrDelete(dom.Records, st.Name, st.Type, st.Before, st.Index)
		dom.Publish(publishAt(d))
	}
}

func breakExpiry(d *world.Data, param string) error {
	dom, err := faultDomain(d, param)
	if err != nil {
		return err
	}
	healExpiry(d)
	soon := time.Now().UTC().Add(10 * 24 * time.Hour).Truncate(time.Second)
	stash(dom, FaultDomainExpiring, world.FaultStash{ExpiresBefore: dom.Expires, ExpiresAfter: soon})
	dom.Expires = soon
	// The registration is not part of the zone: nothing to publish.
	return nil
}

func healExpiry(d *world.Data) error {
	for _, dom := range d.Gandi.Domains {
		st, ok := dom.Broken[FaultDomainExpiring]
		if !ok {
			continue
		}
		delete(dom.Broken, FaultDomainExpiring)
		if dom.Expires.Equal(st.ExpiresAfter) {
			dom.Expires = st.ExpiresBefore
		}
	}
	return nil
}

func stash(dom *world.Domain, fault string, st world.FaultStash) {
	if dom.Broken == nil {
		dom.Broken = map[string]world.FaultStash{}
	}
	dom.Broken[fault] = st
}

// setOrDelete makes the rrset name/type rr, or deletes it when rr is nil.
// An rrset that is not there yet goes in at index if it can, else last.
func setOrDelete(records []world.RRSet, name, typ string, rr *world.RRSet, index int) []world.RRSet {
	if rr != nil && indexOf(records, name, typ) < 0 && index >= 0 && index <= len(records) {
		return slices.Insert(records, index, *rr)
	}
	if rr != nil {
		return putRRSet(records, *rr)
	}
	if i := indexOf(records, name, typ); i >= 0 {
		return slices.Delete(records, i, i+1)
	}
	return records
}

func sameRRSet(a, b *world.RRSet) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Name == b.Name && a.Type == b.Type && a.TTL == b.TTL && slices.Equal(a.Values, b.Values)
}

// publishAt is when a fault's change reaches the authoritative servers.
// Break and Heal see only the data, not the world's clock, so they count
// from the wall clock, which is the world's own outside tests.
func publishAt(d *world.Data) time.Time {
	return time.Now().Add(time.Duration(math.Round(float64(Propagation) * d.TimeScale)))
}

// faultDomain is the domain a doctor fault breaks: the one param names
// (a domain or a host in it), else the chapter's, which is the domain
// holding my.<domain>, else the account's first.
func faultDomain(d *world.Data, param string) (*world.Domain, error) {
	if len(d.Gandi.Domains) == 0 {
		return nil, errors.New("the Gandi account has no domain")
	}
	host := strings.TrimSuffix(strings.ToLower(param), ".")
	for _, dom := range d.Gandi.Domains {
		if host == dom.FQDN || strings.HasSuffix(host, "."+dom.FQDN) {
			return dom, nil
		}
	}
	for _, dom := range d.Gandi.Domains {
		if indexOf(dom.Records, "my", "A") >= 0 {
			return dom, nil
		}
	}
	return d.Gandi.Domains[0], nil
}
