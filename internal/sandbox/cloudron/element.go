package cloudron

import (
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// ElementConfigPath is the host path of the Element app's editable
// /app/data/config.json, which the package serves as /config.json
// (chat-on-cloudron.md §4; both unverified, docs/sandbox.md). The
// appsdata convention is Synapse's (AppDataDir).
func ElementConfigPath(appID string) string { return AppDataDir(appID) + "/config.json" }

// elementInstalled is the package's first start: it writes config.json
// pointing at the Synapse app of the same Cloudron, under the server name
// Synapse runs with, as the store package presets it. It sets no
// default_federate: new rooms federate unless someone says otherwise.
func elementInstalled(m *world.Machine, c *world.Cloudron, app *world.CloudronApp, at time.Time) {
	if m == nil {
		return
	}
	putMachineFile(m, ElementConfigPath(app.ID), elementPreset(c)+"\n", at)
}

// elementPreset is the package's config.json: a homeserver only when a
// Synapse app exists, as an Element installed alone has none to name.
func elementPreset(c *world.Cloudron) string {
	hs := map[string]string{}
	for _, a := range c.Apps {
		if a.AppStoreID == synapseStoreID {
			name := a.Domain
			if a.Synapse != nil && a.Synapse.ServerName != "" {
				name = a.Synapse.ServerName
			}
			hs = map[string]string{"base_url": "https://" + a.FQDN(), "server_name": name}
			break
		}
	}
	return jsonOf(map[string]any{
		"default_server_config": map[string]any{"m.homeserver": hs},
		"brand":                 "Element",
		"disable_custom_urls":   false,
		"show_labs_settings":    false,
	})
}

// elementServed is what Element's web server answers for /config.json: a
// static file server, so the file as it is now (no restart needed after an
// edit), its bytes even when they are not valid JSON (Element in the
// browser then says it is misconfigured), and 404 without it.
func elementServed(m *world.Machine, app *world.CloudronApp) (AppResponse, bool) {
	content, ok := m.Files[ElementConfigPath(app.ID)]
	if !ok {
		return AppResponse{Status: 404, ContentType: "text/html", Body: "<html><body>404 Not Found</body></html>"}, true
	}
	return AppResponse{Status: 200, ContentType: "application/json", Body: content}, true
}

// FaultElementPresetWrong plays a package whose config.json preset points
// Element at another homeserver (chat-on-cloudron.md §9: "right,
// matrix.org, or wrong host"): =matrix.org (the default) or =HOST.
const FaultElementPresetWrong = "element-preset-wrong"

// breakElementPreset rewrites every Element's config.json to point at the
// other server, keeping the file as it was to heal.
func breakElementPreset(d *world.Data, param string) error {
	baseURL, name := "https://matrix-client.matrix.org", "matrix.org"
	if param != "" && param != "matrix.org" {
		baseURL, name = "https://"+param, param
	}
	return eachCloudron(d, func(c *world.Cloudron) bool {
		m, took := machineOf(d, c), false
		if m == nil {
			return false
		}
		for _, a := range c.Apps {
			content, ok := m.Files[ElementConfigPath(a.ID)]
			if a.AppStoreID != elementStoreID || !ok {
				continue
			}
			if _, stashed := c.FaultState.Stash[FaultElementPresetWrong+":"+a.ID]; !stashed {
				stash(c, FaultElementPresetWrong+":"+a.ID, content)
			}
			m.Files[ElementConfigPath(a.ID)] = jsonOf(map[string]any{"default_server_config": map[string]any{
				"m.homeserver": map[string]string{"base_url": baseURL, "server_name": name}}, "brand": "Element"}) + "\n"
			took = true
		}
		return took
	}, "no Element app has a config.json")
}

func healElementPreset(d *world.Data) error {
	for _, c := range cloudrons(d) {
		m := machineOf(d, c)
		for _, a := range c.Apps {
			if content, ok := unstash(c, FaultElementPresetWrong+":"+a.ID); ok && m != nil {
				m.Files[ElementConfigPath(a.ID)] = content
			}
		}
	}
	return nil
}
