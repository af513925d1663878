package world

import "time"

// Machine is the operating system of a droplet, as far as the simulated
// SSH server and its shell see it. Owned by internal/sandbox/droplet. It
// exists from the droplet's first boot (when cloud-init ran).
type Machine struct {
	DropletID int    `json:"droplet_id"`
	Hostname  string `json:"hostname"`
	// HostKey is the SSH host key (OpenSSH PEM), first from cloud-init.
	HostKey        string   `json:"host_key"`
	AuthorizedKeys []string `json:"authorized_keys"` // root's, authorized_keys lines
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
}

// Installer is a cloudron-setup run on the machine.
type Installer struct {
	Version    string    `json:"version"`
	Args       []string  `json:"args"`
	StartedAt  time.Time `json:"started_at"`
	FinishesAt time.Time `json:"finishes_at"`
	ExitCode   int       `json:"exit_code"`
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
