package checks

import (
	"context"
	"strings"
)

// HostReboot is host.reboot: Ubuntu asks for a reboot after a kernel or
// library update (/var/run/reboot-required).
var HostReboot = Def{Key: "host.reboot", Name: "No reboot is pending", Area: AreaServer,
	Needs: []string{"host.ssh"}, Limit: sshLimit,
	Look: func(ctx context.Context, env *Env) Result {
		h, err := readHost(ctx, env)
		if err != nil {
			return hostUnknown(err)
		}
		if strings.TrimSpace(h.sections["reboot"]) == "yes" {
			return Result{Status: Warn, Detail: "security updates are installed but wait for a reboot",
				Fix: `run "chapterctl upgrade" (it backs up, then restarts the server)`}
		}
		return pass("no reboot required")
	}}
