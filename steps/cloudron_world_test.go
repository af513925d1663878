package steps

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/chapterctl/chapterctl/internal/chapter"
	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/sshx"
	"github.com/chapterctl/chapterctl/templates"
)

// recordedStep stands for an earlier step another file owns: it only
// records the outputs that step would have recorded.
type recordedStep struct {
	id      string
	outputs map[string]string
}

func (s recordedStep) ID() string    { return s.id }
func (s recordedStep) Title() string { return "recorded " + s.id }

func (s recordedStep) Plan(_ context.Context, env *Env) (Change, error) {
	for k, v := range s.outputs {
		if env.Output(s.id, k) != v {
			return Change{Items: []Item{{Action: Adopt, Resource: s.id}}}, nil
		}
	}
	return Change{}, nil
}

func (s recordedStep) Apply(_ context.Context, env *Env, _ Change) error {
	for k, v := range s.outputs {
		if err := env.Record(k, v); err != nil {
			return err
		}
	}
	return nil
}

// installedCloudron prepares the world the way the steps before
// platform-setup leave it: the chapter key, a droplet made with a host key
// generated here, Cloudron installed over SSH (as internal/cloudron's
// tests do), and A records for my, matrix, chat and the bare domain. It
// returns a runner whose steps are the earlier steps' outputs followed by
// list.
func installedCloudron(t *testing.T, cfg *chapter.Config, list ...Step) *cloudronRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := newSandboxRun(t, cfg)
	do := r.Providers.DigitalOcean

	signer, keyPEM, authorized, err := sshx.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.Dir.KeyFile(), keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	key, _, err := do.EnsureKey(ctx, "chapter", authorized)
	if err != nil {
		t.Fatal(err)
	}
	_, hostPEM, hostAuthorized, err := sshx.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	hostKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(hostAuthorized))
	if err != nil {
		t.Fatal(err)
	}
	userData, err := templates.UserData(templates.CloudInit{HostKeyPrivate: string(hostPEM), HostKeyPublic: hostAuthorized})
	if err != nil {
		t.Fatal(err)
	}
	stackID := "test"
	created, err := do.CreateDroplet(ctx, digitalocean.DropletSpec{Name: "my." + cfg.Domain, Region: cfg.Region, Size: cfg.Size,
		Image: "ubuntu-24-04-x64", SSHKeyFingerprints: []string{key.Fingerprint}, UserData: string(userData),
		Tags: []string{"chapterctl:" + stackID}, IPv6: true})
	if err != nil {
		t.Fatal(err)
	}
	droplet, err := do.WaitActive(ctx, created.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	ip := droplet.PublicIPv4

	client, err := sshx.WaitForSSH(ctx, func(ctx context.Context) (*sshx.Client, error) {
		return sshx.Dial(ctx, r.Providers.Dialer, ip, "root", signer, hostKey)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var out bytes.Buffer
	code, err := client.Run(ctx, "wget https://cloudron.io/cloudron-setup && chmod +x cloudron-setup && "+
		"./cloudron-setup --skip-reboot > /var/log/chapterctl-setup.out 2>&1", sshx.RunOptions{Stdout: &out, Stderr: &out})
	if err != nil || code != 0 {
		t.Fatalf("installer: %d, %v\n%s", code, err, out.String())
	}
	for _, name := range []string{"my", "matrix", "chat", "@"} {
		if err := r.Providers.Gandi.PutRRSet(ctx, cfg.Domain, gandi.RRSet{Name: name, Type: "A", TTL: 300, Values: []string{ip}}, nil); err != nil {
			t.Fatalf("A %s: %v", name, err)
		}
	}
	earlier := []Step{
		recordedStep{"droplet", map[string]string{"id": strconv.Itoa(droplet.ID), "ipv4": ip, "ipv6": droplet.PublicIPv6,
			"host_key": strings.TrimSpace(hostAuthorized)}},
		recordedStep{"platform", map[string]string{"version": "9.0.15"}},
	}
	r.Steps = append(earlier, list...)
	return &cloudronRun{sandboxRun: r, ip: ip, earlier: len(earlier)}
}

// cloudronRun is a sandbox run whose world has Cloudron installed at ip.
type cloudronRun struct {
	*sandboxRun
	ip      string
	earlier int // how many of Steps stand for earlier steps
}

// applyEarlier runs only the earlier steps, so that a plan of the steps
// under test sees their outputs.
func (s *cloudronRun) applyEarlier(t *testing.T) {
	t.Helper()
	all := s.Steps
	s.Steps = all[:s.earlier]
	defer func() { s.Steps = all }()
	if err := s.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// cloudron is the world's only Cloudron, read under the world's lock.
func (s *cloudronRun) cloudron(read func(c *world.Cloudron)) {
	s.Sandbox.World.Read(func(d *world.Data) {
		for _, m := range d.Machines {
			if m.Cloudron != nil {
				read(m.Cloudron)
			}
		}
	})
}

// pinned is a client of https://<ip>/ pinned to the installer's certificate.
func (s *cloudronRun) pinned() *cloudron.Client {
	var cert string
	s.cloudron(func(c *world.Cloudron) { cert = c.SelfSignedCert })
	return cloudron.New("https://"+s.ip+"/", s.Providers.Dialer, cloudron.Options{PinnedCert: []byte(cert)})
}

// dashboard is a client of https://my.<domain>/ with token.
func (s *cloudronRun) dashboard(token string) *cloudron.Client {
	return cloudron.New("https://my."+s.Config.Domain+"/", s.Providers.Dialer, cloudron.Options{Roots: s.Providers.Roots, Token: token})
}
