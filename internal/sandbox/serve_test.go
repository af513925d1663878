package sandbox

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/digitalocean/godo"
	"golang.org/x/crypto/ssh"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/templates"
)

// The world is only faithful if clients written by others agree with it:
// curl, dig and OpenSSH against the endpoints `sandbox serve` prints. Each
// part skips when its client is not installed (.ci/run installs them).

func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed", name)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestCurlReachesTheAPIs(t *testing.T) {
	curl := needTool(t, "curl")
	sb, _ := startTestSandbox(t)
	e := sb.Endpoints()
	do := run(t, curl, "-sS", "--fail-with-body", "--cacert", e.CAFile,
		"-H", "Authorization: Bearer "+sb.token(func(t world.Tokens) string { return t.DigitalOcean }),
		e.DigitalOcean+"v2/account")
	if !strings.Contains(do, `"droplet_limit":10`) {
		t.Errorf("DigitalOcean account = %s", do)
	}
	gandi := run(t, curl, "-sS", "--fail-with-body", "--cacert", e.CAFile,
		"-H", "Authorization: Bearer "+sb.token(func(t world.Tokens) string { return t.Gandi }),
		e.Gandi+"domains/redrockdsa.org/records/@/MX")
	if !strings.Contains(gandi, "spool.mail.gandi.net.") {
		t.Errorf("Gandi MX = %s", gandi)
	}
	// A wrong token gets the provider's real 401.
	out, _ := exec.Command(curl, "-sS", "--cacert", e.CAFile, "-H", "Authorization: Bearer nope", e.DigitalOcean+"v2/account").CombinedOutput()
	if !strings.Contains(string(out), "Unable to authenticate you.") {
		t.Errorf("wrong token = %s", out)
	}
}

func TestDigAsksTheAuthoritativeServerAndAResolver(t *testing.T) {
	dig := needTool(t, "dig")
	sb, _ := startTestSandbox(t)
	e := sb.Endpoints()
	host, port, _ := net.SplitHostPort(e.DNS.Authoritative)
	out := run(t, dig, "@"+host, "-p", port, "+norecurse", "redrockdsa.org", "MX")
	if !strings.Contains(out, "flags: qr aa") || !strings.Contains(out, "spool.mail.gandi.net.") {
		t.Errorf("authoritative answer:\n%s", out)
	}
	host, port, _ = net.SplitHostPort(e.DNS.Resolvers[0])
	out = run(t, dig, "@"+host, "-p", port, "nosuchname.redrockdsa.org", "A")
	if !strings.Contains(out, "status: NXDOMAIN") || !strings.Contains(out, " ra") {
		t.Errorf("resolver answer:\n%s", out)
	}
	// Over TCP too, on the same port.
	host, port, _ = net.SplitHostPort(e.DNS.Authoritative)
	out = run(t, dig, "@"+host, "-p", port, "+tcp", "+norecurse", "redrockdsa.org", "SOA")
	if !strings.Contains(out, "hostmaster.gandi.net.") {
		t.Errorf("SOA over TCP:\n%s", out)
	}
}

func TestOpenSSHLogsInToTheDroplet(t *testing.T) {
	sshBin := needTool(t, "ssh")
	sb, _ := startTestSandbox(t)
	ctx := context.Background()
	work := t.TempDir()

	// The chapter's key, as OpenSSH files.
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, _ := ssh.MarshalPrivateKey(priv, "")
	keyFile := filepath.Join(work, "id_ed25519")
	os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600)
	sshPub, _ := ssh.NewPublicKey(pub)

	hostPub, hostPriv, _ := ed25519.GenerateKey(rand.Reader)
	hostBlock, _ := ssh.MarshalPrivateKey(hostPriv, "")
	hostSSHPub, _ := ssh.NewPublicKey(hostPub)
	userData, _ := templates.UserData(templates.CloudInit{
		HostKeyPrivate: string(pem.EncodeToMemory(hostBlock)),
		HostKeyPublic:  strings.TrimSpace(string(ssh.MarshalAuthorizedKey(hostSSHPub))),
	})

	do := godoClient(sb)
	key, _, err := do.Keys.Create(ctx, &godo.KeyCreateRequest{Name: "chapter", PublicKey: string(ssh.MarshalAuthorizedKey(sshPub))})
	if err != nil {
		t.Fatal(err)
	}
	created, _, err := do.Droplets.Create(ctx, &godo.DropletCreateRequest{Name: "my.redrockdsa.org", Region: "nyc3",
		Size: "s-2vcpu-4gb", Image: godo.DropletCreateImage{Slug: "ubuntu-22-04-x64"},
		SSHKeys: []godo.DropletCreateSSHKey{{Fingerprint: key.Fingerprint}}, UserData: string(userData)})
	if err != nil {
		t.Fatal(err)
	}
	var ip string
	waitFor(t, "the droplet to be active", func() bool {
		d, _, err := do.Droplets.Get(ctx, created.ID)
		ip, _ = d.PublicIPv4()
		return err == nil && d.Status == "active" && ip != ""
	})
	sb.StartDropletFronts()
	addr := sb.Endpoints().SSH[ip]
	if addr == "" {
		t.Fatalf("no SSH endpoint for %s: %v", ip, sb.Endpoints().SSH)
	}
	_, port, _ := net.SplitHostPort(addr)

	// known_hosts pins the droplet's key under its address, as chapterctl
	// writes it; HostKeyAlias makes OpenSSH check it for the loopback port.
	knownHosts := filepath.Join(work, "known_hosts")
	os.WriteFile(knownHosts, []byte(ip+" "+string(ssh.MarshalAuthorizedKey(hostSSHPub))), 0o600)
	args := []string{"-F", "none", "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "HostKeyAlias=" + ip,
		"-o", "ConnectTimeout=5", "-p", port, "root@127.0.0.1"}
	var out []byte
	waitFor(t, "OpenSSH to log in", func() bool {
		out, err = exec.Command(sshBin, append(args, "uname -m && cat /etc/os-release | grep VERSION_ID")...).CombinedOutput()
		return err == nil
	})
	if !strings.Contains(string(out), "x86_64") || !strings.Contains(string(out), `VERSION_ID="22.04"`) {
		t.Fatalf("ssh output:\n%s", out)
	}

	// A different pinned key is refused by OpenSSH itself.
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	otherSSH, _ := ssh.NewPublicKey(otherPub)
	os.WriteFile(knownHosts, []byte(ip+" "+string(ssh.MarshalAuthorizedKey(otherSSH))), 0o600)
	out, err = exec.Command(sshBin, append(args, "true")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "HOST IDENTIFICATION HAS CHANGED") {
		t.Fatalf("ssh with a wrong pinned key: %v\n%s", err, out)
	}
}
