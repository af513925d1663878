package cloudron

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Break and Heal of the faults that change apps, updates, backups, users
// and domains. They get the world's data but not its clock; the world runs on
// the real clock, so the faults that need "now" read it directly.

// breakPlatformUpdate makes the release channel offer a newer version and
// drops the updater's cache, as if its hourly check had just run.
func breakPlatformUpdate(d *world.Data, param string) error {
	cs := cloudrons(d)
	if len(cs) == 0 {
		return errNoCloudron
	}
	installed := cs[0].Version
	for _, c := range cs {
		if newer(c.Version, installed) {
			installed = c.Version
		}
	}
	target := param
	if target == "" {
		target = nextPatch(installed)
	}
	if !newer(target, installed) {
		return fmt.Errorf("%s is not newer than the installed Cloudron %s", target, installed)
	}
	if _, stashed := cs[0].FaultState.Stash[FaultPlatformUpdate]; !stashed {
		stash(cs[0], FaultPlatformUpdate, d.Cloudron.Latest)
	}
	d.Cloudron.Latest = target
	for _, c := range cs {
		c.Updates.CheckedAt = time.Time{}
	}
	return nil
}

func healPlatformUpdate(d *world.Data) error {
	cs := cloudrons(d)
	if len(cs) == 0 {
		return nil
	}
	if old, ok := unstash(cs[0], FaultPlatformUpdate); ok {
		d.Cloudron.Latest = old
	}
	for _, c := range cs {
		if newer(d.Cloudron.Latest, c.Version) {
			d.Cloudron.Latest = c.Version
		}
		c.Updates.CheckedAt = time.Time{}
	}
	return nil
}

// breakAppUpdate makes the App Store offer a newer version of the first
// installed app.
func breakAppUpdate(d *world.Data, param string) error {
	return eachCloudron(d, func(c *world.Cloudron) bool {
		for _, a := range c.Apps {
			if a.InstalledAt.IsZero() {
				continue
			}
			target := param
			if target == "" || !newer(target, a.Version) {
				target = nextPatch(a.Version)
			}
			if _, stashed := c.FaultState.Stash[FaultAppUpdate]; !stashed {
				// "id=" when the catalogue's version was in force.
				stash(c, FaultAppUpdate, a.AppStoreID+"="+c.StoreVersions[a.AppStoreID])
			}
			if c.StoreVersions == nil {
				c.StoreVersions = map[string]string{}
			}
			c.StoreVersions[a.AppStoreID] = target
			c.Updates.CheckedAt = time.Time{}
			return true
		}
		return false
	}, "no app is installed")
}

func healAppUpdate(d *world.Data) error {
	for _, c := range cloudrons(d) {
		saved, ok := unstash(c, FaultAppUpdate)
		if !ok {
			continue
		}
		id, old, _ := strings.Cut(saved, "=")
		if old == "" {
			delete(c.StoreVersions, id)
		} else {
			c.StoreVersions[id] = old
		}
		c.Updates.CheckedAt = time.Time{}
	}
	return nil
}

// breakBackupsOld moves every backup back so that the newest is 10 days
// old (adding one if there is none) and stops the nightly backups.
func breakBackupsOld(d *world.Data, _ string) error {
	tenDaysAgo := time.Now().Add(-10 * 24 * time.Hour)
	return eachCloudron(d, func(c *world.Cloudron) bool {
		if c.FaultState.BackupsPaused {
			return true
		}
		c.FaultState.BackupsPaused = true
		if len(c.Backups) == 0 {
			addBackup(c, tenDaysAgo)
			stash(c, FaultBackupsOld, "added")
			return true
		}
		newest := c.Backups[0].CreatedAt
		for _, b := range c.Backups {
			newest = later(newest, b.CreatedAt)
		}
		shift := tenDaysAgo.Sub(newest)
		for _, b := range c.Backups {
			b.CreatedAt = b.CreatedAt.Add(shift)
		}
		c.FaultState.BackupShift = shift
		return true
	}, "")
}

func healBackupsOld(d *world.Data) error {
	for _, c := range cloudrons(d) {
		if !c.FaultState.BackupsPaused {
			continue
		}
		if _, added := unstash(c, FaultBackupsOld); added {
			c.Backups = nil
		}
		for _, b := range c.Backups {
			b.CreatedAt = b.CreatedAt.Add(-c.FaultState.BackupShift)
		}
		c.FaultState.BackupsPaused, c.FaultState.BackupShift = false, 0
	}
	return nil
}

// breakAdmin2FA turns two-factor login off for every owner and admin,
// keeping their secrets to restore.
func breakAdmin2FA(d *world.Data, _ string) error {
	return eachCloudron(d, func(c *world.Cloudron) bool {
		admins := false
		for _, u := range c.Users {
			if u.Role != "owner" && u.Role != "admin" {
				continue
			}
			admins = true
			if u.TwoFactorEnabled {
				stash(c, FaultAdmin2FAOff+":"+u.ID, u.TwoFactorSecret)
				u.TwoFactorEnabled, u.TwoFactorSecret = false, ""
			}
		}
		return admins
	}, "the Cloudron is not activated yet")
}

// healAdmin2FA turns it on for every owner and admin: with the secret the
// fault took away, or else a new one (2FA is off after activation, so a
// heal can be the first enrolment).
func healAdmin2FA(d *world.Data) error {
	for _, c := range cloudrons(d) {
		for _, u := range c.Users {
			if (u.Role != "owner" && u.Role != "admin") || u.TwoFactorEnabled {
				continue
			}
			secret, ok := unstash(c, FaultAdmin2FAOff+":"+u.ID)
			if !ok || secret == "" {
				raw := make([]byte, 20)
				rand.Read(raw)
				secret = base32NoPad.EncodeToString(raw)
			}
			u.TwoFactorSecret, u.TwoFactorEnabled = secret, true
		}
	}
	return nil
}

// breakWellKnown removes matrix/server from every domain that has it.
func breakWellKnown(d *world.Data, _ string) error {
	return eachCloudron(d, func(c *world.Cloudron) bool {
		took := false
		for _, dom := range c.Domains {
			if body, ok := dom.WellKnown["matrix/server"]; ok {
				stash(c, FaultWellKnownMissing+":"+dom.Domain, body)
				delete(dom.WellKnown, "matrix/server")
				took = true
			}
		}
		return took
	}, "no domain has a matrix/server well-known document")
}

func healWellKnown(d *world.Data) error {
	for _, c := range cloudrons(d) {
		for _, dom := range c.Domains {
			body, ok := unstash(c, FaultWellKnownMissing+":"+dom.Domain)
			if _, present := dom.WellKnown["matrix/server"]; !ok || present {
				continue
			}
			if dom.WellKnown == nil {
				dom.WellKnown = map[string]string{}
			}
			dom.WellKnown["matrix/server"] = body
		}
	}
	return nil
}
