package sshx

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestGenerateKeyGivesOneKeyInThreeForms(t *testing.T) {
	signer, privatePEM, authorized, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if signer.PublicKey().Type() != ssh.KeyAlgoED25519 {
		t.Errorf("key type %s, want ed25519", signer.PublicKey().Type())
	}
	block, _ := pem.Decode(privatePEM)
	if block == nil || block.Type != "OPENSSH PRIVATE KEY" {
		t.Fatalf("private key is not OpenSSH PEM: %q", privatePEM)
	}
	parsed, err := ssh.ParsePrivateKey(privatePEM)
	if err != nil {
		t.Fatal(err)
	}
	public, comment, _, rest, err := ssh.ParseAuthorizedKey([]byte(authorized))
	if err != nil || len(rest) != 0 || strings.HasSuffix(authorized, "\n") {
		t.Fatalf("authorized key %q: %v", authorized, err)
	}
	if comment != "chapterctl" {
		t.Errorf("comment %q", comment)
	}
	want := Fingerprint(signer.PublicKey())
	if Fingerprint(parsed.PublicKey()) != want || Fingerprint(public) != want {
		t.Errorf("the three forms are different keys")
	}
	if !strings.HasPrefix(want, "SHA256:") || strings.HasSuffix(want, "=") {
		t.Errorf("fingerprint %q is not OpenSSH's SHA256 form", want)
	}
	other, _, _, _ := GenerateKey()
	if Fingerprint(other.PublicKey()) == want {
		t.Error("two generated keys are the same")
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	signer, privatePEM, _, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	_, raw, _ := ed25519.GenerateKey(rand.Reader)
	encrypted, err := ssh.MarshalPrivateKeyWithPassphrase(raw, "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		content []byte
		mode    os.FileMode
		wantErr string // "" for success
	}{
		{"private key", privatePEM, 0o600, ""},
		{"readable by others", privatePEM, 0o644, "chmod 600"},
		{"passphrase", pem.EncodeToMemory(encrypted), 0o600, "passphrase"},
		{"not a key", []byte("hello\n"), 0o600, "not a private key"},
		{"missing", nil, 0, "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			if tc.content != nil {
				writeFile(t, path, tc.content, tc.mode)
				os.Chmod(path, tc.mode) // past the umask
			}
			got, err := LoadKey(path)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if Fingerprint(got.PublicKey()) != Fingerprint(signer.PublicKey()) {
					t.Error("loaded another key")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("LoadKey: %v, want an error saying %q", err, tc.wantErr)
			}
		})
	}
}
