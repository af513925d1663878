package checks

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Federation is matrix.federation: Synapse's key endpoint serves a
// signing key for the server name, still valid and self-signed (as
// gomatrixserverlib's CheckKeys), and the federation API answers.
var Federation = Def{Key: "matrix.federation", Name: "Synapse's federation key and API answer", Area: AreaChat,
	Impact: "other chapters cannot talk to your chat server",
	Needs:  []string{TLSCheckID, "chat.app", "matrix.discovery"}, Limit: 2 * httpLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if !isMatrix(env) {
			return skip("the chat is not Matrix")
		}
		hs, r, ok := synapseHost(ctx, env)
		if !ok {
			return r
		}
		fix := `check the TLS and DNS lines above first; then restart Synapse in the Cloudron dashboard`
		url := "https://" + hs + "/_matrix/key/v2/server"
		ans, err := fetch(ctx, env, url)
		if err != nil {
			return webUnknown(url, err)
		}
		if ans.status != 200 {
			return Result{Status: Fail, Detail: fmt.Sprintf("%s answered %d", url, ans.status), Fix: fix}
		}
		if why := checkServerKeys(ans.body, matrixServerName(env), env.now()); why != "" {
			return Result{Status: Fail, Detail: url + ": " + why, Fix: fix}
		}
		vurl := "https://" + hs + "/_matrix/federation/v1/version"
		v, err := fetch(ctx, env, vurl)
		if err != nil {
			return webUnknown(vurl, err)
		}
		var version struct {
			Server struct{ Name, Version string } `json:"server"`
		}
		if v.status != 200 || json.Unmarshal(v.body, &version) != nil || version.Server.Name == "" {
			return Result{Status: Fail, Detail: fmt.Sprintf("%s answered %d without a server version", vurl, v.status), Fix: fix}
		}
		return pass(fmt.Sprintf("%s %s serves a valid signed key for %s", version.Server.Name, version.Server.Version, matrixServerName(env)))
	}}

// checkServerKeys is CheckKeys' judgment of a key document: "" when the
// server name matches, it is valid now, and every ed25519 key's
// signature over the canonical JSON (the object without signatures)
// verifies.
func checkServerKeys(body []byte, serverName string, now time.Time) string {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		return "not JSON"
	}
	var keys struct {
		ServerName string                          `json:"server_name"`
		ValidUntil int64                           `json:"valid_until_ts"`
		VerifyKeys map[string]struct{ Key string } `json:"verify_keys"`
		Signatures map[string]map[string]string    `json:"signatures"`
	}
	if err := json.Unmarshal(body, &keys); err != nil {
		return "unreadable: " + err.Error()
	}
	if keys.ServerName != serverName {
		return fmt.Sprintf("server_name is %q, want %q", keys.ServerName, serverName)
	}
	if time.UnixMilli(keys.ValidUntil).Before(now) {
		return "the keys' valid_until_ts has passed"
	}
	delete(doc, "signatures")
	var generic map[string]any
	raw, _ := json.Marshal(doc)
	if err := json.Unmarshal(raw, &generic); err != nil {
		return "unreadable"
	}
	canonical, _ := json.Marshal(generic) // sorted keys, no spaces
	checked := 0
	for id, k := range keys.VerifyKeys {
		if !strings.HasPrefix(id, "ed25519:") {
			continue
		}
		pub, err1 := base64.RawStdEncoding.DecodeString(k.Key)
		sig, err2 := base64.RawStdEncoding.DecodeString(keys.Signatures[serverName][id])
		if err1 != nil || err2 != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, canonical, sig) {
			return "the signature of key " + id + " does not verify"
		}
		checked++
	}
	if checked == 0 {
		return "no ed25519 key"
	}
	return ""
}
