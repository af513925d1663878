package droplet

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"golang.org/x/crypto/ssh"
)

func TestSSHAnswersOnlyOnceTheDropletHasBooted(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		options []dropletOption
		answers bool
	}{
		{"droplet still new", []dropletOption{withScale(1), activeFor(-time.Hour)}, false},
		{"active, still booting", []dropletOption{withScale(1), activeFor(0)}, false},
		{"booted", []dropletOption{withScale(1), activeFor(21 * time.Second)}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			td := newTestDroplet(t, c.options...)
			client, err := td.dial()
			if client != nil {
				client.Close()
			}
			if (err == nil) != c.answers {
				t.Fatalf("dial: %v, want answering %v", err, c.answers)
			}
			exists := false
			td.w.Read(func(d *world.Data) { exists = d.MachineOf(testDropletID) != nil })
			if exists != c.answers {
				t.Errorf("machine exists = %v, want %v (it is made at the first boot)", exists, c.answers)
			}
		})
	}
}

func TestSSHComesUpAfterTheBootDelay(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t, withScale(0.01), activeFor(0)) // 20 simulated seconds: 200 ms
	if c, err := td.dial(); err == nil {
		c.Close()
		t.Fatal("answered before the boot ended")
	}
	eventually(t, "ssh to answer", func() bool {
		c, err := td.dial()
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

func TestHostKeyIsTheOneFromCloudInit(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t)
	c := td.client(t) // pinned: ssh.FixedHostKey fails on any other key
	pub := sh(t, c, "cat /etc/ssh/ssh_host_ed25519_key.pub")
	if !strings.HasPrefix(pub, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(td.hostKey)))) {
		t.Errorf("ssh_host_ed25519_key.pub = %q, want the user data's key", pub)
	}
	if _, err := td.dialWith(td.key, ssh.FixedHostKey(newSigner(t).PublicKey())); err == nil ||
		!strings.Contains(err.Error(), "host key mismatch") {
		t.Errorf("dial pinning another key: %v, want a host key mismatch", err)
	}
}

func TestWithoutUserDataTheImageMakesItsOwnHostKey(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t, func(_ *world.Data, dr *world.Droplet) { dr.UserData = "" })
	var shown ssh.PublicKey
	c, err := td.dialWith(td.key, func(_ string, _ net.Addr, key ssh.PublicKey) error { shown = key; return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	pub := sh(t, c, "cat /etc/ssh/ssh_host_ed25519_key.pub")
	if shown == nil || !strings.HasPrefix(pub, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(shown)))) {
		t.Errorf("presented %v, file has %q", shown, pub)
	}
	if shown != nil && string(shown.Marshal()) == string(td.hostKey.Marshal()) {
		t.Error("the generated key is the one the test made for the user data")
	}
}

func TestOnlyRootWithAnAuthorizedKeyGetsIn(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t)
	if _, err := td.dialWith(newSigner(t), ssh.FixedHostKey(td.hostKey)); err == nil ||
		!strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("unregistered key: %v, want refused", err)
	}
	_, err := ssh.Dial("tcp", td.addr, &ssh.ClientConfig{User: "ubuntu", Auth: []ssh.AuthMethod{ssh.PublicKeys(td.key)},
		HostKeyCallback: ssh.FixedHostKey(td.hostKey), Timeout: 5 * time.Second})
	if err == nil {
		t.Error("user ubuntu was let in")
	}
	c := td.client(t)
	other := newSigner(t)
	sh(t, c, "echo '"+strings.TrimSpace(authorizedLine(other.PublicKey(), "second"))+"' >> /root/.ssh/authorized_keys")
	second, err := td.dialWith(other, ssh.FixedHostKey(td.hostKey))
	if err != nil {
		t.Fatalf("a key added to authorized_keys: %v", err)
	}
	second.Close()
}

func TestExecStreamsOutputErrorsAndExitStatus(t *testing.T) {
	t.Parallel()
	c := newTestDroplet(t).client(t)
	r := run(t, c, "echo out; echo err >&2; exit 3", "")
	if r.stdout != "out\n" || r.stderr != "err\n" || r.status != 3 {
		t.Errorf("got %+v", r)
	}
}

func TestStdinIsPipedIntoTheCommand(t *testing.T) {
	t.Parallel()
	c := newTestDroplet(t).client(t)
	content := "line one\nline two\n"
	if r := run(t, c, "cat > /root/file", content); r.status != 0 {
		t.Fatalf("cat > /root/file: %+v", r)
	}
	if got := sh(t, c, "cat /root/file"); got != content {
		t.Errorf("read back %q, want %q", got, content)
	}
}

func TestUnknownCommandsAreRefusedWith127(t *testing.T) {
	t.Parallel()
	c := newTestDroplet(t).client(t)
	r := run(t, c, "apt-get install nginx", "")
	if r.status != 127 || r.stderr != "bash: line 1: apt-get: command not found\n" {
		t.Errorf("got %+v", r)
	}
}

func TestShellTerminalsAndForwardingAreRefused(t *testing.T) {
	t.Parallel()
	c := newTestDroplet(t).client(t)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm", 24, 80, ssh.TerminalModes{}); err == nil {
		t.Error("a terminal was granted")
	}
	var stderr strings.Builder
	s.Stderr = &stderr
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(); err == nil || !strings.Contains(stderr.String(), "runs commands, not interactive shells") {
		t.Errorf("shell: %v, stderr %q", err, stderr.String())
	}
	if conn, err := c.Dial("tcp", "127.0.0.1:3000"); err == nil {
		conn.Close()
		t.Error("port forwarding was allowed")
	}
}

func TestJournalHasALinePerCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	journal, err := world.OpenJournal(filepath.Join(dir, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer journal.Close()
	c := newTestDropletIn(t, world.Options{Journal: journal}).client(t)
	sh(t, c, "cat /etc/hostname")
	run(t, c, "echo x > /root/x; exit 4", "")
	all, err := world.ReadJournal(filepath.Join(dir, "journal.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []world.Entry
	for _, e := range all {
		entries = append(entries, e)
	}
	want := []world.Entry{
		{Service: "ssh", Method: "exec", Path: "cat /etc/hostname", Status: 0, Mutating: false},
		{Service: "ssh", Method: "exec", Path: "echo x > /root/x; exit 4", Status: 4, Mutating: true, Point: "droplet.file.write"},
	}
	if len(entries) != len(want) {
		t.Fatalf("journal = %+v", entries)
	}
	for i, w := range want {
		e := entries[i]
		if e.Service != w.Service || e.Method != w.Method || e.Path != w.Path || e.Status != w.Status ||
			e.Mutating != w.Mutating || e.Point != w.Point {
			t.Errorf("line %d = %+v, want %+v", i, e, w)
		}
	}
}
