package gandi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestGetRRSetAndItsCoded404(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	var mx rrsetOut
	s.call(t, "GET", "domains/example.org/records/@/MX", "").expect(t, 200).json(t, &mx)
	want := rrsetOut{Name: "@", Type: "MX", TTL: 10800,
		Values: []string{"10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."},
		Href:   "https://api.gandi.net/v5/livedns/domains/example.org/records/%40/MX"}
	if mx.Name != want.Name || mx.TTL != want.TTL || !slices.Equal(mx.Values, want.Values) || mx.Href != want.Href {
		t.Errorf("MX = %+v, want %+v", mx, want)
	}

	r := s.call(t, "GET", "domains/example.org/records/missing/A", "").expect(t, 404)
	var body map[string]any
	r.json(t, &body)
	wantBody := map[string]any{"object": "dns-record", "cause": "Not Found", "code": float64(404),
		"message": "Can't find the DNS record missing/A in the zone"}
	for k, v := range wantBody {
		if body[k] != v {
			t.Errorf("404 body %s = %v, want %v", k, body[k], v)
		}
	}
}

func TestPutRRSetReplacesValuesAndTTLAndAnswers201(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	// libdns/gandi sends rrset_name, rrset_type and rrset_href too.
	for _, body := range []string{
		`{"rrset_name":"my","rrset_type":"A","rrset_href":"x","rrset_ttl":600,"rrset_values":["203.0.113.10","203.0.113.11"]}`,
		`{"rrset_ttl":300,"rrset_values":["203.0.113.12"]}`,
	} {
		r := s.call(t, "PUT", "domains/example.org/records/my/A", body).expect(t, 201)
		if strings.TrimSpace(r.body) != `{"message":"DNS Record Created"}` {
			t.Errorf("body %s", r.body)
		}
		if loc := r.header.Get("Location"); loc != "https://api.gandi.net/v5/livedns/domains/example.org/records/my/A" {
			t.Errorf("Location %q", loc)
		}
	}
	rr, _ := s.rrset("my", "A")
	if rr.TTL != 300 || !slices.Equal(rr.Values, []string{"203.0.113.12"}) {
		t.Errorf("after the second PUT: %+v, want values and TTL replaced", rr)
	}
}

func TestDeleteRRSetAnswers204ThenCoded404(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	r := s.call(t, "DELETE", "domains/example.org/records/www/CNAME", "").expect(t, 204)
	if r.body != "" {
		t.Errorf("204 with body %q", r.body)
	}
	if _, found := s.rrset("www", "CNAME"); found {
		t.Error("www CNAME still there")
	}
	r = s.call(t, "DELETE", "domains/example.org/records/www/CNAME", "").expect(t, 404)
	if code, ok := errorCode(t, r); !ok || code != 404 {
		t.Errorf("second DELETE body %s, want code 404", r.body)
	}
}

func TestPathNamesAreDecoded(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	for _, path := range []string{"@", "%40", "example.org.", "EXAMPLE.org."} {
		var rr rrsetOut
		s.call(t, "GET", "domains/example.org/records/"+path+"/A", "").expect(t, 200).json(t, &rr)
		if rr.Name != "@" || rr.Values[0] != "217.70.184.38" {
			t.Errorf("%s: %+v, want the apex A", path, rr)
		}
	}
	s.call(t, "PUT", "domains/example.org/records/chat.example.org./A", `{"rrset_values":["203.0.113.10"]}`).expect(t, 201)
	if _, found := s.rrset("chat", "A"); !found {
		t.Error("an absolute name in the zone was not stored relative")
	}
	// What libdns/gandi sends for an empty name names no resource.
	s.call(t, "GET", "domains/example.org/records//TXT", "").expect(t, 404)
}

func TestAbsoluteNameOutsideTheZoneIs400(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	var body errorBody
	s.call(t, "PUT", "domains/example.org/records/www.example.net./A", `{"rrset_values":["203.0.113.10"]}`).
		expect(t, 400).json(t, &body)
	if body.Code != 400 || body.Message != "Absolute rrset_name must end with example.org." {
		t.Errorf("body %+v", body)
	}
}

func TestTTLRules(t *testing.T) {
	t.Parallel()
	strict, clamping := newSim(t), newSimWith(t, simConfig{opts: Options{ClampTTL: true}})
	tests := []struct {
		name    string
		s       *sim
		ttl     string // "" omits it
		status  int
		stored  int
		invalid bool
	}{
		{"omitted is Gandi's default", strict, "", 201, 10800, false},
		{"the minimum", strict, "300", 201, 300, false},
		{"the maximum", strict, "2592000", 201, 2592000, false},
		{"under the minimum", strict, "299", 400, 0, true},
		{"zero", strict, "0", 400, 0, true},
		{"over the maximum", strict, "2592001", 400, 0, true},
		{"under the minimum, clamped", clamping, "60", 201, 300, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"rrset_values":["203.0.113.10"]}`
			if tt.ttl != "" {
				body = `{"rrset_ttl":` + tt.ttl + `,"rrset_values":["203.0.113.10"]}`
			}
			r := tt.s.call(t, "PUT", "domains/example.org/records/ttl"+tt.ttl+"/A", body).expect(t, tt.status)
			if tt.invalid {
				var v validationBody
				r.json(t, &v)
				if _, coded := errorCode(t, r); coded || v.Status != "error" || v.Errors[0].Name != "rrset_ttl" {
					t.Errorf("body %s, want a validation body for rrset_ttl", r.body)
				}
				return
			}
			var rr rrsetOut
			tt.s.call(t, "GET", "domains/example.org/records/ttl"+tt.ttl+"/A", "").expect(t, 200).json(t, &rr)
			if rr.TTL != tt.stored {
				t.Errorf("stored TTL %d, want %d", rr.TTL, tt.stored)
			}
		})
	}
}

func TestALIASOnlyAtTheApex(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	r := s.call(t, "PUT", "domains/example.org/records/www/ALIAS", `{"rrset_values":["example.net."]}`).expect(t, 400)
	var v validationBody
	r.json(t, &v)
	if len(v.Errors) != 1 || !strings.Contains(v.Errors[0].Description, "only '@' is allowed for ALIAS records") {
		t.Errorf("body %s", r.body)
	}
	s.call(t, "DELETE", "domains/example.org/records/@/A", "").expect(t, 204)
	s.call(t, "PUT", "domains/example.org/records/@/ALIAS", `{"rrset_values":["example.net."]}`).expect(t, 201)
}

func TestCNAMEBesideOtherTypesIsRefused(t *testing.T) {
	t.Parallel()
	strict, lenient := newSim(t), newSimWith(t, simConfig{opts: Options{AllowCNAMEConflicts: true}})
	tests := []struct {
		name, method, path, body string
	}{
		{"A beside the default www CNAME", "PUT", "records/www/A", `{"rrset_values":["203.0.113.10"]}`},
		{"CNAME beside the apex records", "PUT", "records/@/CNAME", `{"rrset_values":["example.net."]}`},
		{"CNAME beside an A", "PUT", "records/_srv/CNAME", `{"rrset_values":["example.net."]}`},
		{"CNAME and A in one PUT by name", "PUT", "records/chat",
			`{"items":[{"rrset_type":"CNAME","rrset_values":["x.example.net."]},{"rrset_type":"A","rrset_values":["203.0.113.10"]}]}`},
	}
	strict.call(t, "PUT", "domains/example.org/records/_srv/A", `{"rrset_values":["203.0.113.10"]}`).expect(t, 201)
	lenient.call(t, "PUT", "domains/example.org/records/_srv/A", `{"rrset_values":["203.0.113.10"]}`).expect(t, 201)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := strict.call(t, tt.method, "domains/example.org/"+tt.path, tt.body).expect(t, 400)
			var v validationBody
			if err := json.Unmarshal([]byte(r.body), &v); err != nil || v.Status != "error" || len(v.Errors) != 1 {
				t.Errorf("body %s, want a validation body", r.body)
			}
			lenient.call(t, tt.method, "domains/example.org/"+tt.path, tt.body).expect(t, 201)
		})
	}
}

func TestValuesAreValidated(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	tests := []struct{ path, body string }{
		{"records/my/A", `{"rrset_values":["2001:db8::1"]}`},
		{"records/my/AAAA", `{"rrset_values":["192.0.2.1"]}`},
		{"records/@/MX", `{"rrset_values":["mail.example.org."]}`},
		{"records/my/A", `{"rrset_values":[]}`},
		{"records/my/A", `{"rrset_ttl":300}`},
		{"records/w/CNAME", `{"rrset_values":["a.example.net.","b.example.net."]}`},
		{"records/my/BOGUS", `{"rrset_values":["x"]}`},
		{"records/bad name/A", `{"rrset_values":["192.0.2.1"]}`},
		{"records/my/A", `{not json`},
	}
	for _, tt := range tests {
		r := s.call(t, "PUT", "domains/example.org/"+tt.path, tt.body)
		if r.status != http.StatusBadRequest {
			t.Errorf("PUT %s %s: %d %s, want 400", tt.path, tt.body, r.status, r.body)
		}
	}
	if _, found := s.rrset("my", "A"); found {
		t.Error("an invalid write changed the zone")
	}
}

func TestPostRRSetCreatesOnce(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	s.call(t, "POST", "domains/example.org/records/my/A", `{"rrset_values":["203.0.113.10"]}`).expect(t, 201)
	s.call(t, "POST", "domains/example.org/records/my/A", `{"rrset_values":["203.0.113.11"]}`).expect(t, 409)
	s.call(t, "POST", "domains/example.org/records",
		`{"rrset_name":"chat","rrset_type":"A","rrset_values":["203.0.113.10"]}`).expect(t, 201)
	s.call(t, "POST", "domains/example.org/records",
		`{"rrset_name":"chat","rrset_type":"A","rrset_values":["203.0.113.10"]}`).expect(t, 409)
	if rr, _ := s.rrset("my", "A"); !slices.Equal(rr.Values, []string{"203.0.113.10"}) {
		t.Errorf("the conflicting POST changed the rrset: %+v", rr)
	}
}

func TestWritesNeedJSON(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	s.call(t, "PUT", "domains/example.org/records/my/A", `{"rrset_values":["203.0.113.10"]}`,
		"Content-Type", "text/plain").expect(t, http.StatusUnsupportedMediaType)
	s.call(t, "PATCH", "domains/example.org/records/my/A", `{}`).expect(t, http.StatusMethodNotAllowed)
}
