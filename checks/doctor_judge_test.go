package checks

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestJudgeListings(t *testing.T) {
	clean := listing{zone: "bl.spamcop.net", major: true}
	tests := []struct {
		name string
		in   []listing
		want Status
	}{
		{"listed nowhere", []listing{clean, {zone: "psbl.surriel.com"}}, Pass},
		{"a major list", []listing{clean, {zone: "zen.spamhaus.org", major: true, listed: true, reason: "SBL"}}, Fail},
		{"a minor list only", []listing{clean, {zone: "psbl.surriel.com", listed: true}}, Warn},
		// Spamhaus refusing the resolver (127.255.255.254) tells nothing.
		{"a refusal", []listing{clean, {zone: "zen.spamhaus.org", major: true, unknown: true, reason: "refused"}}, Unknown},
		{"a listing beats a refusal", []listing{{zone: "zen.spamhaus.org", unknown: true}, {zone: "bl.spamcop.net", major: true, listed: true}}, Fail},
	}
	for _, tt := range tests {
		if got := judgeListings("203.0.113.10", tt.in); got.Status != tt.want {
			t.Errorf("%s: %s (%s), want %s", tt.name, got.Status, got.Detail, tt.want)
		}
	}
}

// signedKeys makes a /_matrix/key/v2/server document for name, signed
// over its canonical JSON.
func signedKeys(t *testing.T, name string, until time.Time, tamper bool) []byte {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	enc := base64.RawStdEncoding
	obj := map[string]any{"server_name": name, "valid_until_ts": until.UnixMilli(), "old_verify_keys": map[string]any{},
		"verify_keys": map[string]any{"ed25519:k1": map[string]string{"key": enc.EncodeToString(pub)}}}
	canonical, _ := json.Marshal(obj)
	sig := ed25519.Sign(priv, canonical)
	if tamper {
		sig[0] ^= 1
	}
	obj["signatures"] = map[string]any{name: map[string]string{"ed25519:k1": enc.EncodeToString(sig)}}
	raw, _ := json.Marshal(obj)
	return raw
}

func TestCheckServerKeys(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name string
		body []byte
		want string // "" = valid; else a word of the reason
	}{
		{"valid", signedKeys(t, "redrockdsa.org", now.Add(time.Hour), false), ""},
		{"other server", signedKeys(t, "matrix.redrockdsa.org", now.Add(time.Hour), false), "server_name"},
		{"expired", signedKeys(t, "redrockdsa.org", now.Add(-time.Hour), false), "valid_until_ts"},
		{"bad signature", signedKeys(t, "redrockdsa.org", now.Add(time.Hour), true), "does not verify"},
		{"no keys", []byte(`{"server_name":"redrockdsa.org","valid_until_ts":` + "99999999999999" + `,"verify_keys":{}}`), "no ed25519"},
		{"not JSON", []byte(`<html>`), "not JSON"},
	}
	for _, tt := range tests {
		got := checkServerKeys(tt.body, "redrockdsa.org", now)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRecordParsers(t *testing.T) {
	if got := dkimKey("v=DKIM1; t=s; p=MIIB IjAN"); got != "MIIBIjAN" {
		t.Errorf("dkimKey = %q", got)
	}
	if got := dmarcTag("v=DMARC1; P=Reject; pct=100", "p"); got != "reject" {
		t.Errorf("dmarcTag = %q", got)
	}
	got := spfValues([]string{"v=spf1 a -all", "v=spf10 x", "google-site-verification=x", "V=SPF1 mx ~all", "v=spf1"})
	if len(got) != 3 {
		t.Errorf("spfValues = %q, want the three v=spf1 records", got)
	}
	boot := []byte(`{"services":[[["com","net"],["https://rdap.verisign.com/com/v1/"]],[["org"],["http://plain.example/","https://rdap.org.example/"]]]}`)
	if got := rdapBase(boot, "ORG"); got != "https://rdap.org.example/" {
		t.Errorf("rdapBase(org) = %q: want the https URL", got)
	}
	if got := rdapBase(boot, "dev"); got != "" {
		t.Errorf("rdapBase(dev) = %q, want none", got)
	}
}

func TestSPFMissing(t *testing.T) {
	const host, ip = "my.redrockdsa.org", "203.0.113.10"
	tests := []struct {
		record string
		relay  bool
		ok     bool
	}{
		{"v=spf1 a:my.redrockdsa.org ~all", false, true},
		{"v=spf1 +ip4:203.0.113.10 -all", false, true},
		{"v=spf1 mx -all", false, true},
		{"v=spf1 include:_spf.google.com ~all", false, false}, // someone else's sender only
		{"v=spf1 a:my.redrockdsa.org ~all", true, false},      // the relay's mail would fail
		{"v=spf1 a:my.redrockdsa.org include:mailgun.org ~all", true, true},
	}
	for _, tt := range tests {
		if got := spfMissing(tt.record, host, ip, tt.relay) == ""; got != tt.ok {
			t.Errorf("%q relay=%v: allowed %v, want %v", tt.record, tt.relay, got, tt.ok)
		}
	}
}
