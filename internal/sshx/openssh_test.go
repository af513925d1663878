//go:build linux

package sshx

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// These tests run the adapter against a real OpenSSH sshd.

func TestOpenSSHHostKeyIsPinned(t *testing.T) {
	t.Parallel()
	s := startOpenSSHD(t)
	other, _, _, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaPublic, err := ssh.NewPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		pinned  ssh.PublicKey
		wantGot string // the mismatch's Got; "-" when the dial succeeds
	}{
		{"the server's own key", s.hostKey, "-"},
		{"another ed25519 key", other.PublicKey(), Fingerprint(s.hostKey)},
		// The server has no RSA host key: only the pinned type is offered,
		// so it cannot show its ed25519 key instead.
		{"a key of a type the server lacks", rsaPublic, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := s.dial(t, tc.pinned)
			if tc.wantGot == "-" {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				defer c.Close()
				if got := mustRun(t, c, "echo pinned", ""); got != "pinned\n" {
					t.Errorf("output %q", got)
				}
				return
			}
			if c != nil {
				c.Close()
				t.Fatal("connected although the pinned key is not the server's")
			}
			var mismatch *HostKeyMismatchError
			if !errors.As(err, &mismatch) {
				t.Fatalf("dial: %v, want a *HostKeyMismatchError", err)
			}
			want := HostKeyMismatchError{Addr: s.addr, KeyType: tc.pinned.Type(), Want: Fingerprint(tc.pinned), Got: tc.wantGot}
			if *mismatch != want {
				t.Errorf("mismatch = %+v, want %+v", *mismatch, want)
			}
			for _, part := range []string{"host key mismatch", "man-in-the-middle", "do not continue", "ssh-keygen -lf"} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("message %q does not say %q", err, part)
				}
			}
		})
	}
}

func TestOpenSSHOutputIsStreamedAsItArrives(t *testing.T) {
	t.Parallel()
	c := startOpenSSHD(t).client(t)
	first := newLineWatch("first")
	done := make(chan struct{})
	var code int
	var err error
	go func() {
		defer close(done)
		code, err = c.Run(context.Background(), "echo first; sleep 0.2; echo second", RunOptions{Stdout: first})
	}()
	select {
	case <-first.seen:
	case <-done:
		t.Fatalf("the command ended (%d, %v) before its first line was seen: %q", code, err, first.String())
	}
	select {
	case <-done:
		t.Error("the first line was only seen once the command had ended")
	default:
	}
	if strings.Contains(first.String(), "second") {
		t.Errorf("both lines arrived together: %q", first.String())
	}
	<-done
	if code != 0 || err != nil || first.String() != "first\nsecond\n" {
		t.Errorf("Run = (%d, %v), output %q", code, err, first.String())
	}
}

func TestOpenSSHExitStatusStdinAndStderr(t *testing.T) {
	t.Parallel()
	c := startOpenSSHD(t).client(t)
	big := strings.Repeat("unread input\n", 100000)
	cases := []struct {
		name, cmd, stdin     string
		code                 int
		stdout, stderrPrefix string
	}{
		{"success", "echo ok", "", 0, "ok\n", ""},
		{"non-zero exit", "echo out; echo err >&2; exit 3", "", 3, "out\n", "err"},
		{"command not found", "no-such-command-chapterctl", "", 127, "", ""},
		{"stdin", "tr a-z A-Z", "hello\nworld\n", 0, "HELLO\nWORLD\n", ""},
		{"stdin left unread", "true", big, 0, "", ""},
		{"killed by a signal", "kill -TERM $$", "", 143, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code, err := c.Run(context.Background(), tc.cmd, RunOptions{Stdin: strings.NewReader(tc.stdin), Stdout: &stdout, Stderr: &stderr})
			if err != nil || code != tc.code {
				t.Fatalf("Run(%q) = (%d, %v), want (%d, nil); stderr %q", tc.cmd, code, err, tc.code, stderr.String())
			}
			if stdout.String() != tc.stdout || !strings.HasPrefix(stderr.String(), tc.stderrPrefix) {
				t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
			}
		})
	}
}

func TestOpenSSHUploadIsReadBack(t *testing.T) {
	t.Parallel()
	s := startOpenSSHD(t)
	c := s.client(t)
	binary := make([]byte, 300000)
	for i := range binary {
		binary[i] = byte(i * 7)
	}
	dir := t.TempDir() // the server is this machine: its files are ours to check
	cases := []struct {
		name string
		path string
		data []byte
		mode os.FileMode
	}{
		{"secret", filepath.Join(dir, "chapter.env"), []byte("TOKEN=abc\n"), 0o600},
		{"binary, executable", filepath.Join(dir, "cloudron-setup"), binary, 0o755},
		{"awkward name", filepath.Join(dir, "it's a $file"), []byte("x"), 0o644},
		{"empty", filepath.Join(dir, "empty"), nil, 0o640},
		{"replaces a file", filepath.Join(dir, "chapter.env"), []byte("TOKEN=new\n"), 0o640},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := c.Upload(context.Background(), tc.path, tc.data, tc.mode); err != nil {
				t.Fatalf("upload: %v", err)
			}
			back := mustRun(t, c, "cat "+shellQuote(tc.path), "")
			if back != string(tc.data) {
				t.Errorf("read back %d bytes, want %d", len(back), len(tc.data))
			}
			info, err := os.Stat(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != tc.mode {
				t.Errorf("mode %v, want %v", info.Mode().Perm(), tc.mode)
			}
		})
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*tmp*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	for _, bad := range []string{"relative/path", filepath.Join(dir, "missing", "file")} {
		if err := c.Upload(context.Background(), bad, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("upload to %s: %v, want an error naming it", bad, err)
		}
	}
}

func TestOpenSSHDroppedConnectionIsConnectionLost(t *testing.T) {
	t.Parallel()
	s := startOpenSSHD(t)
	c := s.client(t)
	started := newLineWatch("started")
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := c.Run(context.Background(), "echo started; sleep 30", RunOptions{Stdout: started})
		done <- result{code, err}
	}()
	<-started.seen
	s.dropConnections(t)
	r := <-done
	if !errors.Is(r.err, ErrConnectionLost) || r.code != -1 {
		t.Fatalf("Run when sshd's connection process died: (%d, %v), want (-1, ErrConnectionLost)", r.code, r.err)
	}
	var missing *ssh.ExitMissingError
	if errors.As(r.err, &missing) {
		t.Errorf("connection loss reported as a missing exit status: %v", r.err)
	}
	if _, err := c.Run(context.Background(), "true", RunOptions{}); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("the next command: %v, want ErrConnectionLost", err)
	}
	if err := c.Upload(context.Background(), filepath.Join(t.TempDir(), "x"), nil, 0o644); !errors.Is(err, ErrConnectionLost) {
		t.Errorf("an upload: %v, want ErrConnectionLost", err)
	}
}

func TestOpenSSHCancelStopsTheCommand(t *testing.T) {
	t.Parallel()
	c := startOpenSSHD(t).client(t)
	ctx, cancel := context.WithCancel(context.Background())
	started := newLineWatch("started")
	done := make(chan error, 1)
	go func() {
		_, err := c.Run(ctx, "echo started; sleep 30; echo late", RunOptions{Stdout: started})
		done <- err
	}()
	<-started.seen
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run after cancel: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still runs 5 s after its context was cancelled")
	}
	if got := mustRun(t, c, "echo still here", ""); got != "still here\n" {
		t.Errorf("the connection after a cancelled command: %q", got)
	}
	if strings.Contains(started.String(), "late") {
		t.Errorf("output after Run returned: %q", started.String())
	}
}

// TestOpenSSHClientTrustsTheKnownHostsFile: a person's ssh, given the
// file WriteKnownHosts wrote, checks the server the way chapterctl does.
func TestOpenSSHClientTrustsTheKnownHostsFile(t *testing.T) {
	t.Parallel()
	sshPath, err := exec.LookPath("ssh")
	if err != nil {
		t.Skip("OpenSSH's client is not installed")
	}
	s := startOpenSSHD(t)
	other, _, _, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		pinned ssh.PublicKey
		ok     bool
	}{
		{"the server's key", s.hostKey, true},
		{"another key", other.PublicKey(), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			knownHosts := filepath.Join(t.TempDir(), "known_hosts")
			if err := WriteKnownHosts(knownHosts, []string{s.addr}, tc.pinned); err != nil {
				t.Fatal(err)
			}
			_, port, _ := strings.Cut(s.addr, ":")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, sshPath, "-F", "/dev/null", "-i", s.keyPath, "-p", port,
				"-o", "UserKnownHostsFile="+knownHosts, "-o", "GlobalKnownHostsFile=/dev/null",
				"-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
				s.user+"@127.0.0.1", "echo trusted")
			out, err := cmd.CombinedOutput()
			if ok := err == nil && strings.Contains(string(out), "trusted"); ok != tc.ok {
				t.Errorf("ssh with the pinned key %s: %v, %s", tc.name, err, out)
			}
			if !tc.ok && !strings.Contains(string(out), "HOST IDENTIFICATION HAS CHANGED") {
				t.Errorf("ssh did not report a changed host key: %s", out)
			}
		})
	}
}
