package digitalocean

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/digitalocean/godo"
)

// Account is what the account allows.
type Account struct {
	Email         string
	EmailVerified bool
	Status        string // active, warning or locked
	StatusMessage string
	DropletLimit  int
}

// Region is a datacenter region.
type Region struct {
	Slug      string // nyc3
	Name      string // New York 3
	Available bool   // new droplets can be created there
	Sizes     []string
}

// Size is a droplet plan.
type Size struct {
	Slug         string
	MemoryMiB    int
	VCPUs        int
	Disk         int // GB
	PriceMonthly float64
	PriceHourly  float64
	Description  string // Basic, CPU-Optimized…
}

// Image is a distribution image.
type Image struct {
	ID           int
	Slug         string // ubuntu-24-04-x64
	Name         string // 24.04 (LTS) x64
	Distribution string // Ubuntu
}

// CheckToken tells whether DigitalOcean accepts the token. A refused token
// is ErrUnauthorized, whose sentence names DIGITALOCEAN_ACCESS_TOKEN.
func (c *Client) CheckToken(ctx context.Context) error {
	_, err := c.account(ctx, "")
	return err
}

// Account reads the account: its droplet limit and whether it is usable.
func (c *Client) Account(ctx context.Context) (Account, error) {
	return c.account(ctx, "read the DigitalOcean account")
}

func (c *Client) account(ctx context.Context, op string) (Account, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	a, _, err := c.godo.Account.Get(ctx)
	if err != nil {
		return Account{}, c.fail(op, err)
	}
	return Account{Email: a.Email, EmailVerified: a.EmailVerified, Status: a.Status,
		StatusMessage: a.StatusMessage, DropletLimit: a.DropletLimit}, nil
}

// Regions lists every region, available or not.
func (c *Client) Regions(ctx context.Context) ([]Region, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	list, err := allPages(ctx, c.perPage, c.godo.Regions.List)
	if err != nil {
		return nil, c.fail("list the DigitalOcean regions", err)
	}
	regions := make([]Region, 0, len(list))
	for _, r := range list {
		regions = append(regions, Region{Slug: r.Slug, Name: r.Name, Available: r.Available, Sizes: slices.Clone(r.Sizes)})
	}
	return regions, nil
}

// Sizes lists the plans a new droplet in region can have ("" for any
// region), cheapest first.
func (c *Client) Sizes(ctx context.Context, region string) ([]Size, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	list, err := allPages(ctx, c.perPage, c.godo.Sizes.List)
	if err != nil {
		return nil, c.fail("list the droplet sizes", err)
	}
	var sizes []Size
	for _, s := range list {
		if !s.Available || (region != "" && !slices.Contains(s.Regions, region)) {
			continue
		}
		sizes = append(sizes, Size{Slug: s.Slug, MemoryMiB: s.Memory, VCPUs: s.Vcpus, Disk: s.Disk,
			PriceMonthly: s.PriceMonthly, PriceHourly: s.PriceHourly, Description: s.Description})
	}
	slices.SortStableFunc(sizes, func(a, b Size) int {
		return cmp.Or(cmp.Compare(a.PriceMonthly, b.PriceMonthly), cmp.Compare(a.PriceHourly, b.PriceHourly),
			cmp.Compare(b.MemoryMiB, a.MemoryMiB), strings.Compare(a.Slug, b.Slug))
	})
	return sizes, nil
}

// CheapestFitting is the cheapest plan in region with at least minMemoryMiB
// of memory and minDiskGB of disk, at today's prices (never assumed).
func (c *Client) CheapestFitting(ctx context.Context, region string, minMemoryMiB, minDiskGB int) (Size, error) {
	sizes, err := c.Sizes(ctx, region)
	if err != nil {
		return Size{}, err
	}
	for _, s := range sizes {
		if s.MemoryMiB >= minMemoryMiB && s.Disk >= minDiskGB {
			return s, nil
		}
	}
	why := fmt.Sprintf("no droplet size offered in region %q has %d MiB of memory and %d GB of disk: pick another region",
		region, minMemoryMiB, minDiskGB)
	return Size{}, c.failure("choose a droplet size", ErrNotFound, why, nil)
}

// UbuntuImage picks the newest of versions ("24.04", "22.04": the Ubuntu
// releases the platform to be installed supports) that DigitalOcean offers
// now, from its list of distribution images: slugs move with point releases
// and old releases leave the list, so none is assumed.
func (c *Client) UbuntuImage(ctx context.Context, versions ...string) (Image, error) {
	const op = "choose the Ubuntu image"
	if len(versions) == 0 {
		return Image{}, c.failure(op, ErrRefused, "no Ubuntu version to look for", nil)
	}
	ctx, cancel := c.call(ctx)
	defer cancel()
	images, err := allPages(ctx, c.perPage, c.godo.Images.ListDistribution)
	if err != nil {
		return Image{}, c.fail(op, err)
	}
	wanted := slices.Clone(versions)
	slices.SortFunc(wanted, func(a, b string) int { return compareVersions(b, a) }) // newest first
	for _, v := range wanted {
		if im, ok := newestUbuntu(images, v); ok {
			return Image{ID: im.ID, Slug: im.Slug, Name: im.Name, Distribution: im.Distribution}, nil
		}
	}
	why := fmt.Sprintf("DigitalOcean offers no Ubuntu %s image (it offers %s): update chapterctl",
		strings.Join(wanted, " or "), offeredUbuntu(images))
	return Image{}, c.failure(op, ErrNotFound, why, nil)
}

// newestUbuntu is the most recently built usable image of Ubuntu version.
func newestUbuntu(images []godo.Image, version string) (godo.Image, bool) {
	var best godo.Image
	var bestAt time.Time
	found := false
	for _, im := range images {
		if !isUbuntu(im, version) {
			continue
		}
		at, _ := time.Parse(time.RFC3339, im.Created)
		if !found || at.After(bestAt) {
			best, bestAt, found = im, at, true
		}
	}
	return best, found
}

// isUbuntu matches by slug ("ubuntu-24-04-x64") or by name ("24.04 (LTS)
// x64"), as either may be what DigitalOcean keeps stable.
func isUbuntu(im godo.Image, version string) bool {
	if !strings.EqualFold(im.Distribution, "Ubuntu") || im.Slug == "" ||
		(im.Status != "" && im.Status != "available") {
		return false
	}
	slug := "ubuntu-" + strings.ReplaceAll(version, ".", "-") + "-x64"
	return im.Slug == slug || strings.HasPrefix(im.Name, version+" ")
}

// offeredUbuntu names the Ubuntu releases on offer, for the error.
func offeredUbuntu(images []godo.Image) string {
	var names []string
	for _, im := range images {
		if strings.EqualFold(im.Distribution, "Ubuntu") && im.Slug != "" {
			names = append(names, im.Slug)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// compareVersions orders dotted numeric versions: "22.04" < "24.04" <
// "24.10". A part that is not a number sorts as 0.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range max(len(pa), len(pb)) {
		if d := cmp.Compare(versionPart(pa, i), versionPart(pb, i)); d != 0 {
			return d
		}
	}
	return 0
}

func versionPart(parts []string, i int) int {
	if i >= len(parts) {
		return 0
	}
	n, _ := strconv.Atoi(parts[i])
	return n
}
