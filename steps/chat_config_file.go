package steps

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sshx"
	"github.com/chapterctl/chapterctl/templates"
)

// appDataPath is the host path of a file in an app's /app/data: on the
// host that is /home/yellowtent/appsdata/<app id>/data (chat-on-cloudron.md
// §1; the data/ level is unverified for v8/v9, docs/decisions.md). The
// host path needs neither docker nor the container running, which matters
// when a bad file keeps the app from starting.
func appDataPath(app chatApp, appID, rel string) (string, error) {
	if appID == "" || strings.Trim(strings.ToLower(appID), "0123456789abcdef-") != "" {
		return "", fmt.Errorf("chat: the recorded %s app id %q is not a Cloudron app id", app.title, appID)
	}
	return "/home/yellowtent/appsdata/" + appID + "/data/" + rel, nil
}

// remoteFile reaches one app's configuration file over the pinned SSH
// connection: read, back up, replace atomically keeping owner and mode,
// restore. name says which file in errors ("Synapse's homeserver.yaml").
type remoteFile struct {
	ssh  sshx.Runner
	path string
	name string
}

func (f remoteFile) render(name string, data templates.ConfigFile) ([]byte, error) {
	data.Path = f.path
	return templates.Render(name, data)
}

func (f remoteFile) read(ctx context.Context) ([]byte, error) {
	script, err := f.render("config-file-read.sh.tmpl", templates.ConfigFile{})
	if err != nil {
		return nil, err
	}
	out, _, err := runRemoteScript(ctx, f.ssh, script)
	if err != nil {
		return nil, fmt.Errorf("chat: read %s: %w", f.name, err)
	}
	return []byte(out), nil
}

// backup keeps the file to go back to if the app does not start; refresh
// replaces an older backup (the app was seen running with the file).
func (f remoteFile) backup(ctx context.Context, refresh bool) error {
	script, err := f.render("config-file-backup.sh.tmpl", templates.ConfigFile{RefreshBackup: refresh})
	if err != nil {
		return err
	}
	return f.run(ctx, "back up", script, nil)
}

// write replaces the file (its contents may hold secrets: they go on
// stdin, never in the command or an error).
func (f remoteFile) write(ctx context.Context, content []byte) error {
	script, err := f.render("config-file-write.sh.tmpl", templates.ConfigFile{Size: len(content)})
	if err != nil {
		return err
	}
	return f.run(ctx, "write", script, content)
}

func (f remoteFile) restore(ctx context.Context) error {
	script, err := f.render("config-file-restore.sh.tmpl", templates.ConfigFile{})
	if err != nil {
		return err
	}
	return f.run(ctx, "restore", script, nil)
}

func (f remoteFile) run(ctx context.Context, what string, script, stdin []byte) error {
	var stderr bytes.Buffer
	code, err := f.ssh.Run(ctx, string(script), sshx.RunOptions{Stdin: bytes.NewReader(stdin), Stderr: &stderr})
	if err != nil {
		return fmt.Errorf("chat: %s %s: %w", what, f.name, err)
	}
	if code != 0 {
		return fmt.Errorf("chat: %s %s: exit status %d: %s", what, f.name, code, platformFirstLine(strings.TrimSpace(stderr.String())))
	}
	return nil
}
