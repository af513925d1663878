package droplet

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// df and ss: the disk and the listening sockets.

func init() {
	register("/usr/bin", runDf, "df")
	register("/usr/bin", runSS, "ss")
}

// mount is one file system as df lists it, sizes in bytes.
type mount struct {
	source, fstype, target string
	size, used             int64
}

func mountsOf(f facts) []mount {
	root := rootSizeKiB(f.diskGB) * 1024
	mem := int64(memTotalKiB(f.memoryMiB)) * 1024
	return []mount{
		{"tmpfs", "tmpfs", "/run", mem / 10, 1 << 20},
		{"/dev/vda1", f.rootFS, "/", root, root * int64(f.diskUsed) / 100},
		{"tmpfs", "tmpfs", "/dev/shm", mem / 2, 0},
		{"tmpfs", "tmpfs", "/run/lock", 5 << 20, 0},
		{"/dev/vda15", "vfat", "/boot/efi", 104_634_368, 6_316_032},
	}
}

// dfFields are --output's field names and their headers.
var dfFields = map[string]string{
	"source": "Filesystem", "fstype": "Type", "size": "", "used": "Used", "avail": "Avail", "pcent": "Use%",
	"target": "Mounted on", "file": "File", "itotal": "Inodes", "iused": "IUsed", "iavail": "IFree", "ipcent": "IUse%",
}

func runDf(p *proc) int {
	o, err := optSpec{short: "B:khmHPTlax:t:", long: []string{"block-size/B", "human-readable/h", "si/H", "portability/P",
		"print-type/T", "local/l", "all/a", "exclude-type/x", "type/t", "output=?"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	block, blockLabel, err := dfBlockSize(o)
	if err != nil {
		return p.errorf(1, "invalid -B argument '%s'", o.value("B", ""))
	}
	fields := []string{"source", "size", "used", "avail", "pcent", "target"}
	if o.has("T") {
		fields = []string{"source", "fstype", "size", "used", "avail", "pcent", "target"}
	}
	if o.has("output") {
		fields = strings.Split(o.value("output", ""), ",")
		if fields[0] == "" {
			fields = []string{"source", "fstype", "itotal", "iused", "iavail", "ipcent", "size", "used", "avail", "pcent", "file", "target"}
		}
		for _, f := range fields {
			if _, ok := dfFields[f]; !ok {
				return p.usage(1, fmt.Errorf("option --output: field '%s' unknown", f))
			}
		}
	}
	mounts := mountsOf(p.machine())
	if len(o.args) > 0 {
		mounts = mountsFor(p, mounts, o.args)
		if mounts == nil {
			return 1
		}
	}
	human := o.has("h") || o.has("H")
	headers := dfHeaders(fields, blockLabel, human, o.has("P"), o.has("output"))
	table := [][]string{headers}
	for _, m := range mounts {
		if o.value("x", "") == m.fstype || (o.has("t") && o.value("t", "") != m.fstype) {
			continue
		}
		table = append(table, dfRow(m, fields, block, human))
	}
	minWidths := make([]int, len(fields))
	for i, f := range fields {
		minWidths[i] = dfMinWidths[f]
	}
	printColumns(p, table, minWidths, func(col int) bool {
		f := fields[col]
		return f != "source" && f != "fstype" && f != "target" && f != "file"
	})
	return 0
}

// dfMinWidths are coreutils' minimum column widths (df.c's field_data).
var dfMinWidths = map[string]int{"source": 14, "fstype": 4, "size": 5, "used": 5, "avail": 5, "pcent": 4,
	"itotal": 5, "iused": 5, "iavail": 5, "ipcent": 4}

// dfBlockSize reads -B/-k/-m and names the size column after it.
func dfBlockSize(o opts) (int64, string, error) {
	switch {
	case o.has("m"):
		return 1 << 20, "1M-blocks", nil
	case o.has("k"), !o.has("B"):
		return 1024, "1K-blocks", nil
	}
	spec := o.value("B", "1K")
	units := map[string]int64{"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "KB": 1000, "MB": 1000_000, "GB": 1000_000_000}
	num := strings.TrimRight(spec, "KMGB")
	unit := spec[len(num):]
	n := int64(1)
	if num != "" {
		var err error
		if n, err = strconv.ParseInt(num, 10, 64); err != nil || n <= 0 {
			return 0, "", fmt.Errorf("bad block size")
		}
	}
	mult, ok := units[unit]
	if !ok {
		return 0, "", fmt.Errorf("bad block size")
	}
	label := spec + "-blocks"
	if unit == "" {
		label = spec + "B-blocks"
	}
	return n * mult, label, nil
}

func dfHeaders(fields []string, blockLabel string, human, posix, output bool) []string {
	var h []string
	for _, f := range fields {
		label := dfFields[f]
		switch {
		case f == "size" && human:
			label = "Size"
		case f == "size" && posix && blockLabel == "1K-blocks":
			label = "1024-blocks"
		case f == "size":
			label = blockLabel
		case f == "avail" && !human && !output:
			label = "Available"
		case f == "pcent" && posix:
			label = "Capacity"
		}
		h = append(h, label)
	}
	return h
}

func dfRow(m mount, fields []string, block int64, human bool) []string {
	avail := m.size - m.used
	amount := func(bytes int64) string {
		if human {
			return humanSize(bytes, "")
		}
		return strconv.FormatInt((bytes+block-1)/block, 10)
	}
	var row []string
	for _, f := range fields {
		switch f {
		case "source":
			row = append(row, m.source)
		case "fstype":
			row = append(row, m.fstype)
		case "size":
			row = append(row, amount(m.size))
		case "used":
			row = append(row, amount(m.used))
		case "avail":
			row = append(row, amount(avail))
		case "pcent":
			row = append(row, strconv.Itoa(percentOf(m.used, m.size))+"%")
		case "target", "file":
			row = append(row, m.target)
		case "itotal":
			row = append(row, strconv.FormatInt(m.size/16384, 10))
		case "iused":
			row = append(row, strconv.FormatInt(m.used/65536, 10))
		case "iavail":
			row = append(row, strconv.FormatInt(m.size/16384-m.used/65536, 10))
		case "ipcent":
			row = append(row, strconv.Itoa(percentOf(m.used/65536, max(1, m.size/16384)))+"%")
		}
	}
	return row
}

// mountsFor picks the file system each operand is on.
func mountsFor(p *proc, all []mount, operands []string) []mount {
	var out []mount
	for _, name := range operands {
		full := p.path(name)
		if _, err := p.s.fs.stat(full); err != nil {
			p.errorf(1, "%s: No such file or directory", name)
			return nil
		}
		best := all[1]
		for _, m := range all {
			if (full == m.target || strings.HasPrefix(full, m.target+"/")) && len(m.target) > len(best.target) {
				best = m
			}
		}
		out = append(out, best)
	}
	return out
}

// printColumns prints a table as df does: each column as wide as its
// widest cell, numbers right-aligned, the last column unpadded.
func printColumns(p *proc, table [][]string, minWidths []int, rightAligned func(col int) bool) {
	widths := make([]int, len(table[0]))
	copy(widths, minWidths)
	for _, row := range table {
		for i, cell := range row {
			widths[i] = max(widths[i], len([]rune(cell)))
		}
	}
	for _, row := range table {
		var cells []string
		for i, cell := range row {
			switch {
			case i == len(row)-1 && !rightAligned(i):
				cells = append(cells, cell)
			case rightAligned(i):
				cells = append(cells, fmt.Sprintf("%*s", widths[i], cell))
			default:
				cells = append(cells, fmt.Sprintf("%-*s", widths[i], cell))
			}
		}
		fmt.Fprintln(p.stdout, strings.TrimRight(strings.Join(cells, " "), " "))
	}
}

// socket is a listening socket.
type socket struct {
	proto, addr, port, process string
}

// listening are the sockets the machine listens on now. What an installed
// Cloudron opens (unbound on 127.0.0.150, the mail container's ports
// published by docker-proxy) is unverified; sshd, nginx on 80/443 and the
// box on 127.0.0.1:3000 are from the references.
func listening(m *world.Machine, t *tree, states map[string]string) []socket {
	var s []socket
	add := func(proto, process, port string, addrs ...string) {
		for _, a := range addrs {
			s = append(s, socket{proto, a, port, process})
		}
	}
	if states["systemd-resolved"] == "active" {
		add("tcp", "systemd-resolve", "53", "127.0.0.53%lo")
		add("udp", "systemd-resolve", "53", "127.0.0.53%lo")
	}
	if states["ssh"] == "active" {
		add("tcp", "sshd", "22", "0.0.0.0", "[::]")
	}
	if states["nginx"] == "active" && states["box"] == "active" {
		add("tcp", "nginx", "80", "0.0.0.0", "[::]")
		add("tcp", "nginx", "443", "0.0.0.0", "[::]")
	}
	if states["unbound"] == "active" {
		add("tcp", "unbound", "53", "127.0.0.150")
		add("udp", "unbound", "53", "127.0.0.150")
	}
	if states["mysql"] == "active" {
		add("tcp", "mysqld", "3306", "127.0.0.1")
	}
	if m.BoxAnswering(t.now) {
		add("tcp", "node", "3000", "127.0.0.1")
		for _, port := range []string{"25", "465", "587", "993", "995", "4190"} {
			add("tcp", "docker-proxy", port, "0.0.0.0", "[::]")
		}
	}
	return s
}

var serviceNames = map[string]string{"22": "ssh", "25": "smtp", "53": "domain", "80": "http", "443": "https",
	"465": "submissions", "587": "submission", "993": "imaps", "995": "pop3s", "3306": "mysql", "4190": "sieve"}

// runSS is ss for listening sockets (-t -u -l -n -H -p).
func runSS(p *proc) int {
	o, err := optSpec{short: "tulnHpa46", long: []string{"tcp/t", "udp/u", "listening/l", "numeric/n", "no-header/H",
		"processes/p", "all/a"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	t, err := p.s.fs.snapshot()
	if err != nil {
		return p.errorf(1, "%v", err)
	}
	var sockets []socket
	now := p.now()
	p.s.fs.w.Read(func(d *world.Data) {
		if m := d.MachineOf(p.s.fs.id); m != nil {
			sockets = listening(m, t, unitStates(m, t, now))
		}
	})
	table := [][]string{{"State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port", "Process"}}
	for _, s := range sockets {
		if (o.has("t") || o.has("u")) && !o.has(s.proto[:1]) {
			continue
		}
		port := s.port
		if name, ok := serviceNames[port]; ok && !o.has("n") {
			port = name
		}
		state, peer := "LISTEN", "0.0.0.0:*"
		if s.proto == "udp" {
			state = "UNCONN"
		}
		if strings.HasPrefix(s.addr, "[") {
			peer = "[::]:*"
		}
		process := ""
		if o.has("p") {
			process = fmt.Sprintf("users:((%q,pid=%d,fd=3))", s.process, 700+len(s.process)*13)
		}
		table = append(table, []string{state, "0", "4096", s.addr + ":" + port, peer, process})
	}
	if o.has("H") {
		table = table[1:]
	}
	if len(table) == 0 {
		return 0
	}
	printColumns(p, table, nil, func(col int) bool { return col == 3 || col == 4 })
	return 0
}
