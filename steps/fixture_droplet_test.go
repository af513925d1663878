package steps

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/sshx"
	"github.com/chapterctl/chapterctl/templates"
)

// fixtureKey stands in for the ssh-key step (another engineer writes the
// real one): the chapter's key in the folder, registered at DigitalOcean,
// its fingerprint recorded.
type fixtureKey struct{}

func (fixtureKey) ID() string    { return "ssh-key" }
func (fixtureKey) Title() string { return "fixture: chapter SSH key" }
func (fixtureKey) Plan(_ context.Context, env *Env) (Change, error) {
	if env.Output("ssh-key", "fingerprint") != "" {
		return Change{}, nil
	}
	return Change{Items: []Item{{Action: Create, Resource: "chapter key"}}}, nil
}

func (fixtureKey) Apply(ctx context.Context, env *Env, _ Change) error {
	_, private, public, err := sshx.GenerateKey()
	if err != nil {
		return err
	}
	if err := os.WriteFile(env.Folder().KeyFile(), private, 0o600); err != nil {
		return err
	}
	key, _, err := env.Providers.DigitalOcean.EnsureKey(ctx, "chapterctl-test", public)
	if err != nil {
		return err
	}
	return env.Record("fingerprint", key.Fingerprint)
}

// fixtureDroplet stands in for the droplet step: my.<domain> tagged
// chapterctl:<stack id>, its cloud-init installing a host key made here,
// and the outputs the real step records (id, ipv4, ipv6, host_key).
type fixtureDroplet struct{ size string }

func (fixtureDroplet) ID() string    { return "droplet" }
func (fixtureDroplet) Title() string { return "fixture: droplet" }
func (fixtureDroplet) Plan(_ context.Context, env *Env) (Change, error) {
	if env.Output("droplet", "ipv4") != "" {
		return Change{}, nil
	}
	return Change{Items: []Item{{Action: Create, Resource: "droplet"}}}, nil
}

func (f fixtureDroplet) Apply(ctx context.Context, env *Env, _ Change) error {
	_, hostPEM, hostPublic, err := sshx.GenerateKey()
	if err != nil {
		return err
	}
	userData, err := templates.UserData(templates.CloudInit{HostKeyPrivate: string(hostPEM), HostKeyPublic: hostPublic})
	if err != nil {
		return err
	}
	size := f.size
	if size == "" {
		size = env.Config.Size
	}
	do := env.Providers.DigitalOcean
	d, err := do.CreateDroplet(ctx, digitalocean.DropletSpec{Name: "my." + env.Config.Domain, Region: env.Config.Region,
		Size: size, Image: "ubuntu-24-04-x64", SSHKeyFingerprints: []string{env.Output("ssh-key", "fingerprint")},
		UserData: string(userData), Tags: []string{"chapterctl:" + env.StackID()}, IPv6: true})
	if err != nil {
		return err
	}
	// Polled here rather than with WaitActive, whose first poll is two
	// seconds: the sandbox's droplet is active in milliseconds.
	for d.Status != "active" || d.PublicIPv4 == "" {
		time.Sleep(5 * time.Millisecond)
		if d, err = do.Droplet(ctx, d.ID); err != nil {
			return err
		}
	}
	// ipv4 last: Plan takes it as "done".
	for _, kv := range [][2]string{{"id", strconv.Itoa(d.ID)}, {"ipv6", d.PublicIPv6}, {"host_key", hostPublic}, {"ipv4", d.PublicIPv4}} {
		if err := env.Record(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// withDroplet is a sandbox run of list after the fixture's key and droplet
// steps.
func withDroplet(t *testing.T, cfg *chapter.Config, size string, list ...Step) *sandboxRun {
	t.Helper()
	return newSandboxRun(t, cfg, append([]Step{fixtureKey{}, fixtureDroplet{size: size}}, list...)...)
}

// breakWorldFault switches a fault on in the running world, as `chapterctl
// sandbox break` does.
func (s *sandboxRun) breakWorldFault(t *testing.T, name, param string) {
	t.Helper()
	err := s.Sandbox.World.Update(context.Background(), "", func(d *world.Data) error {
		d.Faults[name] = param
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
