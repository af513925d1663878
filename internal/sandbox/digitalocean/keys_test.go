package digitalocean

import (
	"net/http"
	"testing"

	"github.com/digitalocean/godo"
	"golang.org/x/crypto/ssh"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestSSHKeysAreUniqueByFingerprint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	publicKey := newPublicKey(t, "chapterctl@redrockdsa.org")
	parsed, _, _, _, err := ssh.ParseAuthorizedKey([]byte(publicKey))
	if err != nil {
		t.Fatal(err)
	}
	wantFingerprint := ssh.FingerprintLegacyMD5(parsed)

	key, resp, err := e.do.Keys.Create(e.ctx, &godo.KeyCreateRequest{Name: "chapterctl", PublicKey: publicKey})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusCreated || key.Fingerprint != wantFingerprint || key.PublicKey != publicKey {
		t.Fatalf("create: %d, fingerprint %q (want %q)", resp.StatusCode, key.Fingerprint, wantFingerprint)
	}
	// The same key material under another name is refused.
	_, _, err = e.do.Keys.Create(e.ctx, &godo.KeyCreateRequest{Name: "another name", PublicKey: publicKey})
	wantAPIError(t, err, http.StatusUnprocessableEntity, "SSH Key is already in use on your account")

	byFingerprint, _, err := e.do.Keys.GetByFingerprint(e.ctx, wantFingerprint)
	if err != nil || byFingerprint.ID != key.ID {
		t.Fatalf("get by fingerprint: %v %v", byFingerprint, err)
	}
	if byID, _, err := e.do.Keys.GetByID(e.ctx, key.ID); err != nil || byID.Fingerprint != wantFingerprint {
		t.Fatalf("get by id: %v %v", byID, err)
	}
	if resp, err := e.do.Keys.DeleteByFingerprint(e.ctx, wantFingerprint); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	_, _, err = e.do.Keys.GetByID(e.ctx, key.ID)
	wantAPIError(t, err, http.StatusNotFound, "The resource you requested could not be found.")
}

func TestSSHKeyCreateRefusesWhatIsNotAKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	_, _, err := e.do.Keys.Create(e.ctx, &godo.KeyCreateRequest{Name: "k", PublicKey: "ssh-ed25519 not-base64"})
	wantAPIError(t, err, http.StatusUnprocessableEntity, msgKeyInvalid)
}

func TestDropletCreateRecordsKeysAndUserDataForTheMachine(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	publicKey := newPublicKey(t, "chapterctl")
	key, _, err := e.do.Keys.Create(e.ctx, &godo.KeyCreateRequest{Name: "chapterctl", PublicKey: publicKey})
	if err != nil {
		t.Fatal(err)
	}
	req := chapterDropletRequest("my.example.org")
	req.SSHKeys = []godo.DropletCreateSSHKey{{Fingerprint: key.Fingerprint}, {ID: key.ID}}
	req.UserData = "#cloud-config\nssh_keys:\n  ed25519_private: |\n    ...\n"
	dr, _, err := e.do.Droplets.Create(e.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	e.w.Read(func(d *world.Data) {
		got := d.DropletByID(dr.ID)
		if got.UserData != req.UserData || len(got.SSHKeys) != 2 || got.SSHKeys[0] != key.Fingerprint || got.AuthorizedKeys[0] != publicKey {
			t.Errorf("world droplet: user data %q, keys %v, authorized %v", got.UserData, got.SSHKeys, got.AuthorizedKeys)
		}
	})
}
