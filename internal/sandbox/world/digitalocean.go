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
}

// FWRule is one firewall rule; Addresses are the sources (inbound) or the
// destinations (outbound).
type FWRule struct {
	Protocol  string   `json:"protocol"`
	Ports     string   `json:"ports"`
	Addresses []string `json:"addresses,omitempty"`
	Tags      []string `json:"tags,omitempty"`
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
	Slug         string  `json:"slug"`
	MemoryMiB    int     `json:"memory"`
	VCPUs        int     `json:"vcpus"`
	DiskGB       int     `json:"disk"`
	TransferTB   float64 `json:"transfer"`
	PriceMonthly float64 `json:"price_monthly"`
	PriceHourly  float64 `json:"price_hourly"`
	Description  string  `json:"description"`
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
