package steps

import (
	"context"
	"slices"
	"testing"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// setUpWithout2FA applies platform-setup, then turns the owner's
// two-factor login off again in the world and forgets it in the state, as
// a run killed before enrolment would have left things.
func setUpWithout2FA(t *testing.T) *cloudronRun {
	t.Helper()
	r := installedCloudron(t, testChapter(), NewPlatformSetup())
	if err := r.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	err := r.Sandbox.World.Update(context.Background(), "", func(d *world.Data) error {
		for _, m := range d.Machines {
			if m.Cloudron != nil {
				m.Cloudron.Users[0].TwoFactorEnabled, m.Cloudron.Users[0].TwoFactorSecret = false, ""
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	delete(r.Secrets, secrets.CloudronAdminTOTPSecret)
	store, st := openState(t, r.sandboxRun)
	delete(st.Step("platform-setup").Outputs, platformSetup2FA)
	if err := store.Save(st); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *cloudronRun) owner2FA(t *testing.T) (enabled bool, secret string) {
	t.Helper()
	r.cloudron(func(c *world.Cloudron) { enabled, secret = c.Users[0].TwoFactorEnabled, c.Users[0].TwoFactorSecret })
	return enabled, secret
}

// enrolByHand turns the owner's two-factor login on through the API, as
// the dashboard (or a killed run) does; between the secret and the
// confirmation it calls between with the secret.
func (r *cloudronRun) enrolByHand(t *testing.T, between func(secret string)) string {
	t.Helper()
	ctx := context.Background()
	dash := r.dashboard(r.Secrets[secrets.CloudronToken])
	secret, err := dash.TwoFactorSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	between(secret)
	code, _ := cloudron.TOTPCode(secret, r.Sandbox.World.Now())
	if err := dash.EnableTwoFactor(ctx, code); err != nil {
		t.Fatal(err)
	}
	return secret
}

// A kill between asking for the secret and confirming it: the rerun's plan
// shows the enrolment, and the rerun asks a new secret and confirms it.
func TestPlatformSetupEnrolsAfterKillBeforeEnable(t *testing.T) {
	r := setUpWithout2FA(t)
	ctx := context.Background()
	killed, err := r.dashboard(r.Secrets[secrets.CloudronToken]).TwoFactorSecret(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r.Secrets[secrets.CloudronAdminTOTPSecret] = killed

	plans, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	items := plans[len(plans)-1].Change.Items
	if !slices.ContainsFunc(items, func(i Item) bool { return i.Action == Create && i.Resource == "two-factor login of maria" }) {
		t.Fatalf("plan = %+v, want the two-factor enrolment", items)
	}
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	enabled, secret := r.owner2FA(t)
	if !enabled || secret == killed || r.Secrets[secrets.CloudronAdminTOTPSecret] != secret {
		t.Fatalf("after the rerun: enabled %t, new secret %t, stored the enforced one %t",
			enabled, secret != killed, r.Secrets[secrets.CloudronAdminTOTPSecret] == secret)
	}
	if got := loadState(t, r.Dir).Output("platform-setup", platformSetup2FA); got != twoFactorChapterctl {
		t.Errorf("admin_2fa = %q, want %q", got, twoFactorChapterctl)
	}
	r.requireEmptyRerun(t)
}

// A kill after the confirmation, before the record: the rerun finds it on
// and only records it.
func TestPlatformSetupRecordsAfterKillAfterEnable(t *testing.T) {
	r := setUpWithout2FA(t)
	ctx := context.Background()
	secret := r.enrolByHand(t, func(secret string) { r.Secrets[secrets.CloudronAdminTOTPSecret] = secret })
	before := len(r.mutations(t))
	if err := r.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if after := r.mutations(t); len(after) != before {
		t.Errorf("the rerun made %d mutating requests: %+v", len(after)-before, after[before:])
	}
	if _, now := r.owner2FA(t); now != secret || r.Secrets[secrets.CloudronAdminTOTPSecret] != secret {
		t.Error("the rerun replaced the enrolled secret")
	}
	if got := loadState(t, r.Dir).Output("platform-setup", platformSetup2FA); got != twoFactorChapterctl {
		t.Errorf("admin_2fa = %q, want %q", got, twoFactorChapterctl)
	}
}

// The organizer turned two-factor login on in the dashboard before
// chapterctl did: it is recorded as theirs, and no secret is stored.
func TestPlatformSetupKeepsOrganizersOwn2FA(t *testing.T) {
	r := setUpWithout2FA(t)
	ctx := context.Background()
	r.enrolByHand(t, func(string) {})
	if err := r.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if r.Secrets[secrets.CloudronAdminTOTPSecret] != "" {
		t.Error("a two-factor secret was stored for the organizer's own enrolment")
	}
	if got := loadState(t, r.Dir).Output("platform-setup", platformSetup2FA); got != twoFactorOrganizer {
		t.Errorf("admin_2fa = %q, want %q", got, twoFactorOrganizer)
	}
}
