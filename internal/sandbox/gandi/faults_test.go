package gandi

import (
	"context"
	"crypto/tls"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func breakFault(t testing.TB, w *world.World, name, param string) {
	t.Helper()
	err := w.Update(context.Background(), "test.break", func(d *world.Data) error {
		d.Faults[name] = param
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestServedFaultsAnswerNTimesThenRecover(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault       string
		status      int
		contentType string
		bodyHas     string
		retryAfter  bool
	}{
		{FaultRateLimit, 429, "application/json", `"code":429`, true},
		{FaultRateLimitHTML, 429, "text/html", "<title>429 Too Many Requests</title>", false},
		{Fault5xx, 500, "application/json", `"code":500`, false},
		{Fault502HTML, 502, "text/html", "<h1>502 Bad Gateway</h1>", false},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			t.Parallel()
			s := newSim(t)
			breakFault(t, s.w, tt.fault, "2")
			for i := range 2 {
				r := s.call(t, "GET", "domains/example.org", "").expect(t, tt.status)
				if !strings.HasPrefix(r.header.Get("Content-Type"), tt.contentType) || !strings.Contains(r.body, tt.bodyHas) {
					t.Errorf("answer %d: %s %q", i, r.header.Get("Content-Type"), r.body)
				}
				if got := r.header.Get("Retry-After") != ""; got != tt.retryAfter {
					t.Errorf("answer %d: Retry-After %q", i, r.header.Get("Retry-After"))
				}
			}
			s.call(t, "GET", "domains/example.org", "").expect(t, 200)
			if _, active := s.w.Fault(tt.fault); active {
				t.Error("the fault is still active after its burst")
			}
		})
	}
}

func TestConnectionResetFault(t *testing.T) {
	t.Parallel()
	tests := []struct{ proto, want string }{
		{"HTTP/2", "stream error"}, // HTTP/2 cannot give its connection away: the stream is reset
		{"HTTP/1.1", "connection reset by peer"},
	}
	for _, tt := range tests {
		t.Run(tt.proto, func(t *testing.T) {
			s := newSim(t)
			if tt.proto == "HTTP/1.1" {
				s.transport.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
				s.transport.ForceAttemptHTTP2 = false
			}
			breakFault(t, s.w, FaultConnectionReset, "")
			resp, err := s.client.Get(apiRoot + "domains/example.org")
			if err == nil {
				resp.Body.Close()
				t.Fatalf("got %s, want the connection to fail", resp.Status)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("client error %v, want %q", err, tt.want)
			}
			s.call(t, "GET", "domains/example.org", "").expect(t, 200)
		})
	}
}

// libdns/gandi reports the code of a JSON error and loses the status of
// a non-JSON one: what the adapter's own transport wrapper must make up for.
func TestLibdnsUnderServedFaults(t *testing.T) {
	s := newSim(t)
	p := s.provider(t, testToken)
	tests := []struct{ fault, want string }{
		{FaultRateLimit, "LiveDNS returned a 429 (Too Many Requests)"},
		{Fault5xx, "LiveDNS returned a 500 (The server has either erred"},
		{Fault502HTML, "invalid character '<'"},
		{FaultRateLimitHTML, "invalid character '<'"},
	}
	for _, tt := range tests {
		breakFault(t, s.w, tt.fault, "1")
		_, err := p.GetRecords(context.Background(), testZone)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.fault, err, tt.want)
		}
	}
}

func TestRateLimitPerSimulatedMinute(t *testing.T) {
	t.Parallel()
	s := newSimWith(t, simConfig{opts: Options{RateLimit: 3}, setup: func(d *world.Data) { d.TimeScale = 1 }})
	for range 3 {
		s.call(t, "GET", "domains/example.org", "").expect(t, 200)
	}
	r := s.call(t, "GET", "domains/example.org", "").expect(t, 429)
	wait, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || wait < 1 || wait > 60 {
		t.Errorf("Retry-After %q, want the seconds left in the minute", r.header.Get("Retry-After"))
	}
	if code, _ := errorCode(t, r); code != 429 {
		t.Errorf("body %s", r.body)
	}
}

func TestLatencyFaultSlowsAnswers(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	s.call(t, "GET", "domains/example.org", "").expect(t, 200) // connect first
	breakFault(t, s.w, world.Latency, "40ms")
	start := time.Now()
	s.call(t, "GET", "domains/example.org", "").expect(t, 200)
	if took := time.Since(start); took < 40*time.Millisecond {
		t.Errorf("answered in %s under a 40ms latency fault", took)
	}
}

func TestFaultsAreListed(t *testing.T) {
	t.Parallel()
	kinds := map[string]string{}
	for _, f := range Faults() {
		if f.Description == "" {
			t.Errorf("%s has no description", f.Name)
		}
		if (f.Kind == world.KindDoctor) != (f.Break != nil && f.Heal != nil) {
			t.Errorf("%s: kind %s, break/heal %v/%v", f.Name, f.Kind, f.Break != nil, f.Heal != nil)
		}
		kinds[f.Name] = f.Kind
	}
	for _, name := range []string{FaultRateLimit, FaultRateLimitHTML, Fault5xx, Fault502HTML, FaultConnectionReset} {
		if kinds[name] != world.KindReliability {
			t.Errorf("%s: kind %q", name, kinds[name])
		}
	}
	for _, name := range []string{FaultDKIMMissing, FaultDKIMWrong, FaultSPFMissing, FaultSPFTwo, FaultMXMissing,
		FaultMXWrong, FaultDMARCMissing, FaultAppRecordMissing, FaultMyRecordMissing, FaultCAAForbidsLetsEncrypt,
		FaultDomainExpiring} {
		if kinds[name] != world.KindDoctor {
			t.Errorf("%s: kind %q", name, kinds[name])
		}
	}
}
