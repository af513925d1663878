package cloudron

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// AppResponse is what an app answers behind Cloudron's nginx.
type AppResponse struct {
	Status      int
	ContentType string
	Body        string
}

// The chat packages' store ids, as the apps' endpoints tell them apart.
const (
	elementStoreID    = "im.riot.cloudronapp"
	rocketChatStoreID = "chat.rocket.cloudronapp"
	mattermostStoreID = "org.mattermost.cloudronapp2"
)

// AppWeb answers a request to an app's own endpoints (the ones doctor
// probes: chat-on-cloudron.md §7): Synapse's key, federation version,
// client versions and /health; Element's /config.json; Rocket.Chat's
// /api/info and /health; Mattermost's /api/v4/system/ping. ok is false
// when host is no installed app's or path is none of these, so the box
// answers instead. A stopped app answers 503, as Cloudron's nginx does
// when the container is down.
func AppWeb(d *world.Data, dropletID int, host, path string, now time.Time) (AppResponse, bool) {
	m := d.MachineOf(dropletID)
	if m == nil || m.Cloudron == nil {
		return AppResponse{}, false
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, a := range m.Cloudron.Apps {
		if a.FQDN() != host || a.InstalledAt.IsZero() {
			continue
		}
		body, ok := appEndpoint(a, path, now)
		if !ok {
			return AppResponse{}, false
		}
		if a.Down || (a.Synapse != nil && a.Synapse.Error != "") {
			return AppResponse{Status: http.StatusServiceUnavailable, ContentType: "text/html", Body: "<html><body>503 Service Temporarily Unavailable</body></html>"}, true
		}
		if a.AppStoreID == elementStoreID && path == "/config.json" {
			return elementServed(m, a)
		}
		if path == "/health" {
			return AppResponse{Status: http.StatusOK, ContentType: "text/plain", Body: "OK"}, true
		}
		return AppResponse{Status: http.StatusOK, ContentType: "application/json", Body: body}, true
	}
	return AppResponse{}, false
}

func appEndpoint(a *world.CloudronApp, path string, now time.Time) (string, bool) {
	store, _ := storeAppByID(a.AppStoreID)
	switch {
	case a.AppStoreID == synapseStoreID && path == "/_matrix/key/v2/server":
		return synapseKey(a, now), true
	case a.AppStoreID == synapseStoreID && path == "/_matrix/federation/v1/version":
		return jsonOf(map[string]any{"server": map[string]string{"name": "Synapse", "version": store.upstreamVersion}}), true
	case a.AppStoreID == synapseStoreID && path == "/_matrix/client/versions":
		return jsonOf(map[string]any{"versions": []string{"r0.6.1", "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11", "v1.12"}}), true
	case a.AppStoreID == synapseStoreID && path == "/health":
		return "OK", true
	case a.AppStoreID == elementStoreID && path == "/config.json":
		return "", true // the file on the machine: elementServed
	case a.AppStoreID == rocketChatStoreID && path == "/api/info":
		// Since Rocket.Chat PR #16050 only success and the version
		// without its patch number (doctor-checks.md §1.4).
		v := store.upstreamVersion
		if i := strings.LastIndex(v, "."); i > 0 {
			v = v[:i]
		}
		return jsonOf(map[string]any{"success": true, "version": v}), true
	case a.AppStoreID == rocketChatStoreID && path == "/health":
		return "OK", true
	case a.AppStoreID == mattermostStoreID && path == "/api/v4/system/ping":
		return jsonOf(map[string]string{"status": "OK"}), true
	}
	return "", false
}

// synapseKey is /_matrix/key/v2/server: the server's ed25519 signing key,
// the object signed with it (over its canonical JSON: keys sorted, no
// spaces, which encoding/json gives a map), valid for a day. The key is
// derived from the app id, so it is stable across runs of the sandbox.
func synapseKey(a *world.CloudronApp, now time.Time) string {
	serverName := a.Domain
	if a.Synapse != nil && a.Synapse.ServerName != "" {
		serverName = a.Synapse.ServerName
	}
	seed := sha256.Sum256([]byte("synapse signing key " + a.ID))
	priv := ed25519.NewKeyFromSeed(seed[:])
	const keyID = "ed25519:a_sand"
	unpadded := base64.RawStdEncoding
	obj := map[string]any{
		"server_name":     serverName,
		"valid_until_ts":  now.Add(24 * time.Hour).UnixMilli(),
		"verify_keys":     map[string]any{keyID: map[string]string{"key": unpadded.EncodeToString(priv.Public().(ed25519.PublicKey))}},
		"old_verify_keys": map[string]any{},
	}
	sig := ed25519.Sign(priv, []byte(jsonOf(obj)))
	obj["signatures"] = map[string]any{serverName: map[string]string{keyID: unpadded.EncodeToString(sig)}}
	return jsonOf(obj)
}

func jsonOf(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
