// Package templates holds the text chapterctl sends elsewhere: cloud-init
// user data, scripts run on the server, record sets. Remote work is a file
// here, reviewed as a file, never a string assembled in Go.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

var parsed = template.Must(template.New("").Option("missingkey=error").
	Funcs(template.FuncMap{"indent": indent}).ParseFS(files, "*.tmpl"))

// Render fills the template name with data. A missing field is an error,
// not an empty string sent to a server.
func Render(name string, data any) ([]byte, error) {
	var out bytes.Buffer
	if err := parsed.ExecuteTemplate(&out, name, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return out.Bytes(), nil
}

// indent prefixes every line of s with n spaces, for block scalars in YAML.
func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, line := range lines {
		lines[i] = pad + line
	}
	return strings.Join(lines, "\n")
}

// CloudInit is the data of cloud-init.yaml.tmpl.
type CloudInit struct {
	// The droplet's SSH host key, generated on the organizer's machine so
	// the first connection is checked against a key known in advance.
	HostKeyPrivate string // OpenSSH PEM
	HostKeyPublic  string // authorized_keys form
}

// UserData renders the droplet's cloud-init user data.
func UserData(c CloudInit) ([]byte, error) {
	if c.HostKeyPrivate == "" || c.HostKeyPublic == "" {
		return nil, fmt.Errorf("render cloud-init: the host key is missing")
	}
	return Render("cloud-init.yaml.tmpl", c)
}

// RemoteInstall is the data of the scripts that install Cloudron:
// preflight.sh.tmpl, cloudron-install.sh.tmpl and install-status.sh.tmpl.
type RemoteInstall struct {
	Version    string // the Cloudron release to install
	SetupLog   string // Cloudron's own setup log
	InProgress string // the file the installer keeps while it runs
	Output     string // where the installer's standard output goes
	From       int    // install-status: the first log line to show (1-based)
}

// ConfigFile is the data of the config-file-*.sh.tmpl scripts, which
// edit an app's configuration file (Synapse's homeserver.yaml, Element's
// config.json) on the server.
type ConfigFile struct {
	Path string // the file's host path (no single quote in it)
	// Size is the new file's length, checked before it replaces the old.
	Size int
	// RefreshBackup replaces an existing backup: the app was seen running
	// with the current file.
	RefreshBackup bool
}

// Port25Check is the data of port25-check.sh.tmpl.
type Port25Check struct {
	Hosts   []string // mail servers whose port 25 is tried, in order
	Timeout int      // seconds per try
}
