package droplet

import (
	"fmt"
	"slices"
	"strings"
)

// timedatectl: Ubuntu's systemd-timesyncd keeps the clock synchronised
// from the first boot, so the simulated machine is always in sync (doctor's
// host.clock reads NTPSynchronized; its own clock is the world's).
func init() { register("/usr/bin", runTimedatectl, "timedatectl") }

var timedatectlProps = [][2]string{
	{"Timezone", "Etc/UTC"}, {"LocalRTC", "no"}, {"CanNTP", "yes"}, {"NTP", "yes"}, {"NTPSynchronized", "yes"},
}

func runTimedatectl(p *proc) int {
	args := p.args
	if len(args) == 0 || args[0] == "status" {
		now := p.now().UTC()
		fmt.Fprintf(p.stdout, "               Local time: %s\n           Universal time: %s\n", now.Format("Mon 2006-01-02 15:04:05 MST"), now.Format("Mon 2006-01-02 15:04:05 MST"))
		fmt.Fprint(p.stdout, "                Time zone: Etc/UTC (UTC, +0000)\nSystem clock synchronized: yes\n              NTP service: active\n          RTC in local TZ: no\n")
		return 0
	}
	if args[0] != "show" {
		return p.errorf(1, "Unknown command verb '%s'.", args[0])
	}
	var wanted []string
	valueOnly := false
	for i := 1; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--value":
			valueOnly = true
		case a == "-p" || a == "--property":
			if i+1 < len(args) {
				i++
				wanted = append(wanted, strings.Split(args[i], ",")...)
			}
		case strings.HasPrefix(a, "--property="):
			wanted = append(wanted, strings.Split(strings.TrimPrefix(a, "--property="), ",")...)
		}
	}
	for _, kv := range timedatectlProps {
		if len(wanted) > 0 && !slices.Contains(wanted, kv[0]) {
			continue
		}
		if valueOnly {
			fmt.Fprintln(p.stdout, kv[1])
		} else {
			fmt.Fprintf(p.stdout, "%s=%s\n", kv[0], kv[1])
		}
	}
	return 0
}
