package sandbox

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/libdns/gandi"
	"github.com/miekg/dns"
	"golang.org/x/crypto/ssh"
	"golang.org/x/oauth2"

	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/workdir"
	"github.com/chapterctl/chapterctl/templates"
)

func startTestSandbox(t *testing.T) (*Sandbox, workdir.Dir) {
	t.Helper()
	dir := workdir.Dir{Root: t.TempDir()}
	if err := dir.Ensure(); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(dir, nil, "redrockdsa.org", time.Now()); err != nil {
		t.Fatal(err)
	}
	sb, err := Start(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb, dir
}

func (s *Sandbox) token(get func(world.Tokens) string) string {
	var tok string
	s.World.Read(func(d *world.Data) { tok = get(d.Tokens) })
	return tok
}

func godoClient(sb *Sandbox) *godo.Client {
	tok := sb.token(func(t world.Tokens) string { return t.DigitalOcean })
	hc := &http.Client{Transport: &oauth2.Transport{
		Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok}),
		Base:   netx.Transport(sb.Dialer(), sb.RootCAs()),
	}}
	c, _ := godo.New(hc, godo.SetBaseURL("https://api.digitalocean.com/"))
	return c
}

// waitFor polls cond until it holds or the deadline passes: the world runs
// on a scaled clock, so the wait is short but not zero.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRealClientsReachTheWholeWorld drives every simulator through the
// sandbox's dialer and CA with the real clients, as the product will.
func TestRealClientsReachTheWholeWorld(t *testing.T) {
	sb, dir := startTestSandbox(t)
	ctx := context.Background()
	do := godoClient(sb)

	// DigitalOcean: a key and a droplet whose cloud-init installs our host key.
	clientPub, clientKey, _ := ed25519.GenerateKey(rand.Reader)
	clientSigner, _ := ssh.NewSignerFromKey(clientKey)
	sshPub, _ := ssh.NewPublicKey(clientPub)
	key, _, err := do.Keys.Create(ctx, &godo.KeyCreateRequest{Name: "chapter", PublicKey: string(ssh.MarshalAuthorizedKey(sshPub))})
	if err != nil {
		t.Fatalf("create key: %v", err)
	}
	hostPub, hostKey, _ := ed25519.GenerateKey(rand.Reader)
	hostPEM, _ := ssh.MarshalPrivateKey(hostKey, "")
	hostSSHPub, _ := ssh.NewPublicKey(hostPub)
	userData, err := templates.UserData(templates.CloudInit{
		HostKeyPrivate: string(pem.EncodeToMemory(hostPEM)),
		HostKeyPublic:  strings.TrimSpace(string(ssh.MarshalAuthorizedKey(hostSSHPub))),
	})
	if err != nil {
		t.Fatal(err)
	}
	created, _, err := do.Droplets.Create(ctx, &godo.DropletCreateRequest{
		Name: "my.redrockdsa.org", Region: "nyc3", Size: "s-2vcpu-4gb",
		Image: godo.DropletCreateImage{Slug: "ubuntu-22-04-x64"}, Tags: []string{"chapterctl:test"},
		SSHKeys: []godo.DropletCreateSSHKey{{Fingerprint: key.Fingerprint}}, UserData: string(userData),
	})
	if err != nil {
		t.Fatalf("create droplet: %v", err)
	}
	var ip string
	waitFor(t, "the droplet to be active", func() bool {
		d, _, err := do.Droplets.Get(ctx, created.ID)
		if err != nil || d.Status != "active" {
			return false
		}
		ip, _ = d.PublicIPv4()
		return ip != ""
	})

	// SSH: the host key from cloud-init is the one presented; pinned, never ignored.
	config := &ssh.ClientConfig{User: "root", Auth: []ssh.AuthMethod{ssh.PublicKeys(clientSigner)},
		HostKeyCallback: ssh.FixedHostKey(hostSSHPub), Timeout: 5 * time.Second}
	var client *ssh.Client
	waitFor(t, "SSH to answer", func() bool {
		conn, err := sb.Dialer().DialContext(ctx, "tcp", net.JoinHostPort(ip, "22"))
		if err != nil {
			return false
		}
		c, chans, reqs, err := ssh.NewClientConn(conn, ip+":22", config)
		if err != nil {
			conn.Close()
			return false
		}
		client = ssh.NewClient(c, chans, reqs)
		return true
	})
	session, _ := client.NewSession()
	out, err := session.Output("hostname -f")
	client.Close()
	if err != nil || strings.TrimSpace(string(out)) != "my.redrockdsa.org" {
		t.Fatalf("hostname over SSH = %q, %v", out, err)
	}

	// Gandi, through libdns/gandi's hard-coded host and default client.
	old := http.DefaultTransport
	http.DefaultTransport = netx.Transport(sb.Dialer(), sb.RootCAs())
	defer func() { http.DefaultTransport = old }()
	provider := &gandi.Provider{BearerToken: sb.token(func(t world.Tokens) string { return t.Gandi })}
	records, err := provider.GetRecords(ctx, "redrockdsa.org.")
	if err != nil || len(records) == 0 {
		t.Fatalf("GetRecords = %v, %v", records, err)
	}

	// DNS: the zone's nameserver, by name, over the dialer.
	conn, err := sb.Dialer().DialContext(ctx, "udp", "ns-203.gandi.net:53")
	if err != nil {
		t.Fatal(err)
	}
	m := new(dns.Msg)
	m.SetQuestion("redrockdsa.org.", dns.TypeMX)
	m.RecursionDesired = false
	dc := &dns.Conn{Conn: conn}
	if err := dc.WriteMsg(m); err != nil {
		t.Fatal(err)
	}
	r, err := dc.ReadMsg()
	dc.Close()
	if err != nil || !r.Authoritative || len(r.Answer) == 0 {
		t.Fatalf("MX answer = %v, %v", r, err)
	}

	// The real world is never dialed.
	if _, err := sb.Dialer().DialContext(ctx, "tcp", "93.184.216.34:443"); err == nil || !strings.Contains(err.Error(), "not part of the simulated world") {
		t.Fatalf("dial of a real address: %v", err)
	}

	// Every service left journal lines.
	services := map[string]bool{}
	all, err := world.ReadJournal(JournalPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		services[e.Service] = true
	}
	for _, want := range []string{"digitalocean", "gandi", "dns", "ssh"} {
		if !services[want] {
			t.Errorf("no journal line from %s (have %v)", want, services)
		}
	}
}
