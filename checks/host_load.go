package checks

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// HostLoad is host.load: the 15-minute load average per CPU (warn over
// 2, fail over 4: the server cannot keep up).
var HostLoad = Def{Key: "host.load", Name: "The server keeps up with its work (load)", Area: AreaServer,
	Needs: []string{"host.ssh"}, Limit: sshLimit,
	Look: func(ctx context.Context, env *Env) Result {
		h, err := readHost(ctx, env)
		if err != nil {
			return hostUnknown(err)
		}
		f := strings.Fields(h.sections["loadavg"])
		cpus, err := strconv.Atoi(strings.TrimSpace(h.sections["nproc"]))
		if len(f) < 3 || err != nil || cpus < 1 {
			return unknown("the load could not be read", "")
		}
		load, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return unknown("the load could not be read", "")
		}
		per := load / float64(cpus)
		detail := fmt.Sprintf("load %.2f over 15 minutes on %d CPUs", load, cpus)
		fix := "resize the droplet to more CPUs in DigitalOcean, or stop apps nobody uses"
		switch {
		case per > 4:
			return Result{Status: Fail, Detail: detail, Fix: fix}
		case per > 2:
			return Result{Status: Warn, Detail: detail, Fix: fix}
		}
		return pass(detail)
	}}
