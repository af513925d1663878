package world

import "time"

// DigitalOcean is the simulated DigitalOcean account. Owned by
// internal/sandbox/digitalocean; other simulators read it (the droplet's
// machine, reverse DNS).
type DigitalOcean struct {
	Account     DOAccount   `json:"account"`
	SMTPBlocked bool        `json:"smtp_blocked"` // outbound port 25 blocked, as on new accounts
	Droplets    []*Droplet  `json:"droplets"`
	SSHKeys     []*SSHKey   `json:"ssh_keys"`
	Firewalls   []*Firewall `json:"firewalls"`
	Tags        []string    `json:"tags"`
	Actions     []*Action   `json:"actions"`
	// Destroyed are droplets deleted through the API: gone for the other
	// simulators at once (the machine is off), still answered by the API
	// until their GoneAt, as the real API lags behind a DELETE.
	Destroyed []*Droplet `json:"destroyed,omitempty"`
	// Timings overrides the simulator's default delays (simulated seconds;
	// zero keeps the default of reference/timings.md §7).
	Timings DOTimings `json:"timings,omitzero"`
}

// DOTimings are the DigitalOcean simulator's delays, in simulated seconds
// at time scale 1. A zero field means the default.
type DOTimings struct {
	Listed         float64 `json:"listed_s,omitempty"`          // POST /droplets → listed by GET /droplets (2)
	Create         float64 `json:"create_s,omitempty"`          // create action → completed, droplet active (35)
	CreateJitter   float64 `json:"create_jitter_s,omitempty"`   // ± around Create (10)
	Action         float64 `json:"action_s,omitempty"`          // reboot, power, rename actions → completed (10)
	FirewallSettle float64 `json:"firewall_settle_s,omitempty"` // firewall waiting → succeeded (5)
	Destroy        float64 `json:"destroy_s,omitempty"`         // droplet DELETE → 404 (20)
}

// DOAccount is GET /v2/account.
type DOAccount struct {
	DropletLimit int    `json:"droplet_limit"`
	Email        string `json:"email"`
	UUID         string `json:"uuid"`
	Status       string `json:"status"` // active|warning|locked
}

// Droplet is one droplet. Its status is derived from the clock: "new" until
// ActiveAt, then "active" (see StatusAt), so no goroutine has to flip it and
// a droplet created by a killed process still becomes active.
type Droplet struct {
	ID         int       `json:"id"`
	Name       string    `json:"name"`
	Region     string    `json:"region"`
	Size       string    `json:"size"`
	Image      string    `json:"image"`
	Tags       []string  `json:"tags"`
	SSHKeys    []string  `json:"ssh_keys"` // MD5 fingerprints of the keys installed for root
	UserData   string    `json:"user_data,omitempty"`
	IPv6       bool      `json:"ipv6"`
	Monitoring bool      `json:"monitoring"`
	Backups    bool      `json:"backups"`
	CreatedAt  time.Time `json:"created_at"`
	ActiveAt   time.Time `json:"active_at"` // when the create action completes
	Errored    bool      `json:"errored"`   // the create action ended errored
	Off        bool      `json:"off"`       // powered off
	PublicIPv4 string    `json:"public_ipv4"`
	PrivateIP  string    `json:"private_ipv4"`
	PublicIPv6 string    `json:"public_ipv6,omitempty"`
	// AuthorizedKeys are the public keys (authorized_keys lines) installed
	// for root at creation, in the order of SSHKeys: deleting a key from
	// the account later does not remove it from the droplet.
	AuthorizedKeys []string `json:"authorized_keys,omitempty"`
	// ListedAt is when GET /v2/droplets starts listing the droplet (the
	// list lags behind the create); GET by id answers from CreatedAt.
	ListedAt time.Time `json:"listed_at"`
	// RestartedAt is when the last reboot, power cycle or power on began:
	// the machine's boot starts again from there.
	RestartedAt time.Time `json:"restarted_at,omitzero"`
	// GoneAt is when a destroyed droplet stops being answered (404).
	GoneAt time.Time `json:"gone_at,omitzero"`
	// NameBeforeFault is the name the ptr-wrong fault replaced, so that
	// healing it renames the droplet back.
	NameBeforeFault string `json:"name_before_fault,omitempty"`
}

// StatusAt is the droplet's status at time now: new, active or off.
func (d *Droplet) StatusAt(now time.Time) string {
	switch {
	case d.Errored || now.Before(d.ActiveAt):
		return "new"
	case d.Off:
		return "off"
	}
	return "active"
}

// SSHKey is a key on the account.
type SSHKey struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	PublicKey   string `json:"public_key"`
	Fingerprint string `json:"fingerprint"` // colon-separated MD5
}

// Firewall is a cloud firewall.
type Firewall struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Inbound    []FWRule  `json:"inbound_rules"`
	Outbound   []FWRule  `json:"outbound_rules"`
	DropletIDs []int     `json:"droplet_ids"`
	Tags       []string  `json:"tags"`
	CreatedAt  time.Time `json:"created_at"`
	SettledAt  time.Time `json:"settled_at"` // "waiting" until then, then "succeeded"
	// Pending are the droplets whose rules are being changed, reported as
	// pending_changes until SettledAt.
	Pending []FWPendingChange `json:"pending_changes,omitempty"`
}

// FWPendingChange is one droplet a firewall change has not reached yet.
type FWPendingChange struct {
	DropletID int  `json:"droplet_id"`
	Removing  bool `json:"removing"`
}

// FWRule is one firewall rule; Addresses are the sources (inbound) or the
// destinations (outbound).
type FWRule struct {
	Protocol         string   `json:"protocol"`
	Ports            string   `json:"ports"`
	Addresses        []string `json:"addresses,omitempty"`
	Tags             []string `json:"tags,omitempty"`
	DropletIDs       []int    `json:"droplet_ids,omitempty"`
	LoadBalancerUIDs []string `json:"load_balancer_uids,omitempty"`
	KubernetesIDs    []string `json:"kubernetes_ids,omitempty"`
	Action           string   `json:"action,omitempty"` // allow|deny; godo sends it, the public spec does not list it
}

// Action is a droplet action (create, reboot, rename…).
type Action struct {
	ID          int       `json:"id"`
	Type        string    `json:"type"`
	DropletID   int       `json:"droplet_id"`
	Region      string    `json:"region"`
	StartedAt   time.Time `json:"started_at"`
	CompletesAt time.Time `json:"completes_at"`
	Errored     bool      `json:"errored"`
}

// Size is a droplet plan of the catalogue.
type Size struct {
	Slug         string   `json:"slug"`
	MemoryMiB    int      `json:"memory"`
	VCPUs        int      `json:"vcpus"`
	DiskGB       int      `json:"disk"`
	TransferTB   float64  `json:"transfer"`
	PriceMonthly float64  `json:"price_monthly"`
	PriceHourly  float64  `json:"price_hourly"`
	Description  string   `json:"description"`
	Regions      []string `json:"regions"`
	Available    bool     `json:"available"`
}

// DropletByIP finds the droplet with the public IPv4 or IPv6 address ip.
func (d *Data) DropletByIP(ip string) *Droplet {
	for _, dr := range d.DigitalOcean.Droplets {
		if dr.PublicIPv4 == ip || (dr.PublicIPv6 != "" && dr.PublicIPv6 == ip) {
			return dr
		}
	}
	return nil
}

// DropletByID finds a droplet by id.
func (d *Data) DropletByID(id int) *Droplet {
	for _, dr := range d.DigitalOcean.Droplets {
		if dr.ID == id {
			return dr
		}
	}
	return nil
}

// DORegionsOpen are the region slugs where new droplets can be created.
var DORegionsOpen = []string{"ams3", "blr1", "fra1", "lon1", "nyc1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1"}

// DOSizes is the droplet plan catalogue, as GET /v2/sizes lists it (memory
// in MiB, disk in GB, transfer in TB, prices in USD). The 1–4 GB Basic
// plans are the figures of reference/digitalocean.md §3; the rest follow
// DigitalOcean's price list. Read it with DOSizeBySlug for RAM and disk.
var DOSizes = []Size{
	{Slug: "s-1vcpu-512mb-10gb", MemoryMiB: 512, VCPUs: 1, DiskGB: 10, TransferTB: 0.5, PriceMonthly: 4, PriceHourly: 0.00595, Description: "Basic", Regions: DORegionsOpen, Available: true},
	{Slug: "s-1vcpu-1gb", MemoryMiB: 1024, VCPUs: 1, DiskGB: 25, TransferTB: 1, PriceMonthly: 6, PriceHourly: 0.00893, Description: "Basic", Regions: DORegionsOpen, Available: true},
	{Slug: "s-1vcpu-2gb", MemoryMiB: 2048, VCPUs: 1, DiskGB: 50, TransferTB: 2, PriceMonthly: 12, PriceHourly: 0.01786, Description: "Basic", Regions: DORegionsOpen, Available: true},
	{Slug: "s-2vcpu-2gb", MemoryMiB: 2048, VCPUs: 2, DiskGB: 60, TransferTB: 3, PriceMonthly: 18, PriceHourly: 0.02679, Description: "Basic", Regions: DORegionsOpen, Available: true},
	{Slug: "s-2vcpu-4gb", MemoryMiB: 4096, VCPUs: 2, DiskGB: 80, TransferTB: 4, PriceMonthly: 24, PriceHourly: 0.03571, Description: "Basic", Regions: DORegionsOpen, Available: true},
	{Slug: "c-2", MemoryMiB: 4096, VCPUs: 2, DiskGB: 25, TransferTB: 4, PriceMonthly: 42, PriceHourly: 0.0625, Description: "CPU-Optimized",
		Regions: []string{"ams3", "blr1", "fra1", "lon1", "nyc1", "nyc3", "sfo3", "sgp1", "tor1"}, Available: true},
	{Slug: "s-4vcpu-8gb", MemoryMiB: 8192, VCPUs: 4, DiskGB: 160, TransferTB: 5, PriceMonthly: 48, PriceHourly: 0.07143, Description: "Basic", Regions: DORegionsOpen, Available: true},
	{Slug: "s-8vcpu-16gb", MemoryMiB: 16384, VCPUs: 8, DiskGB: 320, TransferTB: 6, PriceMonthly: 96, PriceHourly: 0.14286, Description: "Basic", Regions: DORegionsOpen, Available: true},
}

// DOSizeBySlug finds a plan of the catalogue.
func DOSizeBySlug(slug string) (Size, bool) {
	for _, s := range DOSizes {
		if s.Slug == slug {
			return s, true
		}
	}
	return Size{}, false
}

// DOImage is a public distribution image.
type DOImage struct {
	ID           int
	Slug         string
	Name         string // "24.04 (LTS) x64"
	Distribution string // "Ubuntu"
	MinDiskGB    int
	SizeGB       float64
	CreatedAt    time.Time
}

// DOImages are the distribution images GET /v2/images?type=distribution
// lists, as of late 2026 (so the newest Ubuntu LTS is one a platform may
// not support yet: the product must choose, not take the newest). The
// droplet's machine reads its operating system from here.
var DOImages = []DOImage{
	{ID: 129211873, Slug: "ubuntu-22-04-x64", Name: "22.04 (LTS) x64", Distribution: "Ubuntu", MinDiskGB: 7, SizeGB: 0.72,
		CreatedAt: time.Date(2025, 4, 2, 14, 12, 1, 0, time.UTC)},
	{ID: 160231481, Slug: "ubuntu-24-04-x64", Name: "24.04 (LTS) x64", Distribution: "Ubuntu", MinDiskGB: 7, SizeGB: 0.91,
		CreatedAt: time.Date(2025, 9, 18, 9, 41, 27, 0, time.UTC)},
	{ID: 181530962, Slug: "ubuntu-26-04-x64", Name: "26.04 (LTS) x64", Distribution: "Ubuntu", MinDiskGB: 7, SizeGB: 0.98,
		CreatedAt: time.Date(2026, 4, 24, 11, 3, 44, 0, time.UTC)},
	{ID: 165412870, Slug: "debian-13-x64", Name: "13 x64", Distribution: "Debian", MinDiskGB: 7, SizeGB: 0.63,
		CreatedAt: time.Date(2025, 8, 12, 16, 20, 5, 0, time.UTC)},
	{ID: 164877920, Slug: "rockylinux-9-x64", Name: "9 x64", Distribution: "Rocky Linux", MinDiskGB: 10, SizeGB: 0.95,
		CreatedAt: time.Date(2025, 6, 3, 8, 15, 36, 0, time.UTC)},
}

// DOImageBySlug finds a distribution image by slug.
func DOImageBySlug(slug string) (DOImage, bool) {
	for _, im := range DOImages {
		if im.Slug == slug {
			return im, true
		}
	}
	return DOImage{}, false
}

// DOImageByID finds a distribution image by numeric id.
func DOImageByID(id int) (DOImage, bool) {
	for _, im := range DOImages {
		if im.ID == id {
			return im, true
		}
	}
	return DOImage{}, false
}
