package droplet

import (
	"strings"
	"testing"
)

func TestCloudInitHostKeys(t *testing.T) {
	t.Parallel()
	private, public, err := newHostKey("given")
	if err != nil {
		t.Fatal(err)
	}
	indented := "    " + strings.ReplaceAll(strings.TrimSpace(private), "\n", "\n    ")
	const key, pub = "/etc/ssh/ssh_host_ed25519_key", "/etc/ssh/ssh_host_ed25519_key.pub"
	cases := []struct {
		name      string
		userData  string
		generated bool   // a fresh ed25519 key
		given     bool   // the user data's key
		pubSuffix string // how the public file ends
		none      bool   // no ed25519 key at all
	}{
		{name: "no user data", userData: "", generated: true},
		{name: "a shell script", userData: "#!/bin/bash\necho hi\n", generated: true},
		{name: "broken YAML", userData: "#cloud-config\nssh_keys: [\n", generated: true},
		// cloud-init writes each value as given: no newline after the public key.
		{name: "both halves given", userData: "#cloud-config\nssh_keys:\n  ed25519_private: |\n" + indented +
			"\n  ed25519_public: " + strings.TrimSpace(public) + "\n", given: true, pubSuffix: " given"},
		{name: "private half only: cc_ssh derives the public one", userData: "#cloud-config\nssh_keys:\n  ed25519_private: |\n" +
			indented + "\n", given: true, pubSuffix: " root@localhost\n"},
		{name: "other types only", userData: "#cloud-config\nssh_keys:\n  rsa_public: ssh-rsa AAAA\n", none: true},
		{name: "no ed25519 in genkeytypes", userData: "#cloud-config\nssh_genkeytypes: [rsa]\n", none: true},
		{name: "stock keys kept", userData: "#cloud-config\nssh_deletekeys: false\nssh_genkeytypes: [rsa]\n", generated: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files, err := sshHostKeyFiles(parseCloudConfig(tc.userData), "my")
			if err != nil {
				t.Fatal(err)
			}
			got, ok := files[key]
			switch {
			case tc.none:
				if ok {
					t.Errorf("an ed25519 key was made: %v", files)
				}
				return
			case !ok || got.mode != 0o600:
				t.Fatalf("no private key file (0600): %v", files)
			case tc.given && got.content != private:
				t.Error("the user data's key was not used")
			case tc.generated && (got.content == private || !strings.HasSuffix(files[pub].content, " root@my\n")):
				t.Errorf("not a fresh key for this host: %q", files[pub].content)
			}
			if tc.pubSuffix != "" && !strings.HasSuffix(files[pub].content, tc.pubSuffix) {
				t.Errorf("public file %q, want it to end with %q", files[pub].content, tc.pubSuffix)
			}
		})
	}
}
