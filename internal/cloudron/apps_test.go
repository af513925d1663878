package cloudron_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// progress records a task's reports.
type progress struct {
	percents []int
	messages []string
}

func (p *progress) report(percent int, message string) {
	p.percents = append(p.percents, percent)
	p.messages = append(p.messages, message)
}

// rising tells whether the percentages never go back.
func (p *progress) rising() bool {
	for i := 1; i < len(p.percents); i++ {
		if p.percents[i] < p.percents[i-1] {
			return false
		}
	}
	return true
}

func TestInstallChatAppsAndDelegation(t *testing.T) {
	t.Parallel()
	s := installedServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, _ := s.setUpAndActivate(ctx)

	// Synapse: its record is written only once the task waits for it.
	synapseID, taskID, err := c.InstallApp(ctx, cloudron.InstallRequest{AppStoreID: "org.matrix.synapse", Subdomain: "matrix",
		Domain: chapterDomain, MemoryLimit: 1 << 30})
	if err != nil || synapseID == "" || taskID == "" {
		t.Fatalf("InstallApp(synapse) = %q %q, %v", synapseID, taskID, err)
	}
	var p progress
	wrote := false
	task, err := c.WaitTask(ctx, taskID, func(percent int, message string) {
		p.report(percent, message)
		if message == "Waiting for DNS propagation" && !wrote {
			wrote = true
			s.pointAt("matrix")
		}
	})
	if err != nil || !task.Success || task.Percent != 100 {
		t.Fatalf("WaitTask = %+v, %v (progress %v %q)", task, err, p.percents, p.messages)
	}
	if !wrote || !p.rising() || len(p.percents) < 2 {
		t.Errorf("progress %v %q: want rising reports through the DNS wait", p.percents, p.messages)
	}
	synapse, err := c.WaitApp(ctx, synapseID, nil)
	if err != nil || synapse.InstallationState != "installed" || synapse.RunState != "running" || synapse.FQDN != "matrix."+chapterDomain {
		t.Fatalf("WaitApp(synapse) = %+v, %v", synapse, err)
	}

	// Element: waited on through the app, with its task's progress.
	elementID := s.installApp(ctx, c, "im.riot.cloudronapp", "chat")
	var ep progress
	element, err := c.WaitApp(ctx, elementID, ep.report)
	if err != nil || element.InstallationState != "installed" || element.Title != "Element" || len(ep.percents) == 0 || !ep.rising() {
		t.Fatalf("WaitApp(element) = %+v, %v (progress %v)", element, err, ep.percents)
	}

	// A taken subdomain: the app there comes back with ErrExists.
	id, _, err := c.InstallApp(ctx, cloudron.InstallRequest{AppStoreID: "im.riot.cloudronapp", Subdomain: "matrix", Domain: chapterDomain})
	var exists *cloudron.AppExistsError
	if !errors.Is(err, cloudron.ErrExists) || !errors.As(err, &exists) || id != synapseID || exists.App.AppStoreID != "org.matrix.synapse" {
		t.Errorf("install on a taken subdomain = %q, %v", id, err)
	}
	if app, found, err := c.AppBySubdomain(ctx, "chat", chapterDomain); err != nil || !found || app.ID != elementID {
		t.Errorf("AppBySubdomain(chat) = %+v %v %v", app, found, err)
	}
	if _, found, err := c.AppBySubdomain(ctx, "wiki", chapterDomain); err != nil || found {
		t.Errorf("AppBySubdomain(wiki) found %v, %v", found, err)
	}
	if apps, err := c.Apps(ctx); err != nil || len(apps) != 2 {
		t.Errorf("Apps = %+v, %v", apps, err)
	}

	// Matrix delegation documents, set one at a time, both kept.
	server := `{"m.server":"matrix.redrockdsa.org:443"}`
	client := `{"m.homeserver":{"base_url":"https://matrix.redrockdsa.org"}}`
	if err := c.SetWellKnown(ctx, chapterDomain, map[string]string{"matrix/server": server}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetWellKnown(ctx, chapterDomain, map[string]string{"/.well-known/matrix/client": client}); err != nil {
		t.Fatal(err)
	}
	docs, err := c.WellKnown(ctx, chapterDomain)
	if err != nil || docs["matrix/server"] != server || docs["matrix/client"] != client || len(docs) != 2 {
		t.Errorf("WellKnown = %v, %v", docs, err)
	}
	if err := c.SetWellKnown(ctx, chapterDomain, map[string]string{"matrix/client": ""}); err != nil {
		t.Fatal(err)
	}
	if docs, err := c.WellKnown(ctx, chapterDomain); err != nil || len(docs) != 1 || docs["matrix/server"] != server {
		t.Errorf("after removing matrix/client: %v, %v", docs, err)
	}

	// An old box without the well-known route says so.
	s.sb.World.Update(ctx, "", func(d *world.Data) error {
		for _, m := range d.Machines {
			if m.Cloudron != nil {
				m.Cloudron.Options.NoWellKnownRoute = true
			}
		}
		return nil
	})
	if err := c.SetWellKnown(ctx, chapterDomain, map[string]string{"matrix/server": server}); !errors.Is(err, cloudron.ErrWellKnownUnsupported) {
		t.Errorf("SetWellKnown on an old box: %v", err)
	}

	// A stopped app is not waited on for ever.
	s.breakFault("app-down", "")
	_, err = c.WaitApp(ctx, synapseID, nil)
	var appErr *cloudron.AppError
	if !errors.As(err, &appErr) || appErr.App.ID != synapseID || !strings.Contains(err.Error(), "installed but stopped") {
		t.Errorf("WaitApp of a stopped app: %v", err)
	}

	// A failing task names itself.
	s.breakFault("cloudron-task-fails", "")
	backupTask, err := c.CreateBackup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WaitTask(ctx, backupTask, nil)
	var taskErr *cloudron.TaskError
	if !errors.As(err, &taskErr) || taskErr.ID != backupTask || taskErr.Code != "crashed" || !strings.Contains(err.Error(), "task "+backupTask) {
		t.Errorf("failed task: %v", err)
	}
	if _, err := c.WaitTask(ctx, "999", nil); err == nil || !strings.Contains(err.Error(), "No such task") {
		t.Errorf("unknown task: %v", err)
	}
}

func TestMail(t *testing.T) {
	t.Parallel()
	s := installedServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, token := s.setUpAndActivate(ctx)
	me, err := c.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}

	if err := c.EnableMail(ctx, chapterDomain); err != nil {
		t.Fatal(err)
	}
	if err := c.AddMailbox(ctx, chapterDomain, "maria", me.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.AddMailbox(ctx, chapterDomain, "maria", me.ID); !errors.Is(err, cloudron.ErrExists) {
		t.Errorf("second AddMailbox: %v, want ErrExists", err)
	}
	if boxes, err := c.Mailboxes(ctx, chapterDomain); err != nil || len(boxes) != 1 || boxes[0].Name != "maria" || boxes[0].OwnerID != me.ID {
		t.Errorf("Mailboxes = %+v, %v", boxes, err)
	}
	members := []string{"maria@" + chapterDomain}
	if err := c.AddList(ctx, chapterDomain, "members", members); err != nil {
		t.Fatal(err)
	}
	if err := c.AddList(ctx, chapterDomain, "maria", members); !errors.Is(err, cloudron.ErrExists) {
		t.Errorf("a list named like a mailbox: %v, want ErrExists", err)
	}
	if lists, err := c.Lists(ctx, chapterDomain); err != nil || len(lists) != 1 || lists[0].Members[0] != members[0] {
		t.Errorf("Lists = %+v, %v", lists, err)
	}
	if err := c.SetCatchAll(ctx, chapterDomain, members); err != nil {
		t.Fatal(err)
	}

	// The records chapterctl must write come from Cloudron's status.
	st, err := c.MailStatus(ctx, chapterDomain)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, check := range st.Checks {
		names = append(names, check.Name)
	}
	if strings.Join(names, ",") != "mx,spf,dkim,dmarc,ptr" {
		t.Errorf("checks %v", names)
	}
	dkim, _ := st.Check("dkim")
	mx, _ := st.Check("mx")
	dmarc, _ := st.Check("dmarc")
	if !strings.HasPrefix(dkim.Expected, "v=DKIM1; t=s; p=") || dkim.RecordName != "cloudron._domainkey" || dkim.Type != "TXT" || dkim.OK {
		t.Errorf("dkim %+v", dkim)
	}
	if mx.Expected != "10 "+dashboard+"." || mx.Type != "MX" || mx.OK || dmarc.Expected != "v=DMARC1; p=reject; pct=100" {
		t.Errorf("mx %+v dmarc %+v", mx, dmarc)
	}
	// DigitalOcean blocks port 25 in the default world; no blocklist lists the IP.
	if !st.Relay.Checked || st.Relay.OK || !strings.Contains(st.Relay.Message, "port 25") || !st.Blocklists.Checked || !st.Blocklists.OK {
		t.Errorf("relay %+v blocklists %+v", st.Relay, st.Blocklists)
	}

	// A relay whose SMTP login fails: Cloudron's 400, without the password.
	const badPassword = "not-the-mailgun-password"
	relay := cloudron.Relay{Provider: "mailgun-smtp", Host: "smtp.mailgun.org", Username: "postmaster@mg." + chapterDomain, Password: badPassword}
	err = c.SetRelay(ctx, chapterDomain, relay)
	if err == nil || !strings.Contains(err.Error(), "535") || !strings.Contains(err.Error(), "smtp.mailgun.org:587") {
		t.Errorf("relay with a wrong password: %v", err)
	}
	secretFree(t, err, badPassword, token)

	const goodPassword = "the-mailgun-smtp-password"
	s.addMailgunLogin("mg."+chapterDomain, relay.Username, goodPassword)
	relay.Password = goodPassword
	if err := c.SetRelay(ctx, chapterDomain, relay); err != nil {
		t.Fatalf("relay with the right login: %v", err)
	}
	if st, err := c.MailStatus(ctx, chapterDomain); err != nil || !st.Relay.Checked || !st.Relay.OK || st.Blocklists.Checked {
		t.Errorf("status with the relay: %+v, %v", st, err)
	}
	if err := c.EnableMail(ctx, "example.com"); err == nil || !strings.Contains(err.Error(), "No such domain") {
		t.Errorf("mail of an unknown domain: %v", err)
	}
}

func TestUpdatesAndBackups(t *testing.T) {
	t.Parallel()
	s := installedServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, _ := s.setUpAndActivate(ctx)
	appID := s.installApp(ctx, c, "im.riot.cloudronapp", "chat")
	app, err := c.WaitApp(ctx, appID, nil)
	if err != nil {
		t.Fatal(err)
	}

	// Backups.
	taskID, err := c.CreateBackup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitTask(ctx, taskID, nil); err != nil {
		t.Fatal(err)
	}
	backups, err := c.Backups(ctx)
	if err != nil || len(backups) != 2 || backups[0].Type != "box" || backups[0].PackageVersion != "9.0.15" || backups[0].CreationTime.IsZero() {
		t.Fatalf("Backups = %+v, %v", backups, err)
	}

	// An app update.
	if u, err := c.CheckAppUpdate(ctx, appID); err != nil || u != nil {
		t.Errorf("CheckAppUpdate with none = %+v, %v", u, err)
	}
	s.breakFault("app-update-available", "")
	u, err := c.CheckAppUpdate(ctx, appID)
	if err != nil || u == nil || u.Version == app.Version || u.AppStoreID != "im.riot.cloudronapp" {
		t.Fatalf("CheckAppUpdate = %+v, %v (installed %s)", u, err, app.Version)
	}
	if o, err := c.Offers(ctx); err != nil || o.Box != nil || o.Apps[appID] != u.Version {
		t.Errorf("Offers after the check = %+v, %v; want the app's %s", o, err, u.Version)
	}
	taskID, err = c.UpdateApp(ctx, appID, u.AppStoreID, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitTask(ctx, taskID, nil); err != nil {
		t.Fatal(err)
	}
	if app, err := c.WaitApp(ctx, appID, nil); err != nil || app.Version != u.Version {
		t.Errorf("after the update: %+v, %v; want version %s", app, err, u.Version)
	}

	// A platform update: the box restarts (502) near the end of the task,
	// and the client then sees the new version.
	if u, err := c.BoxUpdate(ctx); err != nil || u != nil {
		t.Errorf("BoxUpdate with none = %+v, %v", u, err)
	}
	if _, err := c.StartBoxUpdate(ctx, false); !errors.Is(err, cloudron.ErrNoUpdate) {
		t.Errorf("StartBoxUpdate with none: %v, want ErrNoUpdate", err)
	}
	s.breakFault("platform-update-available", "9.1.0")
	box, err := c.BoxUpdate(ctx)
	if err != nil || box == nil || box.Version != "9.1.0" {
		t.Fatalf("BoxUpdate = %+v, %v", box, err)
	}
	if o, err := c.Offers(ctx); err != nil || o.Box == nil || o.Box.Version != "9.1.0" || len(o.Apps) != 0 {
		t.Errorf("Offers = %+v, %v; want the platform's 9.1.0 and no app", o, err)
	}
	taskID, err = c.StartBoxUpdate(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	var p progress
	if _, err := c.WaitTask(ctx, taskID, p.report); err != nil {
		t.Fatalf("WaitTask(box update): %v (progress %v %q)", err, p.percents, p.messages)
	}
	if v, err := c.Status(ctx); err != nil || v != "9.1.0" {
		t.Errorf("version after the update = %q, %v", v, err)
	}
	if u, err := c.BoxUpdate(ctx); err != nil || u != nil {
		t.Errorf("BoxUpdate after updating = %+v, %v", u, err)
	}
}
