package digitalocean

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The faults this simulator knows (`chapterctl sandbox faults`).
const (
	FaultRateLimit           = "digitalocean-rate-limit"
	Fault5xx                 = "digitalocean-5xx"
	FaultCreateCommitThen500 = "digitalocean-create-commit-then-500"
	FaultConnectionReset     = "digitalocean-connection-reset"
	FaultCreateErrored       = "digitalocean-create-errored"
	FaultPTRWrong            = "ptr-wrong"
)

// defaultWrongName is what ptr-wrong renames the droplet to when given no
// name: an FQDN, so reverse DNS answers, with the wrong name.
const defaultWrongName = "old-server.example.net"

// Faults lists the DigitalOcean simulator's faults.
func Faults() []world.FaultSpec {
	return []world.FaultSpec{
		{Name: FaultRateLimit, Kind: world.KindReliability,
			Description: "answer the next N API requests 429 with Retry-After (digitalocean-rate-limit=N, default 1)"},
		{Name: Fault5xx, Kind: world.KindReliability,
			Description: "answer the next N API requests 500 (digitalocean-5xx=N, default 1)"},
		{Name: FaultCreateCommitThen500, Kind: world.KindReliability,
			Description: "create the next droplet, then answer its create 500, as if the answer was lost"},
		{Name: FaultConnectionReset, Kind: world.KindReliability,
			Description: "drop the connection of the next N API requests without an answer (digitalocean-connection-reset=N, default 1)"},
		{Name: FaultCreateErrored, Kind: world.KindReliability,
			Description: "end the next droplet's create action errored; the droplet never becomes active"},
		{Name: FaultPTRWrong, Kind: world.KindDoctor,
			Description: "rename the chapter's droplet so its reverse DNS is wrong (ptr-wrong=NAME, default " + defaultWrongName + ")",
			Break:       breakPTR, Heal: healPTR},
	}
}

// takeFault is World.TakeFault for code already inside Update: it uses up
// one of a counted fault's uses and tells whether it applied.
func takeFault(d *world.Data, name string) bool {
	param, active := d.Faults[name]
	if !active {
		return false
	}
	if n, err := strconv.Atoi(param); err == nil && n > 1 {
		d.Faults[name] = strconv.Itoa(n - 1)
	} else {
		delete(d.Faults, name)
	}
	return true
}

// chapterDroplet is the droplet chapterctl made: the one tagged
// chapterctl:<stack id>.
func chapterDroplet(d *world.Data) *world.Droplet {
	for _, dr := range d.DigitalOcean.Droplets {
		for _, t := range dr.Tags {
			if strings.HasPrefix(t, "chapterctl:") {
				return dr
			}
		}
	}
	return nil
}

func breakPTR(d *world.Data, param string) error {
	dr := chapterDroplet(d)
	if dr == nil {
		return errors.New("no droplet tagged chapterctl:… to rename; run init first")
	}
	name := param
	if name == "" {
		name = defaultWrongName
	}
	if !dropletNamePattern.MatchString(name) {
		return errors.New("the name must be a valid droplet name")
	}
	if dr.NameBeforeFault == "" {
		dr.NameBeforeFault = dr.Name
	}
	dr.Name = name
	return nil
}

// healPTR renames the droplet back, unless a rename since then already
// fixed it (which clears NameBeforeFault).
func healPTR(d *world.Data) error {
	for _, dr := range d.DigitalOcean.Droplets {
		if dr.NameBeforeFault != "" {
			dr.Name, dr.NameBeforeFault = dr.NameBeforeFault, ""
		}
	}
	return nil
}

var fqdnLabel = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

// isFQDN: DigitalOcean sets a droplet's PTR only when its name is a fully
// qualified domain name (reference §5): two labels at least, hostname
// characters, a top-level label that is not all digits.
func isFQDN(name string) bool {
	labels := strings.Split(name, ".")
	if len(labels) < 2 || len(name) > 253 {
		return false
	}
	for _, l := range labels {
		if !fqdnLabel.MatchString(l) {
			return false
		}
	}
	_, numeric := strconv.Atoi(labels[len(labels)-1])
	return numeric != nil
}

// PTR is the reverse name of a droplet's public IPv4 or IPv6 address, for
// the DNS simulator: the droplet's name (without a final dot) when it is a
// valid FQDN. Destroyed droplets and those whose creation errored have
// none. (For IPv6 DigitalOcean names only a droplet's first address; a
// simulated droplet has only one.)
func PTR(d *world.Data, ip string) (string, bool) {
	dr := d.DropletByIP(ip)
	if dr == nil || dr.Errored || !isFQDN(dr.Name) {
		return "", false
	}
	return dr.Name, true
}
