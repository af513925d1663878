package checks

import (
	"context"
	"errors"

	"github.com/chapterctl/chapterctl/internal/sshx"
)

// HostSSH is host.ssh: chapterctl can log in to the server, which proves
// it holds the pinned host key. A changed key fails: someone may be in
// the middle.
var HostSSH = Def{Key: "host.ssh", Name: "chapterctl can log in to the server (pinned host key)", Area: AreaServer,
	Needs: []string{"dns.a"}, Limit: sshLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if _, err := readHost(ctx, env); err != nil {
			var mismatch *sshx.HostKeyMismatchError
			switch {
			case errors.Is(err, errNoDroplet):
				return skip(err.Error())
			case errors.As(err, &mismatch):
				return Result{Status: Fail, Detail: err.Error(),
					Fix: "do not continue: if nobody rebuilt the server on purpose, someone may be intercepting the connection; ask whoever set it up"}
			}
			return unknown("could not log in over SSH: "+err.Error(), "check the network, and that the droplet is on in DigitalOcean")
		}
		return pass("logged in as root with the chapter's key; the host key matches")
	}}
