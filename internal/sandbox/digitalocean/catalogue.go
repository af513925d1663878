package digitalocean

import (
	"crypto/md5"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// regionNames are the regions GET /v2/regions lists, in its order; those
// not in world.DORegionsOpen are listed as unavailable, as nyc2 and ams2
// are on the real API.
var regionNames = []struct{ slug, name string }{
	{"nyc1", "New York 1"}, {"nyc2", "New York 2"}, {"nyc3", "New York 3"},
	{"sfo2", "San Francisco 2"}, {"sfo3", "San Francisco 3"},
	{"ams2", "Amsterdam 2"}, {"ams3", "Amsterdam 3"},
	{"sgp1", "Singapore 1"}, {"lon1", "London 1"}, {"fra1", "Frankfurt 1"},
	{"tor1", "Toronto 1"}, {"blr1", "Bangalore 1"}, {"syd1", "Sydney 1"},
}

type regionJSON struct {
	Name      string   `json:"name"`
	Slug      string   `json:"slug"`
	Features  []string `json:"features"`
	Available bool     `json:"available"`
	Sizes     []string `json:"sizes"`
}

// regionBySlug renders a region; an unknown slug (a droplet seeded in a
// region the catalogue lacks) is rendered unavailable rather than dropped.
func regionBySlug(slug string) regionJSON {
	r := regionJSON{Name: slug, Slug: slug, Features: []string{"backups", "ipv6", "metadata", "install_agent", "image_transfer"}, Sizes: []string{}}
	for _, rn := range regionNames {
		if rn.slug == slug {
			r.Name = rn.name
		}
	}
	if !slices.Contains(world.DORegionsOpen, slug) {
		return r
	}
	r.Available = true
	r.Features = append(r.Features, "storage")
	for _, s := range world.DOSizes {
		if s.Available && slices.Contains(s.Regions, slug) {
			r.Sizes = append(r.Sizes, s.Slug)
		}
	}
	return r
}

func (a *api) listRegions(rw http.ResponseWriter, r *http.Request) error {
	regions := make([]regionJSON, 0, len(regionNames))
	for _, rn := range regionNames {
		regions = append(regions, regionBySlug(rn.slug))
	}
	paginated(rw, r, "regions", regions)
	return nil
}

type sizeJSON struct {
	Slug         string         `json:"slug"`
	Memory       int            `json:"memory"`
	VCPUs        int            `json:"vcpus"`
	Disk         int            `json:"disk"`
	Transfer     float64        `json:"transfer"`
	PriceMonthly float64        `json:"price_monthly"`
	PriceHourly  float64        `json:"price_hourly"`
	Regions      []string       `json:"regions"`
	Available    bool           `json:"available"`
	Description  string         `json:"description"`
	DiskInfo     []diskInfoJSON `json:"disk_info"`
}

type diskInfoJSON struct {
	Type string `json:"type"`
	Size struct {
		Amount int    `json:"amount"`
		Unit   string `json:"unit"`
	} `json:"size"`
}

func sizeOf(s world.Size) sizeJSON {
	disk := diskInfoJSON{Type: "local"}
	disk.Size.Amount, disk.Size.Unit = s.DiskGB, "gib"
	return sizeJSON{
		Slug: s.Slug, Memory: s.MemoryMiB, VCPUs: s.VCPUs, Disk: s.DiskGB, Transfer: s.TransferTB,
		PriceMonthly: s.PriceMonthly, PriceHourly: s.PriceHourly, Regions: append([]string{}, s.Regions...),
		Available: s.Available, Description: s.Description, DiskInfo: []diskInfoJSON{disk},
	}
}

func (a *api) listSizes(rw http.ResponseWriter, r *http.Request) error {
	sizes := make([]sizeJSON, 0, len(world.DOSizes))
	for _, s := range world.DOSizes {
		sizes = append(sizes, sizeOf(s))
	}
	paginated(rw, r, "sizes", sizes)
	return nil
}

type imageJSON struct {
	ID            int      `json:"id"`
	Name          string   `json:"name"`
	Distribution  string   `json:"distribution"`
	Slug          string   `json:"slug"`
	Public        bool     `json:"public"`
	Regions       []string `json:"regions"`
	CreatedAt     string   `json:"created_at"`
	Type          string   `json:"type"`
	MinDiskSize   int      `json:"min_disk_size"`
	SizeGigabytes float64  `json:"size_gigabytes"`
	Description   string   `json:"description"`
	Tags          []string `json:"tags"`
	Status        string   `json:"status"`
	ErrorMessage  string   `json:"error_message"`
}

func imageOf(im world.DOImage) imageJSON {
	return imageJSON{
		ID: im.ID, Name: im.Name, Distribution: im.Distribution, Slug: im.Slug, Public: true,
		Regions: append([]string{}, world.DORegionsOpen...), CreatedAt: timestamp(im.CreatedAt), Type: "base",
		MinDiskSize: im.MinDiskGB, SizeGigabytes: im.SizeGB, Description: im.Distribution + " " + im.Name,
		Tags: []string{}, Status: "available", ErrorMessage: "",
	}
}

// listImages lists the public distribution images. The account has no
// snapshots or custom images and the catalogue no 1-click applications,
// so type=application, private=true and tag_name all list nothing.
func (a *api) listImages(rw http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	images := []imageJSON{}
	if q.Get("type") != "application" && q.Get("private") != "true" && q.Get("tag_name") == "" {
		for _, im := range world.DOImages {
			images = append(images, imageOf(im))
		}
	}
	paginated(rw, r, "images", images)
	return nil
}

// getImage answers GET /v2/images/{id or slug}.
func (a *api) getImage(rw http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("image")
	im, ok := world.DOImageBySlug(key)
	if id, err := strconv.Atoi(key); err == nil {
		im, ok = world.DOImageByID(id)
	}
	if !ok {
		return errNotFound
	}
	writeJSON(rw, http.StatusOK, map[string]any{"image": imageOf(im)})
	return nil
}

func (a *api) getAccount(rw http.ResponseWriter, r *http.Request) error {
	var acct world.DOAccount
	a.w.Read(func(d *world.Data) { acct = d.DigitalOcean.Account })
	status := acct.Status
	if status == "" {
		status = "active"
	}
	writeJSON(rw, http.StatusOK, map[string]any{"account": map[string]any{
		"droplet_limit": dropletLimit(acct), "floating_ip_limit": 3, "reserved_ip_limit": 3, "volume_limit": 100,
		"email": acct.Email, "name": "", "uuid": acct.UUID, "email_verified": true,
		"status": status, "status_message": "",
		"team": map[string]string{"uuid": uuidFrom("team:" + acct.UUID), "name": "My Team"},
	}})
	return nil
}

// defaultDropletLimit stands for a world that set none: a limit of 0 would
// make every create fail, which no real account does.
const defaultDropletLimit = 10

func dropletLimit(acct world.DOAccount) int {
	if acct.DropletLimit > 0 {
		return acct.DropletLimit
	}
	return defaultDropletLimit
}

// uuidFrom derives a stable UUID-shaped id from seed (a region's VPC, the
// account's team), so that it stays the same across processes without
// being stored.
func uuidFrom(seed string) string {
	b := md5.Sum([]byte(seed))
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
