package droplet

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Programs that report on the system: who, what, how big.

func init() {
	register("/usr/bin", runID, "id")
	register("/usr/bin", runWhoami, "whoami")
	register("/usr/bin", runHostname, "hostname")
	register("/usr/bin", runUname, "uname")
	register("/usr/bin", runNproc, "nproc")
	register("/usr/bin", runFree, "free")
	register("/usr/bin", runDate, "date")
	register("/usr/bin", runSleep, "sleep")
	register("/usr/bin", runLSBRelease, "lsb_release")
	register("/usr/bin", runDetectVirt, "systemd-detect-virt")
	register("/usr/bin", runUptime, "uptime")
	register("/usr/bin", func(*proc) int { return 0 }, "true")
	register("/usr/bin", func(*proc) int { return 1 }, "false")
}

// facts are what the reporting programs read of the machine, copied out
// of the world.
type facts struct {
	hostname, image, arch, container, rootFS string
	vcpus, memoryMiB, diskGB                 int
	memoryUsed, diskUsed                     int // percent
	bootedAt                                 time.Time
	ipv4, ipv6, privateIP                    string
}

func (p *proc) machine() facts {
	var f facts
	p.s.fs.w.Read(func(d *world.Data) {
		if m := d.MachineOf(p.s.fs.id); m != nil {
			f = facts{hostname: m.Hostname, image: m.Image, arch: m.Arch, container: m.Container, rootFS: m.RootFS,
				vcpus: m.VCPUs, memoryMiB: m.MemoryMiB, diskGB: m.DiskGB, memoryUsed: m.MemoryUsedPercent,
				diskUsed: m.DiskUsedPercent, bootedAt: m.BootedAt}
		}
		if dr := d.DropletByID(p.s.fs.id); dr != nil {
			f.ipv4, f.ipv6, f.privateIP = dr.PublicIPv4, dr.PublicIPv6, dr.PrivateIP
		}
	})
	return f
}

func runID(p *proc) int {
	o, err := optSpec{short: "ugGn", long: []string{"user/u", "group/g", "groups/G", "name/n"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	switch {
	case (o.has("u") || o.has("g") || o.has("G")) && o.has("n"):
		fmt.Fprintln(p.stdout, "root")
	case o.has("u") || o.has("g") || o.has("G"):
		fmt.Fprintln(p.stdout, "0")
	default:
		fmt.Fprintln(p.stdout, "uid=0(root) gid=0(root) groups=0(root)")
	}
	return 0
}

func runWhoami(p *proc) int {
	fmt.Fprintln(p.stdout, "root")
	return 0
}

func runHostname(p *proc) int {
	o, err := optSpec{short: "fsIi", long: []string{"fqdn/f", "long/f", "short/s", "all-ip-addresses/I", "ip-address/i"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	m := p.machine()
	switch {
	case len(o.args) > 0:
		// The kernel's name only: the next boot reads /etc/hostname again.
		err := p.s.fs.w.Update(p.ctx, "droplet.machine.hostname", func(d *world.Data) error {
			if got := d.MachineOf(p.s.fs.id); got != nil {
				got.Hostname = o.args[0]
			}
			return nil
		})
		if err != nil {
			return p.errorf(1, "%v", err)
		}
	case o.has("f"):
		fmt.Fprintln(p.stdout, fqdnOf(p, m.hostname))
	case o.has("I"), o.has("i"):
		ips := []string{m.ipv4, m.privateIP, m.ipv6}
		var kept []string
		for _, ip := range ips {
			if ip != "" {
				kept = append(kept, ip)
			}
		}
		fmt.Fprintln(p.stdout, strings.Join(kept, " ")+" ")
	default:
		fmt.Fprintln(p.stdout, m.hostname)
	}
	return 0
}

// fqdnOf is hostname -f: the name /etc/hosts gives the host name.
func fqdnOf(p *proc, short string) string {
	hosts, _ := p.s.fs.readFile("/etc/hosts")
	for _, l := range lines(hosts) {
		f := strings.Fields(l)
		for _, alias := range f[min(1, len(f)):] {
			if alias == short && len(f) > 1 {
				return f[1]
			}
		}
	}
	return short
}

func runUname(p *proc) int {
	o, err := optSpec{short: "asnrvmpio", long: []string{"all/a", "kernel-name/s", "nodename/n", "kernel-release/r",
		"kernel-version/v", "machine/m", "processor/p", "hardware-platform/i", "operating-system/o"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	m := p.machine()
	im := imageOf(m.image)
	fields := []struct{ flag, value string }{
		{"s", "Linux"}, {"n", m.hostname}, {"r", im.kernel},
		{"v", "#1 SMP PREEMPT_DYNAMIC Thu Oct  2 10:11:12 UTC 2025"}, {"m", m.arch},
		{"p", m.arch}, {"i", m.arch}, {"o", "GNU/Linux"},
	}
	var out []string
	for _, f := range fields {
		if o.has(f.flag) || o.has("a") {
			out = append(out, f.value)
		}
	}
	if len(out) == 0 {
		out = []string{"Linux"}
	}
	fmt.Fprintln(p.stdout, strings.Join(out, " "))
	return 0
}

func runNproc(p *proc) int {
	fmt.Fprintln(p.stdout, max(1, p.machine().vcpus))
	return 0
}

// runFree is procps free: the "Mem:" and "Swap:" rows (DigitalOcean
// droplets have no swap) in KiB, or -b, -m, -g, -h.
func runFree(p *proc) int {
	o, err := optSpec{short: "bkmght", long: []string{"bytes/b", "kibi/k", "mebi/m", "gibi/g", "human/h", "total/t"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	m := p.machine()
	mem := memoryOf(m.memoryMiB, m.memoryUsed)
	unit := func(kib int64) string {
		switch {
		case o.has("b"):
			return strconv.FormatInt(kib*1024, 10)
		case o.has("m"):
			return strconv.FormatInt(kib/1024, 10)
		case o.has("g"):
			return strconv.FormatInt(kib/1024/1024, 10)
		case o.has("h"):
			return humanSize(kib*1024, "i")
		}
		return strconv.FormatInt(kib, 10)
	}
	used := mem.total - mem.free - mem.buffers - mem.cached
	fmt.Fprintf(p.stdout, "%-8s %11s %11s %11s %11s %11s %11s\n", "", "total", "used", "free", "shared", "buff/cache", "available")
	fmt.Fprintf(p.stdout, "%-8s %11s %11s %11s %11s %11s %11s\n", "Mem:", unit(mem.total), unit(used), unit(mem.free),
		unit(mem.shared), unit(mem.buffers+mem.cached), unit(mem.available))
	fmt.Fprintf(p.stdout, "%-8s %11s %11s %11s\n", "Swap:", unit(0), unit(0), unit(0))
	if o.has("t") {
		fmt.Fprintf(p.stdout, "%-8s %11s %11s %11s\n", "Total:", unit(mem.total), unit(used), unit(mem.free))
	}
	return 0
}

// humanSize is a size as -h prints it ("3.8Gi" for free, "24G" for df).
func humanSize(bytes int64, suffix string) string {
	units := []string{"B", "K", "M", "G", "T"}
	v := float64(bytes)
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d%s", bytes, units[0])
	}
	if v < 10 {
		return fmt.Sprintf("%.1f%s%s", v, units[i], suffix)
	}
	return fmt.Sprintf("%.0f%s%s", v, units[i], suffix)
}

// dateLayouts maps date's % directives to Go's layout.
var dateLayouts = map[byte]string{
	'Y': "2006", 'm': "01", 'd': "02", 'H': "15", 'M': "04", 'S': "05", 'y': "06", 'b': "Jan", 'B': "January",
	'a': "Mon", 'A': "Monday", 'e': "_2", 'Z': "MST", 'z': "-0700", 'F': "2006-01-02", 'T': "15:04:05",
	'D': "01/02/06", 'R': "15:04", 'p': "PM",
}

func runDate(p *proc) int {
	o, err := optSpec{short: "uRI::d:", long: []string{"utc/u", "rfc-email/R", "iso-8601/I", "date/d"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	now := p.now().UTC()
	if spec := o.value("d", ""); spec != "" {
		if epoch, ok := strings.CutPrefix(spec, "@"); ok {
			n, err := strconv.ParseInt(epoch, 10, 64)
			if err != nil {
				return p.errorf(1, "invalid date ‘%s’", spec)
			}
			now = time.Unix(n, 0).UTC()
		} else if now, err = time.Parse(time.RFC3339, spec); err != nil {
			return p.errorf(1, "invalid date ‘%s’", spec)
		}
	}
	switch {
	case len(o.args) > 0 && strings.HasPrefix(o.args[0], "+"):
		fmt.Fprintln(p.stdout, dateFormat(now, o.args[0][1:]))
	case o.has("R"):
		fmt.Fprintln(p.stdout, now.Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	case o.has("I") && o.value("I", "") == "seconds":
		fmt.Fprintln(p.stdout, now.Format("2006-01-02T15:04:05-07:00"))
	case o.has("I"):
		fmt.Fprintln(p.stdout, now.Format("2006-01-02"))
	default:
		fmt.Fprintln(p.stdout, now.Format("Mon Jan _2 15:04:05 MST 2006"))
	}
	return 0
}

func dateFormat(at time.Time, format string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 >= len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch c := format[i]; c {
		case 's':
			b.WriteString(strconv.FormatInt(at.Unix(), 10))
		case 'N':
			fmt.Fprintf(&b, "%09d", at.Nanosecond())
		case '%':
			b.WriteByte('%')
		default:
			if layout, ok := dateLayouts[c]; ok {
				b.WriteString(at.Format(layout))
			} else {
				b.WriteString("%" + string(c))
			}
		}
	}
	return b.String()
}

// runSleep waits in simulated time: sleep 10 lasts ten scaled seconds.
func runSleep(p *proc) int {
	if len(p.args) == 0 {
		return p.usage(1, fmt.Errorf("missing operand"))
	}
	var total time.Duration
	for _, a := range p.args {
		d, err := parseDuration(a)
		if err != nil {
			return p.usage(1, fmt.Errorf("invalid time interval ‘%s’", a))
		}
		total += d
	}
	if p.sleep(total) != nil {
		return 130
	}
	return 0
}

// parseDuration reads sleep's and timeout's NUMBER[smhd].
func parseDuration(s string) (time.Duration, error) {
	unit := time.Second
	switch {
	case strings.HasSuffix(s, "s"):
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "m"):
		s, unit = s[:len(s)-1], time.Minute
	case strings.HasSuffix(s, "h"):
		s, unit = s[:len(s)-1], time.Hour
	case strings.HasSuffix(s, "d"):
		s, unit = s[:len(s)-1], 24*time.Hour
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid duration")
	}
	return time.Duration(n * float64(unit)), nil
}

func runLSBRelease(p *proc) int {
	o, err := optSpec{short: "ridcsa", long: []string{"release/r", "id/i", "description/d", "codename/c", "short/s", "all/a"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	im := imageOf(p.machine().image)
	rows := []struct{ flag, label, value string }{
		{"i", "Distributor ID", im.lsbID()}, {"d", "Description", im.pretty},
		{"r", "Release", im.versionID}, {"c", "Codename", im.codename},
	}
	if !o.has("s") || o.has("a") {
		fmt.Fprintln(p.stderr, "No LSB modules are available.")
	}
	for _, r := range rows {
		if !o.has(r.flag) && !o.has("a") {
			continue
		}
		if o.has("s") {
			fmt.Fprintln(p.stdout, r.value)
		} else {
			fmt.Fprintf(p.stdout, "%s:\t%s\n", r.label, r.value)
		}
	}
	return 0
}

// runDetectVirt: a droplet is a KVM virtual machine, not a container
// (--container prints "none" and fails, which cloudron-setup checks).
func runDetectVirt(p *proc) int {
	o, err := optSpec{short: "cvq", long: []string{"container/c", "vm/v", "quiet/q"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	m := p.machine()
	virt := defaultVirt
	if o.has("c") {
		virt = m.container
	} else if m.container != "" && !o.has("v") {
		virt = m.container
	}
	if virt == "" {
		virt = "none"
	}
	if !o.has("q") {
		fmt.Fprintln(p.stdout, virt)
	}
	if virt == "none" {
		return 1
	}
	return 0
}

func runUptime(p *proc) int {
	up := max(0, p.now().Sub(p.machine().bootedAt))
	if len(p.args) > 0 && p.args[0] == "-p" {
		fmt.Fprintf(p.stdout, "up %d minutes\n", int(up.Minutes()))
		return 0
	}
	fmt.Fprintf(p.stdout, " %s up %d min,  0 users,  load average: 0.08, 0.03, 0.01\n",
		p.now().UTC().Format("15:04:05"), int(up.Minutes()))
	return 0
}
