package checks

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// HostDisk is host.disk: the root disk has room (MiaB and YunoHost's
// thresholds: warn under 30 % or 2 GB free, fail under 15 % or 1 GB).
var HostDisk = Def{Key: "host.disk", Name: "The server's disk has room", Area: AreaServer,
	Impact: "when the disk fills, mail stops arriving and chat stops saving messages",
	Needs:  []string{"host.ssh"}, Limit: sshLimit,
	Look: func(ctx context.Context, env *Env) Result {
		h, err := readHost(ctx, env)
		if err != nil {
			return hostUnknown(err)
		}
		lines := strings.Split(strings.TrimSpace(h.sections["df"]), "\n")
		f := strings.Fields(lines[len(lines)-1])
		if len(f) < 4 {
			return unknown("df's answer could not be read", "")
		}
		size, e1 := strconv.ParseFloat(f[1], 64)
		avail, e2 := strconv.ParseFloat(f[3], 64)
		if e1 != nil || e2 != nil || size <= 0 {
			return unknown("df's answer could not be read", "")
		}
		free := avail / size * 100
		detail := fmt.Sprintf("%.0f%% free (%.1f GB of %.1f GB)", free, avail/1e9, size/1e9)
		fix := "resize the droplet's disk in DigitalOcean (Droplet → Resize), or remove old local backups in Cloudron → Backups"
		switch {
		case free < 15 || avail < 1e9:
			return Result{Status: Fail, Detail: detail, Fix: fix}
		case free < 30 || avail < 2e9:
			return Result{Status: Warn, Detail: detail, Fix: fix}
		}
		return pass(detail)
	}}
