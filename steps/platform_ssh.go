package steps

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
)

// platformTarget is how the platform step reaches the droplet: the address
// and host key the droplet step recorded, and the chapter's key.
type platformTarget struct {
	addr    string // ipv4:22
	hostKey ssh.PublicKey
	signer  ssh.Signer
}

// errDropletUnknown: the droplet step has not recorded a droplet yet.
var errDropletUnknown = errors.New("the droplet is not known yet: run the droplet step first")

func platformTargetOf(env *Env) (platformTarget, error) {
	ip, pinned := env.Output("droplet", "ipv4"), env.Output("droplet", "host_key")
	if ip == "" || pinned == "" {
		return platformTarget{}, errDropletUnknown
	}
	hostKey, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pinned))
	if err != nil {
		return platformTarget{}, fmt.Errorf("platform: the droplet's recorded host key is unreadable: %w", err)
	}
	signer, err := sshx.LoadKey(env.Folder().KeyFile())
	if err != nil {
		return platformTarget{}, fmt.Errorf("platform: the chapter's SSH key: %w", err)
	}
	return platformTarget{addr: net.JoinHostPort(ip, "22"), hostKey: hostKey, signer: signer}, nil
}

// connect waits until the droplet answers over SSH as root, showing the
// wait. A host key other than the pinned one stops it at once: waiting
// never fixes that, and it may be someone in the middle.
func (t platformTarget) connect(ctx context.Context, env *Env, what string) (*sshx.Client, error) {
	dial := func(ctx context.Context) (*sshx.Client, error) {
		return sshx.Dial(ctx, env.Providers.Dialer, t.addr, "root", t.signer, t.hostKey)
	}
	c, err := sshx.WaitForSSH(ctx, dial, func(waited time.Duration, _ error) {
		env.Progress.Waiting(what, waited)
	})
	if err != nil {
		var mismatch *sshx.HostKeyMismatchError
		if errors.As(err, &mismatch) {
			return nil, fmt.Errorf("platform: %w; chapterctl will not continue: if the droplet was rebuilt on purpose, "+
				"remove the droplet step's record and rerun, otherwise someone may be intercepting the connection", err)
		}
		return nil, fmt.Errorf("platform: connect to %s: %w", t.addr, err)
	}
	return c, nil
}

// runRemoteScript runs a script on the server through bash, the script on
// stdin (never on the command line), and returns its standard output.
func runRemoteScript(ctx context.Context, r sshx.Runner, script []byte) (string, int, error) {
	var stdout, stderr bytes.Buffer
	code, err := r.Run(ctx, "bash -s", sshx.RunOptions{Stdin: bytes.NewReader(script), Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		return "", code, err
	}
	if code != 0 {
		return stdout.String(), code, fmt.Errorf("exit status %d: %s", code, platformFirstLine(stderr.String()))
	}
	return stdout.String(), 0, nil
}

func platformFirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
