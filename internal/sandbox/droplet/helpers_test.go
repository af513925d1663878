package droplet

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"golang.org/x/crypto/ssh"
)

const testDropletID = 7

// testDroplet is a droplet with its SSH server on a loopback port, the
// chapter's client key, and the host key its cloud-init installed.
type testDroplet struct {
	w       *world.World
	srv     *Server
	addr    string
	key     ssh.Signer
	hostKey ssh.PublicKey
}

// dropletOption changes the world before the server starts.
type dropletOption func(d *world.Data, dr *world.Droplet)

// activeFor makes the droplet active since ago (real time).
func activeFor(ago time.Duration) dropletOption {
	return func(_ *world.Data, dr *world.Droplet) { dr.ActiveAt = time.Now().Add(-ago) }
}

func withSize(slug string) dropletOption {
	return func(_ *world.Data, dr *world.Droplet) { dr.Size = slug }
}

func withImage(slug string) dropletOption {
	return func(_ *world.Data, dr *world.Droplet) { dr.Image = slug }
}

func withScale(scale float64) dropletOption {
	return func(d *world.Data, _ *world.Droplet) { d.TimeScale = scale }
}

// newTestDroplet starts a droplet created an hour ago (booted, cloud-init
// done) at time scale 0.001, with the test's key registered at the
// account and a host key in its cloud-init user data.
func newTestDroplet(t *testing.T, options ...dropletOption) *testDroplet {
	t.Helper()
	return newTestDropletIn(t, world.Options{}, options...)
}

// newTestDropletIn is newTestDroplet with the world's options (a journal).
func newTestDropletIn(t *testing.T, worldOptions world.Options, options ...dropletOption) *testDroplet {
	t.Helper()
	clientKey := newSigner(t)
	hostPEM, hostPub, err := newHostKey("chapterctl")
	if err != nil {
		t.Fatal(err)
	}
	pinned, _, _, _, err := ssh.ParseAuthorizedKey([]byte(hostPub))
	if err != nil {
		t.Fatal(err)
	}
	accountKey := authorizedLine(clientKey.PublicKey(), "chapterctl")
	dr := &world.Droplet{ID: testDropletID, Name: "my.example.org", Size: "s-2vcpu-4gb", Image: "ubuntu-22-04-x64",
		ActiveAt: time.Now().Add(-time.Hour), PublicIPv4: "203.0.113.10",
		SSHKeys:  []string{ssh.FingerprintLegacyMD5(clientKey.PublicKey())},
		UserData: cloudConfigWithHostKey(hostPEM, hostPub)}
	data := &world.Data{Schema: world.SchemaVersion, TimeScale: 0.001,
		Cloudron: world.CloudronRelease{Version: "9.0.15", Latest: "9.0.15"}}
	data.DigitalOcean.SSHKeys = []*world.SSHKey{{ID: 1, Name: "chapterctl", PublicKey: strings.TrimSpace(accountKey),
		Fingerprint: dr.SSHKeys[0]}}
	data.DigitalOcean.Droplets = []*world.Droplet{dr}
	for _, o := range options {
		o(data, dr)
	}
	w := world.New(data, "", worldOptions)
	td := &testDroplet{w: w, key: clientKey, hostKey: pinned}
	td.start(t)
	return td
}

// start serves the droplet on a new loopback listener (again after a
// restart: a new process with the same world).
func (td *testDroplet) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	td.srv, td.addr = NewServer(td.w, testDropletID), ln.Addr().String()
	srv := td.srv
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

func cloudConfigWithHostKey(private, public string) string {
	indented := "    " + strings.ReplaceAll(strings.TrimSpace(private), "\n", "\n    ")
	return "#cloud-config\nssh_deletekeys: true\nssh_genkeytypes: []\nssh_keys:\n  ed25519_private: |\n" +
		indented + "\n  ed25519_public: " + strings.TrimSpace(public) + "\n"
}

func newSigner(t *testing.T) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dial connects as root with the test's key, pinning the host key.
func (td *testDroplet) dial() (*ssh.Client, error) {
	return td.dialWith(td.key, ssh.FixedHostKey(td.hostKey))
}

func (td *testDroplet) dialWith(key ssh.Signer, check ssh.HostKeyCallback) (*ssh.Client, error) {
	return ssh.Dial("tcp", td.addr, &ssh.ClientConfig{User: "root", Auth: []ssh.AuthMethod{ssh.PublicKeys(key)},
		HostKeyCallback: check, Timeout: 5 * time.Second})
}

func (td *testDroplet) client(t *testing.T) *ssh.Client {
	t.Helper()
	c, err := td.dial()
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// result is how a command ended.
type result struct {
	stdout, stderr string
	status         int // -1: no exit status (the connection went)
}

// run runs one command in a new session, with stdin as its input.
func run(t *testing.T, c *ssh.Client, command, stdin string) result {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatalf("new session: %v", err)
	}
	defer s.Close()
	var out, errOut bytes.Buffer
	s.Stdout, s.Stderr, s.Stdin = &out, &errOut, strings.NewReader(stdin)
	err = s.Run(command)
	r := result{stdout: out.String(), stderr: errOut.String()}
	var exit *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		r.status = exit.ExitStatus()
	case errors.As(err, &missing), errors.Is(err, io.EOF):
		r.status = -1
	default:
		t.Fatalf("run %q: %v", command, err)
	}
	return r
}

// sh runs a command that must succeed and returns its output.
func sh(t *testing.T, c *ssh.Client, command string) string {
	t.Helper()
	r := run(t, c, command, "")
	if r.status != 0 {
		t.Fatalf("%q: status %d, stderr %q", command, r.status, r.stderr)
	}
	return r.stdout
}

// machine reads a copy of the machine's scalar state.
func (td *testDroplet) machine(t *testing.T) (m world.Machine, in world.Installer) {
	t.Helper()
	td.w.Read(func(d *world.Data) {
		got := d.MachineOf(testDropletID)
		if got == nil {
			t.Fatal("the droplet has no machine")
		}
		m = *got
		if got.Installer != nil {
			in = *got.Installer
		}
		m.Installer, m.Files = nil, nil
	})
	return m, in
}

// eventually polls cond every few milliseconds until it holds or a
// deadline passes: the world's clock is real, only scaled.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
