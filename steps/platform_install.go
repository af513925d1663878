package steps

import (
	"github.com/chapterctl/chapterctl/internal/waitx"

	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sshx"
	"github.com/chapterctl/chapterctl/templates"
)

// notStartedAfter is how long the installer may take to write its log
// after chapterctl started it before chapterctl gives up on it.
var notStartedAfter = 3 * time.Minute

// follow shows the installer's log as it grows until the install has
// finished, and returns the connection it ends with (nil on error). The
// installer runs detached, so a lost connection is only reopened: the
// install carries on, and the log is read on from where it was.
func (p *Platform) follow(ctx context.Context, env *Env, target platformTarget, conn *sshx.Client) (*sshx.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, installWait)
	defer cancel()
	start, shown := time.Now(), 0
	for {
		script, err := templates.Render("install-status.sh.tmpl", remoteInstall(shown+1))
		if err != nil {
			conn.Close()
			return nil, err
		}
		out, _, err := runRemoteScript(ctx, conn, script)
		if errors.Is(err, sshx.ErrConnectionLost) {
			conn.Close()
			env.Progress.Line("the SSH connection was lost; the installer runs on without it, reconnecting")
			if conn, err = target.connect(ctx, env, "SSH on "+target.addr+" (the install runs on)"); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("platform: read the install's progress: %w", err)
		}
		status, log, _ := strings.Cut(out, "--\n")
		for _, line := range installLogLines(log) {
			env.Progress.Line(line)
			shown++
		}
		kv := parseKeyValues(status)
		answers, installing, logged := kv["box"] == "answers", kv["installing"] == "yes", kv["setup_log"] == "yes"
		switch {
		case answers && !installing:
			return conn, nil
		case logged && !installing && !answers:
			conn.Close()
			return nil, fmt.Errorf("the Cloudron installer stopped without finishing (see %s on the droplet); "+
				"run chapterctl again to retry, or ask for help with that log", cloudronSetupLog)
		case !logged && time.Since(start) > notStartedAfter:
			conn.Close()
			return nil, fmt.Errorf("the Cloudron installer did not start (see %s on the droplet); run chapterctl again to retry",
				installerOutput)
		}
		env.Progress.Waiting("the Cloudron installer", time.Since(start))
		if err := waitx.Sleep(ctx, statusPoll); err != nil {
			conn.Close()
			return nil, fmt.Errorf("platform: the install did not finish within %s: %w", installWait, err)
		}
	}
}

// installLogLines splits tail's output into its lines.
func installLogLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// reboot restarts the droplet, as Cloudron's installer asks, and returns
// a connection to the rebooted server. It waits until the old connection
// is gone before dialing again, so it never mistakes the server about to
// go down for the one that came back.
func (p *Platform) reboot(ctx context.Context, env *Env, target platformTarget, conn *sshx.Client) (*sshx.Client, error) {
	env.Progress.Line("rebooting the droplet, as Cloudron's installer asks")
	code, err := conn.Run(ctx, "systemctl reboot", sshx.RunOptions{})
	if err == nil && code != 0 {
		conn.Close()
		return nil, fmt.Errorf("platform: systemctl reboot failed with exit status %d", code)
	}
	goneCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for start := time.Now(); err == nil; {
		env.Progress.Waiting("the droplet to go down for its reboot", time.Since(start))
		if err = waitx.Sleep(goneCtx, time.Second); err == nil {
			_, err = conn.Run(goneCtx, "true", sshx.RunOptions{})
		}
	}
	conn.Close()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	bootCtx, cancelBoot := context.WithTimeout(ctx, bootWait)
	defer cancelBoot()
	return target.connect(bootCtx, env, "the droplet to come back from its reboot")
}

// waitForBox waits until Cloudron's box answers its status on the server
// and returns its version. A connection lost meanwhile (the machine may go
// down once more while it settles) is made again, not a failure.
func (p *Platform) waitForBox(ctx context.Context, env *Env, target platformTarget, conn *sshx.Client) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, boxWait)
	defer cancel()
	defer func() { conn.Close() }()
	for start := time.Now(); ; {
		version, err := boxVersion(ctx, conn)
		if errors.Is(err, sshx.ErrConnectionLost) {
			conn.Close()
			if conn, err = target.connect(ctx, env, "the droplet to answer again"); err != nil {
				return "", err
			}
			continue
		}
		if err != nil || version != "" {
			return version, err
		}
		env.Progress.Waiting("Cloudron to answer after the reboot", time.Since(start))
		if err := waitx.Sleep(ctx, statusPoll); err != nil {
			return "", fmt.Errorf("platform: Cloudron did not answer within %s of the reboot: %w", boxWait, err)
		}
	}
}
