package gandi

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	libgandi "github.com/libdns/gandi"
	"github.com/libdns/libdns"

	simgandi "github.com/chapterctl/chapterctl/internal/sandbox/gandi"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// gandiApexA is the parking address Gandi puts at the apex of a new zone.
var gandiApexA = RRSet{Name: "@", Type: "A", TTL: 10800, Values: []string{"217.70.184.38"}}

// The defect and the cure side by side: libdns/gandi's SetRecords keeps
// Gandi's parking address beside the droplet's; PutRRSet replaces it.
func TestApexAIsReplacedNotAppended(t *testing.T) {
	droplet := "203.0.113.10"
	t.Run("libdns/gandi SetRecords appends", func(t *testing.T) {
		e := newEnv(t)
		p := &libgandi.Provider{BearerToken: testToken}
		rec := libdns.Address{Name: "@", TTL: 300 * time.Second, IP: netip.MustParseAddr(droplet)}
		if _, err := p.SetRecords(deadline(t), testZone, []libdns.Record{rec}); err != nil {
			t.Fatal(err)
		}
		if got := e.stored(t, "@", "A").Values; !slices.Equal(got, []string{"217.70.184.38", droplet}) {
			t.Errorf("apex A = %q, want both addresses (the defect PutRRSet exists for)", got)
		}
	})
	t.Run("PutRRSet replaces", func(t *testing.T) {
		e := newEnv(t)
		want := RRSet{Name: "@", Type: "A", TTL: 300, Values: []string{droplet}}
		if err := e.client.PutRRSet(deadline(t), testZone, want, &gandiApexA); err != nil {
			t.Fatal(err)
		}
		got := e.stored(t, "@", "A")
		if !slices.Equal(got.Values, []string{droplet}) || got.TTL != 300 {
			t.Errorf("apex A = %+v, want exactly %s at TTL 300", got, droplet)
		}
		if want := []string{"GET /records/@/A 200", "PUT /records/@/A 201", "GET /records/@/A 200"}; !slices.Equal(calls(e.requests(t)), want) {
			t.Errorf("requests %q, want read, one PUT, read back: %q", calls(e.requests(t)), want)
		}
	})
}

// dkimText is a DKIM record for a fresh 2048-bit key: about 400 bytes, more
// than one TXT string can hold.
func dkimText(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
}

func TestDKIMKeyRoundTripsAsOneValue(t *testing.T) {
	e := newEnv(t)
	text := dkimText(t)
	if len(text) < 390 {
		t.Fatalf("DKIM text of %d bytes, want a 2048-bit key's", len(text))
	}
	want := RRSet{Name: "cloudron._domainkey", Type: "TXT", TTL: 3600, Values: []string{QuoteTXT(text)}}
	if err := e.client.PutRRSet(deadline(t), testZone, want, &RRSet{}); err != nil {
		t.Fatal(err)
	}
	got := e.stored(t, "cloudron._domainkey", "TXT")
	if len(got.Values) != 1 {
		t.Fatalf("%d values stored, want one record: %q", len(got.Values), got.Values)
	}
	chunks, ok := txtStrings(got.Values[0])
	if !ok || len(chunks) != 2 || TXTText(got.Values[0]) != text {
		t.Errorf("stored %q, want the key in two quoted strings joining back to it", got.Values[0])
	}
	for _, c := range chunks {
		if len(c) > 255 {
			t.Errorf("a string of %d bytes", len(c))
		}
	}
	zone, err := e.client.Zone(deadline(t), testZone)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(zone, func(rr RRSet) bool { return rr.Name == "cloudron._domainkey" })
	if i < 0 || !Equal(zone[i], want) {
		t.Errorf("Zone has %+v, want %+v", zone[i], want)
	}
}

func TestSPFRewriteKeepsOneRecord(t *testing.T) {
	verification := `"google-site-verification=abc123"`
	apexTXT := RRSet{Name: "@", Type: "TXT", TTL: 10800,
		Values: []string{`"v=spf1 include:_mailcust.gandi.net ?all"`, verification}}
	e := newEnv(t, seed(apexTXT))
	// What the dns-records step computes: Gandi's include kept, Cloudron's
	// server added, the other TXT value untouched.
	merged := QuoteTXT("v=spf1 a:my.example.org include:_mailcust.gandi.net ?all")
	want := RRSet{Name: "@", Type: "TXT", TTL: 10800, Values: []string{merged, verification}}
	if err := e.client.PutRRSet(deadline(t), testZone, want, &apexTXT); err != nil {
		t.Fatal(err)
	}
	got := e.stored(t, "@", "TXT")
	spf := slices.DeleteFunc(slices.Clone(got.Values), func(v string) bool { return !strings.HasPrefix(TXTText(v), "v=spf1") })
	if len(spf) != 1 || spf[0] != merged || !slices.Contains(got.Values, verification) || len(got.Values) != 2 {
		t.Errorf("apex TXT = %q, want one SPF record (%s) and the verification token", got.Values, merged)
	}
}

func TestWriteStopsWhenSomeoneElseChangedTheRRSet(t *testing.T) {
	e := newEnv(t)
	ctx := deadline(t)
	zone, err := e.client.Zone(ctx, testZone) // the plan
	if err != nil {
		t.Fatal(err)
	}
	planned := zone[slices.IndexFunc(zone, func(rr RRSet) bool { return rr.Name == "@" && rr.Type == "A" })]

	// Another writer (a second chapterctl, Gandi's web UI) gets there first.
	theirs := RRSet{Name: "@", Type: "A", TTL: 600, Values: []string{"198.51.100.7"}}
	if err := e.newClient(t, testToken).PutRRSet(ctx, testZone, theirs, nil); err != nil {
		t.Fatal(err)
	}
	before := len(e.requests(t))

	ours := RRSet{Name: "@", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}}
	err = e.client.PutRRSet(ctx, testZone, ours, &planned)
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("error %v, want ErrChanged", err)
	}
	for _, says := range []string{"the record set @/A of example.org changed since the plan", "198.51.100.7", "plan again"} {
		if !strings.Contains(err.Error(), says) {
			t.Errorf("error %q does not say %q", err, says)
		}
	}
	if n := count(e.since(t, before), "PUT"); n != 0 {
		t.Errorf("%d PUTs after the change was seen", n)
	}
	if got := e.stored(t, "@", "A"); !Equal(got, theirs) {
		t.Errorf("apex A = %+v, want the other writer's %+v kept", got, theirs)
	}

	// The same holds for a planned absence and for deletes.
	err = e.client.PutRRSet(ctx, testZone, ours, &RRSet{})
	if !errors.Is(err, ErrChanged) {
		t.Errorf("write over an rrset planned absent: %v, want ErrChanged", err)
	}
	err = e.client.DeleteRRSet(ctx, testZone, "@", "A", &planned)
	if !errors.Is(err, ErrChanged) || !Equal(e.stored(t, "@", "A"), theirs) {
		t.Errorf("delete: %v, want ErrChanged and the rrset kept", err)
	}
}

func TestRerunMakesNoWrites(t *testing.T) {
	tests := []struct {
		name   string
		want   RRSet
		expect *RRSet // what the first run planned from
	}{
		{"registrar default replaced", RRSet{Name: "@", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}}, &gandiApexA},
		{"new A through libdns/gandi", RRSet{Name: "my", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}}, &RRSet{}},
		{"new MX of two values", RRSet{Name: "@", Type: "MX", TTL: 3600,
			Values: []string{"10 my.example.org.", "20 backup.example.net."}}, nil},
		{"DKIM", RRSet{Name: "cloudron._domainkey", Type: "TXT", TTL: 300,
			Values: []string{QuoteTXT("v=DKIM1; k=rsa; p=" + strings.Repeat("A", 380))}}, &RRSet{}},
		{"DMARC, name given absolute", RRSet{Name: "_DMARC.example.org.", Type: "txt",
			Values: []string{QuoteTXT("v=DMARC1; p=quarantine")}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if err := e.client.PutRRSet(deadline(t), testZone, tt.want, tt.expect); err != nil {
				t.Fatal(err)
			}
			if n := count(e.requests(t), "PUT"); n != 1 {
				t.Errorf("first run: %d PUTs, want 1", n)
			}
			after := Normalize(tt.want)
			after.Name = strings.TrimSuffix(strings.TrimSuffix(after.Name, "."), ".example.org")
			if got := e.stored(t, after.Name, after.Type); !Equal(got, after) {
				t.Fatalf("stored %+v, want %+v", got, after)
			}
			before := len(e.requests(t))
			// The rerun plans from what is there now, as a step would.
			if err := e.client.PutRRSet(deadline(t), testZone, tt.want, &after); err != nil {
				t.Fatal(err)
			}
			rerun := e.since(t, before)
			if count(rerun, "PUT") != 0 || len(rerun) != 1 {
				t.Errorf("rerun sent %q, want one GET and no PUT", calls(rerun))
			}
		})
	}
}

// A new one-value rrset goes through libdns/gandi (its domain GET shows
// it); a new TXT, or a new rrset of several values, through the adapter's
// own single PUT.
func TestNewRRSetPaths(t *testing.T) {
	tests := []struct {
		name      string
		want      RRSet
		viaLibdns bool
	}{
		{"one A", RRSet{Name: "chat", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}}, true},
		{"one MX", RRSet{Name: "@", Type: "MX", TTL: 300, Values: []string{"10 my.example.org."}}, true},
		{"TXT", RRSet{Name: "_dmarc", Type: "TXT", TTL: 300, Values: []string{`"v=DMARC1; p=none"`}}, false},
		{"two AAAA", RRSet{Name: "my", Type: "AAAA", TTL: 300, Values: []string{"2001:db8::1", "2001:db8::2"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(d *world.Data) { d.DomainByFQDN(testZone).Records = nil })
			if err := e.client.PutRRSet(deadline(t), testZone, tt.want, &RRSet{}); err != nil {
				t.Fatal(err)
			}
			got := calls(e.requests(t))
			usedLibdns := slices.Contains(got, "GET  200") // libdns/gandi's GET /domains/example.org
			if usedLibdns != tt.viaLibdns || count(e.requests(t), "PUT") != 1 {
				t.Errorf("requests %q: libdns/gandi used %v, want %v, and one PUT", got, usedLibdns, tt.viaLibdns)
			}
			if stored := e.stored(t, tt.want.Name, tt.want.Type); !Equal(stored, tt.want) {
				t.Errorf("stored %+v, want %+v", stored, tt.want)
			}
		})
	}
}

// libdns/gandi loses the status of a proxy's HTML 502; the adapter does not
// trust or retry its call, but reads the rrset back and writes it itself.
func TestFailedLibdnsCreateIsFinishedByOwnPUT(t *testing.T) {
	e := newEnv(t)
	e.breakOn(t, "PUT", simgandi.Fault502HTML) // libdns/gandi's PUT
	want := RRSet{Name: "chat", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}}
	if err := e.client.PutRRSet(deadline(t), testZone, want, &RRSet{}); err != nil {
		t.Fatal(err)
	}
	wantCalls := []string{
		"GET /records/chat/A 404", // the adapter's read
		"GET  200",                // libdns/gandi: the domain
		"GET /records/chat/A 404", // libdns/gandi: the rrset
		"PUT /records/chat/A 502", // libdns/gandi: the write, lost
		"GET /records/chat/A 404", // the adapter: still absent
		"PUT /records/chat/A 201", // the adapter's own write
		"GET /records/chat/A 200", // read back
	}
	if got := calls(e.requests(t)); !slices.Equal(got, wantCalls) {
		t.Errorf("requests\n%q\nwant\n%q", got, wantCalls)
	}
	if got := e.stored(t, "chat", "A"); !Equal(got, want) {
		t.Errorf("stored %+v", got)
	}
}

func TestDeleteRRSet(t *testing.T) {
	e := newEnv(t)
	ctx := deadline(t)
	www := RRSet{Name: "www", Type: "CNAME", TTL: 10800, Values: []string{"webredir.vip.gandi.net."}}
	if err := e.client.DeleteRRSet(ctx, testZone, "WWW", "cname", &www); err != nil {
		t.Fatal(err)
	}
	if got := e.stored(t, "www", "CNAME"); len(got.Values) != 0 {
		t.Errorf("www CNAME still there: %+v", got)
	}
	if want := []string{"GET /records/www/CNAME 200", "DELETE /records/www/CNAME 204", "GET /records/www/CNAME 404"}; !slices.Equal(calls(e.requests(t)), want) {
		t.Errorf("requests %q, want %q", calls(e.requests(t)), want)
	}
	before := len(e.requests(t))
	if err := e.client.DeleteRRSet(ctx, testZone, "www", "CNAME", &www); err != nil {
		t.Errorf("deleting it again: %v, want nothing to do", err)
	}
	if rerun := e.since(t, before); len(rerun) != 1 || count(rerun, "DELETE") != 0 {
		t.Errorf("rerun sent %q, want one GET", calls(rerun))
	}
}

func TestWantsGandiWouldMisreadAreRefusedBeforeAnyRequest(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		want   RRSet
		errHas string
	}{
		{"TTL under Gandi's minimum", RRSet{Name: "my", Type: "A", TTL: 60, Values: []string{"203.0.113.10"}},
			"TTL 60 is outside Gandi's 300…2592000 seconds"},
		{"no values", RRSet{Name: "my", Type: "A", TTL: 300}, "use DeleteRRSet"},
		{"unquoted TXT", RRSet{Name: "_dmarc", Type: "TXT", Values: []string{"v=DMARC1; p=none"}}, "build it with QuoteTXT"},
		{"TXT string over 255 bytes", RRSet{Name: "k._domainkey", Type: "TXT",
			Values: []string{`"` + strings.Repeat("a", 300) + `"`}}, "a string over 255 bytes"},
		{"relative MX target", RRSet{Name: "@", Type: "MX", Values: []string{"10 my.example.org"}},
			`Gandi would read it as my.example.org.example.org: end it with a dot`},
		{"name outside the zone", RRSet{Name: "my.example.net.", Type: "A", Values: []string{"203.0.113.10"}},
			"outside the zone example.org"},
		{"absolute name without its dot", RRSet{Name: "my.example.org", Type: "A", Values: []string{"203.0.113.10"}},
			`give it relative ("my") or end it with a dot`},
		{"IPv6 in an A", RRSet{Name: "my", Type: "A", Values: []string{"2001:db8::1"}}, "is not an IPv4 address"},
	}
	for _, tt := range tests {
		err := e.client.PutRRSet(deadline(t), testZone, tt.want, nil)
		if err == nil || !strings.Contains(err.Error(), tt.errHas) {
			t.Errorf("%s: %v, want it to say %q", tt.name, err, tt.errHas)
		}
	}
	if n := len(e.requests(t)); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func TestWriteWithARefusedToken(t *testing.T) {
	e := newEnv(t)
	wrong := "pat_revoked-token-5555555555"
	want := RRSet{Name: "@", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}}
	err := e.newClient(t, wrong).PutRRSet(deadline(t), testZone, want, nil)
	checkStatus(t, err, 401, "Gandi refused the token: "+TokenHelp, wrong)
	err = e.newClient(t, wrong).DeleteRRSet(deadline(t), testZone, "www", "CNAME", nil)
	checkStatus(t, err, 401, "Gandi refused the token", wrong)
	if !Equal(e.stored(t, "@", "A"), gandiApexA) {
		t.Error("the zone changed")
	}
}

// Another writer slipping in between the PUT and the read-back is caught.
func TestReadBackCatchesAWriteAfterOurs(t *testing.T) {
	e := newEnv(t)
	puts := 0
	e.hook.set(func(r *http.Request) bool {
		if r.Method == http.MethodPut {
			puts++
			return false
		}
		if puts == 0 {
			return false
		}
		// The read-back: someone else's value lands first.
		err := e.w.Update(context.Background(), "test.other-writer", func(d *world.Data) error {
			rrs := d.DomainByFQDN(testZone).Records
			rrs[slices.IndexFunc(rrs, func(rr world.RRSet) bool { return rr.Name == "@" && rr.Type == "A" })].Values = []string{"198.51.100.7"}
			return nil
		})
		if err != nil {
			t.Error(err)
		}
		return true
	})
	want := RRSet{Name: "@", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}}
	err := e.client.PutRRSet(deadline(t), testZone, want, &gandiApexA)
	if err == nil || !strings.Contains(err.Error(), "the record set @/A of example.org holds 198.51.100.7 (TTL 300) right after chapterctl wrote 203.0.113.10 (TTL 300)") ||
		!strings.Contains(err.Error(), "run the command again") {
		t.Errorf("error %v, want the read-back to report the other value", err)
	}
}

// Gandi's validation 400 has no code and no message (libdns/gandi can only
// say "returned a 0 ()"); the adapter passes on Gandi's description.
func TestGandisValidationErrorIsExplained(t *testing.T) {
	e := newEnv(t)
	want := RRSet{Name: "www", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}} // beside Gandi's www CNAME
	err := e.client.PutRRSet(deadline(t), testZone, want, &RRSet{})
	wantMsg := "Gandi refused the record set www/A of example.org (400): " +
		"'www': a CNAME record cannot coexist with other records at the same name (param: rrset_type)"
	if !errors.Is(err, ErrRefused) || err.Error() != wantMsg {
		t.Errorf("error %v, want %q", err, wantMsg)
	}
	if got := e.stored(t, "www", "A"); len(got.Values) != 0 {
		t.Errorf("www A written: %+v", got)
	}
}
