package digitalocean

import (
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// sshKeyIDBase makes key ids look like the real ones (six or more digits)
// and differ from droplet and action ids, so a client mixing them up fails.
const sshKeyIDBase = 41_000_000

// The 422 texts of POST /v2/account/keys. The duplicate text is seen in
// several public reports; the other two are unverified.
const (
	msgKeyInUse       = "SSH Key is already in use on your account"
	msgKeyInvalid     = "Key invalid, key should be of the format `type key [comment]`"
	msgKeyNameMissing = "Name can't be blank"
)

type sshKeyJSON struct {
	ID          int    `json:"id"`
	Fingerprint string `json:"fingerprint"`
	PublicKey   string `json:"public_key"`
	Name        string `json:"name"`
}

func sshKeyOf(k *world.SSHKey) sshKeyJSON {
	return sshKeyJSON{ID: k.ID, Fingerprint: k.Fingerprint, PublicKey: k.PublicKey, Name: k.Name}
}

func (a *api) keyRoutes() {
	a.handle("GET /v2/account/keys", a.listKeys)
	a.handle("POST /v2/account/keys", a.createKey)
	a.handle("GET /v2/account/keys/{key}", a.getKey)
	a.handle("PUT /v2/account/keys/{key}", a.renameKey)
	a.handle("DELETE /v2/account/keys/{key}", a.deleteKey)
}

func (a *api) listKeys(rw http.ResponseWriter, r *http.Request) error {
	var keys []sshKeyJSON
	a.w.Read(func(d *world.Data) {
		for _, k := range d.DigitalOcean.SSHKeys {
			keys = append(keys, sshKeyOf(k))
		}
	})
	paginated(rw, r, "ssh_keys", keys)
	return nil
}

// Fingerprint is the colon-separated MD5 fingerprint DigitalOcean gives a
// public key (an authorized_keys line).
func Fingerprint(publicKey string) (string, error) {
	pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(publicKey))
	if err != nil {
		return "", err
	}
	return ssh.FingerprintLegacyMD5(pk), nil
}

// createKey adds a key. Keys are unique by their material (so by
// fingerprint), not by name: the same key under another name is a 422.
func (a *api) createKey(rw http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name      string `json:"name"`
		PublicKey string `json:"public_key"`
	}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Name) == "" {
		return unprocessable(msgKeyNameMissing)
	}
	publicKey := strings.TrimSpace(req.PublicKey)
	fingerprint, err := Fingerprint(publicKey)
	if err != nil {
		return unprocessable(msgKeyInvalid)
	}
	var created sshKeyJSON
	err = a.w.Update(r.Context(), "digitalocean.ssh_key.create", func(d *world.Data) error {
		if keyByRef(d, fingerprint) != nil {
			return unprocessable(msgKeyInUse)
		}
		k := &world.SSHKey{ID: sshKeyIDBase + d.Next("digitalocean.ssh_key"), Name: req.Name, PublicKey: publicKey, Fingerprint: fingerprint}
		d.DigitalOcean.SSHKeys = append(d.DigitalOcean.SSHKeys, k)
		created = sshKeyOf(k)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusCreated, map[string]any{"ssh_key": created})
	return nil
}

// keyByRef finds a key by id or by fingerprint, as the {ssh_key_identifier}
// of the paths and the ssh_keys of a droplet create both allow.
func keyByRef(d *world.Data, ref string) *world.SSHKey {
	id, err := strconv.Atoi(ref)
	for _, k := range d.DigitalOcean.SSHKeys {
		if (err == nil && k.ID == id) || k.Fingerprint == ref {
			return k
		}
	}
	return nil
}

func (a *api) getKey(rw http.ResponseWriter, r *http.Request) error {
	var found *sshKeyJSON
	a.w.Read(func(d *world.Data) {
		if k := keyByRef(d, r.PathValue("key")); k != nil {
			j := sshKeyOf(k)
			found = &j
		}
	})
	if found == nil {
		return errNotFound
	}
	writeJSON(rw, http.StatusOK, map[string]any{"ssh_key": found})
	return nil
}

// renameKey is PUT /v2/account/keys/{key}: only the name changes.
func (a *api) renameKey(rw http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	var renamed sshKeyJSON
	err := a.w.Update(r.Context(), "digitalocean.ssh_key.update", func(d *world.Data) error {
		k := keyByRef(d, r.PathValue("key"))
		if k == nil {
			return errNotFound
		}
		if strings.TrimSpace(req.Name) != "" {
			k.Name = req.Name
		}
		renamed = sshKeyOf(k)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, map[string]any{"ssh_key": renamed})
	return nil
}

func (a *api) deleteKey(rw http.ResponseWriter, r *http.Request) error {
	err := a.w.Update(r.Context(), "digitalocean.ssh_key.delete", func(d *world.Data) error {
		k := keyByRef(d, r.PathValue("key"))
		if k == nil {
			return errNotFound
		}
		d.DigitalOcean.SSHKeys = deleteWhere(d.DigitalOcean.SSHKeys, func(x *world.SSHKey) bool { return x == k })
		return nil
	})
	if err != nil {
		return err
	}
	writeNoContent(rw)
	return nil
}

// deleteWhere returns list without the elements drop picks.
func deleteWhere[T any](list []T, drop func(T) bool) []T {
	kept := list[:0]
	for _, x := range list {
		if !drop(x) {
			kept = append(kept, x)
		}
	}
	return kept
}
