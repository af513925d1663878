package cloudron

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"sort"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The simulator's faults (`chapterctl sandbox faults`).
const (
	FaultCertChanged      = "cloudron-cert-changed"
	FaultTaskFails        = "cloudron-task-fails"
	FaultCertExpiring     = "cert-expiring"
	FaultCertExpired      = "cert-expired"
	FaultAppDown          = "app-down"
	FaultPlatformUpdate   = "platform-update-available"
	FaultAppUpdate        = "app-update-available"
	FaultBackupsOld       = "backups-old"
	FaultAdmin2FAOff      = "admin-2fa-off"
	FaultWellKnownMissing = "well-known-missing"
)

// Faults lists the Cloudron simulator's faults. Those that are a state of
// the world change it through Break and Heal, for every Cloudron in the
// world; cloudron-task-fails is counted ("=N" for the next N tasks) and
// spent as tasks start.
func Faults() []world.FaultSpec {
	return []world.FaultSpec{
		{Name: FaultCertChanged, Kind: world.KindReliability,
			Description: "The dashboard serves a different self-signed certificate than the one on the server's disk (a pinned certificate no longer matches).",
			Break:       breakCertChanged, Heal: healCertChanged},
		{Name: FaultTaskFails, Kind: world.KindReliability,
			Description: "The next Cloudron task (setup, install, update, backup…) ends with error {code: \"crashed\"}; =N for the next N."},
		{Name: FaultSynapseConfigMangled, Kind: world.KindReliability,
			Description: "At Synapse's next restart its start script leaves homeserver.yaml invalid: the app stays unhealthy until the file is fixed and the app restarted."},
		{Name: FaultCertExpiring, Kind: world.KindDoctor,
			Description: "The apps' TLS certificates expire in 10 days and did not renew.",
			Break:       breakCertVariant(variantExpiring), Heal: healCertVariant(variantExpiring)},
		{Name: FaultCertExpired, Kind: world.KindDoctor,
			Description: "The apps' TLS certificates have expired.",
			Break:       breakCertVariant(variantExpired), Heal: healCertVariant(variantExpired)},
		{Name: FaultAppDown, Kind: world.KindDoctor,
			Description: "The chat app is stopped and unhealthy.",
			Break:       breakAppDown, Heal: healAppDown},
		{Name: FaultPlatformUpdate, Kind: world.KindDoctor,
			Description: "A newer Cloudron version is offered (=VERSION, else the next patch release).",
			Break:       breakPlatformUpdate, Heal: healPlatformUpdate},
		{Name: FaultAppUpdate, Kind: world.KindDoctor,
			Description: "The App Store offers a newer version of the first installed app (=VERSION, else the next patch release).",
			Break:       breakAppUpdate, Heal: healAppUpdate},
		{Name: FaultBackupsOld, Kind: world.KindDoctor,
			Description: "The newest backup is 10 days old and the nightly backups stopped.",
			Break:       breakBackupsOld, Heal: healBackupsOld},
		{Name: FaultAdmin2FAOff, Kind: world.KindDoctor,
			Description: "Two-factor login is off for the Cloudron owner and admins.",
			Break:       breakAdmin2FA, Heal: healAdmin2FA},
		{Name: FaultElementPresetWrong, Kind: world.KindDoctor,
			Description: "Element's config.json points at another homeserver (=matrix.org, the default, or =HOST), as a package preset might.",
			Break:       breakElementPreset, Heal: healElementPreset},
		{Name: FaultWellKnownMissing, Kind: world.KindDoctor,
			Description: "The domain's .well-known/matrix/server document is gone from Cloudron.",
			Break:       breakWellKnown, Heal: healWellKnown},
	}
}

var errNoCloudron = errors.New("no Cloudron is installed in the sandbox world")

// cloudrons are the world's Cloudrons, by droplet id.
func cloudrons(d *world.Data) []*world.Cloudron {
	var ms []*world.Machine
	for _, m := range d.Machines {
		if m.Cloudron != nil {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].DropletID < ms[j].DropletID })
	out := make([]*world.Cloudron, len(ms))
	for i, m := range ms {
		out[i] = m.Cloudron
	}
	return out
}

// eachCloudron applies fn to every Cloudron; the fault "took" if fn did
// something on at least one, else the error says why not.
func eachCloudron(d *world.Data, fn func(c *world.Cloudron) bool, notApplicable string) error {
	cs := cloudrons(d)
	if len(cs) == 0 {
		return errNoCloudron
	}
	took := false
	for _, c := range cs {
		took = fn(c) || took
	}
	if !took {
		return errors.New(notApplicable)
	}
	return nil
}

func stash(c *world.Cloudron, key, value string) {
	if c.FaultState.Stash == nil {
		c.FaultState.Stash = map[string]string{}
	}
	c.FaultState.Stash[key] = value
}

func unstash(c *world.Cloudron, key string) (string, bool) {
	v, ok := c.FaultState.Stash[key]
	delete(c.FaultState.Stash, key)
	return v, ok
}

// breakCertChanged makes a second self-signed certificate for the same
// names; it is served wherever the installer's one was.
func breakCertChanged(d *world.Data, _ string) error {
	return eachCloudron(d, func(c *world.Cloudron) bool {
		hosts := certHosts(c.SelfSignedCert)
		if len(hosts) == 0 {
			return false
		}
		impostor, err := world.SelfSigned(hosts...)
		if err != nil {
			return false
		}
		c.FaultState.Impostor = &impostor
		return true
	}, "the Cloudron has no self-signed certificate")
}

func healCertChanged(d *world.Data) error {
	for _, c := range cloudrons(d) {
		c.FaultState.Impostor = nil
	}
	return nil
}

// certHosts are the names and addresses a PEM certificate is valid for.
func certHosts(certPEM string) []string {
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil {
		return nil
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil
	}
	hosts := append([]string{}, cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		hosts = append(hosts, ip.String())
	}
	return hosts
}

func breakCertVariant(variant string) func(*world.Data, string) error {
	return func(d *world.Data, _ string) error {
		return eachCloudron(d, func(c *world.Cloudron) bool {
			for _, cert := range c.Certs {
				if cert.App {
					c.FaultState.CertVariant = variant
					return true
				}
			}
			return false
		}, "no app has a certificate yet")
	}
}

func healCertVariant(variant string) func(*world.Data) error {
	return func(d *world.Data) error {
		for _, c := range cloudrons(d) {
			if c.FaultState.CertVariant == variant {
				c.FaultState.CertVariant = ""
			}
		}
		return nil
	}
}

// breakAppDown stops the first installed chat app.
func breakAppDown(d *world.Data, _ string) error {
	return eachCloudron(d, func(c *world.Cloudron) bool {
		for _, a := range c.Apps {
			if store, _ := storeAppByID(a.AppStoreID); store.chat && !a.InstalledAt.IsZero() {
				a.Down = true
				return true
			}
		}
		return false
	}, "no chat app is installed")
}

func healAppDown(d *world.Data) error {
	for _, c := range cloudrons(d) {
		for _, a := range c.Apps {
			a.Down = false
		}
	}
	return nil
}
