// Package cmd holds chapterctl's cobra commands: flags, prompts and printing.
// Each command is NewCmdX(f, runF) + XOptions + xRun(opts), as in GitHub CLI:
// flags fill the options, the run function does the work, and tests call the
// constructor with a runF that only captures the options.
package cmd

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/debuglog"
	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// Factory holds what commands need, built once in Main and passed down.
type Factory struct {
	IO     *ui.IOStreams
	Now    func() time.Time
	Getenv func(string) string

	// Set by the root command's flags before any command runs.
	Dir   workdir.Dir
	Debug bool

	// tokens are provider tokens this run was given (typed at a prompt and
	// perhaps not stored), by secrets.json key.
	tokens map[string]string

	// ran is set once a command's own code starts: an error before that comes
	// from parsing the command line, and is a usage error.
	ran bool
}

// providerSecretEnv are the environment variables that may hold secrets; their
// values are hidden from the log even before they are saved anywhere.
var providerSecretEnv = []string{"DIGITALOCEAN_ACCESS_TOKEN", "GANDI_BEARER_TOKEN",
	"MAILGUN_API_KEY", "MAILGUN_SMTP_PASSWORD"}

// Redactor knows every secret this run could see: those in secrets.json and
// those in the environment.
func (f *Factory) Redactor() *debuglog.Redactor {
	r := debuglog.NewRedactor()
	for _, name := range providerSecretEnv {
		r.Add(f.Getenv(name))
	}
	if s, err := secrets.Load(f.Dir.SecretsFile()); err == nil {
		r.Add(s.Values()...)
	}
	return r
}

// OpenLog starts this run's debug log in .chapterctl/logs, mirrored to stderr
// with --debug. Only commands that work in the folder keep a log; read-only
// ones write nothing.
func (f *Factory) OpenLog(r *debuglog.Redactor) (*debuglog.Log, error) {
	var mirror io.Writer
	if f.Debug {
		mirror = f.IO.ErrOut
	}
	log, err := debuglog.Open(f.Dir.LogsDir(), f.Now(), r, mirror)
	if err != nil {
		return nil, fmt.Errorf("open the debug log: %w", err)
	}
	log.Logger.Info("chapterctl run", "version", Version(), "os", runtime.GOOS, "arch", runtime.GOARCH,
		"args", os.Args[1:], "folder", f.Dir.Root)
	return log, nil
}
