package gandi

// One test per defect of libdns/gandi v1.1.0 (reference §2 "Quirks" 1–5),
// each run with the real client against the simulator, which is faithful
// to Gandi and does not hide them. They swap http.DefaultTransport and so
// never run in parallel.

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libdns/libdns"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestLibdnsSetRecordsAppends(t *testing.T) {
	s := newSim(t)
	p := s.provider(t, testToken)
	ctx := context.Background()
	set := func(ip string) {
		rec := libdns.Address{Name: "@", TTL: time.Hour, IP: netip.MustParseAddr(ip)}
		if _, err := p.SetRecords(ctx, testZone, []libdns.Record{rec}); err != nil {
			t.Fatal(err)
		}
	}
	set("192.0.2.20")
	// libdns's contract: the only @ A records now are those in the input.
	rr, _ := s.rrset("@", "A")
	if !slices.Equal(rr.Values, []string{"217.70.184.38", "192.0.2.20"}) {
		t.Fatalf("apex A = %q, want Gandi's parking address kept beside the new one (the defect)", rr.Values)
	}
}

func TestLibdnsRewritesTheWholeRRSetsTTL(t *testing.T) {
	s := newSim(t)
	p := s.provider(t, testToken)
	ctx := context.Background()
	mx := libdns.MX{Name: "@", TTL: 600 * time.Second, Preference: 20, Target: "mx.example.net."}
	if _, err := p.AppendRecords(ctx, testZone, []libdns.Record{mx}); err != nil {
		t.Fatal(err)
	}
	rr, _ := s.rrset("@", "MX")
	if rr.TTL != 600 || len(rr.Values) != 3 {
		t.Errorf("MX = %+v, want Gandi's two values now at TTL 600 with the appended one", rr)
	}
	// TTL 0 is left out of the body, and Gandi puts its default back.
	mx.TTL, mx.Preference = 0, 30
	if _, err := p.AppendRecords(ctx, testZone, []libdns.Record{mx}); err != nil {
		t.Fatal(err)
	}
	if rr, _ = s.rrset("@", "MX"); rr.TTL != defaultTTL {
		t.Errorf("MX TTL after a TTL-0 append = %d, want %d", rr.TTL, defaultTTL)
	}
}

func TestLibdnsTXTQuoting(t *testing.T) {
	ctx := context.Background()
	t.Run("rerunning SetRecords grows the rrset", func(t *testing.T) {
		s := newSim(t)
		p := s.provider(t, testToken)
		rec := libdns.TXT{Name: "_dmarc", TTL: time.Hour, Text: "v=DMARC1; p=quarantine"}
		for range 3 {
			if _, err := p.SetRecords(ctx, testZone, []libdns.Record{rec}); err != nil {
				t.Fatal(err)
			}
		}
		rr, _ := s.rrset("_dmarc", "TXT")
		want := slices.Repeat([]string{`"v=DMARC1; p=quarantine"`}, 3)
		if !slices.Equal(rr.Values, want) {
			t.Errorf("_dmarc = %q, want three copies after three runs", rr.Values)
		}
	})
	t.Run("pre-quoted data cannot delete a single value", func(t *testing.T) {
		s := newSim(t)
		p := s.provider(t, testToken)
		rec := libdns.RR{Name: "_dmarc", Type: "TXT", TTL: time.Hour, Data: `"v=DMARC1; p=none"`}
		for range 2 { // idempotent when pre-quoted
			if _, err := p.SetRecords(ctx, testZone, []libdns.Record{rec}); err != nil {
				t.Fatal(err)
			}
		}
		if rr, _ := s.rrset("_dmarc", "TXT"); len(rr.Values) != 1 {
			t.Fatalf("_dmarc = %q after two pre-quoted sets, want one value", rr.Values)
		}
		_, err := p.DeleteRecords(ctx, testZone, []libdns.Record{rec})
		if err == nil || err.Error() != "LiveDNS returned a 404 (Can't find such a DNS value)" {
			t.Errorf("delete: %v, want the client's own 404", err)
		}
		if _, found := s.rrset("_dmarc", "TXT"); !found {
			t.Error("the record is gone")
		}
	})
	t.Run("deleting one of several values is a silent no-op", func(t *testing.T) {
		s := newSimWith(t, simConfig{setup: addRRSets(txt("_x", 300, `"a"`, `"b"`))})
		p := s.provider(t, testToken)
		deleted, err := p.DeleteRecords(ctx, testZone, []libdns.Record{libdns.TXT{Name: "_x", Text: "a"}})
		if err != nil || len(deleted) != 1 {
			t.Fatalf("delete reported %v, %v; want success", deleted, err)
		}
		if rr, _ := s.rrset("_x", "TXT"); !slices.Equal(rr.Values, []string{`"a"`, `"b"`}) {
			t.Errorf("_x = %q, want both values still there", rr.Values)
		}
	})
}

// A validation 400 has no code and no message, so all libdns/gandi can
// say is "returned a 0 ()".
func TestLibdnsSeesValidationErrorsWithoutACode(t *testing.T) {
	s := newSim(t)
	p := s.provider(t, testToken)
	rec := libdns.Address{Name: "my", TTL: time.Minute, IP: netip.MustParseAddr("203.0.113.10")}
	_, err := p.SetRecords(context.Background(), testZone, []libdns.Record{rec})
	if err == nil || err.Error() != "LiveDNS returned a 0 ()" {
		t.Errorf("TTL 60: %v, want \"LiveDNS returned a 0 ()\"", err)
	}
	if _, found := s.rrset("my", "A"); found {
		t.Error("the refused record was written")
	}
}

func TestLibdnsDeletingAMissingRecordFails(t *testing.T) {
	s := newSim(t)
	p := s.provider(t, testToken)
	rec := libdns.Address{Name: "missing", IP: netip.MustParseAddr("192.0.2.1")}
	_, err := p.DeleteRecords(context.Background(), testZone, []libdns.Record{rec})
	want := "LiveDNS returned a 404 (Can't find the DNS record missing/A in the zone)"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q (libdns says a missing record is silently ignored)", err, want)
	}
}

func TestLibdnsPanicsOnAnEmptyRRSet(t *testing.T) {
	// The API never stores an empty rrset, but a zone seeded (or edited
	// elsewhere) with one answers 200 with "rrset_values": [].
	empty := world.RRSet{Name: "empty", Type: "TXT", TTL: 300, Values: []string{}}
	s := newSimWith(t, simConfig{setup: addRRSets(empty)})
	p := s.provider(t, testToken)
	r := s.call(t, "GET", "domains/example.org/records/empty/TXT", "").expect(t, 200)
	if !strings.Contains(r.body, `"rrset_values":[]`) {
		t.Fatalf("body %s, want an empty value list", r.body)
	}
	panicked := func() (recovered any) {
		defer func() { recovered = recover() }()
		p.DeleteRecords(context.Background(), testZone, []libdns.Record{libdns.TXT{Name: "empty", Text: "x"}})
		return nil
	}()
	if panicked == nil || !strings.Contains(fmt.Sprint(panicked), "index out of range") {
		t.Errorf("DeleteRecords did not panic with index out of range: %v", panicked)
	}
}
