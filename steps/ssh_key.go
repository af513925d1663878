package steps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/chapterctl/chapterctl/internal/atomicfile"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sshx"
)

// sshKeyStep makes the chapter's login key once and registers it at
// DigitalOcean, so the droplet is created with it. The key file is the
// truth: it is never regenerated, because the droplet only opens to it.
type sshKeyStep struct{}

// NewSSHKey is the ssh-key step.
func NewSSHKey() Step { return sshKeyStep{} }

func (sshKeyStep) ID() string    { return "ssh-key" }
func (sshKeyStep) Title() string { return "Chapter SSH key, registered at DigitalOcean" }

func (s sshKeyStep) Plan(ctx context.Context, env *Env) (Change, error) {
	local := env.Folder().Rel(env.Folder().KeyFile())
	authorized, err := readChapterKey(env)
	if errors.Is(err, fs.ErrNotExist) {
		return Change{Items: []Item{
			{Action: Create, Resource: "ssh key " + local, Detail: "ed25519, made on this machine"},
			{Action: Create, Resource: "DigitalOcean SSH key", Detail: "the new key, registered by its fingerprint"},
		}}, nil
	}
	if err != nil {
		return Change{}, err
	}
	fingerprint, err := digitalocean.Fingerprint(authorized)
	if err != nil {
		return Change{}, fmt.Errorf("ssh-key: %s: %w", local, err)
	}
	key, found, err := env.Providers.DigitalOcean.KeyByFingerprint(ctx, fingerprint)
	switch {
	case err != nil:
		return Change{}, err
	case !found:
		return Change{Items: []Item{{Action: Create, Resource: "DigitalOcean SSH key " + fingerprint, Detail: "from " + local}}}, nil
	case env.Output(s.ID(), "fingerprint") != fingerprint || env.Output(s.ID(), "key_id") != strconv.Itoa(key.ID):
		return Change{Items: []Item{{Action: Adopt, Resource: "DigitalOcean SSH key " + fingerprint, Detail: "id " + strconv.Itoa(key.ID)}}}, nil
	}
	return Change{}, nil
}

func (s sshKeyStep) Apply(ctx context.Context, env *Env, _ Change) error {
	authorized, err := ensureChapterKey(env)
	if err != nil {
		return err
	}
	fingerprint, err := digitalocean.Fingerprint(authorized)
	if err != nil {
		return fmt.Errorf("ssh-key: %w", err)
	}
	if err := env.Record("fingerprint", fingerprint); err != nil {
		return err
	}
	// EnsureKey looks the fingerprint up first, so a key registered by a
	// killed run is found, not added twice.
	key, _, err := env.Providers.DigitalOcean.EnsureKey(ctx, "chapterctl "+env.Config.Domain, authorized)
	if err != nil {
		return err
	}
	return env.Record("key_id", strconv.Itoa(key.ID))
}

// readChapterKey returns the chapter key's public half as an
// authorized_keys line, read from the private key (the .pub beside it is
// a convenience for people, not the truth).
func readChapterKey(env *Env) (string, error) {
	path := env.Folder().KeyFile()
	if _, err := os.Stat(path); err != nil {
		return "", err
	}
	signer, err := sshx.LoadKey(path)
	if err != nil {
		return "", fmt.Errorf("ssh-key: %w", err)
	}
	return authorizedLine(signer.PublicKey()), nil
}

// ensureChapterKey reads the chapter key, or makes it when there is none.
// The private half is written before the public one, so a kill in between
// leaves a key whose .pub is rewritten from it next time.
func ensureChapterKey(env *Env) (string, error) {
	path := env.Folder().KeyFile()
	authorized, err := readChapterKey(env)
	if errors.Is(err, fs.ErrNotExist) {
		_, private, made, genErr := sshx.GenerateKey()
		if genErr != nil {
			return "", fmt.Errorf("ssh-key: %w", genErr)
		}
		if err := atomicfile.Write(path, private, 0o600); err != nil {
			return "", fmt.Errorf("ssh-key: save %s: %w", path, err)
		}
		authorized, err = made, nil
	}
	if err != nil {
		return "", err
	}
	if current, _ := os.ReadFile(path + ".pub"); strings.TrimSpace(string(current)) != authorized {
		if err := atomicfile.Write(path+".pub", []byte(authorized+"\n"), 0o644); err != nil {
			return "", fmt.Errorf("ssh-key: save %s.pub: %w", path, err)
		}
	}
	return authorized, nil
}

// authorizedLine is key as one authorized_keys line, marked as chapterctl's
// (the comment GenerateKey gives it).
func authorizedLine(key ssh.PublicKey) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))) + " chapterctl"
}
