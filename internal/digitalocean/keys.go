package digitalocean

import (
	"context"
	"net/http"
	"strings"

	"github.com/digitalocean/godo"
	"golang.org/x/crypto/ssh"
)

// Key is an SSH key on the account.
type Key struct {
	ID          int
	Fingerprint string // colon-separated MD5, as DigitalOcean names keys
	Name        string
}

// Fingerprint is the name DigitalOcean gives authorizedKey (one
// authorized_keys line): its colon-separated MD5 fingerprint.
func Fingerprint(authorizedKey string) (string, error) {
	pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(authorizedKey))
	if err != nil {
		return "", err
	}
	return ssh.FingerprintLegacyMD5(pk), nil
}

// KeyByFingerprint finds the account's key with fingerprint; found is false
// when the account has none.
func (c *Client) KeyByFingerprint(ctx context.Context, fingerprint string) (k Key, found bool, err error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	return c.keyByFingerprint(ctx, fingerprint)
}

func (c *Client) keyByFingerprint(ctx context.Context, fingerprint string) (Key, bool, error) {
	k, _, err := c.godo.Keys.GetByFingerprint(ctx, fingerprint)
	switch {
	case statusCode(err) == http.StatusNotFound:
		return Key{}, false, nil
	case err != nil:
		return Key{}, false, c.fail("look up the SSH key "+fingerprint, err)
	}
	return keyOf(k), true, nil
}

// EnsureKey makes sure authorizedKey is on the account, adding it as name
// if it is not; created tells which. Keys are unique by their material, so
// it looks the key up by fingerprint first (not by listing: the list is
// limited to 10 reads a minute), and a create refused because the key is
// already there (another run won the race) is read as "it exists".
func (c *Client) EnsureKey(ctx context.Context, name, authorizedKey string) (k Key, created bool, err error) {
	op := "register the SSH key " + name
	fingerprint, err := Fingerprint(authorizedKey)
	if err != nil {
		return Key{}, false, c.failure(op, ErrRefused, "the public key is not an OpenSSH authorized_keys line", err)
	}
	ctx, cancel := c.call(ctx)
	defer cancel()
	if k, found, err := c.keyByFingerprint(ctx, fingerprint); err != nil || found {
		return k, false, err
	}
	made, _, err := c.godo.Keys.Create(ctx, &godo.KeyCreateRequest{Name: name, PublicKey: strings.TrimSpace(authorizedKey)})
	if err == nil {
		return keyOf(made), true, nil
	}
	if statusCode(err) != http.StatusUnprocessableEntity {
		return Key{}, false, c.fail(op, err)
	}
	// "SSH Key is already in use on your account" (its wording varies, so
	// the look-up decides): someone added it since we looked.
	k, found, lookupErr := c.keyByFingerprint(ctx, fingerprint)
	switch {
	case lookupErr != nil:
		return Key{}, false, lookupErr
	case !found:
		return Key{}, false, c.fail(op, err)
	}
	return k, false, nil
}

func keyOf(k *godo.Key) Key {
	return Key{ID: k.ID, Fingerprint: k.Fingerprint, Name: k.Name}
}
