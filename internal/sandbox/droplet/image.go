package droplet

import (
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// baseDirs are the directories of a stock image, with their modes.
var baseDirs = map[string]fs.FileMode{
	"/boot": 0o755, "/dev": 0o755, "/etc": 0o755, "/home": 0o755, "/media": 0o755, "/mnt": 0o755,
	"/opt": 0o755, "/proc": 0o555, "/root": 0o700, "/run": 0o755, "/srv": 0o755, "/sys": 0o555,
	"/tmp": 0o1777 | fs.ModeSticky, "/usr/bin": 0o755, "/usr/sbin": 0o755, "/usr/lib": 0o755,
	"/usr/lib64": 0o755, "/usr/local/bin": 0o755, "/usr/local/sbin": 0o755, "/usr/share": 0o755,
	"/var/cache": 0o755, "/var/lib": 0o755, "/var/log": 0o755, "/var/tmp": 0o1777 | fs.ModeSticky,
	"/etc/ssh": 0o755, "/etc/systemd/system": 0o755, "/etc/update-motd.d": 0o755, "/etc/cloud": 0o755,
	"/var/lib/cloud/instance": 0o755, "/run/sshd": 0o755,
}

// devices are the /dev nodes the shell's redirections and programs use.
var devices = []string{"null", "zero", "random", "urandom", "tty", "stdin", "stdout", "stderr"}

// elfPrefix starts every simulated binary: what `cat /usr/bin/ls` shows,
// and how the shell tells a program from a script.
const elfPrefix = "\x7fELF\x02\x01\x01\x00 chapterctl sandbox program: "

func programContent(name string) string { return elfPrefix + name + "\n" }

// programOf is the program a file's content runs, if it is a binary.
func programOf(content string) (string, bool) {
	if !strings.HasPrefix(content, elfPrefix) {
		return "", false
	}
	return strings.TrimSpace(content[len(elfPrefix):]), true
}

// addBaseImage adds what the droplet image ships.
func addBaseImage(t *tree, m *world.Machine, im osImage) {
	for p, mode := range baseDirs {
		t.addDir(p, mode)
	}
	for _, l := range usrMerged {
		t.nodes[l.link] = &node{link: strings.TrimPrefix(l.target, "/"), mode: 0o777, mtime: t.now}
	}
	for _, name := range devices {
		mode := fs.FileMode(0o666)
		t.addFile("/dev/"+name, "", mode).device = name
	}
	release := im.osRelease()
	t.addFile("/etc/os-release", release, 0o644)
	t.addFile("/usr/lib/os-release", release, 0o644)
	if im.ubuntu() {
		t.addFile("/etc/lsb-release", im.lsbReleaseFile(), 0o644)
		t.addFile("/etc/issue", im.pretty+" \\n \\l\n\n", 0o644)
	}
	t.addFile("/etc/timezone", "Etc/UTC\n", 0o644)
	t.addFile("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"+
		"sshd:x:105:65534::/run/sshd:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", 0o644)
	t.addFile("/etc/group", "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n", 0o644)
	t.addFile("/etc/shells", "/bin/sh\n/bin/bash\n/usr/bin/bash\n/bin/dash\n/usr/bin/dash\n", 0o644)
	t.addFile("/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\n"+
		"UsePAM yes\nX11Forwarding yes\nPrintMotd no\nAcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\n", 0o644)
	t.addFile("/root/.bashrc", "# ~/.bashrc: executed by bash(1) for non-login shells.\n", 0o644)
	t.addFile("/root/.profile", "# ~/.profile: executed by Bourne-compatible login shells.\n", 0o644)
	for name, prog := range programs {
		if name == "lsb_release" && !im.lsbRelease {
			continue
		}
		t.addFile(prog.dir+"/"+name, programContent(name), 0o755)
	}
}

// addRuntimeFiles adds what the kernel and cloud-init show, which the
// machine's state and the clock decide.
func addRuntimeFiles(t *tree, m *world.Machine, dr *world.Droplet) {
	im := imageOf(m.Image)
	proc := func(p, content string) { t.addFile(p, content, 0o444).readOnly = true }
	proc("/proc/meminfo", procMeminfo(m))
	proc("/proc/cpuinfo", procCPUInfo(m))
	proc("/proc/version", fmt.Sprintf("Linux version %s (buildd@lcy02-amd64-059) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38) #1 SMP PREEMPT_DYNAMIC\n", im.kernel))
	up := t.now.Sub(m.BootedAt).Seconds()
	proc("/proc/uptime", fmt.Sprintf("%.2f %.2f\n", max(0, up), max(0, up)*float64(m.VCPUs)*0.97))
	proc("/proc/loadavg", "0.08 0.03 0.01 1/128 1234\n")
	proc("/proc/sys/kernel/hostname", m.Hostname+"\n")
	if !t.now.Before(m.CloudInitDoneAt) {
		t.addFile("/var/lib/cloud/instance/boot-finished", fmt.Sprintf("%.2f - %s - v. 24.4\n",
			m.CloudInitDoneAt.Sub(m.BootStartedAt).Seconds(), m.CloudInitDoneAt.UTC().Format(time.RFC1123)), 0o644)
	}
	if dr != nil {
		t.addFile("/var/lib/cloud/instance/user-data.txt", dr.UserData, 0o600)
	}
	if c := m.Cloudron; c != nil && c.SelfSignedCert != "" {
		// Where nginx keeps its fallback certificate: box's NGINX_CERT_DIR
		// and default.cert/default.key (v4 source; unverified for 9.x).
		const certDir = "/home/yellowtent/platformdata/nginx/cert"
		t.addFile(certDir+"/default.cert", c.SelfSignedCert, 0o644)
		t.addFile(certDir+"/default.key", c.SelfSignedKey, 0o600)
	}
}

// memory is the machine's memory as /proc/meminfo and free report it, in KiB.
type memory struct{ total, free, available, buffers, cached, shared int64 }

func memoryOf(memoryMiB, usedPercent int) memory {
	total := int64(memTotalKiB(memoryMiB))
	available := total * int64(100-usedPercent) / 100
	cached := min(available/2, total/8)
	buffers := cached / 20
	return memory{total: total, available: available, cached: cached - buffers, buffers: buffers,
		free: available - cached, shared: total / 400}
}

func procMeminfo(m *world.Machine) string {
	mem := memoryOf(m.MemoryMiB, m.MemoryUsedPercent)
	rows := []struct {
		label string
		kib   int64
	}{
		{"MemTotal:", mem.total}, {"MemFree:", mem.free}, {"MemAvailable:", mem.available},
		{"Buffers:", mem.buffers}, {"Cached:", mem.cached}, {"SwapCached:", 0},
		{"Active:", (mem.total - mem.free) / 2}, {"Inactive:", (mem.total - mem.free) / 3},
		{"Shmem:", mem.shared}, {"SwapTotal:", 0}, {"SwapFree:", 0},
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%-15s %8d kB\n", r.label, r.kib)
	}
	return b.String()
}

// cpuFlags are a DigitalOcean Regular vCPU's flags (Intel Xeon); avx is
// taken out for a machine without it.
const cpuFlags = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss " +
	"syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq ssse3 fma " +
	"cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm " +
	"3dnowprefetch invpcid_single pti ssbd ibrs ibpb stibp fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid " +
	"avx512f avx512dq rdseed adx smap clflushopt clwb avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves arat " +
	"pku ospke md_clear arch_capabilities"

func procCPUInfo(m *world.Machine) string {
	flags := cpuFlags
	if !m.AVX {
		var kept []string
		for _, f := range strings.Fields(cpuFlags) {
			if !strings.HasPrefix(f, "avx") {
				kept = append(kept, f)
			}
		}
		flags = strings.Join(kept, " ")
	}
	var b strings.Builder
	for i := range max(1, m.VCPUs) {
		fmt.Fprintf(&b, "processor\t: %d\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"+
			"model name\t: DO-Regular\nstepping\t: 7\nmicrocode\t: 0x1\ncpu MHz\t\t: 2494.138\ncache size\t: 4096 KB\n"+
			"physical id\t: %d\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\napicid\t\t: %d\ninitial apicid\t: %d\n"+
			"fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: 13\nwp\t\t: yes\nflags\t\t: %s\n"+
			"bogomips\t: 4988.27\nclflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 40 bits physical, 48 bits virtual\n"+
			"power management:\n\n", i, i, i, i, flags)
	}
	return b.String()
}
