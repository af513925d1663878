package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// Main runs chapterctl and returns its exit code; main.go only exits with it.
func Main() (code int) {
	f := &Factory{IO: ui.System(), Now: time.Now, Getenv: os.Getenv}
	// Ctrl-C and SIGTERM end the context: steps stop, the state write in
	// flight finishes, and the runner reports where it stopped.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, f, NewCmdRoot(f), os.Args[1:])
}

// run executes root with args and turns the outcome into an exit code. No
// panic gets past it.
func run(ctx context.Context, f *Factory, root *cobra.Command, args []string) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(f.IO.ErrOut, "Error: chapterctl hit an internal error (%v); please report it with the log from .chapterctl/logs\n", p)
			if f.Debug {
				f.IO.ErrOut.Write(debug.Stack())
			}
			code = exitFailed
		}
	}()
	root.SetArgs(args)
	executed, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if !f.ran {
		err = &usageError{err: err, command: executed.CommandPath()}
	}
	printError(f.IO.ErrOut, err, f.Dir.Root, executed.CommandPath())
	return exitCode(err)
}

// NewCmdRoot builds the command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	var dir string
	root := &cobra.Command{
		Use:   "chapterctl <command>",
		Short: "Give a chapter its own secure chat and email on its own domain",
		Long: `chapterctl sets up and looks after a chapter's own server: a DigitalOcean
droplet running Cloudron, a chat server (Matrix by default), and email on the
chapter's domain at Gandi. It works on the current folder (the chapter folder):
chapter.yaml says what the chapter wants, .chapterctl/ records what exists.`,
		Example: `  # set a chapter up, trying it first on the simulated world
  chapterctl init --sandbox

  # see where it stands
  chapterctl status`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		DisableAutoGenTag: true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			abs, err := filepath.Abs(dir)
			if err == nil {
				var info os.FileInfo
				if info, err = os.Stat(abs); err == nil && !info.IsDir() {
					err = errors.New("not a folder")
				}
			}
			if err != nil {
				return &usageError{err: fmt.Errorf("-C %s: no such folder", dir), command: c.CommandPath()}
			}
			f.Dir = workdir.Dir{Root: abs}
			f.ran = true
			return nil
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	flags := root.PersistentFlags()
	flags.StringVarP(&dir, "chdir", "C", ".", "work on the chapter folder `DIR` instead of the current one")
	flags.BoolVar(&f.Debug, "debug", false, "also print the debug log (secrets hidden) to stderr")
	flags.BoolVar(&f.IO.Accessible, "accessible", false, "ask questions as plain lines, for screen readers (huh's accessible mode)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{err: err, command: c.CommandPath()}
	})
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)

	root.AddCommand(
		NewCmdInit(f, nil),
		NewCmdPlan(f, nil),
		NewCmdStatus(f, nil),
		NewCmdMail(f),
		NewCmdDNS(f),
		NewCmdDoctor(f, nil),
		NewCmdUpgrade(f, nil),
		NewCmdSandbox(f),
		NewCmdVersion(f),
		NewCmdCompletion(f),
	)
	return root
}
