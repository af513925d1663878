package steps

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sshx"
	"github.com/chapterctl/chapterctl/templates"
)

// Synapse reads /app/data/configs/homeserver.yaml; on the host the app's
// /app/data is /home/yellowtent/appsdata/<app id>/data (chat-on-cloudron.md
// §1; the data/ level is unverified for v8/v9, docs/decisions.md). The
// host path needs neither docker nor the container running, which matters
// when a bad file keeps Synapse from starting.
func synapseConfigPath(appID string) (string, error) {
	if appID == "" || strings.Trim(strings.ToLower(appID), "0123456789abcdef-") != "" {
		return "", fmt.Errorf("chat: the recorded Synapse app id %q is not a Cloudron app id", appID)
	}
	return "/home/yellowtent/appsdata/" + appID + "/data/configs/homeserver.yaml", nil
}

// synapseFile reaches one Synapse app's homeserver.yaml over the pinned
// SSH connection.
type synapseFile struct {
	ssh  sshx.Runner
	path string
}

func (f synapseFile) render(name string, data templates.SynapseConfig) ([]byte, error) {
	data.Path = f.path
	return templates.Render(name, data)
}

func (f synapseFile) read(ctx context.Context) ([]byte, error) {
	script, err := f.render("synapse-config-read.sh.tmpl", templates.SynapseConfig{})
	if err != nil {
		return nil, err
	}
	out, _, err := runRemoteScript(ctx, f.ssh, script)
	if err != nil {
		return nil, fmt.Errorf("chat: read Synapse's homeserver.yaml: %w", err)
	}
	return []byte(out), nil
}

// backup keeps the file to go back to if Synapse does not start; refresh
// replaces an older backup (Synapse was seen running with the file).
func (f synapseFile) backup(ctx context.Context, refresh bool) error {
	script, err := f.render("synapse-config-backup.sh.tmpl", templates.SynapseConfig{RefreshBackup: refresh})
	if err != nil {
		return err
	}
	return f.run(ctx, "back up", script, nil)
}

// write replaces the file (its contents may hold secrets: they go on
// stdin, never in the command or an error).
func (f synapseFile) write(ctx context.Context, content []byte) error {
	script, err := f.render("synapse-config-write.sh.tmpl", templates.SynapseConfig{Size: len(content)})
	if err != nil {
		return err
	}
	return f.run(ctx, "write", script, content)
}

func (f synapseFile) restore(ctx context.Context) error {
	script, err := f.render("synapse-config-restore.sh.tmpl", templates.SynapseConfig{})
	if err != nil {
		return err
	}
	return f.run(ctx, "restore", script, nil)
}

func (f synapseFile) run(ctx context.Context, what string, script, stdin []byte) error {
	var stderr bytes.Buffer
	code, err := f.ssh.Run(ctx, string(script), sshx.RunOptions{Stdin: bytes.NewReader(stdin), Stderr: &stderr})
	if err != nil {
		return fmt.Errorf("chat: %s Synapse's homeserver.yaml: %w", what, err)
	}
	if code != 0 {
		return fmt.Errorf("chat: %s Synapse's homeserver.yaml: exit status %d: %s", what, code, platformFirstLine(strings.TrimSpace(stderr.String())))
	}
	return nil
}
