package mailgun

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestRateLimitFaultAnswers429NTimes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	breakFault(t, f.w, FaultRateLimit, "2")
	for i := range 2 {
		before := time.Now().Unix()
		got := f.send(t, http.MethodGet, USHost, "/v4/domains", nil, noBody)
		if got.status != http.StatusTooManyRequests || got.message(t) == "" {
			t.Fatalf("request %d: %d %s, want 429 with a message", i+1, got.status, got.body)
		}
		reset, err := strconv.ParseInt(got.header.Get("X-RateLimit-Reset"), 10, 64)
		if err != nil || reset <= before {
			t.Errorf("request %d: X-RateLimit-Reset %q (%v), want epoch seconds after %d", i+1, got.header.Get("X-RateLimit-Reset"), err, before)
		}
	}
	if got := f.send(t, http.MethodGet, USHost, "/v4/domains", nil, noBody); got.status != http.StatusOK {
		t.Errorf("after the burst: %d %s", got.status, got.body)
	}
	if _, active := f.w.Fault(FaultRateLimit); active {
		t.Error("fault still active after its burst")
	}
}

func TestRateLimitPerMinute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		setLimit  int // world's RequestsPerMinute; 0 is Mailgun's 300
		wantLimit int
	}{
		{"Mailgun's 300", 0, 300},
		{"a world's own limit", 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Real time (scale 1), so the minute outlasts the test.
			data := &world.Data{Schema: world.SchemaVersion, TimeScale: 1, Mailgun: world.Mailgun{RequestsPerMinute: tt.setLimit}}
			f := newFixture(t, data, world.Options{})
			start := time.Now()
			for i := range tt.wantLimit {
				if got := f.send(t, http.MethodGet, USHost, "/v4/domains", nil, noBody); got.status != http.StatusOK {
					t.Fatalf("request %d: %d", i+1, got.status)
				}
			}
			// Both regions count against the one account.
			got := f.send(t, http.MethodGet, EUHost, "/v4/domains", nil, noBody)
			if got.status != http.StatusTooManyRequests {
				t.Fatalf("request %d in a minute: %d, want 429", tt.wantLimit+1, got.status)
			}
			reset, err := strconv.ParseInt(got.header.Get("X-RateLimit-Reset"), 10, 64)
			if err != nil || reset < start.Add(time.Minute).Unix() || reset > time.Now().Add(time.Minute+time.Second).Unix() {
				t.Errorf("X-RateLimit-Reset %q: want about a minute after the first request", got.header.Get("X-RateLimit-Reset"))
			}
		})
	}
}

func TestRateWindowSlides(t *testing.T) {
	t.Parallel()
	var rw rateWindow
	t0 := time.Unix(1_800_000_000, 0)
	tests := []struct {
		at        time.Duration
		wantOK    bool
		wantReset time.Duration
	}{
		{0, true, 0},
		{10 * time.Second, true, 0},
		{20 * time.Second, false, time.Minute},
		{61 * time.Second, true, 0}, // the first left the window
		{62 * time.Second, false, 70 * time.Second},
	}
	for _, tt := range tests {
		ok, reset := rw.take(t0.Add(tt.at), time.Minute, 2)
		if ok != tt.wantOK || (!ok && !reset.Equal(t0.Add(tt.wantReset))) {
			t.Errorf("at %v: ok %v reset %v, want %v %v", tt.at, ok, reset.Sub(t0), tt.wantOK, tt.wantReset)
		}
	}
}
