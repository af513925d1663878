package gandi

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestListRecordsFiltersAndPages(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	var all []rrsetOut
	r := s.call(t, "GET", "domains/example.org/records", "").expect(t, 200)
	r.json(t, &all)
	if len(all) != 10 || r.header.Get("Total-Count") != "10" || r.header.Get("Link") != "" {
		t.Fatalf("%d rrsets, Total-Count %q, Link %q; want the 10 of the default zone in one answer",
			len(all), r.header.Get("Total-Count"), r.header.Get("Link"))
	}
	if all[0].Href != "https://api.gandi.net/v5/livedns/domains/example.org/records/%40/A" {
		t.Errorf("first rrset %+v, want the apex A with its href", all[0])
	}

	var srv []rrsetOut
	s.call(t, "GET", "domains/example.org/records?rrset_type=SRV", "").expect(t, 200).json(t, &srv)
	if len(srv) != 5 || slices.ContainsFunc(srv, func(rr rrsetOut) bool { return rr.Type != "SRV" }) {
		t.Errorf("?rrset_type=SRV gave %+v", srv)
	}

	tests := []struct {
		query     string
		names     []string
		next      bool
		lastPage  string
		wantCount string
	}{
		{"per_page=4", []string{"@", "@", "@", "webmail"}, true, "page=3", "10"},
		{"per_page=4&page=3", []string{"_pop3s._tcp", "_submission._tcp"}, false, "page=3", "10"},
		{"per_page=4&page=9", nil, false, "page=3", "10"},
	}
	for _, tt := range tests {
		var page []rrsetOut
		r := s.call(t, "GET", "domains/example.org/records?"+tt.query, "").expect(t, 200)
		r.json(t, &page)
		var names []string
		for _, rr := range page {
			names = append(names, rr.Name)
		}
		link := r.header.Get("Link")
		if !slices.Equal(names, tt.names) || strings.Contains(link, `rel="next"`) != tt.next ||
			!strings.Contains(link, tt.lastPage+`&per_page=4>; rel="last"`) || r.header.Get("Total-Count") != tt.wantCount {
			t.Errorf("?%s: names %v, Link %q, Total-Count %q", tt.query, names, link, r.header.Get("Total-Count"))
		}
	}
	s.call(t, "GET", "domains/example.org/records?page=0", "").expect(t, 400)
}

func TestZoneAsText(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	r := s.call(t, "GET", "domains/example.org/records", "", "Accept", "text/plain").expect(t, 200)
	if !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("Content-Type %q", r.header.Get("Content-Type"))
	}
	for _, line := range []string{
		"@ 10800 IN A 217.70.184.38\n",
		"@ 10800 IN MX 50 fb.mail.gandi.net.\n",
		"@ 10800 IN TXT \"v=spf1 include:_mailcust.gandi.net ?all\"\n",
		"_imaps._tcp 10800 IN SRV 0 1 993 mail.gandi.net.\n",
	} {
		if !strings.Contains(r.body, line) {
			t.Errorf("zone text lacks %q:\n%s", line, r.body)
		}
	}
	if n := strings.Count(r.body, "\n"); n != 11 {
		t.Errorf("%d lines, want one per value (11)", n)
	}
}

func TestRecordsByName(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	s.call(t, "PUT", "domains/example.org/records/chat", `{"items":[
		{"rrset_type":"A","rrset_values":["203.0.113.10"]},
		{"rrset_type":"TXT","rrset_ttl":300,"rrset_values":["hello"]}]}`).expect(t, 201)
	var at []rrsetOut
	s.call(t, "GET", "domains/example.org/records/chat", "").expect(t, 200).json(t, &at)
	if len(at) != 2 || at[1].Values[0] != `"hello"` || at[1].TTL != 300 {
		t.Fatalf("chat = %+v", at)
	}
	// A PUT by name replaces every type at the name.
	s.call(t, "PUT", "domains/example.org/records/chat",
		`{"items":[{"rrset_type":"AAAA","rrset_values":["2001:db8::10"]}]}`).expect(t, 201)
	s.call(t, "GET", "domains/example.org/records/chat", "").expect(t, 200).json(t, &at)
	if len(at) != 1 || at[0].Type != "AAAA" {
		t.Fatalf("after the second PUT chat = %+v, want only the AAAA", at)
	}
	s.call(t, "DELETE", "domains/example.org/records/chat", "").expect(t, 204)
	s.call(t, "GET", "domains/example.org/records/chat", "").expect(t, 200).json(t, &at)
	if len(at) != 0 {
		t.Errorf("after DELETE chat = %+v", at)
	}
	s.call(t, "DELETE", "domains/example.org/records/chat", "").expect(t, 404)
	s.call(t, "PUT", "domains/example.org/records/chat",
		`{"items":[{"rrset_type":"A","rrset_values":["203.0.113.10"]},{"rrset_type":"A","rrset_values":["203.0.113.11"]}]}`).
		expect(t, 400)
}

func TestWholeZoneRoutes(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	s.call(t, "PUT", "domains/example.org/records", `{"items":[
		{"rrset_name":"@","rrset_type":"A","rrset_values":["203.0.113.10"]},
		{"rrset_name":"my","rrset_type":"A","rrset_values":["203.0.113.10"]}]}`).expect(t, 201)
	s.domain(func(dom *world.Domain) {
		if len(dom.Records) != 2 {
			t.Errorf("zone after PUT = %+v", dom.Records)
		}
	})
	s.call(t, "DELETE", "domains/example.org/records", "").expect(t, 204)
	s.domain(func(dom *world.Domain) {
		if len(dom.Records) != 0 {
			t.Errorf("zone after DELETE = %+v", dom.Records)
		}
	})
}

func TestSnapshots(t *testing.T) {
	t.Parallel()
	s := newSimWith(t, simConfig{setup: func(d *world.Data) { d.Gandi.Domains[0].AutomaticSnapshots = false }})
	var made struct{ Message, ID string }
	r := s.call(t, "POST", "domains/example.org/snapshots", "").expect(t, 201)
	r.json(t, &made)
	if made.ID == "" || r.header.Get("Location") != "https://api.gandi.net/v5/livedns/domains/example.org/snapshots/"+made.ID {
		t.Fatalf("POST: %s, Location %q", r.body, r.header.Get("Location"))
	}
	s.call(t, "DELETE", "domains/example.org/records/www/CNAME", "").expect(t, 204)

	var list []snapshotOut
	s.call(t, "GET", "domains/example.org/snapshots", "").expect(t, 200).json(t, &list)
	if len(list) != 1 || list[0].ID != made.ID || list[0].Automatic || list[0].ZoneData != nil {
		t.Fatalf("list = %+v", list)
	}
	var one snapshotOut
	s.call(t, "GET", "domains/example.org/snapshots/"+made.ID, "").expect(t, 200).json(t, &one)
	if len(one.ZoneData) != 10 || !slices.ContainsFunc(one.ZoneData, func(rr rrsetOut) bool { return rr.Name == "www" }) {
		t.Errorf("zone_data = %+v, want the zone as it was, www included", one.ZoneData)
	}
	s.call(t, "PATCH", "domains/example.org/snapshots/"+made.ID, `{"name":"before chapterctl"}`).expect(t, 200)
	s.call(t, "GET", "domains/example.org/snapshots/"+made.ID, "").expect(t, 200).json(t, &one)
	if one.Name != "before chapterctl" {
		t.Errorf("name after PATCH = %q", one.Name)
	}
	s.call(t, "DELETE", "domains/example.org/snapshots/"+made.ID, "").expect(t, 204)
	s.call(t, "GET", "domains/example.org/snapshots/"+made.ID, "").expect(t, http.StatusNotFound)
	s.call(t, "POST", "domains/example.org/snapshots", `{"name":"named"}`).expect(t, 201)
	s.call(t, "GET", "domains/example.org/snapshots", "").expect(t, 200).json(t, &list)
	if len(list) != 1 || list[0].Name != "named" {
		t.Errorf("list = %+v", list)
	}
}

func TestAutomaticSnapshotsKeepTheZoneBeforeEachChange(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	for range maxAutomaticSnapshots + 2 {
		s.call(t, "PUT", "domains/example.org/records/my/A", `{"rrset_values":["203.0.113.10"]}`).expect(t, 201)
	}
	var list []snapshotOut
	s.call(t, "GET", "domains/example.org/snapshots", "").expect(t, 200).json(t, &list)
	if len(list) != maxAutomaticSnapshots || !list[0].Automatic {
		t.Fatalf("%d snapshots, want the last %d automatic ones", len(list), maxAutomaticSnapshots)
	}
	var first snapshotOut
	s.call(t, "GET", "domains/example.org/snapshots/"+list[len(list)-1].ID, "").expect(t, 200).json(t, &first)
	if !slices.ContainsFunc(first.ZoneData, func(rr rrsetOut) bool { return rr.Name == "my" }) {
		t.Errorf("the newest automatic snapshot lacks the zone before the last write")
	}
}
