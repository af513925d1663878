package cloudron

import (
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Delays at time scale 1 (reference/timings.md §2 and §7). Each marked
// knob can be overridden in world data (world.CloudronTimings).
const (
	addingDomain      = 2 * time.Second
	updatingDNS       = 1 * time.Second
	setupCertDefault  = 30 * time.Second // knob: SetupCert
	appStartHealthy   = 10 * time.Second // container up → first health check passes (est)
	dnsTimeoutDefault = 20 * time.Minute // knob: DNSTimeout; 5 s × 240 tries [v4]
	mailEnableDefault = 45 * time.Second // knob: MailEnable
	backupDefault     = 60 * time.Second // knob: Backup
	boxUpdateDefault  = 3 * time.Minute  // knob: BoxUpdate, download + install + restart
	boxRestart        = 30 * time.Second // the API answers 502 for this last part of an update
	appActionDefault  = 10 * time.Second // restart, start, stop
	uninstallDefault  = 20 * time.Second
	appUpdateDefault  = 60 * time.Second // knob: AppUpdate
	installDefault    = 2 * time.Minute  // apps the timings table does not name
	updateCheckPeriod = time.Hour        // the updater's cron; wall clock, like every cron job
)

// knob returns the override (simulated seconds) if set, else def.
func knob(override float64, def time.Duration) time.Duration {
	if override > 0 {
		return time.Duration(override * float64(time.Second))
	}
	return def
}

// storeApp is an App Store package the simulated store knows.
type storeApp struct {
	id, title       string
	version         string // package (manifest) version
	upstreamVersion string
	install         time.Duration
	chat            bool
}

// catalogue is the simulated App Store. Store ids of the chat apps are
// from reference/cloudron.md §8; Roundcube and Surfer (a static site,
// for the landing page on the bare domain) are the ids their store pages
// use; SOGo's is (unverified). Package versions are illustrative.
var catalogue = []storeApp{
	{"org.matrix.synapse", "Synapse", "1.98.0", "1.144.0", 3 * time.Minute, true},
	{"im.riot.cloudronapp", "Element", "1.11.112", "1.11.112", time.Minute, true},
	{"chat.rocket.cloudronapp", "Rocket.Chat", "2.60.0", "7.12.0", 5 * time.Minute, true},
	{"org.mattermost.cloudronapp2", "Mattermost", "2.20.0", "10.11.0", 3 * time.Minute, true},
	{"net.roundcube.cloudronapp", "Roundcube", "3.12.0", "1.6.11", 90 * time.Second, false},
	{"nu.sogo.cloudronapp", "SOGo", "1.20.0", "5.12.3", 2 * time.Minute, false},
	{"io.cloudron.surfer", "Surfer", "6.2.0", "6.2.0", time.Minute, false},
}

func storeAppByID(id string) (storeApp, bool) {
	for _, a := range catalogue {
		if a.id == id {
			return a, true
		}
	}
	return storeApp{}, false
}

// storeVersion is the newest version the App Store offers for id.
func storeVersion(c *world.Cloudron, id string) string {
	if v, ok := c.StoreVersions[id]; ok {
		return v
	}
	a, _ := storeAppByID(id)
	return a.version
}

// offeredVersion is what an update check offers for id: the App Store's
// newest, or a newer version the world file publishes later.
func offeredVersion(c *world.Cloudron, d *world.Data, id string) string {
	v := storeVersion(c, id)
	if later := d.Cloudron.AppUpdates[id]; newer(later, v) {
		return later
	}
	return v
}

// installDuration is how long installing app takes, before its DNS wait
// and after it together.
func installDuration(c *world.Cloudron, a storeApp) time.Duration {
	if a.install == 0 {
		a.install = installDefault
	}
	return knob(c.Options.Timings.Install, a.install)
}
