package sandbox

import (
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// WorldView is `sandbox world --json` (DESIGN.md's shape): the world as a
// person or a test wants to see it, not as it is stored.
type WorldView struct {
	Droplets  []DropletView            `json:"droplets"`
	SSHKeys   []SSHKeyView             `json:"ssh_keys"`
	Firewalls []FirewallView           `json:"firewalls"`
	Zones     map[string][]world.RRSet `json:"zones"`
	Cloudron  *CloudronView            `json:"cloudron"`
}

type DropletView struct {
	ID     int      `json:"id"`
	Name   string   `json:"name"`
	Tags   []string `json:"tags"`
	Status string   `json:"status"`
	IP     string   `json:"ip"`
}

type SSHKeyView struct {
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Fingerprint string `json:"fingerprint"`
}

type FirewallView struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Tags       []string `json:"tags"`
	DropletIDs []int    `json:"droplet_ids"`
	Inbound    []string `json:"inbound"` // "tcp 22", "icmp"
}

// View describes the world at time now.
func View(d *world.Data, now time.Time) WorldView {
	v := WorldView{Droplets: []DropletView{}, SSHKeys: []SSHKeyView{}, Firewalls: []FirewallView{},
		Zones: map[string][]world.RRSet{}, Cloudron: cloudronView(d)}
	for _, dr := range d.DigitalOcean.Droplets {
		ip := ""
		if dr.StatusAt(now) != "new" {
			ip = dr.PublicIPv4
		}
		v.Droplets = append(v.Droplets, DropletView{ID: dr.ID, Name: dr.Name, Tags: nonNil(dr.Tags), Status: dr.StatusAt(now), IP: ip})
	}
	for _, k := range d.DigitalOcean.SSHKeys {
		v.SSHKeys = append(v.SSHKeys, SSHKeyView{ID: k.ID, Name: k.Name, Fingerprint: k.Fingerprint})
	}
	for _, fw := range d.DigitalOcean.Firewalls {
		fv := FirewallView{ID: fw.ID, Name: fw.Name, Tags: nonNil(fw.Tags), DropletIDs: fw.DropletIDs}
		for _, r := range fw.Inbound {
			rule := r.Protocol
			if r.Ports != "" && r.Ports != "0" {
				rule += " " + r.Ports
			}
			fv.Inbound = append(fv.Inbound, rule)
		}
		v.Firewalls = append(v.Firewalls, fv)
	}
	for _, dom := range d.Gandi.Domains {
		v.Zones[dom.FQDN] = append([]world.RRSet{}, dom.Records...)
	}
	return v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
