package digitalocean

import (
	"errors"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestCheckToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		token    string
		wantKind error
		wantText string
		wantSent int // requests that reached the API
	}{
		{name: "accepted", token: testToken, wantSent: 1},
		{name: "refused", token: "dop_v1_" + strings.Repeat("ab", 32), wantKind: ErrUnauthorized,
			wantText: "DigitalOcean refused the token (401): check DIGITALOCEAN_ACCESS_TOKEN", wantSent: 1},
		{name: "missing", token: "  ", wantKind: ErrNoToken,
			wantText: "no DigitalOcean token was given: set DIGITALOCEAN_ACCESS_TOKEN", wantSent: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, withToken(tc.token))
			err := e.c.CheckToken(e.ctx)
			if !errors.Is(err, tc.wantKind) || (tc.wantKind == nil && err != nil) {
				t.Fatalf("CheckToken = %v, want kind %v", err, tc.wantKind)
			}
			if err != nil && err.Error() != tc.wantText {
				t.Errorf("error text = %q, want %q", err, tc.wantText)
			}
			if tc.token != "  " && err != nil && strings.Contains(err.Error(), tc.token) {
				t.Errorf("the error shows the token: %v", err)
			}
			if got := len(e.requests(t, "GET", "/v2/account")); got != tc.wantSent {
				t.Errorf("%d requests reached the API, want %d", got, tc.wantSent)
			}
			if got := len(e.waits.waits()); got != 0 {
				t.Errorf("a %s token was retried (%d waits)", tc.name, got)
			}
		})
	}
}

func TestAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, seeded(func(d *world.Data) { d.DigitalOcean.Account.DropletLimit = 3 }))
	a, err := e.c.Account(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Account{Email: "organizer@example.net", EmailVerified: true, Status: "active", DropletLimit: 3}
	if a != want {
		t.Errorf("Account = %+v, want %+v", a, want)
	}
}

func TestRegions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	regions, err := e.c.Regions(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	available := map[string]bool{}
	for _, r := range regions {
		available[r.Slug] = r.Available
	}
	if !available["nyc3"] || available["nyc2"] {
		t.Errorf("nyc3 available %v (want true), nyc2 available %v (want false)", available["nyc3"], available["nyc2"])
	}
}

func TestSizesAreThoseOfTheRegionCheapestFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sizes, err := e.c.Sizes(e.ctx, "sfo2")
	if err != nil {
		t.Fatal(err)
	}
	if len(sizes) == 0 {
		t.Fatal("no sizes in sfo2")
	}
	for i, s := range sizes {
		if s.Slug == "c-2" {
			t.Errorf("c-2 is listed in sfo2, which does not offer it")
		}
		if i > 0 && s.PriceMonthly < sizes[i-1].PriceMonthly {
			t.Errorf("%s ($%v) comes after %s ($%v)", s.Slug, s.PriceMonthly, sizes[i-1].Slug, sizes[i-1].PriceMonthly)
		}
	}
}

func TestCheapestFitting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		region          string
		memoryMiB, disk int
		want            string
		wantPrice       float64
	}{
		{"nyc3", 2048, 20, "s-1vcpu-2gb", 12},
		{"nyc3", 2048, 55, "s-2vcpu-2gb", 18},
		{"nyc3", 4096, 20, "s-2vcpu-4gb", 24}, // not c-2: same memory, dearer
		{"sfo2", 8192, 100, "s-4vcpu-8gb", 48},
	}
	for _, tc := range cases {
		got, err := e.c.CheapestFitting(e.ctx, tc.region, tc.memoryMiB, tc.disk)
		if err != nil {
			t.Fatalf("%s %d MiB %d GB: %v", tc.region, tc.memoryMiB, tc.disk, err)
		}
		if got.Slug != tc.want || got.PriceMonthly != tc.wantPrice {
			t.Errorf("%s %d MiB %d GB = %s $%v, want %s $%v", tc.region, tc.memoryMiB, tc.disk, got.Slug, got.PriceMonthly, tc.want, tc.wantPrice)
		}
	}

	_, err := e.c.CheapestFitting(e.ctx, "nyc3", 1<<20, 20)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `"nyc3"`) {
		t.Errorf("nothing fits: %v, want ErrNotFound naming the region", err)
	}
}

// TestCheapestFittingReadsTodaysPrices changes the catalogue's prices, so
// it does not run in parallel with the tests that read them.
func TestCheapestFittingReadsTodaysPrices(t *testing.T) {
	i := sizeIndex(t, "s-1vcpu-2gb")
	old := world.DOSizes[i].PriceMonthly
	world.DOSizes[i].PriceMonthly = 30
	t.Cleanup(func() { world.DOSizes[i].PriceMonthly = old })

	e := newEnv(t)
	got, err := e.c.CheapestFitting(e.ctx, "nyc3", 2048, 20)
	if err != nil {
		t.Fatal(err)
	}
	if got.Slug != "s-2vcpu-2gb" {
		t.Errorf("with s-1vcpu-2gb at $30, the cheapest 2 GB size is %s, want s-2vcpu-2gb", got.Slug)
	}
}

func sizeIndex(t *testing.T, slug string) int {
	for i, s := range world.DOSizes {
		if s.Slug == slug {
			return i
		}
	}
	t.Fatalf("the catalogue has no %s", slug)
	return -1
}

func TestUbuntuImage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cases := []struct {
		versions []string
		want     string
	}{
		// 26.04 is on offer, but the platform does not support it yet.
		{[]string{"24.04", "22.04"}, "ubuntu-24-04-x64"},
		{[]string{"22.04", "24.04"}, "ubuntu-24-04-x64"},
		{[]string{"20.04", "22.04"}, "ubuntu-22-04-x64"},
		{[]string{"26.04", "24.04"}, "ubuntu-26-04-x64"},
	}
	for _, tc := range cases {
		im, err := e.c.UbuntuImage(e.ctx, tc.versions...)
		if err != nil {
			t.Fatalf("%v: %v", tc.versions, err)
		}
		if im.Slug != tc.want || im.Distribution != "Ubuntu" || im.ID == 0 {
			t.Errorf("%v = %+v, want %s", tc.versions, im, tc.want)
		}
	}

	_, err := e.c.UbuntuImage(e.ctx, "18.04", "20.04")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "ubuntu-24-04-x64") {
		t.Errorf("no supported release: %v, want ErrNotFound naming what is on offer", err)
	}
}

func TestCompareVersions(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"22.04", "24.04", -1},
		{"24.10", "24.04", 1},
		{"24.04", "24.04", 0},
		{"24", "24.04", -1},
	}
	for _, tc := range cases {
		if got := compareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
