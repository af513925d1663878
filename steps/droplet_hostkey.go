package steps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/chapterctl/chapterctl/internal/sshx"
	"github.com/chapterctl/chapterctl/templates"
)

// sshWaitFor bounds the wait for a new or restarted sshd: a droplet's SSH
// answers 20–90 s after it is active (reference/timings.md).
const sshWaitFor = 5 * time.Minute

// Where sshd reads its ed25519 host key.
const hostKeyPath = "/etc/ssh/ssh_host_ed25519_key"

// settleHostKey makes the droplet's host key one whose private half exists
// nowhere but on the droplet. The key cloud-init installed stays readable in
// the droplet's metadata forever, so it is replaced after the first
// connection pinned to it. Each stage is recorded first, so a kill at any
// point leaves the server on one of the two recorded keys.
func settleHostKey(ctx context.Context, env *Env, ip string) error {
	step := dropletStep{}.ID()
	if env.Output(step, outHostKeyRotated) == "true" && env.Output(step, outHostKeyNext) == "" {
		return nil
	}
	client, shown, err := connectPinned(ctx, env, ip)
	if err != nil {
		return err
	}
	defer client.Close()
	if shown == env.Output(step, outHostKeyNext) {
		// A rotation a killed run began reached the server: finish it.
		return promoteHostKey(env, shown)
	}
	if env.Output(step, outHostKeyRotated) == "true" {
		return env.Record(outHostKeyNext, "") // that rotation never reached it
	}
	return rotateHostKey(ctx, env, client, ip)
}

// rotateHostKey installs a key made here and reconnects pinned to it.
func rotateHostKey(ctx context.Context, env *Env, client *sshx.Client, ip string) error {
	_, private, public, err := sshx.GenerateKey()
	if err != nil {
		return fmt.Errorf("droplet: new host key: %w", err)
	}
	if err := env.Record(outHostKeyNext, public); err != nil {
		return err
	}
	if err := client.Upload(ctx, hostKeyPath, private, 0o600); err != nil {
		return fmt.Errorf("droplet: install the new host key: %w", err)
	}
	if err := client.Upload(ctx, hostKeyPath+".pub", []byte(public+"\n"), 0o644); err != nil {
		return fmt.Errorf("droplet: install the new host key: %w", err)
	}
	script, err := templates.Render("restart-sshd.sh.tmpl", nil)
	if err != nil {
		return fmt.Errorf("droplet: %w", err)
	}
	var stderr bytes.Buffer
	code, err := client.Run(ctx, string(script), sshx.RunOptions{Stderr: &stderr})
	if err != nil {
		return fmt.Errorf("droplet: restart sshd: %w", err)
	}
	if code != 0 {
		return fmt.Errorf("droplet: restart sshd after installing the new host key: exit status %d: %s", code, strings.TrimSpace(stderr.String()))
	}
	fresh, shown, err := connectPinned(ctx, env, ip)
	if err != nil {
		return err
	}
	defer fresh.Close()
	if shown != public {
		return fmt.Errorf("droplet: after the restart the server still shows its old host key, not the new one: " +
			`run "chapterctl init" again to retry the rotation`)
	}
	return promoteHostKey(env, public)
}

// promoteHostKey makes key the pinned one, once a connection proved the
// server holds it.
func promoteHostKey(env *Env, key string) error {
	for _, out := range [][2]string{{outHostKey, key}, {outHostKeyNext, ""}, {outHostKeyRotated, "true"}} {
		if err := env.Record(out[0], out[1]); err != nil {
			return err
		}
	}
	return nil
}

// connectPinned waits for the droplet's SSH and logs in, accepting only the
// recorded host keys (the pinned one, and the one a rotation is installing).
// It returns which one the server showed. Any other key stops everything:
// waiting never fixes a mismatch.
func connectPinned(ctx context.Context, env *Env, ip string) (*sshx.Client, string, error) {
	step := dropletStep{}.ID()
	var candidates []string
	for _, key := range []string{env.Output(step, outHostKey), env.Output(step, outHostKeyNext)} {
		if key != "" {
			candidates = append(candidates, key)
		}
	}
	if len(candidates) == 0 {
		return nil, "", fmt.Errorf("droplet: no SSH host key is recorded for droplet %s, so its identity cannot be checked: "+
			"compare its key in the Droplet Console with a trusted source before going on", env.Output(step, outID))
	}
	signer, err := sshx.LoadKey(env.Folder().KeyFile())
	if err != nil {
		return nil, "", fmt.Errorf("droplet: %w", err)
	}
	var shown string
	dial := func(ctx context.Context) (*sshx.Client, error) {
		var first error
		for _, candidate := range candidates {
			pin, _, _, _, err := ssh.ParseAuthorizedKey([]byte(candidate))
			if err != nil {
				return nil, fmt.Errorf("droplet: the recorded host key is not a public key: %w", err)
			}
			client, err := sshx.Dial(ctx, env.Providers.Dialer, ip, "root", signer, pin)
			var mismatch *sshx.HostKeyMismatchError
			if err == nil || !errors.As(err, &mismatch) {
				shown = candidate
				return client, err
			}
			if first == nil {
				first = err
			}
		}
		return nil, first
	}
	ctx, cancel := context.WithTimeout(ctx, sshWaitFor)
	defer cancel()
	what := "SSH on " + env.Config.Hostname()
	client, err := sshx.WaitForSSH(ctx, dial, func(waited time.Duration, _ error) { env.Progress.Waiting(what, waited) })
	if err != nil {
		return nil, "", fmt.Errorf("droplet: connect to %s: %w", ip, err)
	}
	return client, shown, nil
}

// writeKnownHosts pins the host key for people too: ssh with
// -o UserKnownHostsFile=.chapterctl/known_hosts checks what chapterctl does.
func writeKnownHosts(env *Env, ip string) error {
	if knownHostsCurrent(env, ip) {
		return nil
	}
	pin, _, _, _, err := ssh.ParseAuthorizedKey([]byte(env.Output(dropletStep{}.ID(), outHostKey)))
	if err != nil {
		return fmt.Errorf("droplet: the recorded host key is not a public key: %w", err)
	}
	return sshx.WriteKnownHosts(env.Folder().KnownHosts(), []string{env.Config.Hostname(), ip}, pin)
}

// knownHostsCurrent tells whether known_hosts pins the recorded key for
// both the name and the address.
func knownHostsCurrent(env *Env, ip string) bool {
	want, _, _, _, err := ssh.ParseAuthorizedKey([]byte(env.Output(dropletStep{}.ID(), outHostKey)))
	if err != nil || ip == "" {
		return false
	}
	for _, host := range []string{env.Config.Hostname(), ip} {
		got, err := sshx.ReadKnownHosts(env.Folder().KnownHosts(), host)
		if err != nil || !bytes.Equal(got.Marshal(), want.Marshal()) {
			return false
		}
	}
	return true
}
