package cloudron_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/crypto/ssh"
	"golang.org/x/oauth2"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/sandbox/worldfile"
	"github.com/chapterctl/chapterctl/internal/workdir"
	"github.com/chapterctl/chapterctl/templates"
)

const (
	chapterDomain = "redrockdsa.org"
	dashboard     = "my." + chapterDomain
)

// server is a droplet of the assembled sandbox on which cloudron-setup
// has run, reached as the product reaches it: through the sandbox's
// dialer, with the certificate read from the machine over SSH pinned.
type server struct {
	t      *testing.T
	sb     *sandbox.Sandbox
	ip     string
	pinned []byte // the dashboard's certificate, PEM, as read over SSH
	// setupToken is the installer's one-time token, with --generate-setup-token.
	setupToken string
	https      *http.Client
}

// installedServer makes a sandbox world (spec nil: the default one),
// creates the droplet with godo, runs the installer over SSH (with
// installerFlags after --skip-reboot) and reads the dashboard's
// certificate.
func installedServer(t *testing.T, spec *worldfile.Spec, installerFlags ...string) *server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	dir := workdir.Dir{Root: t.TempDir()}
	if err := dir.Ensure(); err != nil {
		t.Fatal(err)
	}
	if _, err := sandbox.Create(dir, spec, chapterDomain, time.Now()); err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	s := &server{t: t, sb: sb, https: &http.Client{Transport: netx.Transport(sb.Dialer(), sb.RootCAs())}}

	client, hostKey := s.createDroplet(ctx)
	conn := s.dialSSH(ctx, client, hostKey)
	defer conn.Close()
	s.run(conn, "wget https://cloudron.io/cloudron-setup && chmod +x cloudron-setup && "+
		"./cloudron-setup --skip-reboot "+strings.Join(installerFlags, " ")+" > /var/log/chapterctl-setup.out 2>&1")
	s.pinned = []byte(s.run(conn, "cat /home/yellowtent/platformdata/nginx/cert/default.cert"))
	if slices.Contains(installerFlags, "--generate-setup-token") {
		s.setupToken = strings.TrimSpace(s.run(conn, "cat /etc/cloudron/SETUP_TOKEN"))
	}
	return s
}

// createDroplet registers a key and creates my.<domain> whose cloud-init
// installs a host key made here; it returns once the droplet is active.
func (s *server) createDroplet(ctx context.Context) (ssh.Signer, ssh.PublicKey) {
	t := s.t
	var doToken string
	s.sb.World.Read(func(d *world.Data) { doToken = d.Tokens.DigitalOcean })
	do, err := godo.New(&http.Client{Transport: &oauth2.Transport{
		Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: doToken}),
		Base:   netx.Transport(s.sb.Dialer(), s.sb.RootCAs()),
	}}, godo.SetBaseURL("https://api.digitalocean.com/"))
	if err != nil {
		t.Fatal(err)
	}
	clientPub, clientKey, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := ssh.NewSignerFromKey(clientKey)
	sshPub, _ := ssh.NewPublicKey(clientPub)
	key, _, err := do.Keys.Create(ctx, &godo.KeyCreateRequest{Name: "chapter", PublicKey: string(ssh.MarshalAuthorizedKey(sshPub))})
	if err != nil {
		t.Fatalf("create the SSH key: %v", err)
	}
	hostPub, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	hostPEM, _ := ssh.MarshalPrivateKey(hostPriv, "")
	hostKey, _ := ssh.NewPublicKey(hostPub)
	userData, err := templates.UserData(templates.CloudInit{
		HostKeyPrivate: string(pem.EncodeToMemory(hostPEM)),
		HostKeyPublic:  strings.TrimSpace(string(ssh.MarshalAuthorizedKey(hostKey))),
	})
	if err != nil {
		t.Fatal(err)
	}
	created, _, err := do.Droplets.Create(ctx, &godo.DropletCreateRequest{
		Name: dashboard, Region: "nyc3", Size: "s-2vcpu-4gb", Image: godo.DropletCreateImage{Slug: "ubuntu-22-04-x64"},
		Tags: []string{"chapterctl:test"}, SSHKeys: []godo.DropletCreateSSHKey{{Fingerprint: key.Fingerprint}}, UserData: string(userData),
	})
	if err != nil {
		t.Fatalf("create the droplet: %v", err)
	}
	eventually(t, "the droplet to be active", func() bool {
		d, _, err := do.Droplets.Get(ctx, created.ID)
		if err != nil || d.Status != "active" {
			return false
		}
		s.ip, _ = d.PublicIPv4()
		return s.ip != ""
	})
	return signer, hostKey
}

func (s *server) dialSSH(ctx context.Context, signer ssh.Signer, hostKey ssh.PublicKey) *ssh.Client {
	config := &ssh.ClientConfig{User: "root", Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.FixedHostKey(hostKey), Timeout: 5 * time.Second}
	var client *ssh.Client
	eventually(s.t, "SSH to answer", func() bool {
		conn, err := s.sb.Dialer().DialContext(ctx, "tcp", net.JoinHostPort(s.ip, "22"))
		if err != nil {
			return false
		}
		c, chans, reqs, err := ssh.NewClientConn(conn, s.ip+":22", config)
		if err != nil {
			conn.Close()
			return false
		}
		client = ssh.NewClient(c, chans, reqs)
		return true
	})
	return client
}

// run runs a command over SSH and returns its output.
func (s *server) run(c *ssh.Client, command string) string {
	s.t.Helper()
	session, err := c.NewSession()
	if err != nil {
		s.t.Fatal(err)
	}
	defer session.Close()
	var stdout, stderr bytes.Buffer
	session.Stdout, session.Stderr = &stdout, &stderr
	if err := session.Run(command); err != nil {
		s.t.Fatalf("%s: %v\n%s", command, err, stderr.String())
	}
	return stdout.String()
}

// eventually waits, polling, until cond holds: the world runs on a scaled
// clock, so the wait is short but not zero.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}

// pinnedClient is a client of https://<droplet IP> that trusts only the
// certificate read over SSH. Each is new, so every one handshakes afresh.
func (s *server) pinnedClient(opts cloudron.Options) *cloudron.Client {
	opts.PinnedCert = s.pinned
	return cloudron.New("https://"+s.ip, s.sb.Dialer(), opts)
}

// dashboardClient is a client of https://my.<domain> after setup, trusting
// the CA that signs the sandbox's "Let's Encrypt" certificates.
func (s *server) dashboardClient(token string) *cloudron.Client {
	return cloudron.New("https://"+dashboard+"/", s.sb.Dialer(), cloudron.Options{Roots: s.sb.RootCAs(), Token: token})
}

// pointAt writes name's A record (name below the chapter's domain) at the
// simulated Gandi with one plain PUT, as chapterctl's DNS steps will.
func (s *server) pointAt(name string) {
	s.t.Helper()
	var token string
	s.sb.World.Read(func(d *world.Data) { token = d.Tokens.Gandi })
	url := fmt.Sprintf("https://api.gandi.net/v5/livedns/domains/%s/records/%s/A", chapterDomain, name)
	body := fmt.Sprintf(`{"rrset_ttl":300,"rrset_values":[%q]}`, s.ip)
	req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.https.Do(req)
	if err != nil {
		s.t.Fatalf("PUT %s: %v", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		s.t.Fatalf("PUT %s: %s", url, resp.Status)
	}
}

// breakFault switches a fault on in the running world, as
// `chapterctl sandbox break` does in a folder.
func (s *server) breakFault(name, param string) {
	s.t.Helper()
	spec := faultSpec(s.t, name)
	err := s.sb.World.Update(context.Background(), "", func(d *world.Data) error {
		if spec.Break != nil {
			if err := spec.Break(d, param); err != nil {
				return err
			}
		}
		d.Faults[name] = param
		return nil
	})
	if err != nil {
		s.t.Fatalf("break %s: %v", name, err)
	}
}

func (s *server) healFault(name string) {
	s.t.Helper()
	spec := faultSpec(s.t, name)
	err := s.sb.World.Update(context.Background(), "", func(d *world.Data) error {
		if spec.Heal != nil {
			if err := spec.Heal(d); err != nil {
				return err
			}
		}
		delete(d.Faults, name)
		return nil
	})
	if err != nil {
		s.t.Fatalf("heal %s: %v", name, err)
	}
}

func faultSpec(t *testing.T, name string) world.FaultSpec {
	for _, f := range sandbox.Faults() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no fault %q", name)
	return world.FaultSpec{}
}

// setUpAndActivate runs setup with my.<domain> already served and makes
// maria the owner; it returns a client of the dashboard with a new API
// token, and that token.
// installApp points subdomain's A record at the droplet and starts the
// install of storeID there, returning the app's id.
func (s *server) installApp(ctx context.Context, c *cloudron.Client, storeID, subdomain string) string {
	s.t.Helper()
	s.pointAt(subdomain)
	id, _, err := c.InstallApp(ctx, cloudron.InstallRequest{AppStoreID: storeID, Subdomain: subdomain, Domain: chapterDomain})
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

func (s *server) setUpAndActivate(ctx context.Context) (*cloudron.Client, string) {
	s.t.Helper()
	s.pointAt("my")
	c := s.pinnedClient(cloudron.Options{})
	if err := c.Setup(ctx, cloudron.SetupRequest{Domain: chapterDomain, SetupToken: s.setupToken}); err != nil {
		s.t.Fatal(err)
	}
	if _, err := c.WaitSetup(ctx, nil); err != nil {
		s.t.Fatal(err)
	}
	if _, err := c.Activate(ctx, "maria", adminPassword, "maria@example.net", "Maria Lopez"); err != nil {
		s.t.Fatal(err)
	}
	token, err := c.CreateToken(ctx, "chapterctl")
	if err != nil {
		s.t.Fatal(err)
	}
	return s.dashboardClient(token), token
}

const adminPassword = "correct horse battery"

// addMailgunLogin gives the simulated Mailgun account a sending domain
// with one SMTP login, so that a relay login to it works.
func (s *server) addMailgunLogin(domain, login, password string) {
	s.t.Helper()
	err := s.sb.World.Update(context.Background(), "", func(d *world.Data) error {
		d.Mailgun.Domains = append(d.Mailgun.Domains, &world.MailgunDomain{Name: domain, Region: "us", State: "active",
			Credentials: []*world.MailgunCredential{{Login: login, Password: password}}})
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
}
