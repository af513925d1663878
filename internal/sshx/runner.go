// Package sshx is chapterctl's SSH adapter: steps run commands on the
// droplet and copy files to it through the small Runner interface and never
// see golang.org/x/crypto/ssh.
//
// Trust is pinned, never discovered: Dial accepts exactly one host key,
// the one chapterctl generated and installed through cloud-init, and
// refuses any other with a *HostKeyMismatchError. The same key is written
// to an OpenSSH known_hosts file so that a person who runs ssh by hand gets
// the same check.
//
// Every connection goes through a netx.Dialer, so the sandbox and the real
// world run the same code.
package sshx

import (
	"context"
	"errors"
	"io"
	"os"
)

// Runner runs commands on one server and copies files to it. *Client is the
// real one; steps take a Runner so that their tests can use a fake.
type Runner interface {
	// Run runs cmd through the server's shell and returns its exit status.
	// A command that ran and failed is (status, nil); err is for when no
	// status could be had (the connection went, ctx ended).
	Run(ctx context.Context, cmd string, opt RunOptions) (exitCode int, err error)
	// Upload writes data to path on the server, atomically, with mode.
	Upload(ctx context.Context, path string, data []byte, mode os.FileMode) error
	Close() error
}

// RunOptions are a command's standard streams. Nil Stdin is an empty input;
// nil Stdout or Stderr discard. Output is written as it arrives, so a long
// command (the Cloudron installer) can show progress.
//
// Secrets belong on Stdin, never in the command line: the command line is
// visible to every process on the server and ends up in logs.
type RunOptions struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// ErrConnectionLost is wrapped by every error that means the connection
// to the server went away (a reboot, a network failure, keepalives not
// answered): whether a command finished is then unknown, so the caller
// reconnects (WaitForSSH) and checks the server's state before retrying.
var ErrConnectionLost = errors.New("the SSH connection was lost")

// ErrAuthRefused means the server refused the chapter's key: retrying will
// not help.
var ErrAuthRefused = errors.New("the server refused the SSH key")

var _ Runner = (*Client)(nil)
