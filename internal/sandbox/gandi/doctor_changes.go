package gandi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The values the faults write. Foreign but plausible: what a zone edited
// by someone else would hold.
const (
	wrongMX       = "10 mx.example.net."
	secondSPF     = `"v=spf1 include:spf.protection.outlook.com -all"`
	foreignCAA    = `0 issue "digicert.com"`
	dkimSuffix    = "._domainkey"
	dkimKeyPrefix = "p="
)

func rrsetAt(dom *world.Domain, name, typ string) (world.RRSet, error) {
	if i := indexOf(dom.Records, name, typ); i >= 0 {
		return cloneRecords(dom.Records[i : i+1])[0], nil
	}
	return world.RRSet{}, fmt.Errorf("%s has no %s record at %s to break", dom.FQDN, typ, name)
}

func deleteRRSet(name, typ string) rrsetChange {
	return func(dom *world.Domain, _ string) (string, string, *world.RRSet, error) {
		if _, err := rrsetAt(dom, name, typ); err != nil {
			return "", "", nil, err
		}
		return name, typ, nil, nil
	}
}

var (
	mxMissing       = deleteRRSet("@", "MX")
	dmarcMissing    = deleteRRSet("_dmarc", "TXT")
	myRecordMissing = deleteRRSet("my", "A")
)

// dkimRRSet is the first DKIM key record: a TXT under _domainkey.
func dkimRRSet(dom *world.Domain) (world.RRSet, error) {
	for _, rr := range dom.Records {
		if rr.Type == "TXT" && strings.HasSuffix(rr.Name, dkimSuffix) {
			return cloneRecords([]world.RRSet{rr})[0], nil
		}
	}
	return world.RRSet{}, fmt.Errorf("%s has no DKIM record (*%s TXT) to break", dom.FQDN, dkimSuffix)
}

func dkimMissing(dom *world.Domain, _ string) (string, string, *world.RRSet, error) {
	rr, err := dkimRRSet(dom)
	return rr.Name, rr.Type, nil, err
}

// dkimWrong rotates the first letters of every key in the rrset, so the
// record still looks like a key but matches none the server signs with.
func dkimWrong(dom *world.Domain, _ string) (string, string, *world.RRSet, error) {
	rr, err := dkimRRSet(dom)
	if err != nil {
		return "", "", nil, err
	}
	changed := false
	for i, v := range rr.Values {
		if corrupted := corruptKey(v); corrupted != v {
			rr.Values[i], changed = corrupted, true
		}
	}
	if !changed {
		return "", "", nil, fmt.Errorf("the DKIM record %s.%s has no key (p=) to corrupt", rr.Name, dom.FQDN)
	}
	return rr.Name, rr.Type, &rr, nil
}

// corruptKey ROT13s the first 16 letters after "p=" (digits shift by 5).
func corruptKey(v string) string {
	at := strings.Index(v, dkimKeyPrefix)
	if at < 0 {
		return v
	}
	b := []byte(v)
	for i, n := at+len(dkimKeyPrefix), 0; i < len(b) && n < 16; i++ {
		switch c := b[i]; {
		case c >= 'a' && c <= 'z':
			b[i] = 'a' + (c-'a'+13)%26
		case c >= 'A' && c <= 'Z':
			b[i] = 'A' + (c-'A'+13)%26
		case c >= '0' && c <= '9':
			b[i] = '0' + (c-'0'+5)%10
		default:
			continue
		}
		n++
	}
	return string(b)
}

func isSPF(value string) bool {
	text := strings.ToLower(TXTText(value))
	return text == "v=spf1" || strings.HasPrefix(text, "v=spf1 ")
}

// spfMissing drops the SPF values from the apex TXT, and the rrset with
// them when nothing else is left.
func spfMissing(dom *world.Domain, _ string) (string, string, *world.RRSet, error) {
	rr, err := rrsetAt(dom, "@", "TXT")
	if err != nil || !slices.ContainsFunc(rr.Values, isSPF) {
		return "", "", nil, fmt.Errorf("%s has no SPF record to remove", dom.FQDN)
	}
	rr.Values = slices.DeleteFunc(rr.Values, isSPF)
	if len(rr.Values) == 0 {
		return "@", "TXT", nil, nil
	}
	return "@", "TXT", &rr, nil
}

func spfTwo(dom *world.Domain, _ string) (string, string, *world.RRSet, error) {
	rr, err := rrsetAt(dom, "@", "TXT")
	if err != nil || !slices.ContainsFunc(rr.Values, isSPF) {
		return "", "", nil, fmt.Errorf("%s has no SPF record to add a second one to", dom.FQDN)
	}
	rr.Values = append(rr.Values, secondSPF)
	return "@", "TXT", &rr, nil
}

// mxWrong points the apex MX elsewhere, creating it if there is none.
func mxWrong(dom *world.Domain, _ string) (string, string, *world.RRSet, error) {
	rr, err := rrsetAt(dom, "@", "MX")
	if err != nil {
		rr = world.RRSet{Name: "@", Type: "MX", TTL: defaultTTL}
	}
	rr.Values = []string{wrongMX}
	return "@", "MX", &rr, nil
}

func caaForbidsLetsEncrypt(dom *world.Domain, _ string) (string, string, *world.RRSet, error) {
	rr, err := rrsetAt(dom, "@", "CAA")
	if err != nil {
		rr = world.RRSet{Name: "@", Type: "CAA", TTL: defaultTTL}
	}
	rr.Values = []string{foreignCAA}
	return "@", "CAA", &rr, nil
}

// appRecordMissing deletes the A record of the host param names (relative
// or absolute), else of the first app host: an A record other than the
// apex's and my's.
func appRecordMissing(dom *world.Domain, param string) (string, string, *world.RRSet, error) {
	host := strings.TrimSuffix(strings.ToLower(param), ".")
	host = strings.TrimSuffix(strings.TrimSuffix(host, dom.FQDN), ".")
	if host != "" {
		if _, err := rrsetAt(dom, host, "A"); err != nil {
			return "", "", nil, err
		}
		return host, "A", nil, nil
	}
	for _, rr := range dom.Records {
		if rr.Type == "A" && rr.Name != "@" && rr.Name != "my" {
			return rr.Name, "A", nil, nil
		}
	}
	return "", "", nil, fmt.Errorf("%s has no app host record (an A record besides @ and my) to delete", dom.FQDN)
}
