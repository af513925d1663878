//go:build linux

package sshx

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/chapterctl/chapterctl/internal/netx"
)

const sshdPath = "/usr/sbin/sshd"

// openSSHD is a private OpenSSH sshd on 127.0.0.1, run by the test
// (reference/go-and-test-servers.md): its own config, host key and
// authorized_keys, in a temporary folder.
type openSSHD struct {
	dir     string
	addr    string
	user    string
	key     ssh.Signer    // a key in its authorized_keys
	keyPath string        // that key's private file, for OpenSSH's client
	hostKey ssh.PublicKey // its only host key
	pidFile string
	log     string
}

// startOpenSSHD starts sshd, or skips the test where OpenSSH's server is
// not installed. It is stopped, by the pid in its PidFile, when the test
// ends.
func startOpenSSHD(t *testing.T) *openSSHD {
	t.Helper()
	if _, err := os.Stat(sshdPath); err != nil {
		t.Skipf("OpenSSH's server is not installed (%s): %v", sshdPath, err)
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Skipf("sshd needs /run/sshd: %v", err)
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &openSSHD{dir: dir, user: me.Username, pidFile: filepath.Join(dir, "sshd.pid"), log: filepath.Join(dir, "sshd.log"),
		keyPath: filepath.Join(dir, "id_ed25519")}

	hostSigner, hostPEM, _, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s.hostKey = hostSigner.PublicKey()
	key, keyPEM, authorized, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s.key = key
	writeFile(t, filepath.Join(dir, "host_ed25519_key"), hostPEM, 0o600)
	writeFile(t, s.keyPath, keyPEM, 0o600)
	writeFile(t, filepath.Join(dir, "authorized_keys"), []byte(authorized+"\n"), 0o600)

	port := freePort(t)
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	config := fmt.Sprintf(`ListenAddress 127.0.0.1
Port %d
HostKey %s
AuthorizedKeysFile %s
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile %s
LogLevel VERBOSE
`, port, filepath.Join(dir, "host_ed25519_key"), filepath.Join(dir, "authorized_keys"), s.pidFile)
	configPath := filepath.Join(dir, "sshd_config")
	writeFile(t, configPath, []byte(config), 0o600)

	// -D keeps sshd in the foreground, so the test can reap it once it is
	// stopped; it still writes its PidFile.
	cmd := exec.Command(sshdPath, "-D", "-f", configPath, "-E", s.log)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start sshd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if pid, err := s.pid(); err == nil {
			syscall.Kill(pid, syscall.SIGTERM)
		} else {
			cmd.Process.Kill()
		}
		<-exited
		if t.Failed() {
			log, _ := os.ReadFile(s.log)
			t.Logf("sshd log:\n%s", log)
		}
	})
	waitUntil(t, "sshd to listen", func() bool {
		select {
		case err := <-exited:
			log, _ := os.ReadFile(s.log)
			if os.Geteuid() != 0 {
				t.Skipf("sshd did not start without root (%v): %s", err, log)
			}
			t.Fatalf("sshd exited: %v\n%s", err, log)
		default:
		}
		if _, err := s.pid(); err != nil {
			return false
		}
		c, err := net.Dial("tcp", s.addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return s
}

// pid is the daemon's pid, from its PidFile.
func (s *openSSHD) pid() (int, error) {
	b, err := os.ReadFile(s.pidFile)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// dial connects as the test's user with its key, pinning pinned.
func (s *openSSHD) dial(t *testing.T, pinned ssh.PublicKey) (*Client, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Dial(ctx, netx.Direct(), s.addr, s.user, s.key, pinned)
}

func (s *openSSHD) client(t *testing.T) *Client {
	t.Helper()
	c, err := s.dial(t, s.hostKey)
	if err != nil {
		t.Fatalf("dial with the server's host key pinned: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dropConnections kills every process sshd started for its connections,
// as an OOM kill or a crash would: their sockets close under the client.
func (s *openSSHD) dropConnections(t *testing.T) {
	t.Helper()
	daemon, err := s.pid()
	if err != nil {
		t.Fatal(err)
	}
	children := descendants(t, daemon)
	if len(children) == 0 {
		t.Fatal("sshd has no connection process to kill")
	}
	for _, pid := range children {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// descendants lists the processes below pid, from /proc.
func descendants(t *testing.T, pid int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Skipf("no /proc to find sshd's children: %v", err)
	}
	parent := map[int]int{}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 {
			parent[child], _ = strconv.Atoi(fields[1])
		}
	}
	var found []int
	var walk func(int)
	walk = func(p int) {
		for child, pp := range parent {
			if pp == p {
				found = append(found, child)
				walk(child)
			}
		}
	}
	walk(pid)
	return found
}
