package checks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/chapterctl/chapterctl/internal/sshx"
	"github.com/chapterctl/chapterctl/templates"
)

// hostFacts is what the server says about itself, by section of
// templates/doctor-host.sh.tmpl, and when it said it (by this computer's
// clock, to compare with the server's).
type hostFacts struct {
	sections map[string]string
	at       time.Time
}

var errNoDroplet = errors.New("the droplet step has recorded no server address or host key")

// readHost runs the host script once per run.
func readHost(ctx context.Context, env *Env) (hostFacts, error) {
	return shared(ctx, env, "ssh:host", sshLimit, func(ctx context.Context) (hostFacts, error) {
		script, err := templates.Render("doctor-host.sh.tmpl", nil)
		if err != nil {
			return hostFacts{}, err
		}
		out, err := runOnServer(ctx, env, "host", script)
		if err != nil {
			return hostFacts{}, err
		}
		return hostFacts{sections: parseSections(out), at: env.now()}, nil
	})
}

// runOnServer logs in as root with the chapter's key, accepting only the
// pinned host key, and runs script through bash (on stdin, never on the
// command line); one script runs once per doctor run, key names it in
// messages.
func runOnServer(ctx context.Context, env *Env, key string, script []byte) (string, error) {
	sum := sha256.Sum256(script)
	return shared(ctx, env, "ssh:run:"+hex.EncodeToString(sum[:]), sshLimit, func(ctx context.Context) (string, error) {
		ip, pinned := env.IPv4(), env.Output("droplet", "host_key")
		if ip == "" || pinned == "" {
			return "", errNoDroplet
		}
		hostKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pinned))
		if err != nil {
			return "", fmt.Errorf("the droplet's pinned host key in the state is unreadable: %w", err)
		}
		signer, err := sshx.LoadKey(env.Dir.KeyFile())
		if err != nil {
			return "", err
		}
		client, err := sshx.Dial(ctx, env.Dialer, net.JoinHostPort(ip, "22"), "root", signer, hostKey)
		if err != nil {
			return "", err
		}
		defer client.Close()
		var out, errOut bytes.Buffer
		code, err := client.Run(ctx, "bash -s", sshx.RunOptions{Stdin: bytes.NewReader(script), Stdout: &out, Stderr: &errOut})
		if err != nil {
			return "", err
		}
		if code != 0 {
			return "", fmt.Errorf("the %s script ended with status %d: %s", key, code, strings.TrimSpace(errOut.String()))
		}
		return out.String(), nil
	})
}

func parseSections(out string) map[string]string {
	sections := map[string]string{}
	name := ""
	for line := range strings.SplitSeq(out, "\n") {
		if n, ok := strings.CutPrefix(line, "== "); ok {
			name = strings.TrimSpace(n)
			continue
		}
		if name != "" && line != "" {
			sections[name] += line + "\n"
		}
	}
	return sections
}

// hostUnknown is the verdict of a host check when the server could not
// be read: host.ssh says why (a changed host key is its fail).
func hostUnknown(err error) Result {
	return unknown("could not read the server over SSH: "+err.Error(), "see host.ssh above")
}
