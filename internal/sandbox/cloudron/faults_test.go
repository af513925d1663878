package cloudron

import (
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestFaultsAreListedWithTheirKinds(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		FaultCertChanged: world.KindReliability, FaultTaskFails: world.KindReliability,
		FaultCertExpiring: world.KindDoctor, FaultCertExpired: world.KindDoctor, FaultAppDown: world.KindDoctor,
		FaultPlatformUpdate: world.KindDoctor, FaultAppUpdate: world.KindDoctor, FaultBackupsOld: world.KindDoctor,
		FaultAdmin2FAOff: world.KindDoctor, FaultWellKnownMissing: world.KindDoctor, FaultSynapseConfigMangled: world.KindReliability,
		FaultElementPresetWrong: world.KindDoctor,
	}
	specs := Faults()
	if len(specs) != len(want) {
		t.Errorf("%d faults, want %d", len(specs), len(want))
	}
	for _, f := range specs {
		if want[f.Name] != f.Kind || f.Description == "" {
			t.Errorf("%s: kind %q, description %q", f.Name, f.Kind, f.Description)
		}
		if f.Kind == world.KindDoctor && (f.Break == nil || f.Heal == nil) {
			t.Errorf("%s: a world-state fault without Break and Heal", f.Name)
		}
	}
}

// breakFault applies a fault by name, as `sandbox break` does.
func (b *box) breakFault(name, param string) {
	b.t.Helper()
	b.change(func(d *world.Data) {
		for _, f := range Faults() {
			if f.Name == name {
				if err := f.Break(d, param); err != nil {
					b.t.Fatalf("break %s: %v", name, err)
				}
				d.Faults[name] = param
			}
		}
	})
}

func (b *box) healFault(name string) {
	b.t.Helper()
	b.change(func(d *world.Data) {
		for _, f := range Faults() {
			if f.Name == name {
				f.Heal(d)
				delete(d.Faults, name)
			}
		}
	})
}

func TestAppDownFault(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.install("net.roundcube.cloudronapp", "webmail")
	id := b.install("org.matrix.synapse", "matrix")
	b.advance(time.Minute)
	b.breakFault(FaultAppDown, "")
	if app := b.call("GET", "/apps/"+id, nil); app.str("runState") != "stopped" || app.str("health") != "unhealthy" {
		t.Errorf("broken chat app = %s", app.raw)
	}
	b.healFault(FaultAppDown)
	if app := b.call("GET", "/apps/"+id, nil); app.str("runState") != "running" || app.str("health") != "healthy" {
		t.Errorf("healed chat app = %s", app.raw)
	}
}

func TestPlatformUpdateAvailableFault(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.call("GET", "/updater/box_update", nil) // fills the cache
	b.breakFault(FaultPlatformUpdate, "")
	if got := b.call("GET", "/updater/box_update", nil).str("update.version"); got != "9.0.16" {
		t.Errorf("offered %q, want the next patch release", got)
	}
	b.healFault(FaultPlatformUpdate)
	if got := b.call("GET", "/updater/box_update", nil).at("update"); got != nil {
		t.Errorf("still offered after heal: %v", got)
	}
}

func TestAppUpdateAvailableFault(t *testing.T) {
	t.Parallel()
	b := ready(t, withVersion("8.3.2"))
	id := b.install("org.matrix.synapse", "matrix")
	b.breakFault(FaultAppUpdate, "")
	if got := b.call("GET", "/updater/updates", nil).str("updates." + id + ".manifest.version"); got != "1.98.1" {
		t.Errorf("cached app update = %q", got)
	}
	if got := b.call("GET", "/apps/"+id, nil).str("updateInfo.manifest.version"); got != "1.98.1" {
		t.Errorf("app's updateInfo = %q", got)
	}
	b.healFault(FaultAppUpdate)
	if got := b.call("GET", "/updater/updates", nil).at("updates").(map[string]any); len(got) != 0 {
		t.Errorf("updates after heal = %v", got)
	}
}

func TestBackupsOldFault(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.waitTask(b.call("POST", "/backups/create", nil).want(t, 202).str("taskId"))
	b.breakFault(FaultBackupsOld, "")
	newest := func() time.Time {
		at, _ := time.Parse(time.RFC3339, b.call("GET", "/backups", nil).at("backups").([]any)[0].(map[string]any)["creationTime"].(string))
		return at
	}
	if age := time.Since(newest()); age < 10*24*time.Hour-time.Minute || age > 10*24*time.Hour+time.Minute {
		t.Errorf("newest backup is %v old", age)
	}
	b.advance(24 * time.Hour) // no nightly backup while broken
	if age := time.Since(newest()); age < 9*24*time.Hour {
		t.Errorf("a nightly backup ran while broken (%v)", age)
	}
	b.healFault(FaultBackupsOld)
	if age := b.clock.Now().Sub(newest()); age > 2*24*time.Hour {
		t.Errorf("newest backup after heal is %v old", age)
	}
}

func TestAdmin2FAOffFault(t *testing.T) {
	t.Parallel()
	b := ready(t)
	secret := b.call("POST", "/profile/twofactorauthentication_secret", nil).str("secret")
	code, _ := totp(secret, b.clock.Now())
	b.call("POST", "/profile/twofactorauthentication_enable", map[string]any{"totpToken": code}).want(t, 204)
	b.breakFault(FaultAdmin2FAOff, "")
	if b.call("GET", "/profile", nil).at("twoFactorAuthenticationEnabled") != false {
		t.Error("owner still has 2FA")
	}
	b.healFault(FaultAdmin2FAOff)
	if b.call("GET", "/profile", nil).at("twoFactorAuthenticationEnabled") != true {
		t.Error("2FA not back after heal")
	}
	if got := b.cloudron().Users[0].TwoFactorSecret; got != secret {
		t.Error("heal did not restore the owner's own secret")
	}
}
