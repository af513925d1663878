package droplet

import (
	"sync"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// liveSessions are the SSH sessions of this process that are still
// connected, by id. An installer whose owner is not among them lost its
// channel when the process that served it died.
var liveSessions sync.Map

func sessionLive(id string) bool {
	_, ok := liveSessions.Load(id)
	return ok
}

// Settle brings a droplet's machine up to date with the clock: its first
// boot, a reboot or power-off made through the DigitalOcean API, an
// install that finished or whose SSH session died with its process.
// Simulators that read the machine (Cloudron's, before answering) call it
// first; it saves the world only when something was due.
func Settle(w *world.World, dropletID int) {
	now := w.Now()
	due := false
	w.Read(func(d *world.Data) { due = len(settleSteps(d, dropletID, now)) > 0 })
	if !due {
		return
	}
	w.Settle(func(d *world.Data) {
		// Each step may make another due (a first boot, then its install).
		for range 8 {
			steps := settleSteps(d, dropletID, now)
			if len(steps) == 0 {
				return
			}
			for _, step := range steps {
				step()
			}
		}
	})
}

// settleSteps lists what the clock has brought about on a droplet's
// machine that the world does not show yet. Each step changes d.
func settleSteps(d *world.Data, dropletID int, now time.Time) []func() {
	dr := d.DropletByID(dropletID)
	m := d.MachineOf(dropletID)
	if m == nil {
		if dr != nil && dr.StatusAt(now) == "active" && !now.Before(sshUpAt(d, dr)) {
			return []func(){func() {
				if booted, err := firstBoot(d, dr); err == nil {
					d.Machines[machineKey(dropletID)] = booted
				}
			}}
		}
		return nil
	}
	var steps []func()
	if dr != nil && dr.RestartedAt.After(m.BootStartedAt) && !now.Before(dr.RestartedAt) {
		steps = append(steps, func() { rebootFrom(d, m, dr.RestartedAt) })
	}
	in := m.Installer
	if in == nil {
		return steps
	}
	poweredOff := dr == nil || dr.Off
	if poweredOff && running(in, now) {
		steps = append(steps, func() { in.KilledAt, in.ExitCode, in.Ended, in.Owner = now, 143, true, "" })
	}
	if in.Owner != "" && !in.Ended && in.KilledAt.IsZero() && !sessionLive(in.Owner) {
		// Its channel died with the process that served it, after SeenAt.
		steps = append(steps, func() { orphaned(d, m, dr, in) })
	}
	if m.Cloudron == nil && !now.Before(in.FinishesAt) && installsCloudron(in) {
		steps = append(steps, func() { installCloudron(d, m, dr) })
	}
	if !in.Ended && (in.Killed(now) || (in.Owner == "" && !now.Before(in.FinishesAt))) {
		steps = append(steps, func() { endUnattended(in) })
	}
	return steps
}

// orphaned dates the death of an installer whose session's process died:
// it lived on until its next write after the session was last seen.
func orphaned(d *world.Data, m *world.Machine, dr *world.Droplet, in *world.Installer) {
	seen := in.SeenAt
	if seen.IsZero() {
		seen = in.StartedAt
	}
	writes := stdoutWrites(in, "", dashboardURLs(dr, in), scaled(d, readyPoll))
	in.KilledAt = nextWrite(writes, seen.Add(time.Nanosecond))
	in.ExitCode, in.Owner = 141, ""
}

// endUnattended ends a script no session waits for: dead, or run with its
// output in files, where the reboot prompt reads end of file.
func endUnattended(in *world.Installer) {
	in.Ended, in.Owner = true, ""
	switch {
	case !in.KilledAt.IsZero():
		if in.ExitCode == 0 {
			in.ExitCode = 141
		}
	case in.Failure != "" || !in.SkipReboot:
		in.ExitCode = 1
	default:
		in.ExitCode = 0
	}
}

// installCloudron is the install completing: the box answers from
// FinishesAt (or after a reboot that came later); a script that went on
// to its reboot prompt stopped box and MySQL first.
func installCloudron(d *world.Data, m *world.Machine, dr *world.Droplet) {
	in := m.Installer
	var hosts []string
	if dr != nil {
		for _, ip := range []string{dr.PublicIPv4, dr.PublicIPv6} {
			if ip != "" {
				hosts = append(hosts, ip)
			}
		}
	}
	m.Cloudron = world.NewCloudron(in.Version, hosts...)
	if in.FinishesAt.After(m.BoxUpAt) {
		m.BoxUpAt = in.FinishesAt
	}
	reachedPrompt := in.KilledAt.IsZero() || in.KilledAt.After(in.FinishesAt)
	if !in.SkipReboot && reachedPrompt && !m.BootStartedAt.After(in.FinishesAt) {
		stopUnit(m, "box")
		stopUnit(m, "mysql")
	}
	settleUsage(d, m)
}

// dashboardURLs are the addresses the installer prints at its end.
func dashboardURLs(dr *world.Droplet, in *world.Installer) []string {
	query := ""
	if in.SetupToken != "" {
		query = "/?setupToken=" + in.SetupToken
	}
	if dr == nil || (dr.PublicIPv4 == "" && dr.PublicIPv6 == "") {
		return []string{"https://<IP>" + query}
	}
	var urls []string
	if dr.PublicIPv4 != "" {
		urls = append(urls, "https://"+dr.PublicIPv4+query)
	}
	if dr.PublicIPv6 != "" {
		urls = append(urls, "https://["+dr.PublicIPv6+"]"+query)
	}
	return urls
}
