package checks

import (
	"bytes"
	"context"
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

// readHost logs in once per run with the pinned host key and runs the
// host script.
func readHost(ctx context.Context, env *Env) (hostFacts, error) {
	return shared(ctx, env, "ssh:host", sshLimit, func(ctx context.Context) (hostFacts, error) {
		ip, pinned := env.IPv4(), env.Output("droplet", "host_key")
		if ip == "" || pinned == "" {
			return hostFacts{}, errNoDroplet
		}
		hostKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pinned))
		if err != nil {
			return hostFacts{}, fmt.Errorf("the droplet's pinned host key in the state is unreadable: %w", err)
		}
		signer, err := sshx.LoadKey(env.Dir.KeyFile())
		if err != nil {
			return hostFacts{}, err
		}
		script, err := templates.Render("doctor-host.sh.tmpl", nil)
		if err != nil {
			return hostFacts{}, err
		}
		client, err := sshx.Dial(ctx, env.Dialer, net.JoinHostPort(ip, "22"), "root", signer, hostKey)
		if err != nil {
			return hostFacts{}, err
		}
		defer client.Close()
		var out, errOut bytes.Buffer
		code, err := client.Run(ctx, "bash -s", sshx.RunOptions{Stdin: bytes.NewReader(script), Stdout: &out, Stderr: &errOut})
		if err != nil {
			return hostFacts{}, err
		}
		if code != 0 {
			return hostFacts{}, fmt.Errorf("the host script ended with status %d: %s", code, strings.TrimSpace(errOut.String()))
		}
		return hostFacts{sections: parseSections(out.String()), at: env.now()}, nil
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
