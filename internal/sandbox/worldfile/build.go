package worldfile

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/gandi"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Defaults of a world no file says anything about.
const (
	DefaultTimeScale       = 0.001 // a full init takes seconds
	DefaultDropletLimit    = 10
	DefaultCloudronVersion = "9.0.15"
)

// Build makes the world the spec describes for a chapter whose domain is
// chapterDomain, as of now. A nil spec is the default world.
func Build(spec *Spec, chapterDomain string, now time.Time) (*world.Data, error) {
	if spec == nil {
		spec = &Spec{}
	}
	d := &world.Data{
		Schema:    world.SchemaVersion,
		TimeScale: DefaultTimeScale,
		Tokens:    issueTokens(),
		Cloudron:  world.CloudronRelease{Version: DefaultCloudronVersion, Latest: DefaultCloudronVersion},
		DigitalOcean: world.DigitalOcean{
			Account:     world.DOAccount{DropletLimit: DefaultDropletLimit, Email: "organizer@example.net", UUID: randomHex(16), Status: "active"},
			SMTPBlocked: true, // "SMTP port 25 is blocked on all Droplets for new accounts"
		},
	}
	if spec.TimeScale != nil {
		d.TimeScale = *spec.TimeScale
	}
	if c := spec.Cloudron; c != nil {
		if c.Version != "" {
			d.Cloudron.Version, d.Cloudron.Latest = c.Version, c.Version
		}
		if c.Latest != "" {
			d.Cloudron.Latest = c.Latest
		}
		if len(c.AppUpdates) > 0 {
			d.Cloudron.AppUpdates = maps.Clone(c.AppUpdates)
		}
	}
	if spec.DNSBL != nil {
		d.DNSBL.Listed = append([]string(nil), spec.DNSBL.Listed...)
	}
	if err := buildDigitalOcean(d, spec.DigitalOcean, now); err != nil {
		return nil, err
	}
	buildGandi(d, spec.Gandi, chapterDomain, now)
	return d, nil
}

func buildGandi(d *world.Data, spec *GandiSpec, chapterDomain string, now time.Time) {
	if spec == nil {
		if chapterDomain != "" {
			d.Gandi.Domains = []*world.Domain{gandi.NewDomain(chapterDomain, now)}
		}
		return
	}
	for _, ds := range spec.Domains {
		dom := gandi.NewDomain(ds.FQDN, now)
		if len(ds.Nameservers) > 0 {
			dom.Nameservers = append([]string(nil), ds.Nameservers...)
		}
		if ds.Expires != "" {
			dom.Expires, _ = parseDate(ds.Expires) // checked by validate
		}
		if ds.Records != nil {
			dom.Records = append([]world.RRSet(nil), ds.Records...)
			for i := range dom.Records {
				if dom.Records[i].TTL == 0 {
					dom.Records[i].TTL = 10800 // Gandi's default
				}
			}
			dom.Published = nil
			dom.Publish(now)
		}
		d.Gandi.Domains = append(d.Gandi.Domains, dom)
	}
}

func buildDigitalOcean(d *world.Data, spec *DigitalOceanSpec, now time.Time) error {
	if spec == nil {
		return nil
	}
	if spec.DropletLimit != nil {
		d.DigitalOcean.Account.DropletLimit = *spec.DropletLimit
	}
	if spec.SMTPBlocked != nil {
		d.DigitalOcean.SMTPBlocked = *spec.SMTPBlocked
	}
	for i, ds := range spec.Droplets {
		id := ds.ID
		if id == 0 {
			id = d.Next("digitalocean.droplet")
		}
		ip := ds.IP
		if ip == "" {
			ip = fmt.Sprintf("198.51.100.%d", 10+i) // other people's droplets
		}
		dr := &world.Droplet{
			ID: id, Name: ds.Name, Region: orDefault(ds.Region, "nyc3"), Size: orDefault(ds.SizeSlug, "s-1vcpu-2gb"),
			Image: orDefault(ds.Image, "ubuntu-22-04-x64"), Tags: ds.Tags, CreatedAt: now.AddDate(0, -1, 0),
			ActiveAt: now.AddDate(0, -1, 0), Off: ds.Status == "off", PublicIPv4: ip, PrivateIP: fmt.Sprintf("10.108.0.%d", 100+i),
		}
		for _, t := range ds.Tags {
			d.DigitalOcean.Tags = appendNew(d.DigitalOcean.Tags, t)
		}
		d.DigitalOcean.Droplets = append(d.DigitalOcean.Droplets, dr)
	}
	return nil
}

// issueTokens makes the provider credentials of this world, in the shapes
// the real providers use, so they look right in secrets.json.
func issueTokens() world.Tokens {
	return world.Tokens{
		DigitalOcean: "dop_v1_" + randomHex(32),
		Gandi:        "pat_" + randomHex(18),
		Mailgun:      randomHex(16) + "-" + randomHex(4) + "-" + randomHex(4),
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func parseDate(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
