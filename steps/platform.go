package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sshx"
	"github.com/chapterctl/chapterctl/templates"
)

// CloudronVersion is the Cloudron release chapterctl installs. It is
// pinned, not "latest": the cloudron adapter picks API routes by version
// (8.x and 9.x differ) and this is the release chapterctl was tested
// against. Later a chapter.yaml setting; upgrades go through Cloudron's
// own updater.
const CloudronVersion = "9.0.15"

// Paths on the droplet.
const (
	cloudronSetupLog   = "/var/log/cloudron-setup.log"
	cloudronInProgress = "/etc/update-motd.d/91-cloudron-install-in-progress"
	installerOutput    = "/root/chapterctl-setup.log"
	boxStatusCommand   = "curl -fsS http://127.0.0.1:3000/api/v1/cloudron/status"
)

// Bounds of the platform step's waits, in real time. The installer takes
// about ten minutes on a droplet; a reboot one or two.
const (
	platformPlanWait = 30 * time.Second
	installWait      = 45 * time.Minute
	bootWait         = 10 * time.Minute
	boxWait          = 10 * time.Minute
)

// statusPoll is how often the install's log and state are read. The
// sandbox scales its clock, not ours, so it is short; on a real server a
// read every two seconds is one small SSH round trip.
var statusPoll = 2 * time.Second

// Platform installs Cloudron on the droplet over SSH.
type Platform struct{}

// NewPlatform returns the platform step.
func NewPlatform() Step { return &Platform{} }

func (*Platform) ID() string    { return "platform" }
func (*Platform) Title() string { return "Cloudron installed on the droplet" }

// Plan asks the box for its version. It changes nothing: reading a status
// over SSH is all it does.
func (p *Platform) Plan(ctx context.Context, env *Env) (Change, error) {
	install := Change{Items: []Item{{Action: Create, Resource: "Cloudron on my." + env.Config.Domain,
		Detail: "install Cloudron " + CloudronVersion}}}
	if !env.Done("droplet") {
		install.Items[0].Detail += ", once the droplet is ready"
		return install, nil
	}
	target, err := platformTargetOf(env)
	if errors.Is(err, errDropletUnknown) {
		return install, nil
	} else if err != nil {
		return Change{}, err
	}
	planCtx, cancel := context.WithTimeout(ctx, platformPlanWait)
	defer cancel()
	conn, err := target.connect(planCtx, env, "SSH on "+target.addr)
	if err != nil {
		var mismatch *sshx.HostKeyMismatchError
		if errors.As(err, &mismatch) || ctx.Err() != nil {
			return Change{}, err
		}
		install.Items[0].Detail += " (the droplet does not answer over SSH yet)"
		return install, nil
	}
	defer conn.Close()
	version, err := boxVersion(ctx, conn)
	if err != nil {
		return Change{}, err
	}
	switch {
	case version == "":
		return install, nil
	case env.Output(p.ID(), "installed") != "" && env.Output(p.ID(), "version") == "":
		// The install finished but the run stopped before its reboot.
		return Change{Items: []Item{{Action: Update, Resource: install.Items[0].Resource,
			Detail: "reboot after the install of Cloudron " + version}}}, nil
	case env.Output(p.ID(), "version") != version:
		return Change{Items: []Item{{Action: Adopt, Resource: install.Items[0].Resource, Detail: "Cloudron " + version}}}, nil
	}
	return Change{}, nil
}

func (p *Platform) Apply(ctx context.Context, env *Env, _ Change) error {
	target, err := platformTargetOf(env)
	if err != nil {
		return fmt.Errorf("platform: %w", err)
	}
	conn, err := target.connect(ctx, env, "SSH on "+target.addr)
	if err != nil {
		return err
	}
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	version, err := boxVersion(ctx, conn)
	if err != nil {
		return err
	}
	if version != "" && (env.Output(p.ID(), "installed") == "" || env.Output(p.ID(), "version") != "") {
		// Installed by an earlier run that stopped before recording it,
		// or updated since (upgrade): the reboot is long done.
		return env.Record("version", version)
	}
	if version == "" {
		if err := p.preflightAndStart(ctx, env, conn); err != nil {
			return err
		}
		if conn, err = p.follow(ctx, env, target, conn); err != nil {
			return err
		}
		if err := env.Record("installed", CloudronVersion); err != nil {
			return err
		}
	}
	conn, err = p.reboot(ctx, env, target, conn)
	if err != nil {
		return err
	}
	version, err = p.waitForBox(ctx, env, target, conn)
	if err != nil {
		return err
	}
	return env.Record("version", version)
}

func remoteInstall(from int) templates.RemoteInstall {
	return templates.RemoteInstall{Version: CloudronVersion, SetupLog: cloudronSetupLog,
		InProgress: cloudronInProgress, Output: installerOutput, From: from}
}

// preflightAndStart checks the server in one round trip and starts the
// installer, unless an earlier run already started it.
func (p *Platform) preflightAndStart(ctx context.Context, env *Env, conn sshx.Runner) error {
	script, err := templates.Render("preflight.sh.tmpl", remoteInstall(1))
	if err != nil {
		return err
	}
	out, _, err := runRemoteScript(ctx, conn, script)
	if err != nil {
		return fmt.Errorf("platform: preflight: %w", err)
	}
	facts, err := parseHostFacts(out)
	if err != nil {
		return err
	}
	env.Log.Debug("preflight", "facts", fmt.Sprintf("%+v", facts))
	if refusal := facts.refusal(); refusal != "" {
		return errors.New(refusal)
	}
	if facts.started() {
		env.Progress.Line("an install of Cloudron was already started on the droplet; following it")
		return nil
	}
	script, err = templates.Render("cloudron-install.sh.tmpl", remoteInstall(1))
	if err != nil {
		return err
	}
	// The script is the command itself, not bash's stdin: its background
	// job must belong to the session's own shell (the sandbox's droplet
	// ends a nested shell's jobs with it). It holds no secret.
	var stderr strings.Builder
	code, err := conn.Run(ctx, string(script), sshx.RunOptions{Stderr: &stderr})
	if err == nil && code != 0 {
		err = fmt.Errorf("exit status %d: %s", code, platformFirstLine(stderr.String()))
	}
	if err != nil {
		return fmt.Errorf("platform: start the Cloudron installer: %w", err)
	}
	return nil
}

// boxVersion asks Cloudron's box for its version over SSH: "" while
// there is no box answering.
func boxVersion(ctx context.Context, conn sshx.Runner) (string, error) {
	var out strings.Builder
	code, err := conn.Run(ctx, boxStatusCommand, sshx.RunOptions{Stdout: &out})
	if err != nil {
		return "", fmt.Errorf("platform: ask Cloudron's status: %w", err)
	}
	if code != 0 {
		return "", nil
	}
	return parseBoxVersion(out.String()), nil
}

// parseBoxVersion reads {"version":"9.0.15", …}; "" when the body is not
// that.
func parseBoxVersion(body string) string {
	var status struct {
		Version string `json:"version"`
	}
	if json.Unmarshal([]byte(body), &status) != nil {
		return ""
	}
	return status.Version
}
