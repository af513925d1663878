package digitalocean

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/digitalocean/godo"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestOnlyTheWorldsTokenAuthenticates(t *testing.T) {
	t.Parallel()
	for _, token := range []string{"", "dop_v1_somebody_else"} {
		e := newEnvFor(t, testWorld(nil), token)
		_, resp, err := e.do.Account.Get(e.ctx)
		wantAPIError(t, err, http.StatusUnauthorized, "Unable to authenticate you.")
		if resp.Rate.Limit != hourlyLimit {
			t.Errorf("a 401 carries no rate headers: %+v", resp.Rate)
		}
	}
}

func TestErrorBodiesAndEmptyDeletes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	resp, body := e.raw(t, "GET", "/v2/droplets/12345", "")
	var errBody map[string]string
	if err := json.Unmarshal([]byte(body), &errBody); err != nil {
		t.Fatalf("404 body %q: %v", body, err)
	}
	requestID := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != http.StatusNotFound || errBody["id"] != "not_found" || errBody["request_id"] != requestID || len(requestID) != 36 {
		t.Errorf("404: %d %v, X-Request-Id %q", resp.StatusCode, errBody, requestID)
	}
	if resp, _ := e.raw(t, "GET", "/v2/no/such/route", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown route: %d", resp.StatusCode)
	}
	if resp, _ := e.raw(t, "POST", "/v2/account/keys", "{not json"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed body: %d, want 400", resp.StatusCode)
	}
	if _, _, err := e.do.Tags.Create(e.ctx, &godo.TagCreateRequest{Name: "chapterctl:x"}); err != nil {
		t.Fatal(err)
	}
	e.createActive(t, chapterDropletRequest("my.example.org", "chapterctl:x"))
	resp, body = e.raw(t, "DELETE", "/v2/droplets?tag_name=chapterctl:x", "")
	if resp.StatusCode != http.StatusNoContent || body != "" {
		t.Errorf("DELETE: %d with body %q", resp.StatusCode, body)
	}
}

func TestRateLimitHeadersAndTheMinuteBurst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	_, resp, err := e.do.Regions.List(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Rate.Limit != 5000 || resp.Rate.Remaining != 4999 || resp.Rate.Reset.Before(time.Now().Add(59*time.Minute)) {
		t.Errorf("first request's rate: %+v", resp.Rate)
	}
	for range minuteLimit - 1 {
		if _, _, err := e.do.Sizes.List(e.ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, resp, err = e.do.Sizes.List(e.ctx, nil)
	wantAPIError(t, err, http.StatusTooManyRequests, "API Rate limit exceeded.")
	retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	if retry < 1 || retry > 60 {
		t.Errorf("Retry-After %q after the minute's burst", resp.Header.Get("Retry-After"))
	}
}

func TestSSHKeyListIsLimitedToTenAMinute(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for range keysListLimit {
		if _, _, err := e.do.Keys.List(e.ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := e.do.Keys.List(e.ctx, nil)
	wantAPIError(t, err, http.StatusTooManyRequests, "API Rate limit exceeded.")
	if _, _, err := e.do.Account.Get(e.ctx); err != nil {
		t.Errorf("other endpoints are still open: %v", err)
	}
}

func TestRateLimiterSlidingHour(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	l := newRateLimiter(realLimits)
	// 5,000 requests spread over 50 minutes: under 250 in any minute.
	for i := range hourlyLimit {
		if d := l.admit("tok", t0.Add(time.Duration(i)*600*time.Millisecond), false); d.refused {
			t.Fatalf("request %d refused", i)
		}
	}
	// At +60m01s the requests made at 0 s and 0.6 s have expired: two
	// places free up, no more.
	cases := []struct {
		at          time.Duration
		wantRefused bool
	}{
		{55 * time.Minute, true},
		{60*time.Minute + time.Second, false},
		{60*time.Minute + time.Second, false},
		{60*time.Minute + time.Second, true},
	}
	for i, c := range cases {
		d := l.admit("tok", t0.Add(c.at), false)
		if d.refused != c.wantRefused || (d.refused && d.retry != 0) {
			t.Errorf("request %d at +%s: refused %v (retry %s), want %v with no Retry-After", i, c.at, d.refused, d.retry, c.wantRefused)
		}
	}
	if d := l.admit("another token", t0.Add(55*time.Minute), false); d.refused || d.remaining != hourlyLimit-1 {
		t.Errorf("limits are per token: %+v", d)
	}
}

func TestCatalogueListsSizesImagesAndRegions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	sizes, _, err := e.do.Sizes.List(e.ctx, &godo.ListOptions{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(sizes, func(s godo.Size) bool { return s.Slug == "s-1vcpu-2gb" })
	if i < 0 || sizes[i].Memory != 2048 || sizes[i].Disk != 50 || sizes[i].PriceMonthly != 12 || !slices.Contains(sizes[i].Regions, "nyc3") {
		t.Errorf("s-1vcpu-2gb = %+v", sizes)
	}
	images, _, err := e.do.Images.ListDistribution(e.ctx, &godo.ListOptions{PerPage: 200})
	if err != nil {
		t.Fatal(err)
	}
	slugs := []string{}
	for _, im := range images {
		slugs = append(slugs, im.Slug)
	}
	if !slices.Contains(slugs, "ubuntu-22-04-x64") || !slices.Contains(slugs, "ubuntu-24-04-x64") {
		t.Errorf("distribution images = %v", slugs)
	}
	if apps, _, _ := e.do.Images.ListApplication(e.ctx, nil); len(apps) != 0 {
		t.Errorf("type=application lists %d images", len(apps))
	}
	regions, _, err := e.do.Regions.List(e.ctx, nil)
	if err != nil || len(regions) != len(regionNames) {
		t.Fatalf("regions: %d, %v", len(regions), err)
	}
	for _, r := range regions {
		if r.Available != slices.Contains(world.DORegionsOpen, r.Slug) {
			t.Errorf("region %s available = %v", r.Slug, r.Available)
		}
	}
}

func TestJournalMarksMutationsWithTheirPoint(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	journal, err := world.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() })
	e := newEnvFor(t, world.New(testData(nil), "", world.Options{Journal: journal}), testToken)
	e.do.Account.Get(e.ctx)
	e.do.Tags.Create(e.ctx, &godo.TagCreateRequest{Name: "chapterctl:abc"})

	all, err := world.ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []world.Entry
	for _, entry := range all {
		lines = append(lines, entry)
	}
	if len(lines) != 2 || lines[0].Service != "digitalocean" || lines[0].Mutating || lines[0].Status != 200 {
		t.Fatalf("journal = %+v", lines)
	}
	if !lines[1].Mutating || lines[1].Point != "digitalocean.tag.create" || lines[1].Status != 201 || lines[1].Path != "/v2/tags" {
		t.Errorf("tag create line = %+v", lines[1])
	}
}
