package cloudron

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// elementServedNow is what https://chat.<domain>/config.json answers.
func (b *box) elementServedNow(t *testing.T) AppResponse {
	t.Helper()
	var resp AppResponse
	var ok bool
	b.w.Read(func(d *world.Data) { resp, ok = AppWeb(d, 1, "chat."+testDomain, "/config.json", time.Now()) })
	if !ok {
		t.Fatal("Element's /config.json is not an app endpoint")
	}
	return resp
}

// Element's package writes an editable config.json at install, pointing at
// the Synapse of the same Cloudron under its server name and without
// default_federate; the web server serves the file as it is, at once and
// even when it is not JSON, and 404 without it.
func TestElementServesItsConfigFile(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.install("org.matrix.synapse", "matrix")
	b.advance(appStartHealthy)
	id := b.install("im.riot.cloudronapp", "chat")
	var file string
	b.w.Read(func(d *world.Data) { file = d.MachineOf(1).Files[ElementConfigPath(id)] })
	var cfg struct {
		DSC struct {
			HS struct {
				BaseURL    string `json:"base_url"`
				ServerName string `json:"server_name"`
			} `json:"m.homeserver"`
		} `json:"default_server_config"`
		Federate *bool `json:"default_federate"`
	}
	if err := json.Unmarshal([]byte(file), &cfg); err != nil || cfg.DSC.HS.BaseURL != "https://matrix."+testDomain ||
		cfg.DSC.HS.ServerName != testDomain || cfg.Federate != nil {
		t.Fatalf("installed config.json (%v):\n%s", err, file)
	}
	if resp := b.elementServedNow(t); resp.Status != 200 || resp.Body != file {
		t.Errorf("served %d %q, want the file", resp.Status, resp.Body)
	}

	for _, edit := range []string{`{"default_federate":false}`, `{"default_federate":`} {
		b.writeFile(ElementConfigPath(id), edit)
		if resp := b.elementServedNow(t); resp.Status != 200 || resp.Body != edit {
			t.Errorf("after an edit, served %d %q, want %q without a restart", resp.Status, resp.Body, edit)
		}
	}
	b.change(func(d *world.Data) { delete(d.MachineOf(1).Files, ElementConfigPath(id)) })
	if resp := b.elementServedNow(t); resp.Status != 404 || strings.Contains(resp.Body, "default") {
		t.Errorf("without the file, served %d %q", resp.Status, resp.Body)
	}
}

// element-preset-wrong points Element elsewhere (matrix.org or a host),
// and healing puts back the file it replaced.
func TestElementPresetWrongFault(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.install("org.matrix.synapse", "matrix")
	b.advance(appStartHealthy)
	b.install("im.riot.cloudronapp", "chat")
	before := b.elementServedNow(t).Body
	for _, tt := range []struct{ param, want string }{
		{"", `"base_url":"https://matrix-client.matrix.org","server_name":"matrix.org"`},
		{"hs.example.net", `"base_url":"https://hs.example.net","server_name":"hs.example.net"`},
	} {
		b.breakFault(FaultElementPresetWrong, tt.param)
		if got := b.elementServedNow(t).Body; !strings.Contains(got, tt.want) {
			t.Errorf("broken with %q: %s", tt.param, got)
		}
	}
	b.healFault(FaultElementPresetWrong)
	if got := b.elementServedNow(t).Body; got != before {
		t.Errorf("healed: %s, want %s", got, before)
	}
}
