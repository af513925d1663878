package droplet

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Delays in simulated time at scale 1 (reference/timings.md §7).
const (
	sshAfterActive       = 20 * time.Second  // droplet active → TCP 22 accepts
	cloudInitAfterActive = 60 * time.Second  // first-boot cloud-init (and its apt lock) done
	rebootDuration       = 40 * time.Second  // reboot → sshd answers
	boxAfterBoot         = 50 * time.Second  // sshd answers → box answers (90 s after the reboot began)
	installDuration      = 600 * time.Second // cloudron-setup → box API up
	slowRebootFactor     = 10                // the slow-reboot fault
)

// scaled is World.Scaled for code running inside an Update or Settle
// callback, where calling the world again would deadlock.
func scaled(d *world.Data, dur time.Duration) time.Duration {
	return time.Duration(math.Round(float64(dur) * d.TimeScale))
}

func machineKey(dropletID int) string { return strconv.Itoa(dropletID) }

// sshUpAt is when port 22 first answers: the machine's boot when it has
// one, else SSH's delay after the droplet became active.
func sshUpAt(d *world.Data, dr *world.Droplet) time.Time {
	if m := d.MachineOf(dr.ID); m != nil {
		return m.BootedAt
	}
	return dr.ActiveAt.Add(scaled(d, sshAfterActive))
}

// shortHostname is the host name cloud-init sets from the droplet's name:
// its first label, as cloud-init's get_hostname_fqdn and the datasource's
// get_hostname make it; the full name goes to /etc/hosts, so hostname -f
// prints it (unverified on a live droplet; read in canonical/cloud-init).
func shortHostname(name string) string {
	short, _, _ := strings.Cut(name, ".")
	return short
}

// firstBoot makes the machine of a droplet as its first boot leaves it:
// the image and the size's hardware, the host name, cloud-init's SSH host
// key and root's authorized keys.
func firstBoot(d *world.Data, dr *world.Droplet) (*world.Machine, error) {
	hw := hardwareOf(dr.Size)
	cfg := parseCloudConfig(dr.UserData)
	short := shortHostname(dr.Name)
	keys, err := sshHostKeyFiles(cfg, short)
	if err != nil {
		return nil, err
	}
	m := &world.Machine{
		DropletID: dr.ID, Hostname: short, Image: dr.Image,
		MemoryMiB: hw.memoryMiB, DiskGB: hw.diskGB, VCPUs: hw.vcpus,
		Arch: defaultArch, RootFS: defaultRootFS, AVX: true,
		BootStartedAt:   dr.ActiveAt,
		BootedAt:        dr.ActiveAt.Add(scaled(d, sshAfterActive)),
		CloudInitDoneAt: dr.ActiveAt.Add(scaled(d, cloudInitAfterActive)),
		Files:           map[string]string{}, Modes: map[string]uint32{},
		MTimes: map[string]time.Time{},
	}
	write := func(path, content string, mode uint32) {
		m.Files[path] = content
		m.MTimes[path] = dr.ActiveAt
		if mode != 0o644 {
			m.Modes[path] = mode
		}
	}
	write("/etc/hostname", short+"\n", 0o644)
	write("/etc/hosts", etcHosts(dr.Name, short), 0o644)
	for path, f := range keys {
		write(path, f.content, f.mode)
	}
	authorized := rootKeys(d, dr, cfg)
	write("/root/.ssh/authorized_keys", strings.Join(authorized, ""), 0o600)
	m.Dirs = map[string]uint32{"/root/.ssh": 0o700}
	syncFromFiles(m)
	startSSHD(m)
	settleUsage(d, m)
	return m, nil
}

// etcHosts is cloud-init's /etc/hosts template for Debian and Ubuntu.
func etcHosts(fqdn, short string) string {
	return "127.0.1.1 " + fqdn + " " + short + "\n127.0.0.1 localhost\n\n" +
		"# The following lines are desirable for IPv6 capable hosts\n::1 localhost ip6-localhost ip6-loopback\n" +
		"ff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n"
}

// rootKeys are root's authorized_keys lines: the account keys the droplet
// was created with, then the user data's ssh_authorized_keys.
func rootKeys(d *world.Data, dr *world.Droplet, cfg cloudConfig) []string {
	var lines []string
	if len(dr.AuthorizedKeys) > 0 {
		lines = append(lines, dr.AuthorizedKeys...)
	} else {
		for _, fp := range dr.SSHKeys {
			for _, k := range d.DigitalOcean.SSHKeys {
				if k.Fingerprint == fp {
					lines = append(lines, k.PublicKey)
				}
			}
		}
	}
	lines = append(lines, cfg.SSHAuthorizedKeys...)
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\n") + "\n"
	}
	return lines
}

// syncFromFiles keeps the machine's mirror fields in step with the files
// they mirror.
func syncFromFiles(m *world.Machine) {
	m.AuthorizedKeys = nil
	for _, line := range strings.Split(m.Files["/root/.ssh/authorized_keys"], "\n") {
		if strings.TrimSpace(line) != "" {
			m.AuthorizedKeys = append(m.AuthorizedKeys, line)
		}
	}
}

// startSSHD is sshd (re)starting: it loads the host key file, or fails
// to start without a usable one.
func startSSHD(m *world.Machine) bool {
	key := m.Files["/etc/ssh/ssh_host_ed25519_key"]
	if m.Removed["/etc/ssh/ssh_host_ed25519_key"] {
		key = ""
	}
	if _, err := parseHostKey(key); err != nil {
		m.SSHDown = true
		return false
	}
	m.HostKey, m.SSHDown = key, false
	return true
}

// rebootFrom is a reboot that began at start: every process dies (a
// running installer with it), hand-stopped units come back, sshd reloads
// its key, and the machine answers again after the reboot's delay.
func rebootFrom(d *world.Data, m *world.Machine, start time.Time) {
	length := scaled(d, rebootDuration)
	if _, slow := d.Faults[FaultSlowReboot]; slow {
		length *= slowRebootFactor
	}
	m.BootStartedAt = start
	m.BootedAt = start.Add(length)
	m.BoxUpAt = m.BootedAt.Add(scaled(d, boxAfterBoot))
	m.Stopped = nil
	if in := m.Installer; in != nil && !in.Ended && !in.Killed(start) && start.Before(in.FinishesAt) {
		in.KilledAt, in.ExitCode, in.Ended, in.Owner = start, 143, true, ""
	}
	m.Hostname = strings.TrimSpace(m.Files["/etc/hostname"])
	startSSHD(m)
}

// settleUsage sets the natural disk and memory use, unless a fault holds
// them full.
func settleUsage(d *world.Data, m *world.Machine) {
	diskMiB, memMiB := freshDiskMiB, freshMemoryMiB
	if m.Cloudron != nil {
		diskMiB += cloudronDiskMiB
		memMiB += cloudronMemoryMiB
	}
	if faultHolds(d, FaultDiskNearlyFull, m) {
		m.DiskUsedPercent = percentFull
	} else {
		m.DiskUsedPercent = percentOf(int64(diskMiB)*1024, rootSizeKiB(m.DiskGB))
	}
	if faultHolds(d, FaultMemoryLow, m) {
		m.MemoryUsedPercent = percentFull
	} else {
		m.MemoryUsedPercent = percentOf(int64(memMiB)*1024, int64(memTotalKiB(m.MemoryMiB)))
	}
}

// faultHolds tells whether a doctor fault is on for machine m (its
// parameter, when given, names one droplet).
func faultHolds(d *world.Data, name string, m *world.Machine) bool {
	param, active := d.Faults[name]
	return active && (param == "" || param == strconv.Itoa(m.DropletID))
}

// percentOf is part/whole in percent, rounded up as df rounds Use%.
func percentOf(part, whole int64) int {
	if whole <= 0 {
		return 100
	}
	return int(min(100, (part*100+whole-1)/whole))
}

// stopUnit and startUnit change what systemctl stop/start left.
func stopUnit(m *world.Machine, unit string) {
	if !m.IsStopped(unit) {
		m.Stopped = append(m.Stopped, unit)
	}
}

func startUnit(m *world.Machine, unit string) {
	m.Stopped = slices.DeleteFunc(m.Stopped, func(u string) bool { return u == unit })
}
