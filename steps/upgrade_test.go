package steps

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// initedChapter is a sandbox chapter after a full init, its runner set to
// the upgrade steps.
func initedChapter(t *testing.T) *sandboxRun {
	t.Helper()
	if testing.Short() {
		t.Skip("runs a whole init")
	}
	r := fastDigitalOcean(newSandboxRun(t, testChapter()))
	r.Steps = Init()
	if err := r.Apply(context.Background()); err != nil {
		t.Fatalf("init: %v", err)
	}
	r.Steps = Upgrade()
	r.Progress.reset()
	return r
}

// publish makes the release channel offer box (if not "") and the App
// Store offer the app versions, as if published after init; the box's
// cached check is made stale so that it sees them.
func (s *sandboxRun) publish(t *testing.T, box string, apps map[string]string) {
	t.Helper()
	err := s.Sandbox.World.Update(context.Background(), "", func(d *world.Data) error {
		if box != "" {
			d.Cloudron.Latest = box
		}
		d.Cloudron.AppUpdates = apps
		for _, m := range d.Machines {
			if m.Cloudron != nil {
				m.Cloudron.Updates.CheckedAt = time.Time{}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// cloudronNow is a copy of the world's one Cloudron.
func (s *sandboxRun) cloudronNow(t *testing.T) world.Cloudron {
	t.Helper()
	var c *world.Cloudron
	s.Sandbox.World.Read(func(d *world.Data) {
		for _, m := range d.Machines {
			if m.Cloudron != nil {
				cp := *m.Cloudron
				c = &cp
			}
		}
	})
	if c == nil {
		t.Fatal("no Cloudron in the world")
	}
	return *c
}

func appVersions(c world.Cloudron) map[string]string {
	v := map[string]string{}
	for _, a := range c.Apps {
		v[a.AppStoreID] = a.Version
	}
	return v
}

func boxBackups(c world.Cloudron) []string {
	var ids []string
	for _, b := range c.Backups {
		if b.Type == "box" {
			ids = append(ids, b.ID)
		}
	}
	return ids
}

var newerApps = map[string]string{"org.matrix.synapse": "1.99.0", "im.riot.cloudronapp": "1.11.113"}

func TestUpgradeBacksUpThenUpdatesPlatformAndAppsThenRerunIsEmpty(t *testing.T) {
	r := initedChapter(t)
	r.publish(t, "9.1.0", newerApps)
	ctx := context.Background()
	plans, err := r.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var planned []string
	for _, p := range plans {
		for _, item := range p.Change.Items {
			planned = append(planned, p.Step.ID()+": "+item.Resource+" "+item.Detail)
		}
	}
	for _, want := range []string{
		"backup: full backup of the Cloudron before updating Cloudron 9.1.0, Element (chat.redrockdsa.org) 1.11.113, Synapse (matrix.redrockdsa.org) 1.99.0",
		"platform-update: Cloudron platform 9.0.15 → 9.1.0",
		"app-updates: app Element (chat.redrockdsa.org) 1.11.112 → 1.11.113",
		"app-updates: app Synapse (matrix.redrockdsa.org) 1.98.0 → 1.99.0",
	} {
		if !slices.Contains(planned, want) {
			t.Errorf("plan %q lacks %q", planned, want)
		}
	}
	if len(planned) != 4 {
		t.Errorf("plan = %q, want the backup, the platform and two apps, and no drift", planned)
	}
	before := len(r.mutations(t))
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("upgrade: %v\nprogress %q", err, r.Progress.lines)
	}
	c := r.cloudronNow(t)
	if v := appVersions(c); c.Version != "9.1.0" || v["org.matrix.synapse"] != "1.99.0" || v["im.riot.cloudronapp"] != "1.11.113" {
		t.Errorf("after the upgrade: Cloudron %s, apps %v", c.Version, v)
	}
	if b := boxBackups(c); len(b) != 1 {
		t.Errorf("box backups = %v, want exactly the one upgrade took (Cloudron's own skipped)", b)
	}
	// The journal: the backup is created before any update starts.
	var points []string
	for _, e := range r.mutations(t)[before:] {
		points = append(points, e.Point)
	}
	want := []string{"cloudron.backup.create", "cloudron.updater.update", "cloudron.app.update", "cloudron.app.update"}
	if !slices.Equal(points, want) {
		t.Errorf("mutations = %q, want %q", points, want)
	}
	r.requireEmptyRerun(t)
}

func TestUpgradeWithNothingOfferedTakesNoBackup(t *testing.T) {
	r := initedChapter(t)
	r.requireEmptyRerun(t)
	if b := boxBackups(r.cloudronNow(t)); len(b) != 0 {
		t.Errorf("backups = %v, want none when nothing is to update", b)
	}
}

func TestUpgradeFailedBackupStartsNoUpdate(t *testing.T) {
	r := initedChapter(t)
	r.publish(t, "9.1.0", newerApps)
	r.breakFault(t, "cloudron-task-fails", "")
	err := r.Apply(context.Background())
	var stepErr *StepError
	if !errors.As(err, &stepErr) || stepErr.ID != backupStepID || !strings.Contains(err.Error(), "no update was started") {
		t.Fatalf("upgrade = %v, want the backup step to fail saying no update started", err)
	}
	c := r.cloudronNow(t)
	for _, task := range c.Tasks {
		if task.Type == "update" || task.Action == "update" {
			t.Errorf("an update task started after the failed backup: %+v", task)
		}
	}
	// The rerun takes a new backup, then updates.
	if err := r.Apply(context.Background()); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if c := r.cloudronNow(t); c.Version != "9.1.0" || len(boxBackups(c)) != 1 {
		t.Errorf("after the rerun: %s, backups %v", c.Version, boxBackups(c))
	}
}

func TestUpgradeFailedAppUpdateNamesAppAndBackupAndOthersUpdate(t *testing.T) {
	r := initedChapter(t)
	r.publish(t, "", newerApps)
	ctx := context.Background()
	// The backup first, so that the fault hits the first app's update.
	steps := r.Steps
	r.Steps = []Step{NewUpgradeBackup()}
	if err := r.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	backup := boxBackups(r.cloudronNow(t))
	r.Steps = steps
	r.breakFault(t, "cloudron-task-fails", "")
	err := r.Apply(ctx)
	var stepErr *StepError
	if !errors.As(err, &stepErr) || stepErr.ID != appUpdatesStepID {
		t.Fatalf("upgrade = %v, want app-updates to fail", err)
	}
	// Element (chat.) comes first by name: its update crashed.
	msg := err.Error()
	if !strings.Contains(msg, "Element (chat.redrockdsa.org) did not update to 1.11.113") || !strings.Contains(msg, backup[0]) ||
		!strings.Contains(msg, "restore it from its backup app_") || strings.Contains(msg, "Synapse") {
		t.Errorf("error = %q, want Element named with its backup within %s, and only Element", msg, backup)
	}
	c := r.cloudronNow(t)
	if v := appVersions(c); v["org.matrix.synapse"] != "1.99.0" || v["im.riot.cloudronapp"] != "1.11.112" {
		t.Errorf("versions = %v, want Synapse updated and Element not", v)
	}
	if len(boxBackups(c)) != 1 {
		t.Errorf("backups = %v, want the one", boxBackups(c))
	}
}

func TestUpgradeCorrectsDriftAMailboxAddedARecordDeletedFederationClosed(t *testing.T) {
	r := initedChapter(t)
	r.breakFault(t, "dmarc-missing", "")
	r.Config.Mail.Mailboxes = append(r.Config.Mail.Mailboxes, "info")
	r.Config.Federation = chapter.FederationClosed
	plans, err := r.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	drift := map[string]int{}
	for _, p := range plans {
		drift[p.Step.ID()] = len(p.Change.Items)
	}
	if drift["mail"] == 0 || drift["dns-records"] == 0 || drift["chat"] == 0 || drift["backup"] != 0 || drift["droplet"] != 0 {
		t.Errorf("plan items by step = %v, want the mailbox, the record and the federation policy, nothing else", drift)
	}
	if err := r.Apply(context.Background()); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	c := r.cloudronNow(t)
	if boxes := c.Mail["redrockdsa.org"].Mailboxes; !slices.ContainsFunc(boxes, func(b *world.CloudronMailbox) bool { return b.Name == "info" }) {
		t.Errorf("mailboxes after the upgrade lack info")
	}
	for _, a := range c.Apps {
		if a.AppStoreID == "org.matrix.synapse" && (a.Synapse == nil || !a.Synapse.WhitelistSet || len(a.Synapse.Whitelist) != 0) {
			t.Errorf("Synapse runs with %+v, want federation closed (an empty whitelist)", a.Synapse)
		}
	}
	var dmarc bool
	r.Sandbox.World.Read(func(d *world.Data) {
		for _, rr := range d.DomainByFQDN("redrockdsa.org").Records {
			dmarc = dmarc || rr.Name == "_dmarc" && rr.Type == "TXT"
		}
	})
	if !dmarc {
		t.Error("the deleted DMARC record was not restored")
	}
	r.requireEmptyRerun(t)
}

// TestUpgradeFollowsUpdatesAKilledRunStarted: a platform update and an app
// update already running (started by a run killed before it recorded
// them) are followed to their end, never started a second time.
func TestUpgradeFollowsUpdatesAKilledRunStarted(t *testing.T) {
	r := initedChapter(t)
	r.publish(t, "9.1.0", map[string]string{"org.matrix.synapse": "1.99.0"})
	// Updates long enough (1.5 s here) that upgrade sees them running.
	r.Sandbox.World.Update(context.Background(), "", func(d *world.Data) error {
		for _, m := range d.Machines {
			if m.Cloudron != nil {
				m.Cloudron.Options.Timings.BoxUpdate, m.Cloudron.Options.Timings.AppUpdate = 1500, 1500
			}
		}
		return nil
	})
	ctx := context.Background()
	all := r.Steps
	r.Steps = []Step{NewUpgradeBackup()}
	if err := r.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	client := r.Providers.Cloudron("https://my.redrockdsa.org/",
		cloudron.Options{Roots: r.Providers.Roots, Token: r.Secrets[secrets.CloudronToken]})
	if _, err := client.StartBoxUpdate(ctx, true); err != nil {
		t.Fatal(err)
	}
	r.Steps = all
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	c := r.cloudronNow(t)
	tasks := map[string]int{}
	for _, task := range c.Tasks {
		tasks[task.Action]++
	}
	if c.Version != "9.1.0" || appVersions(c)["org.matrix.synapse"] != "1.99.0" || tasks["box_update"] != 1 || tasks["update"] != 1 {
		t.Errorf("Cloudron %s, apps %v, tasks %v; want one platform and one app update", c.Version, appVersions(c), tasks)
	}
	if refused := r.answered(t, "POST", "/api/v1/updater/box_update", 409); refused == 0 {
		t.Error("upgrade never found the platform update running: the test did not test following it")
	}

	// An app update running when upgrade looks is followed.
	r.publish(t, "", map[string]string{"org.matrix.synapse": "1.100.0"})
	var synapse string
	for _, a := range c.Apps {
		if a.AppStoreID == "org.matrix.synapse" {
			synapse = a.ID
		}
	}
	r.Steps = []Step{NewUpgradeBackup()}
	if err := r.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UpdateApp(ctx, synapse, "org.matrix.synapse", true); err != nil {
		t.Fatal(err)
	}
	r.Steps = all
	if err := r.Apply(ctx); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	c = r.cloudronNow(t)
	updates := 0
	for _, task := range c.Tasks {
		if task.Action == "update" {
			updates++
		}
	}
	if appVersions(c)["org.matrix.synapse"] != "1.100.0" || updates != 2 || len(boxBackups(c)) != 2 {
		t.Errorf("apps %v after %d app updates and backups %v; want 1.100.0 after two updates and two backups", appVersions(c), updates, boxBackups(c))
	}
	// The first upgrade's and the killed run's; none from this upgrade.
	if n := r.answered(t, "POST", "/api/v1/apps/"+synapse+"/update", 0); n != 2 {
		t.Errorf("%d update requests for Synapse, want 2", n)
	}
}

// answered counts the journal's requests of method and path that got
// status (any status when 0).
func (s *sandboxRun) answered(t *testing.T, method, path string, status int) int {
	t.Helper()
	n := 0
	for _, e := range readJournal(t, s.Dir) {
		if e.Method == method && e.Path == path && (status == 0 || e.Status == status) {
			n++
		}
	}
	return n
}
