package droplet

import (
	"strconv"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The droplet's faults.
const (
	// FaultHostKeyChanged: every connection is shown another host key than
	// the machine's, as a man in the middle would show (until healed).
	FaultHostKeyChanged = "ssh-host-key-changed"
	// FaultDropMidInstall: the next SSH connection that runs the installer
	// is dropped halfway through the install (ssh-drop-mid-install=N: the
	// next N).
	FaultDropMidInstall = "ssh-drop-mid-install"
	// FaultSlowReboot: reboots take ten times as long (until healed).
	FaultSlowReboot = "slow-reboot"
	// FaultDiskNearlyFull and FaultMemoryLow hold the machines' disk or
	// memory 95 % used, as df, free and /proc/meminfo then show
	// (=DROPLET_ID for one machine; by default every machine, and those
	// that boot while it is on).
	FaultDiskNearlyFull = "disk-nearly-full"
	FaultMemoryLow      = "memory-low"
)

// Faults lists the droplet's faults.
func Faults() []world.FaultSpec {
	return []world.FaultSpec{
		{Name: FaultHostKeyChanged, Kind: world.KindReliability,
			Description: "the droplet's SSH server presents a different host key than the machine's (a man in the middle)"},
		{Name: FaultDropMidInstall, Kind: world.KindReliability,
			Description: "the next N SSH connections that run cloudron-setup are dropped halfway through the install (ssh-drop-mid-install=N)"},
		{Name: FaultSlowReboot, Kind: world.KindReliability,
			Description: "reboots of the droplet take ten times as long before SSH answers again"},
		{Name: FaultDiskNearlyFull, Kind: world.KindDoctor,
			Description: "the droplet's disk is 95% full (disk-nearly-full=DROPLET_ID for one droplet)",
			Break:       func(d *world.Data, param string) error { return holdFull(d, param, true) },
			Heal:        func(d *world.Data) error { return releaseFull(d, FaultDiskNearlyFull) }},
		{Name: FaultMemoryLow, Kind: world.KindDoctor,
			Description: "the droplet's memory is 95% used (memory-low=DROPLET_ID for one droplet)",
			Break:       func(d *world.Data, param string) error { return holdFull(d, param, false) },
			Heal:        func(d *world.Data) error { return releaseFull(d, FaultMemoryLow) }},
	}
}

// holdFull sets the machines' disk or memory use to 95 %.
func holdFull(d *world.Data, param string, disk bool) error {
	for _, m := range d.Machines {
		if param != "" && param != strconv.Itoa(m.DropletID) {
			continue
		}
		if disk {
			m.DiskUsedPercent = percentFull
		} else {
			m.MemoryUsedPercent = percentFull
		}
	}
	return nil
}

// releaseFull puts the natural use back (the fault is still listed as
// active while Heal runs, so it is set aside for the computation).
func releaseFull(d *world.Data, name string) error {
	param, active := d.Faults[name]
	delete(d.Faults, name)
	for _, m := range d.Machines {
		settleUsage(d, m)
	}
	if active {
		d.Faults[name] = param
	}
	return nil
}
