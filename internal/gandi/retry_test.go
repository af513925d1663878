package gandi

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	simgandi "github.com/chapterctl/chapterctl/internal/sandbox/gandi"
)

// Each reliability fault of the simulator, on a read and on a write: the
// adapter repeats the request and the write lands once.
func TestRetriesThroughGandiFaults(t *testing.T) {
	faults := []struct {
		name   string
		status int // as the journal records the failed answer (0: dropped)
	}{
		{simgandi.FaultRateLimit, http.StatusTooManyRequests},
		{simgandi.Fault5xx, http.StatusInternalServerError},
		{simgandi.Fault502HTML, http.StatusBadGateway},
		{simgandi.FaultConnectionReset, 0},
	}
	want := RRSet{Name: "@", Type: "A", TTL: 300, Values: []string{"203.0.113.10"}}
	for _, f := range faults {
		for _, on := range []string{"GET", "PUT"} {
			t.Run(f.name+" on "+on, func(t *testing.T) {
				e := newEnv(t)
				e.breakOn(t, on, f.name)
				if err := e.client.PutRRSet(deadline(t), testZone, want, &gandiApexA); err != nil {
					t.Fatal(err)
				}
				failed := on + " /records/@/A " + strconv.Itoa(f.status)
				wantCalls := []string{"GET /records/@/A 200", "PUT /records/@/A 201", "GET /records/@/A 200"}
				i := slices.Index([]string{"GET", "PUT"}, on)
				wantCalls = slices.Insert(wantCalls, i, failed)
				got := calls(e.requests(t))
				// A dropped request is journaled when its handler ends,
				// which may be after the retry's line.
				slices.Sort(got)
				slices.Sort(wantCalls)
				if !slices.Equal(got, wantCalls) {
					t.Errorf("requests %q, want %q", got, wantCalls)
				}
				if stored := e.stored(t, "@", "A"); !Equal(stored, want) {
					t.Errorf("apex A = %+v", stored)
				}
			})
		}
	}
}

func TestZoneReadRetriesABurst(t *testing.T) {
	e := newEnv(t)
	e.breakFault(t, simgandi.Fault502HTML, "2")
	zone, err := e.client.Zone(deadline(t), testZone)
	if err != nil || len(zone) != 10 {
		t.Fatalf("Zone: %d rrsets, %v", len(zone), err)
	}
	got := calls(e.requests(t))
	if want := []string{"GET /records 502", "GET /records 502", "GET /records 200"}; !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
}

func TestGivingUpSaysWhatToDo(t *testing.T) {
	tests := []struct {
		fault  string
		status int
		errHas string
	}{
		{simgandi.Fault5xx, 500, "Gandi's API kept failing (500 Internal Server Error) after 3 tries: check https://status.gandi.net"},
		{simgandi.Fault502HTML, 502, "Gandi's API kept failing (502 Bad Gateway) after 3 tries"},
		{simgandi.FaultRateLimitHTML, 429, "Gandi kept refusing requests as too many (429) after 3 tries: wait a minute"},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			e := newEnv(t)
			e.client.retry = retryPolicy{attempts: 3, firstBackoff: time.Millisecond, maxBackoff: time.Millisecond,
				maxRetryAfter: time.Minute}
			e.breakFault(t, tt.fault, "3")
			_, err := e.client.Zone(deadline(t), testZone)
			checkStatus(t, err, tt.status, tt.errHas, "")
			if n := len(e.requests(t)); n != 3 {
				t.Errorf("%d requests, want 3", n)
			}
		})
	}
	t.Run("connection resets", func(t *testing.T) {
		e := newEnv(t)
		e.client.retry = retryPolicy{attempts: 2, firstBackoff: time.Millisecond, maxBackoff: time.Millisecond}
		e.breakFault(t, simgandi.FaultConnectionReset, "2")
		_, err := e.client.Zone(deadline(t), testZone)
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "could not reach Gandi's API after 2 tries") ||
			!strings.Contains(err.Error(), "check the network connection") {
			t.Errorf("error %v", err)
		}
	})
}

// A Retry-After longer than the caller's deadline is not waited for.
func TestRateLimitBeyondTheDeadlineFailsAtOnce(t *testing.T) {
	e := newEnv(t)
	e.breakFault(t, simgandi.FaultRateLimit, "1") // Retry-After: 1
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.client.Zone(ctx, testZone)
	checkStatus(t, err, 429, "Gandi kept refusing requests as too many (429) after 1 try", "")
	if took := time.Since(start); took > 400*time.Millisecond {
		t.Errorf("took %s: it waited for a Retry-After it could not honour", took)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
		given  bool
	}{
		{"3", 3 * time.Second, true},
		{"Wed, 25 Nov 2026 12:00:10 GMT", 10 * time.Second, true},
		{"Wed, 25 Nov 2026 11:00:00 GMT", 0, true},
		{"", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.header != "" {
			h.Set("Retry-After", tt.header)
		}
		got, given := retryAfter(h, now)
		if got != tt.want || given != tt.given {
			t.Errorf("Retry-After %q: %s %v, want %s %v", tt.header, got, given, tt.want, tt.given)
		}
	}
}

func TestCancelledContextIsNotBlamedOnGandi(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	cancel()
	_, err := e.client.Zone(ctx, testZone)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}
