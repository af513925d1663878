package world

import (
	"slices"
	"time"
)

// Machine is the operating system of a droplet, as far as the simulated
// SSH server and its shell see it. Owned by internal/sandbox/droplet. It
// exists from the droplet's first boot (when cloud-init ran).
//
// Progress (boots, the installer) is stored as start times and deadlines
// and derived when someone looks (droplet.Settle), so a machine left by a
// killed process carries on in the next one.
type Machine struct {
	DropletID int `json:"droplet_id"`
	// Hostname is the kernel's host name, read from /etc/hostname at boot.
	Hostname string `json:"hostname"`
	// HostKey is the SSH host key sshd serves (OpenSSH PEM): the file
	// /etc/ssh/ssh_host_ed25519_key as it was when sshd last started (at
	// boot, or `systemctl restart ssh`), first written by cloud-init.
	HostKey string `json:"host_key"`
	// AuthorizedKeys mirrors root's /root/.ssh/authorized_keys (its lines);
	// sshd reads the file itself at every login.
	AuthorizedKeys []string `json:"authorized_keys"`
	// SSH answers from BootedAt on; a reboot moves it later.
	BootedAt time.Time `json:"booted_at"`
	// Files the machine has beyond its base image (path → content).
	Files map[string]string `json:"files,omitempty"`
	// Installer is the cloudron-setup run, if any.
	Installer *Installer `json:"installer,omitempty"`
	// Cloudron exists once the installer has finished.
	Cloudron *Cloudron `json:"cloudron,omitempty"`
	// Resource use, for doctor's host checks.
	DiskUsedPercent   int `json:"disk_used_percent"`
	MemoryUsedPercent int `json:"memory_used_percent"`

	// The hardware and image, fixed at first boot from the droplet's size
	// and image; tests change them to play other machines.
	Image     string `json:"image"`
	MemoryMiB int    `json:"memory_mib"`
	DiskGB    int    `json:"disk_gb"`
	VCPUs     int    `json:"vcpus"`
	Arch      string `json:"arch"`    // uname -m
	RootFS    string `json:"root_fs"` // the file system type of /
	// Container is what systemd-detect-virt --container prints ("" on a
	// droplet, which is a full virtual machine).
	Container string `json:"container,omitempty"`
	AVX       bool   `json:"avx"` // the CPU flag Cloudron ≥ 7.6 needs

	// BootStartedAt is when the running boot began (the first boot: when
	// the droplet became active), so that a reboot made through the
	// DigitalOcean API (Droplet.RestartedAt) is noticed.
	BootStartedAt time.Time `json:"boot_started_at"`
	// CloudInitDoneAt is when cloud-init's first-boot run, and the apt
	// lock it holds, ends.
	CloudInitDoneAt time.Time `json:"cloud_init_done_at"`
	// BoxUpAt is when Cloudron's box service answers after the last boot.
	BoxUpAt time.Time `json:"box_up_at,omitzero"`
	// SSHDown: sshd failed to restart (a bad host key file); port 22 is
	// closed until the next boot.
	SSHDown bool `json:"ssh_down,omitempty"`
	// Stopped are the units stopped by hand (systemctl stop) until the
	// next boot.
	Stopped []string `json:"stopped,omitempty"`

	// The rest of the file system overlay on the base image: directories
	// made (path → permission bits), permission bits of Files that are not
	// 0644, base-image paths deleted, and modification times.
	Dirs    map[string]uint32    `json:"dirs,omitempty"`
	Modes   map[string]uint32    `json:"modes,omitempty"`
	Removed map[string]bool      `json:"removed,omitempty"`
	MTimes  map[string]time.Time `json:"mtimes,omitempty"`
}

// Installer is a cloudron-setup run on the machine. Its phases are derived
// from the clock: they are spread over [AptFreeAt, FinishesAt], after a
// first phase that also waits for cloud-init's apt lock.
type Installer struct {
	Version    string    `json:"version"`
	Args       []string  `json:"args"`
	StartedAt  time.Time `json:"started_at"`
	FinishesAt time.Time `json:"finishes_at"`
	// ExitCode is the script's exit status once Ended.
	ExitCode int `json:"exit_code"`

	Provider   string `json:"provider"`
	SkipReboot bool   `json:"skip_reboot"`
	// SetupToken is the one-time password --generate-setup-token made.
	SetupToken string    `json:"setup_token,omitempty"`
	AptFreeAt  time.Time `json:"apt_free_at"`
	// Failure is the line a run that gave up printed (no AVX); such a run
	// ends at FinishesAt with exit status 1 and installs nothing.
	Failure string `json:"failure,omitempty"`
	// KilledAt is when the script died (zero while it lives). It may lie
	// ahead: a script whose SSH channel is gone dies at its next write.
	KilledAt time.Time `json:"killed_at,omitzero"`
	// Owner is the SSH session whose channel the script writes to ("" once
	// its output goes only to files); SeenAt is the last time that session
	// was seen alive, to date the death of a session whose process died.
	Owner  string    `json:"owner,omitempty"`
	SeenAt time.Time `json:"seen_at,omitzero"`
	// Ended: the script has exited and ExitCode is final.
	Ended bool `json:"ended"`
}

// Killed tells whether the script was dead at time now.
func (in *Installer) Killed(now time.Time) bool {
	return !in.KilledAt.IsZero() && !now.Before(in.KilledAt)
}

// MachineOf returns the machine of a droplet, or nil before its first boot.
func (d *Data) MachineOf(dropletID int) *Machine {
	for _, m := range d.Machines {
		if m.DropletID == dropletID {
			return m
		}
	}
	return nil
}

// IsStopped tells whether a unit was stopped by hand since the last boot.
func (m *Machine) IsStopped(unit string) bool { return slices.Contains(m.Stopped, unit) }

// BoxAnswering tells whether Cloudron's box API (127.0.0.1:3000, and the
// dashboard nginx proxies to it) answers at time now. Call droplet.Settle
// first so that an install that finished is seen.
func (m *Machine) BoxAnswering(now time.Time) bool {
	return m.Cloudron != nil && !m.IsStopped("box") && !now.Before(m.BootedAt) && !now.Before(m.BoxUpAt)
}
