package sshx

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox/droplet"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/templates"
)

const (
	simDropletID = 3
	simDropletIP = "203.0.113.10"
)

// simDroplet is a droplet of the simulated world, reached as the product
// reaches it: its address through the sandbox's dialer.
type simDroplet struct {
	w       *world.World
	net     *simnet.Net
	key     ssh.Signer    // the chapter's login key
	hostKey ssh.PublicKey // the host key its cloud-init installed
}

// newSimDroplet makes a droplet that became active just now, whose
// cloud-init user data (the product's template) installs a host key made
// by GenerateKey. At time scale 0.005 it boots in 100 ms and reboots in
// 200 ms.
func newSimDroplet(t *testing.T) *simDroplet {
	t.Helper()
	key, _, authorized, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, hostPEM, hostAuthorized, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	userData, err := templates.UserData(templates.CloudInit{HostKeyPrivate: string(hostPEM), HostKeyPublic: hostAuthorized})
	if err != nil {
		t.Fatal(err)
	}
	data := &world.Data{Schema: world.SchemaVersion, TimeScale: 0.005,
		Cloudron: world.CloudronRelease{Version: "9.0.15", Latest: "9.0.15"}}
	data.DigitalOcean.Droplets = []*world.Droplet{{ID: simDropletID, Name: "my.example.org", Region: "nyc3",
		Size: "s-2vcpu-4gb", Image: "ubuntu-22-04-x64", CreatedAt: time.Now(), ActiveAt: time.Now(),
		PublicIPv4: simDropletIP, AuthorizedKeys: []string{authorized}, UserData: string(userData)}}
	w := world.New(data, "", world.Options{})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := droplet.NewServer(w, simDropletID)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	n := simnet.NewNet()
	n.Route("tcp", simDropletIP+":22", ln.Addr().String())
	return &simDroplet{w: w, net: n, key: key, hostKey: hostSigner.PublicKey()}
}

// dial is the dial function a step gives WaitForSSH.
func (d *simDroplet) dial(ctx context.Context) (*Client, error) {
	return Dial(ctx, d.net, simDropletIP, "root", d.key, d.hostKey)
}

// wait connects across a boot, counting the attempts that failed.
func (d *simDroplet) wait(t *testing.T) (*Client, []error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var failures []error
	c, err := WaitForSSH(ctx, d.dial, func(_ time.Duration, err error) { failures = append(failures, err) })
	if err != nil {
		t.Fatalf("WaitForSSH: %v (after %v)", err, failures)
	}
	t.Cleanup(func() { c.Close() })
	return c, failures
}

func (d *simDroplet) setFault(name string) {
	d.w.Update(context.Background(), "", func(data *world.Data) error {
		data.Faults[name] = ""
		return nil
	})
}

func TestDropletWaitForSSHAcrossTheBootAndThePinnedCloudInitKey(t *testing.T) {
	t.Parallel()
	d := newSimDroplet(t)
	c, failures := d.wait(t)
	if len(failures) == 0 {
		t.Error("connected at once to a droplet that had just become active: the boot delay was not exercised")
	}
	for _, err := range failures {
		t.Logf("while booting: %v", err)
		if !retryable(err) {
			t.Errorf("reported a failure that is not a booting server's: %v", err)
		}
	}
	// The host key Dial accepted is the one the droplet has on disk: the
	// one the user data installed.
	out := mustRun(t, c, "cat /etc/ssh/ssh_host_ed25519_key.pub", "")
	onDisk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(out))
	if err != nil {
		t.Fatalf("host key file %q: %v", out, err)
	}
	if Fingerprint(onDisk) != Fingerprint(d.hostKey) {
		t.Errorf("droplet's host key %s, pinned %s", Fingerprint(onDisk), Fingerprint(d.hostKey))
	}
}

func TestDropletHostKeyChangedIsRefusedAndNeverRetried(t *testing.T) {
	t.Parallel()
	d := newSimDroplet(t)
	d.wait(t)
	d.setFault(droplet.FaultHostKeyChanged)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	reports := 0
	c, err := WaitForSSH(ctx, d.dial, func(time.Duration, error) { reports++ })
	var mismatch *HostKeyMismatchError
	if !errors.As(err, &mismatch) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("WaitForSSH with a man in the middle: %v, want a *HostKeyMismatchError", err)
	}
	if reports != 0 {
		t.Errorf("a host key mismatch was retried %d times", reports)
	}
	if mismatch.Want != Fingerprint(d.hostKey) || mismatch.Got == "" || mismatch.Got == mismatch.Want ||
		mismatch.Addr != simDropletIP+":22" {
		t.Errorf("mismatch = %+v", mismatch)
	}
}

func TestDropletUpload(t *testing.T) {
	t.Parallel()
	d := newSimDroplet(t)
	c, _ := d.wait(t)
	ctx := context.Background()
	content := "DOMAIN=redrockdsa.org\nSECRET=it's \"quoted\" $HOME\n"
	if err := c.Upload(ctx, "/root/chapter.env", []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Upload(ctx, "/root/chapter.env", []byte(content), 0o600); err != nil {
		t.Fatalf("upload over an existing file: %v", err)
	}
	if got := mustRun(t, c, "cat /root/chapter.env", ""); got != content {
		t.Errorf("read back %q, want %q", got, content)
	}
	if got := mustRun(t, c, "stat -c %a /root/chapter.env", ""); got != "600\n" {
		t.Errorf("mode %q, want 600", got)
	}
	if got := mustRun(t, c, "ls /root", ""); strings.Contains(got, "tmp") {
		t.Errorf("a temporary file was left: %q", got)
	}
	err := c.Upload(ctx, "/nonexistent/dir/file", []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/dir/file") {
		t.Errorf("upload into a missing folder: %v, want an error naming the path", err)
	}
}

func TestDropletRebootLosesTheConnectionThenWaitForSSHReconnects(t *testing.T) {
	t.Parallel()
	d := newSimDroplet(t)
	c, _ := d.wait(t)
	code, err := c.Run(context.Background(), "systemctl reboot", RunOptions{})
	if !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("systemctl reboot: (%d, %v), want ErrConnectionLost", code, err)
	}
	var missing *ssh.ExitMissingError
	if errors.As(err, &missing) || code != -1 {
		t.Errorf("connection loss reported as (%d, %v)", code, err)
	}
	if _, err := c.Run(context.Background(), "true", RunOptions{}); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("a command on the lost connection: %v, want ErrConnectionLost", err)
	}
	again, failures := d.wait(t)
	if len(failures) == 0 {
		t.Error("reconnected at once: the reboot delay was not exercised")
	}
	if got := mustRun(t, again, "hostname", ""); got != "my\n" {
		t.Errorf("hostname after the reboot: %q", got)
	}
}

// TestKeepalivesNoticeASilentNetwork: a connection whose network stops
// carrying packets, without a close or a reset (a power cut, a dropped
// route), must not leave a command waiting forever.
func TestKeepalivesNoticeASilentNetwork(t *testing.T) {
	t.Parallel()
	d := newSimDroplet(t)
	d.wait(t)
	cut := &cuttableDialer{next: d.net}
	fast := defaultTimings
	fast.keepAliveInterval, fast.keepAliveTimeout = 20*time.Millisecond, 100*time.Millisecond
	c, err := dial(context.Background(), cut, simDropletIP, "root", d.key, d.hostKey, fast)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	started := newLineWatch("started")
	result := make(chan error, 1)
	go func() {
		_, err := c.Run(context.Background(), "echo started; sleep 600", RunOptions{Stdout: started})
		result <- err
	}()
	<-started.seen
	cut.cut()
	select {
	case err := <-result:
		if !errors.Is(err, ErrConnectionLost) {
			t.Errorf("Run across a silent network: %v, want ErrConnectionLost", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still waits 5 s after the network went silent")
	}
}

// cuttableDialer's connections can be cut silently: writes vanish and
// reads wait for nothing, as when a network stops carrying packets.
type cuttableDialer struct {
	next  netx.Dialer
	mu    sync.Mutex
	conns []*cuttableConn
}

func (d *cuttableDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	nc, err := d.next.DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	c := &cuttableConn{Conn: nc, silent: make(chan struct{})}
	d.mu.Lock()
	d.conns = append(d.conns, c)
	d.mu.Unlock()
	return c, nil
}

func (d *cuttableDialer) cut() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.conns {
		c.once.Do(func() { close(c.silent) })
	}
}

type cuttableConn struct {
	net.Conn
	silent chan struct{}
	once   sync.Once
}

func (c *cuttableConn) isCut() bool {
	select {
	case <-c.silent:
		return true
	default:
		return false
	}
}

// Read drops whatever arrives after the cut and waits on: only a local
// Close ends it.
func (c *cuttableConn) Read(b []byte) (int, error) {
	for {
		n, err := c.Conn.Read(b)
		if err != nil || !c.isCut() {
			return n, err
		}
	}
}

func (c *cuttableConn) Write(b []byte) (int, error) {
	if c.isCut() {
		return len(b), nil
	}
	return c.Conn.Write(b)
}

func TestDropletRefusesAnUnknownKeyWithoutRetrying(t *testing.T) {
	t.Parallel()
	d := newSimDroplet(t)
	d.wait(t)
	stranger, _, _, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	reports := 0
	_, err = WaitForSSH(context.Background(), func(ctx context.Context) (*Client, error) {
		return Dial(ctx, d.net, simDropletIP, "root", stranger, d.hostKey)
	}, func(time.Duration, error) { reports++ })
	if !errors.Is(err, ErrAuthRefused) || reports != 0 {
		t.Errorf("WaitForSSH with a key the droplet does not know: %v after %d retries, want ErrAuthRefused at once", err, reports)
	}
	if !strings.Contains(err.Error(), Fingerprint(stranger.PublicKey())) {
		t.Errorf("the error does not name the refused key: %v", err)
	}
}

func TestCloseIsNotAConnectionLoss(t *testing.T) {
	t.Parallel()
	d := newSimDroplet(t)
	c, _ := d.wait(t)
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err := c.Run(context.Background(), "true", RunOptions{})
	if !errors.Is(err, net.ErrClosed) || errors.Is(err, ErrConnectionLost) {
		t.Errorf("Run after Close: %v, want net.ErrClosed", err)
	}
}

func TestDialRefusesMissingArguments(t *testing.T) {
	t.Parallel()
	d := newSimDroplet(t)
	cases := []struct {
		name    string
		dialer  netx.Dialer
		user    string
		key     ssh.Signer
		hostKey ssh.PublicKey
	}{
		{"no dialer", nil, "root", d.key, d.hostKey},
		{"no user", d.net, "", d.key, d.hostKey},
		{"no key", d.net, "root", nil, d.hostKey},
		{"no pinned host key", d.net, "root", d.key, nil},
	}
	for _, tc := range cases {
		if c, err := Dial(context.Background(), tc.dialer, simDropletIP, tc.user, tc.key, tc.hostKey); err == nil {
			c.Close()
			t.Errorf("%s: Dial succeeded", tc.name)
		}
	}
}

func TestDialHonoursTheContext(t *testing.T) {
	t.Parallel()
	// A server that accepts and never speaks.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	d := newSimDroplet(t)
	n := simnet.NewNet()
	n.Route("tcp", simDropletIP+":22", ln.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Dial(ctx, n, simDropletIP, "root", d.key, d.hostKey)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("Dial to a silent server: %v after %v, want the context's deadline", err, time.Since(start))
	}
	if !retryable(err) {
		t.Errorf("a silent server is not retried while booting: %v", err)
	}
}
