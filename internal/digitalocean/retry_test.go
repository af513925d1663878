package digitalocean

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	dosim "github.com/chapterctl/chapterctl/internal/sandbox/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestReadsAreRetried(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		scale     float64
		faults    map[string]string
		wantWaits []time.Duration
		wantSeen  []int // statuses the world answered, 0 for a dropped connection
	}{
		{
			// At time scale 0.05 the simulated minute of a burst 429 is a
			// Retry-After of 3 s: waited exactly, not the 1 s, 2 s backoff.
			name: "429 honours Retry-After", scale: 0.05, faults: map[string]string{dosim.FaultRateLimit: "2"},
			wantWaits: []time.Duration{3 * time.Second, 3 * time.Second}, wantSeen: []int{429, 429, 200},
		},
		{
			name: "5xx backs off", scale: 0.001, faults: map[string]string{dosim.Fault5xx: "2"},
			wantWaits: []time.Duration{time.Second, 2 * time.Second}, wantSeen: []int{500, 500, 200},
		},
		{
			name: "reset connection", scale: 0.001, faults: map[string]string{dosim.FaultConnectionReset: "1"},
			wantWaits: []time.Duration{time.Second}, wantSeen: []int{0, 200},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, seeded(func(d *world.Data) { d.TimeScale, d.Faults = tc.scale, tc.faults }))
			if _, err := e.c.Account(e.ctx); err != nil {
				t.Fatalf("Account: %v", err)
			}
			if got := e.waits.waits(); !slices.Equal(got, tc.wantWaits) {
				t.Errorf("waited %v, want %v", got, tc.wantWaits)
			}
			if got := e.statuses(t, "GET", "/v2/account"); !slices.Equal(got, tc.wantSeen) {
				t.Errorf("the API answered %v, want %v", got, tc.wantSeen)
			}
		})
	}
}

func TestRetriesAreBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withFaults(map[string]string{dosim.Fault5xx: "50"}))
	_, err := e.c.Account(e.ctx)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Account = %v, want ErrUnavailable", err)
	}
	for _, want := range []string{"read the DigitalOcean account", "500", "request ", "5 tries", "status.digitalocean.com"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not say %q", err, want)
		}
	}
	if n := len(e.requests(t, "GET", "/v2/account")); n != 5 {
		t.Errorf("sent %d times, want 5", n)
	}
	if got := e.waits.waits(); !slices.Equal(got, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}) {
		t.Errorf("waited %v, want 1 s, 2 s, 4 s, 8 s", got)
	}
}

// TestCreateIsNeverSentTwice: a create whose answer was lost may have made
// a droplet, and a second would be billed.
func TestCreateIsNeverSentTwice(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault        string
		wantDroplets int // what the world holds after
		wantStatus   int // what it answered the create
	}{
		{dosim.FaultCreateCommitThen500, 1, 500},
		{dosim.Fault5xx, 0, 500},
		{dosim.FaultConnectionReset, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withFaults(map[string]string{tc.fault: "1"}))
			_, err := e.c.CreateDroplet(e.ctx, chapterSpec("my.redrockdsa.org", "chapterctl:abc123"))
			if !errors.Is(err, ErrCreateUncertain) {
				t.Fatalf("CreateDroplet = %v, want ErrCreateUncertain", err)
			}
			if !strings.Contains(err.Error(), "by its tag") {
				t.Errorf("%q does not say the droplet is looked for by tag", err)
			}
			noSecret(t, err)
			if got := e.statuses(t, "POST", "/v2/droplets"); !slices.Equal(got, []int{tc.wantStatus}) {
				t.Errorf("creates answered %v, want exactly one, %d", got, tc.wantStatus)
			}
			if got := len(e.droplets()); got != tc.wantDroplets {
				t.Errorf("the world holds %d droplets, want %d", got, tc.wantDroplets)
			}
			if got := e.waits.waits(); len(got) != 0 {
				t.Errorf("the adapter waited %v to retry a create", got)
			}

			// What the step does next: look by tag, and only then create.
			var found []Droplet
			eventually(t, "the list to catch up", func() bool {
				found, err = e.c.DropletsByTag(e.ctx, "chapterctl:abc123")
				if err != nil {
					t.Fatal(err)
				}
				return len(found) == tc.wantDroplets
			})
			if len(found) == 1 {
				if _, err := e.c.WaitActive(e.ctx, found[0].ID, nil); err != nil {
					t.Errorf("the droplet the lost create made: %v", err)
				}
			}
			if got := len(e.requests(t, "POST", "/v2/droplets")); got != 1 {
				t.Errorf("%d creates in all, want 1", got)
			}
		})
	}
}

// TestCreateThatTimesOut: the API is slow, the attempt's deadline passes,
// and the create goes on without us: uncertain, and not sent again. Reads
// that time out are retried.
func TestCreateThatTimesOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withFaults(map[string]string{world.Latency: "300ms"}))
	e.c.retry.policy.attemptTimeout = 50 * time.Millisecond
	_, err := e.c.CreateDroplet(e.ctx, chapterSpec("my.redrockdsa.org", "chapterctl:abc123"))
	if !errors.Is(err, ErrCreateUncertain) || !strings.Contains(err.Error(), "no answer in time") {
		t.Fatalf("CreateDroplet = %v, want ErrCreateUncertain, no answer in time", err)
	}
	eventually(t, "the slow create to reach the world", func() bool { return len(e.requests(t, "POST", "/v2/droplets")) > 0 })
	if n := len(e.requests(t, "POST", "/v2/droplets")); n != 1 {
		t.Errorf("%d creates, want 1", n)
	}

	_, err = e.c.Account(e.ctx)
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("Account = %v, want ErrUnreachable, did not answer in time", err)
	}
	eventually(t, "every slow read to reach the world", func() bool { return len(e.requests(t, "GET", "/v2/account")) == 5 })
}

// TestCreateRefusedFor429IsRetried: a 429 proves the API did nothing, so
// even a create may go again, after the wait it asks for.
func TestCreateRefusedFor429IsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, withFaults(map[string]string{dosim.FaultRateLimit: "1"}))
	if _, err := e.c.CreateDroplet(e.ctx, chapterSpec("my.redrockdsa.org", "chapterctl:abc123")); err != nil {
		t.Fatal(err)
	}
	if got := e.statuses(t, "POST", "/v2/droplets"); !slices.Equal(got, []int{429, 202}) {
		t.Errorf("creates answered %v, want [429 202]", got)
	}
	if got := len(e.droplets()); got != 1 {
		t.Errorf("%d droplets, want 1", got)
	}
}

func TestUnreachableAPI(t *testing.T) {
	t.Parallel()
	waits := &waitLog{scale: 0.001}
	c := New(testToken, simnet.NewNet(), nil, WithSleeper(waits.sleep)) // no route: every dial is refused
	_, err := c.CreateDroplet(t.Context(), chapterSpec("my.redrockdsa.org", "chapterctl:abc123"))
	if !errors.Is(err, ErrUnreachable) || errors.Is(err, ErrCreateUncertain) {
		t.Errorf("CreateDroplet with no network = %v, want ErrUnreachable: nothing was sent", err)
	}
	if !strings.Contains(err.Error(), "could not reach DigitalOcean") || strings.Contains(err.Error(), "https://") {
		t.Errorf("%q: want the network's words without the URL", err)
	}
	if got := len(waits.waits()); got != 4 {
		t.Errorf("a refused dial was retried %d times, want 4", got)
	}
}

func TestTheTokenNeverAppearsInErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		token  string
		faults map[string]string
	}{
		{name: "401", token: testToken + "x"},
		{name: "500", token: testToken, faults: map[string]string{dosim.Fault5xx: "50"}},
		{name: "lost create", token: testToken, faults: map[string]string{dosim.FaultCreateCommitThen500: ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withToken(tc.token), withFaults(tc.faults))
			errs := []error{e.c.CheckToken(e.ctx)}
			_, err := e.c.CreateDroplet(e.ctx, chapterSpec("my.redrockdsa.org", "chapterctl:abc123"))
			errs = append(errs, err)
			for _, err := range errs {
				if err == nil {
					continue
				}
				if strings.Contains(err.Error(), tc.token) || strings.Contains(err.Error(), testToken) {
					t.Errorf("the error shows the token: %v", err)
				}
			}
			if errs[0] == nil && errs[1] == nil {
				t.Error("no error to check")
			}
		})
	}
}

func TestRedactionIsTheLastLine(t *testing.T) {
	t.Parallel()
	c := New(testToken, simnet.NewNet(), nil)
	err := c.fail("read the account", errors.New("proxy said: bad header Bearer "+testToken))
	if strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("an error echoing the token reads %q", err)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true}, // a past date: now
		{"", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		got, ok := retryAfter(tc.value, now)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.value, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestBackoff(t *testing.T) {
	var got []time.Duration
	for attempt := 1; attempt <= 7; attempt++ {
		got = append(got, defaultRetryPolicy.backoff(attempt))
	}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30}
	for i := range want {
		want[i] *= time.Second
	}
	if !slices.Equal(got, want) {
		t.Errorf("backoff = %v, want %v", got, want)
	}
}

func TestWhatMayBeSentAgain(t *testing.T) {
	cases := []struct {
		method, path string
		want         bool
	}{
		{"GET", "/v2/droplets", true},
		{"PUT", "/v2/firewalls/abc", true},
		{"DELETE", "/v2/droplets/1", true},
		{"POST", "/v2/tags", true},
		{"POST", "/v2/account/keys", true},
		{"POST", "/v2/droplets", false},
		{"POST", "/v2/firewalls", false},
		{"POST", "/v2/droplets/1/actions", false},
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, "https://api.digitalocean.com"+tc.path, nil)
		if got := isRepeatable(req); got != tc.want {
			t.Errorf("%s %s repeatable = %v, want %v", tc.method, tc.path, got, tc.want)
		}
	}
}
