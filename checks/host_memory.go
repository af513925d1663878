package checks

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// HostMemory is host.memory: MemAvailable against MemTotal (warn under
// 20 % or 200 MB, fail under 10 % or 100 MB).
var HostMemory = Def{Key: "host.memory", Name: "The server has free memory", Area: AreaServer,
	Impact: "when memory runs out the chat server is killed and restarts",
	Needs:  []string{"host.ssh"}, Limit: sshLimit,
	Look: func(ctx context.Context, env *Env) Result {
		h, err := readHost(ctx, env)
		if err != nil {
			return hostUnknown(err)
		}
		kib := map[string]float64{}
		for line := range strings.SplitSeq(h.sections["meminfo"], "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				v, _ := strconv.ParseFloat(f[1], 64)
				kib[strings.TrimSuffix(f[0], ":")] = v
			}
		}
		total, avail := kib["MemTotal"], kib["MemAvailable"]
		if total <= 0 {
			return unknown("/proc/meminfo could not be read", "")
		}
		pct := avail / total * 100
		detail := fmt.Sprintf("%.0f%% available (%.0f MB of %.0f MB)", pct, avail/1024, total/1024)
		fix := "resize the droplet to the next size in DigitalOcean (Droplet → Resize)"
		switch {
		case pct < 10 || avail < 100*1024:
			return Result{Status: Fail, Detail: detail, Fix: fix}
		case pct < 20 || avail < 200*1024:
			return Result{Status: Warn, Detail: detail, Fix: fix}
		}
		return pass(detail)
	}}
