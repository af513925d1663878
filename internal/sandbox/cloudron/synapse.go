package cloudron

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// synapseStoreID is the Synapse package; only its apps carry a config file.
const synapseStoreID = "org.matrix.synapse"

// FaultSynapseConfigMangled plays a package start script that breaks
// homeserver.yaml while it regenerates its own keys (the reference says the
// start script rewrites some keys on every start): the next Synapse
// (re)start leaves the file invalid and the app unhealthy.
const FaultSynapseConfigMangled = "synapse-config-mangled"

// AppDataDir is where an app's /app/data lives on the host: appsdata is
// the v4 box's paths.js; the data/ level below the app id is unverified for
// v8/v9 (docs/decisions.md), and moving app storage to a volume moves it.
func AppDataDir(appID string) string { return "/home/yellowtent/appsdata/" + appID + "/data" }

// SynapseConfigPath is the host path of the Synapse app's
// /app/data/configs/homeserver.yaml (chat-on-cloudron.md §1).
func SynapseConfigPath(appID string) string { return AppDataDir(appID) + "/configs/homeserver.yaml" }

// synapseInstalled is the package's first start: it writes homeserver.yaml
// with server_name preset to the app's Cloudron domain (the docs: the
// second-level domain; for a Cloudron domain that is itself a subdomain
// the package's choice is unverified, and the simulator takes the domain as
// it is), and Synapse loads it.
func synapseInstalled(m *world.Machine, app *world.CloudronApp, at time.Time) {
	if m == nil {
		return
	}
	putMachineFile(m, SynapseConfigPath(app.ID), synapseHomeserverYAML(app), at)
	app.Synapse = loadSynapse(m.Files[SynapseConfigPath(app.ID)], at)
}

// synapseStarted is Synapse (re)starting: it reads the file as it is now.
// The mangle fault first breaks the file, once.
func synapseStarted(d *world.Data, m *world.Machine, app *world.CloudronApp, at time.Time) {
	if m == nil {
		return
	}
	p := SynapseConfigPath(app.ID)
	content, ok := m.Files[p]
	if ok && takeFault(d, FaultSynapseConfigMangled) {
		content += "listeners: [ {port: 8008\n"
		putMachineFile(m, p, content, at)
	}
	if !ok {
		app.Synapse = &world.SynapseConfig{Error: "homeserver.yaml: no such file", LoadedAt: at}
		return
	}
	app.Synapse = loadSynapse(content, at)
}

// loadSynapse reads the keys the simulator models the way Synapse's config
// loader does: an unset or null federation_domain_whitelist allows every
// server; a list, even empty, is the allow-list.
func loadSynapse(content string, at time.Time) *world.SynapseConfig {
	cfg := &world.SynapseConfig{LoadedAt: at}
	var raw struct {
		ServerName        string    `yaml:"server_name"`
		Whitelist         *[]string `yaml:"federation_domain_whitelist"`
		WhitelistEndpoint bool      `yaml:"federation_whitelist_endpoint_enabled"`
		TrustedKeyServers *[]struct {
			ServerName string `yaml:"server_name"`
		} `yaml:"trusted_key_servers"`
	}
	if err := yaml.Unmarshal([]byte(content), &raw); err != nil {
		cfg.Error = "homeserver.yaml: " + err.Error()
		return cfg
	}
	if strings.TrimSpace(raw.ServerName) == "" {
		cfg.Error = "homeserver.yaml: server_name must be set"
		return cfg
	}
	cfg.ServerName, cfg.WhitelistEndpoint = raw.ServerName, raw.WhitelistEndpoint
	if raw.Whitelist != nil {
		cfg.Whitelist, cfg.WhitelistSet = *raw.Whitelist, true
	}
	cfg.TrustedKeyServers = []string{"matrix.org"}
	if raw.TrustedKeyServers != nil {
		cfg.TrustedKeyServers = nil
		for _, ks := range *raw.TrustedKeyServers {
			cfg.TrustedKeyServers = append(cfg.TrustedKeyServers, ks.ServerName)
		}
	}
	return cfg
}

// removeAppData deletes an uninstalled app's data directory.
func removeAppData(m *world.Machine, appID string) {
	if m == nil {
		return
	}
	prefix := "/home/yellowtent/appsdata/" + appID + "/"
	for p := range m.Files {
		if strings.HasPrefix(p, prefix) {
			delete(m.Files, p)
			delete(m.Modes, p)
			delete(m.MTimes, p)
		}
	}
	for p := range m.Dirs {
		if strings.HasPrefix(p+"/", prefix) {
			delete(m.Dirs, p)
		}
	}
}

// putMachineFile writes a file the way the box does (root, 0644); the
// droplet's file system shows it with its directories.
func putMachineFile(m *world.Machine, p, content string, at time.Time) {
	if m.Files == nil {
		m.Files = map[string]string{}
	}
	if m.MTimes == nil {
		m.MTimes = map[string]time.Time{}
	}
	m.Files[p] = content
	m.MTimes[p] = at
	delete(m.Removed, p)
}

// machineOf finds the machine c runs on.
func machineOf(d *world.Data, c *world.Cloudron) *world.Machine {
	for _, m := range d.Machines {
		if m.Cloudron == c {
			return m
		}
	}
	return nil
}

// synapseHomeserverYAML is a homeserver.yaml shaped like the package's:
// the keys its start script owns, with comments, and no federation policy.
// The secrets are random, as the package generates them at first start.
func synapseHomeserverYAML(app *world.CloudronApp) string {
	return fmt.Sprintf(`# Synapse configuration. Cloudron's start script regenerates the database,
# listener, SSO and mail settings on every start; edit the rest, then
# restart the app.
# See https://element-hq.github.io/synapse/latest/usage/configuration/config_documentation.html

server_name: %[1]q
public_baseurl: "https://%[2]s/"
pid_file: /run/synapse/homeserver.pid

listeners:
  - port: 8008
    tls: false
    type: http
    x_forwarded: true
    bind_addresses: ['0.0.0.0']
    resources:
      - names: [client, federation]
        compress: false

database:
  name: psycopg2
  args:
    user: user%[3]s
    password: %[4]s
    database: db%[3]s
    host: postgresql
    cp_min: 5
    cp_max: 10

log_config: "/app/data/configs/log.config"
media_store_path: "/app/data/data/media_store"
signing_key_path: "/app/data/configs/signing.key"

enable_registration: false
registration_shared_secret: %[5]q
macaroon_secret_key: %[6]q
form_secret: %[7]q
report_stats: false

# Notary servers used to fetch other servers' signing keys.
trusted_key_servers:
  - server_name: "matrix.org"
suppress_key_server_warning: true
`, app.Domain, app.FQDN(), strings.ReplaceAll(app.ID, "-", ""), randomHex(16), randomHex(16), randomHex(16), randomHex(16))
}
