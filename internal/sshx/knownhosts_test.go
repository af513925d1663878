package sshx

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestKnownHostsRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "known_hosts")
	key, _, _, _ := GenerateKey()
	hosts := []string{"my.redrockdsa.org", "203.0.113.10", "[2001:db8::10]:2222"}
	if err := WriteKnownHosts(path, hosts, key.PublicKey()); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o644 {
		t.Fatalf("known_hosts: %v, %v; want mode 0644", info, err)
	}
	cases := []struct {
		host    string
		unknown bool
	}{
		{"my.redrockdsa.org", false},
		{"MY.redrockdsa.org:22", false},
		{"203.0.113.10", false},
		{"203.0.113.10:22", false},
		{"[2001:db8::10]:2222", false},
		{"2001:db8::10", true}, // pinned for port 2222 only
		{"203.0.113.11", true},
		{"redrockdsa.org", true},
	}
	for _, tc := range cases {
		got, err := ReadKnownHosts(path, tc.host)
		switch {
		case tc.unknown && !errors.Is(err, ErrHostUnknown):
			t.Errorf("%s: (%v, %v), want ErrHostUnknown", tc.host, got, err)
		case !tc.unknown && (err != nil || Fingerprint(got) != Fingerprint(key.PublicKey())):
			t.Errorf("%s: (%v, %v), want the written key", tc.host, got, err)
		}
	}

	// Rotation rewrites the file: the old key is gone.
	rotated, _, _, _ := GenerateKey()
	if err := WriteKnownHosts(path, hosts[:1], rotated.PublicKey()); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadKnownHosts(path, "my.redrockdsa.org"); err != nil || Fingerprint(got) != Fingerprint(rotated.PublicKey()) {
		t.Errorf("after rotation: (%v, %v)", got, err)
	}
	if _, err := ReadKnownHosts(path, "203.0.113.10"); !errors.Is(err, ErrHostUnknown) {
		t.Errorf("a host no longer listed: %v", err)
	}
}

func TestKnownHostsIsReadByOpenSSHTools(t *testing.T) {
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen is not installed")
	}
	path := filepath.Join(t.TempDir(), "known_hosts")
	key, _, _, _ := GenerateKey()
	if err := WriteKnownHosts(path, []string{"my.redrockdsa.org", "203.0.113.10"}, key.PublicKey()); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(keygen, "-F", "203.0.113.10", "-f", path).CombinedOutput()
	want := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key.PublicKey())))
	if err != nil || !strings.Contains(string(out), want) {
		t.Errorf("ssh-keygen -F: %v\n%s", err, out)
	}
}

func TestReadKnownHostsPrefersEd25519AndRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	edKey, _, _, _ := GenerateKey()
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPublic, _ := ssh.NewPublicKey(&ecKey.PublicKey)
	mixed := filepath.Join(dir, "mixed")
	writeFile(t, mixed, []byte("# a comment\n"+
		"my.example.org "+strings.TrimSpace(string(ssh.MarshalAuthorizedKey(ecPublic)))+"\n"+
		"my.example.org "+strings.TrimSpace(string(ssh.MarshalAuthorizedKey(edKey.PublicKey())))+"\n"), 0o644)
	if got, err := ReadKnownHosts(mixed, "my.example.org"); err != nil || got.Type() != ssh.KeyAlgoED25519 {
		t.Errorf("mixed file: (%v, %v), want the ed25519 key", got, err)
	}
	garbage := filepath.Join(dir, "garbage")
	writeFile(t, garbage, []byte("this is not a known_hosts file\n"), 0o644)
	if _, err := ReadKnownHosts(garbage, "my.example.org"); err == nil || errors.Is(err, ErrHostUnknown) {
		t.Errorf("garbage file: %v, want a read error", err)
	}
	if _, err := ReadKnownHosts(filepath.Join(dir, "absent"), "my.example.org"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent file: %v, want not exist", err)
	}
	for _, bad := range [][]string{nil, {""}, {"two words"}, {"a,b"}} {
		if err := WriteKnownHosts(filepath.Join(dir, "bad"), bad, edKey.PublicKey()); err == nil {
			t.Errorf("WriteKnownHosts(%q) was accepted", bad)
		}
	}
}
