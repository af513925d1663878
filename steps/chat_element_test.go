package steps

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	sandboxcloudron "github.com/chapterctl/chapterctl/internal/sandbox/cloudron"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// elementSeen is the world's Element: config.json on the machine and what
// https://chat.<domain>/config.json answers.
type elementSeen struct {
	File, Backup string
	HasFile      bool
	Served       sandboxcloudron.AppResponse
}

func (s *cloudronRun) element(t *testing.T) elementSeen {
	t.Helper()
	var seen elementSeen
	s.Sandbox.World.Read(func(d *world.Data) {
		eachApp(d, "im.riot.cloudronapp", func(m *world.Machine, a *world.CloudronApp) {
			path := sandboxcloudron.ElementConfigPath(a.ID)
			seen.File, seen.HasFile = m.Files[path]
			seen.Backup = m.Files[path+".chapterctl.bak"]
			seen.Served, _ = sandboxcloudron.AppWeb(d, m.DropletID, a.FQDN(), "/config.json", time.Now())
		})
	})
	if !seen.HasFile {
		t.Fatal("no Element with a config.json in the world")
	}
	return seen
}

func (s *cloudronRun) setElementFile(t *testing.T, content string) {
	t.Helper()
	s.Sandbox.World.Settle(func(d *world.Data) {
		eachApp(d, "im.riot.cloudronapp", func(m *world.Machine, a *world.CloudronApp) {
			m.Files[sandboxcloudron.ElementConfigPath(a.ID)] = content
		})
	})
}

// served decodes what Element's web server answers for /config.json.
func (e elementSeen) served(t *testing.T) map[string]any {
	t.Helper()
	var cfg map[string]any
	if e.Served.Status != 200 || json.Unmarshal([]byte(e.Served.Body), &cfg) != nil {
		t.Fatalf("/config.json answered %d: %s", e.Served.Status, e.Served.Body)
	}
	return cfg
}

func (s *cloudronRun) elementItem(t *testing.T) *Item {
	t.Helper()
	return s.lastPlanItem(t, "settings of Element")
}

// Closed makes new rooms local in Element; going back to open takes out
// only the default_federate chapterctl wrote, and every rerun is quiet.
func TestChatElementMirrorsFederation(t *testing.T) {
	cfg := testChapter()
	cfg.Federation = chapter.FederationClosed
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	r.applyCounting(t)
	el := r.element(t)
	served := el.served(t)
	if served["default_federate"] != false || !strings.Contains(el.File, `"default_federate": false`) {
		t.Fatalf("closed: /config.json = %s", el.Served.Body)
	}
	if hs := served["default_server_config"].(map[string]any)["m.homeserver"].(map[string]any); hs["base_url"] != "https://matrix."+cfg.Domain ||
		hs["server_name"] != cfg.Domain || served["brand"] != "Element" {
		t.Errorf("closed: other settings lost or wrong: %s", el.Served.Body)
	}
	if strings.Contains(el.Backup, "default_federate") || el.Backup == "" {
		t.Errorf("the backup is not the package's file:\n%s", el.Backup)
	}
	if got := loadState(t, r.Dir).Output("chat", outElementFederate); got != "false" {
		t.Errorf("%s = %q", outElementFederate, got)
	}
	if item := r.elementItem(t); item != nil {
		t.Errorf("plan once applied = %+v", item)
	}
	if n := r.applyCounting(t); n != 0 {
		t.Errorf("rerun made %d mutating requests", n)
	}

	cfg.Federation = chapter.FederationOpen
	if item := r.elementItem(t); item == nil || !strings.Contains(item.Detail, "default_federate removed") {
		t.Fatalf("plan after switching to open = %+v", item)
	}
	r.applyCounting(t)
	if served := r.element(t).served(t); served["default_federate"] != nil || served["brand"] != "Element" {
		t.Errorf("open: /config.json = %s", r.element(t).Served.Body)
	}
	if got := loadState(t, r.Dir).Output("chat", outElementFederate); got != "" {
		t.Errorf("%s = %q once removed", outElementFederate, got)
	}
	if n := r.applyCounting(t); n != 0 {
		t.Errorf("rerun made %d mutating requests", n)
	}
}

// With an open policy, a default_federate a person set is theirs: left as
// it is, while a homeserver preset pointing elsewhere is put right.
func TestChatElementKeepsAPersonsSettingAndFixesTheServer(t *testing.T) {
	cfg := testChapter()
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	r.applyCounting(t)
	r.setElementFile(t, `{"default_server_config":{"m.homeserver":{"base_url":"https://matrix-client.matrix.org","server_name":"matrix.org"},`+
		`"m.identity_server":{"base_url":"https://vector.im"}},"default_federate":false,"room_directory":{"servers":["matrix.org"]},"integrations_ui_url":1e3}`)
	item := r.elementItem(t)
	if item == nil || !strings.Contains(item.Detail, "homeserver https://matrix."+cfg.Domain) || strings.Contains(item.Detail, "default_federate") {
		t.Fatalf("plan = %+v", item)
	}
	r.applyCounting(t)
	el := r.element(t)
	served := el.served(t)
	dsc := served["default_server_config"].(map[string]any)
	if hs := dsc["m.homeserver"].(map[string]any); hs["base_url"] != "https://matrix."+cfg.Domain || hs["server_name"] != cfg.Domain {
		t.Errorf("homeserver not fixed: %s", el.Served.Body)
	}
	if served["default_federate"] != false || dsc["m.identity_server"] == nil || served["room_directory"] == nil ||
		!strings.Contains(el.File, `"integrations_ui_url": 1e3`) {
		t.Errorf("a person's settings were lost: %s", el.File)
	}
	if !strings.Contains(el.Backup, "matrix-client.matrix.org") {
		t.Errorf("backup = %s", el.Backup)
	}
	if n := r.applyCounting(t); n != 0 {
		t.Errorf("rerun made %d mutating requests", n)
	}
}

// A run killed between recording that default_federate is chapterctl's
// and writing it converges; one killed after the write reruns quietly.
func TestChatElementKilledAroundTheWriteConverges(t *testing.T) {
	cfg := testChapter()
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	r.applyCounting(t)
	preset := r.element(t).File

	cfg.Federation, cfg.FederationAllow = chapter.FederationAllowlist, []string{"chicagodsa.org"}
	r.applyCounting(t)
	written := r.element(t).File
	if !strings.Contains(written, `"default_federate": false`) {
		t.Fatalf("allowlist: config.json =\n%s", written)
	}
	// Killed before the write: the record is there, the file is not.
	r.setElementFile(t, preset)
	if n := r.applyCounting(t); n != 2 {
		t.Errorf("rerun after a kill before the write made %d mutating requests, want the backup and the write", n)
	}
	if got := r.element(t).File; got != written {
		t.Errorf("after the rerun:\n%s\nwant:\n%s", got, written)
	}
	if n := r.applyCounting(t); n != 0 {
		t.Errorf("second rerun made %d mutating requests", n)
	}
}

// Element's web server serves config.json as it is; chapterctl refuses to
// edit a file that is not JSON and says where it is.
func TestChatElementInvalidConfig(t *testing.T) {
	cfg := testChapter()
	cfg.Federation = chapter.FederationClosed
	r := installedCloudron(t, cfg, NewPlatformSetup(), NewChat())
	r.applyCounting(t)
	r.setElementFile(t, `{"default_server_config": `)
	if el := r.element(t); el.Served.Status != 200 || el.Served.Body != `{"default_server_config": ` {
		t.Errorf("/config.json = %d %q, want the file as it is", el.Served.Status, el.Served.Body)
	}
	err := r.Apply(context.Background())
	var stepErr *StepError
	if !errors.As(err, &stepErr) || !strings.Contains(err.Error(), "config.json") || !strings.Contains(err.Error(), "not valid JSON") ||
		!strings.Contains(err.Error(), "config.json.chapterctl.bak") {
		t.Fatalf("Apply = %v", err)
	}
}
