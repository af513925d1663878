package droplet

import (
	"crypto/rand"
	"fmt"
	"io/fs"
	"math/big"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// chmod, stat, which, dirname, basename, env, and the shell's own
// command -v and type.

func init() {
	register("/usr/bin", runChmod, "chmod")
	register("/usr/bin", runStat, "stat")
	register("/usr/bin", runWhich, "which")
	register("/usr/bin", runDirname, "dirname")
	register("/usr/bin", runBasename, "basename")
	register("/usr/bin", runEnv, "env", "printenv")
	internal["command"] = runCommandV
	internal["type"] = runType
}

func randomInt(n int) int {
	v, _ := rand.Int(rand.Reader, big.NewInt(int64(n)))
	return int(v.Int64())
}

// parseMode reads chmod's MODE: octal, or symbolic clauses such as
// "u+x", "go-rwx", "a=r,u+w", applied to the current mode.
func parseMode(spec string, current fs.FileMode) (fs.FileMode, error) {
	if n, err := strconv.ParseUint(spec, 8, 32); err == nil {
		return fs.FileMode(n) & (fs.ModePerm | fs.ModeSticky), nil
	}
	mode := current
	for _, clause := range strings.Split(spec, ",") {
		i := strings.IndexAny(clause, "+-=")
		if i < 0 {
			return 0, fmt.Errorf("invalid mode")
		}
		who, op, perms := clause[:i], clause[i], clause[i+1:]
		if who == "" || strings.Contains(who, "a") {
			who = "ugo"
		}
		var bits fs.FileMode
		for _, w := range who {
			shift := map[rune]uint{'u': 6, 'g': 3, 'o': 0}[w]
			for _, r := range perms {
				switch r {
				case 'r':
					bits |= 4 << shift
				case 'w':
					bits |= 2 << shift
				case 'x', 'X':
					bits |= 1 << shift
				default:
					return 0, fmt.Errorf("invalid mode")
				}
			}
		}
		switch op {
		case '+':
			mode |= bits
		case '-':
			mode &^= bits
		case '=':
			mask := fs.FileMode(0)
			for _, w := range who {
				mask |= 7 << map[rune]uint{'u': 6, 'g': 3, 'o': 0}[w]
			}
			mode = mode&^mask | bits
		}
	}
	return mode, nil
}

func runChmod(p *proc) int {
	o, err := optSpec{short: "Rv", long: []string{"recursive/R"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	if len(o.args) < 2 {
		return p.usage(1, fmt.Errorf("missing operand"))
	}
	status := 0
	for _, name := range o.args[1:] {
		full := p.path(name)
		err := p.s.fs.change(p.ctx, "droplet.file.chmod", func(m *world.Machine, t *tree) error {
			if _, ok := t.lookup(full); !ok {
				return pathError("chmod", name, 2)
			}
			for target, n := range t.nodes {
				if target != full && !(o.has("R") && strings.HasPrefix(target, full+"/")) {
					continue
				}
				mode, err := parseMode(o.args[0], n.mode)
				if err != nil {
					return err
				}
				setMode(m, t, target, n, mode)
			}
			return nil
		})
		switch {
		case err == nil:
		case strings.Contains(err.Error(), "invalid mode"):
			return p.errorf(1, "invalid mode: ‘%s’", o.args[0])
		default:
			status = p.errorf(1, "cannot access '%s': %s", name, errText(err))
		}
	}
	return status
}

// fileType is stat's %F.
func fileType(n *node) string {
	switch {
	case n.dir:
		return "directory"
	case n.link != "":
		return "symbolic link"
	case n.device != "":
		return "character special file"
	case n.content == "":
		return "regular empty file"
	}
	return "regular file"
}

func runStat(p *proc) int {
	o, err := optSpec{short: "c:Lt", long: []string{"format/c", "dereference/L", "printf="}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	format, newline := o.value("c", o.value("printf", "")), o.has("c")
	status := 0
	for _, name := range o.args {
		n, err := p.s.fs.stat(p.path(name))
		if err != nil {
			status = p.errorf(1, "cannot statx '%s': %s", name, errText(err))
			continue
		}
		if format == "" {
			fmt.Fprint(p.stdout, statLong(name, n))
			continue
		}
		fmt.Fprint(p.stdout, statFormat(format, name, n))
		if newline {
			fmt.Fprintln(p.stdout)
		}
	}
	return status
}

func statFormat(format, name string, n *node) string {
	size := fileInfo{n: n}.Size()
	fields := map[byte]string{
		'n': name, 's': strconv.FormatInt(size, 10), 'a': strconv.FormatUint(uint64(n.mode.Perm()|n.mode&fs.ModeSticky>>11), 8),
		'A': modeString(n), 'U': "root", 'G': "root", 'u': "0", 'g': "0", 'F': fileType(n), 'h': "1",
		'Y': strconv.FormatInt(n.mtime.Unix(), 10), 'y': n.mtime.UTC().Format("2006-01-02 15:04:05.000000000 -0700"),
		'i': strconv.Itoa(len(name) * 7919), '%': "%",
	}
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] == '%' && i+1 < len(format) {
			if v, ok := fields[format[i+1]]; ok {
				b.WriteString(v)
				i++
				continue
			}
		}
		b.WriteByte(format[i])
	}
	return b.String()
}

func statLong(name string, n *node) string {
	at := n.mtime.UTC().Format("2006-01-02 15:04:05.000000000 -0700")
	return fmt.Sprintf("  File: %s\n  Size: %-10d\tBlocks: %-10d IO Block: 4096   %s\n"+
		"Device: fc01h/64513d\tInode: %-11d Links: 1\nAccess: (%04o/%s)  Uid: (    0/    root)   Gid: (    0/    root)\n"+
		"Access: %s\nModify: %s\nChange: %s\n Birth: %s\n",
		name, fileInfo{n: n}.Size(), (fileInfo{n: n}.Size()+511)/512, fileType(n), len(name)*7919,
		n.mode.Perm(), modeString(n), at, at, at, at)
}

func runWhich(p *proc) int {
	o, err := optSpec{short: "as"}.parse(p.args)
	if err != nil {
		return p.usage(2, err)
	}
	t, err := p.s.fs.snapshot()
	if err != nil {
		return 1
	}
	status := 0
	for _, name := range o.args {
		if full, _, ok := lookPath(t, p.hc.Env.Get("PATH").String(), p.hc.Dir, name); ok && !strings.Contains(name, "/") {
			fmt.Fprintln(p.stdout, full)
		} else if _, n, text := resolve(t, p.hc, name); text == "" && strings.Contains(name, "/") && n != nil {
			fmt.Fprintln(p.stdout, name)
		} else {
			status = 1
		}
	}
	return status
}

// runCommandV is the builtin command -v / -V, looking at the machine.
func runCommandV(p *proc) int {
	verbose := p.args[0] == "-V"
	t, err := p.s.fs.snapshot()
	if err != nil {
		return 1
	}
	status := 0
	for _, name := range p.args[1:] {
		switch {
		case interp.IsBuiltin(name) && verbose:
			fmt.Fprintf(p.stdout, "%s is a shell builtin\n", name)
		case interp.IsBuiltin(name), syntax.IsKeyword(name):
			fmt.Fprintln(p.stdout, name)
		default:
			if full, _, errText := resolve(t, p.hc, name); errText == "" {
				if verbose {
					fmt.Fprintf(p.stdout, "%s is %s\n", name, full)
				} else {
					fmt.Fprintln(p.stdout, full)
				}
			} else {
				if verbose {
					fmt.Fprintf(p.stderr, "bash: line %d: command: %s: not found\n", max(1, p.hc.Pos.Line()), name)
				}
				status = 1
			}
		}
	}
	return status
}

// runType is the builtin type (-t, -p, -P), looking at the machine.
func runType(p *proc) int {
	mode, names := "", p.args
	if len(names) > 0 && strings.HasPrefix(names[0], "-") {
		mode, names = names[0], names[1:]
	}
	t, err := p.s.fs.snapshot()
	if err != nil {
		return 1
	}
	status := 0
	for _, name := range names {
		kind, text := "", ""
		switch {
		case syntax.IsKeyword(name):
			kind, text = "keyword", name+" is a shell keyword"
		case interp.IsBuiltin(name):
			kind, text = "builtin", name+" is a shell builtin"
		default:
			if full, _, errText := resolve(t, p.hc, name); errText == "" {
				kind, text = "file", name+" is "+full
				if mode == "-p" || mode == "-P" {
					text = full
				}
			}
		}
		switch {
		case kind == "":
			if mode == "" {
				fmt.Fprintf(p.stderr, "bash: line %d: type: %s: not found\n", max(1, p.hc.Pos.Line()), name)
			}
			status = 1
		case mode == "-t":
			fmt.Fprintln(p.stdout, kind)
		case (mode == "-p" || mode == "-P") && kind != "file":
		default:
			fmt.Fprintln(p.stdout, text)
		}
	}
	return status
}

func runDirname(p *proc) int {
	if len(p.args) == 0 {
		return p.usage(1, fmt.Errorf("missing operand"))
	}
	for _, a := range p.args {
		fmt.Fprintln(p.stdout, path.Dir(strings.TrimSuffix(a, "/")))
	}
	return 0
}

func runBasename(p *proc) int {
	if len(p.args) == 0 {
		return p.usage(1, fmt.Errorf("missing operand"))
	}
	name := path.Base(p.args[0])
	if len(p.args) > 1 && name != p.args[1] {
		name = strings.TrimSuffix(name, p.args[1])
	}
	fmt.Fprintln(p.stdout, name)
	return 0
}

// runEnv prints the environment, or runs a command with VAR=value
// settings added (env VAR=x cmd).
func runEnv(p *proc) int {
	vars := envList(p.hc.Env)
	args := p.args
	for len(args) > 0 && strings.Contains(args[0], "=") && p.name != "printenv" {
		vars = append(vars, args[0])
		args = args[1:]
	}
	if len(args) > 0 && p.name == "printenv" {
		status := 1
		for _, v := range vars {
			if name, value, _ := strings.Cut(v, "="); name == args[0] {
				fmt.Fprintln(p.stdout, value)
				status = 0
			}
		}
		return status
	}
	if len(args) == 0 {
		sort.Strings(vars)
		for _, v := range vars {
			fmt.Fprintln(p.stdout, v)
		}
		return 0
	}
	return p.s.runArgv(p, args, vars, "env: ‘%s’: No such file or directory")
}
