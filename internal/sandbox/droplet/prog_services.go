package droplet

import (
	"fmt"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// systemctl, reboot, shutdown and cloud-init: the machine's services, as
// its state and the clock make them.

func init() {
	register("/usr/bin", runSystemctl, "systemctl")
	register("/usr/sbin", runReboot, "reboot")
	register("/usr/sbin", runShutdown, "shutdown")
	register("/usr/bin", runCloudInit, "cloud-init")
}

// unitStates are what systemd says of each unit the machine has.
func unitStates(m *world.Machine, t *tree, now time.Time) map[string]string {
	_, packages := t.lookup("/usr/bin/docker")
	_, boxUnit := t.lookup(boxUnitPath)
	states := map[string]string{"ssh": "active", "cron": "active", "cloud-init": "active"}
	if m.SSHDown {
		states["ssh"] = "failed"
	}
	if now.Before(m.CloudInitDoneAt) {
		states["cloud-init"] = "activating"
	}
	if !packages {
		states["systemd-resolved"] = "active"
	}
	boxStarted := m.Cloudron != nil || (m.Installer != nil && reached(m.Installer, fracWaitReady, now))
	running := func(unit string, present, started bool) {
		switch {
		case !present:
		case started && !m.IsStopped(unit):
			states[unit] = "active"
		default:
			states[unit] = "inactive"
		}
	}
	running("nginx", packages, true)
	running("docker", packages, true)
	running("mysql", packages, boxStarted || (m.Installer != nil && reached(m.Installer, fracInstall, now)))
	running("unbound", packages, boxStarted)
	running("box", boxUnit, boxStarted)
	return states
}

// unitName strips ".service" and maps sshd to ssh, its alias on Ubuntu.
func unitName(arg string) string {
	name := strings.TrimSuffix(arg, ".service")
	if name == "sshd" {
		return "ssh"
	}
	return name
}

func runSystemctl(p *proc) int {
	o, err := optSpec{short: "qal", long: []string{"quiet/q", "all/a", "no-pager", "no-legend", "full/l", "now"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	if len(o.args) == 0 {
		return p.errorf(1, "listing units is not simulated; name a command")
	}
	verb, units := o.args[0], o.args[1:]
	switch verb {
	case "reboot":
		return rebootNow(p)
	case "poweroff", "halt", "kexec", "suspend", "hibernate":
		return p.errorf(1, "%s is not simulated in the chapterctl sandbox", verb)
	case "daemon-reload", "enable", "disable", "mask", "unmask", "reset-failed":
		return 0
	}
	if len(units) == 0 {
		return p.errorf(1, "Too few arguments.")
	}
	t, err := p.s.fs.snapshot()
	if err != nil {
		return p.errorf(1, "%v", err)
	}
	var states map[string]string
	now := p.now()
	p.s.fs.w.Read(func(d *world.Data) {
		if m := d.MachineOf(p.s.fs.id); m != nil {
			states = unitStates(m, t, now)
		}
	})
	switch verb {
	case "is-active":
		return isActive(p, o, states, units)
	case "is-enabled":
		return isEnabled(p, states, units)
	case "status":
		return unitStatus(p, states, units)
	case "cat":
		return unitCat(p, t, units)
	case "start", "stop", "restart", "reload", "try-restart", "reload-or-restart":
		return changeUnits(p, verb, states, units)
	}
	return p.errorf(1, "Unknown command verb %s.", verb)
}

func isActive(p *proc, o opts, states map[string]string, units []string) int {
	status := 0
	for _, u := range units {
		state, ok := states[unitName(u)]
		if !ok {
			state = "inactive"
		}
		if !o.has("q") {
			fmt.Fprintln(p.stdout, state)
		}
		if state != "active" {
			status = 3
		}
	}
	return status
}

func isEnabled(p *proc, states map[string]string, units []string) int {
	status := 0
	for _, u := range units {
		if _, ok := states[unitName(u)]; !ok {
			fmt.Fprintf(p.stderr, "Failed to get unit file state for %s.service: No such file or directory\n", unitName(u))
			status = 1
			continue
		}
		fmt.Fprintln(p.stdout, "enabled")
	}
	return status
}

func unitStatus(p *proc, states map[string]string, units []string) int {
	status := 0
	for _, u := range units {
		name := unitName(u)
		state, ok := states[name]
		if !ok {
			fmt.Fprintf(p.stderr, "Unit %s.service could not be found.\n", name)
			status = 4
			continue
		}
		sub := map[string]string{"active": "running", "inactive": "dead", "failed": "failed", "activating": "start"}[state]
		fmt.Fprintf(p.stdout, "● %s.service\n     Loaded: loaded (/lib/systemd/system/%s.service; enabled; vendor preset: enabled)\n"+
			"     Active: %s (%s)\n", name, name, state, sub)
		if state != "active" && status == 0 {
			status = 3
		}
	}
	return status
}

func unitCat(p *proc, t *tree, units []string) int {
	for _, u := range units {
		name := unitName(u)
		if !catUnitFile(p, t, name) {
			fmt.Fprintf(p.stderr, "No files found for %s.service.\n", name)
			return 1
		}
	}
	return 0
}

func catUnitFile(p *proc, t *tree, name string) bool {
	for _, dir := range []string{"/etc/systemd/system/", "/usr/lib/systemd/system/"} {
		if n, ok := t.lookup(dir + name + ".service"); ok {
			fmt.Fprintf(p.stdout, "# %s%s.service\n%s", dir, name, n.content)
			return true
		}
	}
	return false
}

// changeUnits starts, stops or restarts units. Restarting (or reloading)
// ssh makes sshd load its host key file again: the next connection shows
// the key now in /etc/ssh/ssh_host_ed25519_key.
func changeUnits(p *proc, verb string, states map[string]string, units []string) int {
	for _, u := range units {
		name := unitName(u)
		if _, ok := states[name]; !ok {
			return p.errorf(5, "Failed to %s %s.service: Unit %s.service not found.", verb, name, name)
		}
		failed := false
		err := p.s.srv.w.Update(p.ctx, "droplet.service."+verb, func(d *world.Data) error {
			m := d.MachineOf(p.s.fs.id)
			if m == nil {
				return errNoMachine
			}
			switch {
			case verb == "stop":
				stopUnit(m, name)
			case name == "ssh":
				failed = !startSSHD(m)
			default:
				startUnit(m, name)
			}
			return nil
		})
		if err != nil {
			return p.errorf(1, "%v", err)
		}
		if failed {
			fmt.Fprintf(p.stderr, "Job for ssh.service failed because the control process exited with error code.\n"+
				"See \"systemctl status ssh.service\" and \"journalctl -xeu ssh.service\" for details.\n")
			return 1
		}
	}
	return 0
}

func runReboot(p *proc) int {
	for _, a := range p.args {
		if a == "-p" || a == "--poweroff" {
			return p.errorf(1, "powering off is not simulated in the chapterctl sandbox")
		}
	}
	return rebootNow(p)
}

func runShutdown(p *proc) int {
	o, err := optSpec{short: "rhPHc", long: []string{"reboot/r", "halt/H", "poweroff/P", "no-wall"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	when := "+1"
	if len(o.args) > 0 {
		when = o.args[0]
	}
	switch {
	case !o.has("r"):
		return p.errorf(1, "only reboots (shutdown -r now) are simulated in the chapterctl sandbox")
	case when != "now" && when != "+0":
		return p.errorf(1, "scheduled shutdowns are not simulated in the chapterctl sandbox; use shutdown -r now")
	}
	return rebootNow(p)
}

// rebootNow reboots the machine: every connection to it drops at once
// (this one too, so its command never reports an exit status) and new
// ones are refused until the boot ends.
func rebootNow(p *proc) int {
	now := p.now()
	err := p.s.srv.w.Update(p.ctx, "droplet.machine.reboot", func(d *world.Data) error {
		m := d.MachineOf(p.s.fs.id)
		if m == nil {
			return errNoMachine
		}
		rebootFrom(d, m, now)
		return nil
	})
	if err != nil {
		return p.errorf(1, "%v", err)
	}
	p.s.srv.dropAll()
	return 0
}

// runCloudInit is cloud-init status [--wait] [--long].
func runCloudInit(p *proc) int {
	o, err := optSpec{short: "wl", long: []string{"wait/w", "long/l", "format="}}.parse(p.args)
	if err != nil || len(o.args) == 0 || o.args[0] != "status" {
		return p.errorf(2, "only \"cloud-init status [--wait] [--long]\" is simulated")
	}
	var doneAt time.Time
	p.s.fs.w.Read(func(d *world.Data) {
		if m := d.MachineOf(p.s.fs.id); m != nil {
			doneAt = m.CloudInitDoneAt
		}
	})
	if o.has("w") {
		for p.now().Before(doneAt) {
			fmt.Fprint(p.stdout, ".")
			if p.sleep(time.Second) != nil {
				return 130
			}
		}
		fmt.Fprintln(p.stdout)
	}
	state := "done"
	if p.now().Before(doneAt) {
		state = "running"
	}
	fmt.Fprintf(p.stdout, "status: %s\n", state)
	if o.has("l") {
		fmt.Fprintf(p.stdout, "extended_status: %s\nboot_status_code: enabled-by-generator\ndetail:\nDataSourceDigitalOcean\n", state)
	}
	return 0
}
