package steps

import (
	"strings"
	"testing"
)

func TestHomeserverPolicyReadsAsSynapseDoes(t *testing.T) {
	for _, tt := range []struct {
		name, yaml string
		want       synapsePolicy
		wantErr    string
	}{
		{"absent", "server_name: a.org\n", synapsePolicy{ServerName: "a.org"}, ""},
		{"null", "server_name: a.org\nfederation_domain_whitelist:\n", synapsePolicy{ServerName: "a.org"}, ""},
		{"empty", "server_name: a.org\nfederation_domain_whitelist: []\ntrusted_key_servers: []\n",
			synapsePolicy{ServerName: "a.org", Restricted: true, NoKeyServers: true}, ""},
		{"block list", "server_name: a.org\nfederation_domain_whitelist:\n  - b.org\n  - c.org\n",
			synapsePolicy{ServerName: "a.org", Restricted: true, Allow: []string{"b.org", "c.org"}}, ""},
		{"notary listed", "server_name: a.org\ntrusted_key_servers:\n  - server_name: matrix.org\n", synapsePolicy{ServerName: "a.org"}, ""},
		{"not a list", "server_name: a.org\nfederation_domain_whitelist: b.org\n", synapsePolicy{}, "not a list"},
		{"not names", "server_name: a.org\nfederation_domain_whitelist: [{x: 1}]\n", synapsePolicy{}, "other than server names"},
		{"not a mapping", "- a\n", synapsePolicy{}, "not a mapping"},
		{"not YAML", "server_name: [a.org\n", synapsePolicy{}, "yaml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parseHomeserver([]byte(tt.yaml))
			var got synapsePolicy
			if err == nil {
				got, err = doc.policy()
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !got.equal(tt.want) {
				t.Fatalf("policy = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

// The edit touches only chapterctl's keys: comments, order and the other
// keys stay, and reading the result gives back the policy written.
func TestHomeserverApplyKeepsTheRest(t *testing.T) {
	const pkg = `# The package's header comment.
server_name: "a.org"  # preset by the package
listeners:
  - port: 8008
    resources:
      - names: [client, federation]
federation_domain_whitelist:
  - old.org
trusted_key_servers:
  - server_name: "matrix.org"
report_stats: false
`
	for _, want := range []synapsePolicy{
		{ServerName: "matrix.a.org", Restricted: true, Allow: []string{"b.org"}, NoKeyServers: true},
		{ServerName: "a.org", Restricted: true, Allow: []string{}, NoKeyServers: true},
		{ServerName: "a.org"},
	} {
		doc, err := parseHomeserver([]byte(pkg))
		if err != nil {
			t.Fatal(err)
		}
		doc.apply(want)
		out, err := doc.bytes()
		if err != nil {
			t.Fatal(err)
		}
		again, err := parseHomeserver(out)
		if err != nil {
			t.Fatalf("%+v: the result is not YAML: %v\n%s", want, err, out)
		}
		if got, err := again.policy(); err != nil || !got.equal(want) {
			t.Errorf("%+v: reads back as %+v, %v\n%s", want, got, err, out)
		}
		for _, kept := range []string{"# The package's header comment.", "# preset by the package", "- port: 8008", "report_stats: false"} {
			if !strings.Contains(string(out), kept) {
				t.Errorf("%+v: lost %q:\n%s", want, kept, out)
			}
		}
		if !want.NoKeyServers && !strings.Contains(string(out), "matrix.org") {
			t.Errorf("open: the package's notary was removed:\n%s", out)
		}
	}
}

func TestPolicyKeyTellsPoliciesApart(t *testing.T) {
	open := synapsePolicy{ServerName: "a.org"}
	closed := synapsePolicy{ServerName: "a.org", Restricted: true, NoKeyServers: true}
	listed := synapsePolicy{ServerName: "a.org", Restricted: true, Allow: []string{"b.org"}, NoKeyServers: true}
	keys := map[string]bool{open.key(): true, closed.key(): true, listed.key(): true,
		(synapsePolicy{ServerName: "matrix.a.org"}).key(): true}
	if len(keys) != 4 {
		t.Errorf("keys collide: %v", keys)
	}
}
