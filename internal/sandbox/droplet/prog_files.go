package droplet

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The file tools of coreutils. Their complaints quote names as coreutils
// does in a UTF-8 locale: 'name' for file operands, ‘name’ for mkdir.

func init() {
	register("/usr/bin", runLs, "ls")
	register("/usr/bin", runMkdir, "mkdir")
	register("/usr/bin", runRm, "rm")
	register("/usr/bin", runMv, "mv")
	register("/usr/bin", runCp, "cp")
	register("/usr/bin", runTouch, "touch")
	register("/usr/bin", runMktemp, "mktemp")
}

func writeFlags(appendTo bool) int {
	if appendTo {
		return os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	return os.O_WRONLY | os.O_CREATE | os.O_TRUNC
}

// modeString is a mode as ls -l shows it ("drwxrwxrwt").
func modeString(n *node) string {
	kind := "-"
	switch {
	case n.dir:
		kind = "d"
	case n.link != "":
		return "lrwxrwxrwx"
	case n.device != "":
		kind = "c"
	}
	b := []byte(kind + fs.FileMode(n.mode.Perm()).String()[1:])
	if n.mode&fs.ModeSticky != 0 {
		if b[9] == 'x' {
			b[9] = 't'
		} else {
			b[9] = 'T'
		}
	}
	return string(b)
}

func runLs(p *proc) int {
	o, err := optSpec{short: "la1dAh", long: []string{"all/a", "directory/d", "almost-all/A"}}.parse(p.args)
	if err != nil {
		return p.usage(2, err)
	}
	t, err := p.s.fs.snapshot()
	if err != nil {
		return p.errorf(2, "%v", err)
	}
	operands := o.args
	if len(operands) == 0 {
		operands = []string{"."}
	}
	status := 0
	for i, name := range operands {
		full := p.path(name)
		n, ok := t.lookup(full)
		if !ok {
			status = p.errorf(2, "cannot access '%s': No such file or directory", name)
			continue
		}
		if !n.dir || o.has("d") {
			lsEntries(p, o, t, []string{name}, []*node{n}, false)
			continue
		}
		if len(operands) > 1 {
			if i > 0 {
				fmt.Fprintln(p.stdout)
			}
			fmt.Fprintf(p.stdout, "%s:\n", name)
		}
		var names []string
		var nodes []*node
		if o.has("a") {
			parent, _ := t.lookup(path.Dir(full))
			names, nodes = []string{".", ".."}, []*node{n, parent}
		}
		for _, child := range t.children(full) {
			if strings.HasPrefix(child, ".") && !o.has("a") && !o.has("A") {
				continue
			}
			names, nodes = append(names, child), append(nodes, t.nodes[joinPath(full, child)])
		}
		lsEntries(p, o, t, names, nodes, true)
	}
	return status
}

// lsEntries prints names, one per line (ls's form when not on a
// terminal) or in ls -l's long form.
func lsEntries(p *proc, o opts, t *tree, names []string, nodes []*node, total bool) {
	if !o.has("l") {
		for _, n := range names {
			fmt.Fprintln(p.stdout, n)
		}
		return
	}
	width, blocks := 1, 0
	for _, n := range nodes {
		size := fileInfo{n: n}.Size()
		width = max(width, len(fmt.Sprint(size)))
		blocks += int((size + 4095) / 4096 * 4)
	}
	if total {
		fmt.Fprintf(p.stdout, "total %d\n", blocks)
	}
	for i, n := range nodes {
		links := 1
		if n.dir {
			links = 2
		}
		line := fmt.Sprintf("%s %d root root %*d %s %s", modeString(n), links, width, fileInfo{n: n}.Size(),
			lsTime(n.mtime, t.now), names[i])
		if n.link != "" {
			line += " -> " + n.link
		}
		fmt.Fprintln(p.stdout, line)
	}
}

// lsTime is ls's date column: the time for the last six months, the year
// before that.
func lsTime(at, now time.Time) string {
	at = at.UTC()
	if now.Sub(at) > 182*24*time.Hour || at.After(now.Add(time.Hour)) {
		return at.Format("Jan _2  2006")
	}
	return at.Format("Jan _2 15:04")
}

func runMkdir(p *proc) int {
	o, err := optSpec{short: "pm:v", long: []string{"parents/p", "mode/m"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	if len(o.args) == 0 {
		return p.usage(1, fmt.Errorf("missing operand"))
	}
	mode := fs.FileMode(0o755)
	if o.has("m") {
		if mode, err = parseMode(o.value("m", ""), 0); err != nil {
			return p.errorf(1, "invalid mode ‘%s’", o.value("m", ""))
		}
	}
	status := 0
	for _, name := range o.args {
		full := p.path(name)
		err := p.s.fs.change(p.ctx, "droplet.file.mkdir", func(m *world.Machine, t *tree) error {
			return mkdirOn(m, t, full, mode, o.has("p"))
		})
		if err != nil {
			status = p.errorf(1, "cannot create directory ‘%s’: %s", name, errText(err))
		}
	}
	return status
}

func mkdirOn(m *world.Machine, t *tree, full string, mode fs.FileMode, parents bool) error {
	if n, ok := t.lookup(full); ok {
		if parents && n.dir {
			return nil
		}
		return syscall.EEXIST
	}
	parent, ok := t.lookup(path.Dir(full))
	switch {
	case !ok && parents:
		if err := mkdirOn(m, t, path.Dir(full), 0o755, true); err != nil {
			return err
		}
		t.addDir(path.Dir(full), 0o755)
	case !ok:
		return syscall.ENOENT
	case !parent.dir:
		return syscall.ENOTDIR
	}
	makeDir(m, t, full, mode)
	return nil
}

func runRm(p *proc) int {
	o, err := optSpec{short: "frRdv", long: []string{"force/f", "recursive/r", "dir/d", "no-preserve-root"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	if len(o.args) == 0 && !o.has("f") {
		return p.usage(1, fmt.Errorf("missing operand"))
	}
	recursive := o.has("r") || o.has("R")
	status := 0
	for _, name := range o.args {
		full := p.path(name)
		if full == "/" && recursive && !o.has("no-preserve-root") {
			p.errorf(1, "it is dangerous to operate recursively on '/'")
			status = p.errorf(1, "use --no-preserve-root to override this failsafe")
			continue
		}
		err := p.s.fs.change(p.ctx, "droplet.file.remove", func(m *world.Machine, t *tree) error {
			n, ok := t.lookup(full)
			switch {
			case !ok:
				return syscall.ENOENT
			case n.dir && !recursive && !(o.has("d") && len(t.children(full)) == 0):
				return syscall.EISDIR
			}
			removeNode(m, t, full)
			return nil
		})
		if err != nil && !(o.has("f") && err == syscall.ENOENT) {
			status = p.errorf(1, "cannot remove '%s': %s", name, errText(err))
		}
	}
	return status
}

// copyTarget is where cp or mv puts src: into dst when dst is a directory.
func copyTarget(t *tree, src, dst string) string {
	if n, ok := t.lookup(dst); ok && n.dir {
		return joinPath(dst, baseName(src))
	}
	return dst
}

// copyTree copies src (a file, or a directory and all under it) to dst.
func copyTree(m *world.Machine, t *tree, src, dst string, keepMode bool) {
	for name, n := range t.nodes {
		if name != src && !strings.HasPrefix(name, src+"/") {
			continue
		}
		target := dst + name[len(src):]
		mode := fs.FileMode(0o644)
		if keepMode || n.mode&0o111 != 0 {
			mode = n.mode
		}
		if n.dir {
			makeDir(m, t, target, n.mode)
		} else {
			putFile(m, t, target, n.content, mode)
		}
	}
}

func runCp(p *proc) int { return copyOrMove(p, false) }
func runMv(p *proc) int { return copyOrMove(p, true) }

func copyOrMove(p *proc, move bool) int {
	o, err := optSpec{short: "rRpafv", long: []string{"recursive/r", "archive/a", "force/f"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	if len(o.args) < 2 {
		return p.usage(1, fmt.Errorf("missing destination file operand after '%s'", strings.Join(o.args, " ")))
	}
	dst := p.path(o.args[len(o.args)-1])
	status := 0
	for _, name := range o.args[:len(o.args)-1] {
		src := p.path(name)
		point := "droplet.file.copy"
		if move {
			point = "droplet.file.rename"
		}
		err := p.s.fs.change(p.ctx, point, func(m *world.Machine, t *tree) error {
			n, ok := t.lookup(src)
			if !ok {
				return pathError("stat", name, syscall.ENOENT)
			}
			if n.dir && !move && !o.has("r") && !o.has("R") && !o.has("a") {
				return fmt.Errorf("-r not specified; omitting directory '%s'", name)
			}
			target := copyTarget(t, src, dst)
			if err := writable(t, target); err != nil && !n.dir {
				return err
			}
			copyTree(m, t, src, target, move || o.has("p") || o.has("a"))
			if move {
				removeNode(m, t, src)
			}
			return nil
		})
		switch e := err.(type) {
		case nil:
		case *fs.PathError:
			status = p.errorf(1, "cannot stat '%s': %s", name, errText(e))
		default:
			status = p.errorf(1, "%v", e)
		}
	}
	return status
}

func runTouch(p *proc) int {
	o, err := optSpec{short: "c", long: []string{"no-create/c"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	status := 0
	for _, name := range o.args {
		full := p.path(name)
		err := p.s.fs.change(p.ctx, "droplet.file.touch", func(m *world.Machine, t *tree) error {
			if _, ok := t.lookup(full); !ok && o.has("c") {
				return nil
			}
			if err := writable(t, full); err != nil {
				if n, ok := t.lookup(full); !ok || !n.dir {
					return err
				}
			}
			touchFile(m, t, full, t.now)
			return nil
		})
		if err != nil {
			status = p.errorf(1, "cannot touch '%s': %s", name, errText(err))
		}
	}
	return status
}

func runMktemp(p *proc) int {
	o, err := optSpec{short: "dtp:q", long: []string{"directory/d", "tmpdir="}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	template := "tmp.XXXXXXXXXX"
	if len(o.args) > 0 {
		template = o.args[0]
	}
	dir := o.value("p", o.value("tmpdir", ""))
	if dir == "" && (o.has("t") || len(o.args) == 0) {
		dir = "/tmp"
	}
	name := randomTemplate(template)
	if dir != "" {
		name = dir + "/" + name
	}
	full := p.path(name)
	err = p.s.fs.change(p.ctx, "droplet.file.mktemp", func(m *world.Machine, t *tree) error {
		if err := writable(t, full); err != nil {
			return err
		}
		if o.has("d") {
			makeDir(m, t, full, 0o700)
		} else {
			putFile(m, t, full, "", 0o600)
		}
		return nil
	})
	if err != nil {
		return p.errorf(1, "failed to create file via template ‘%s’: %s", name, errText(err))
	}
	fmt.Fprintln(p.stdout, name)
	return 0
}

// randomTemplate replaces the template's trailing X's.
func randomTemplate(template string) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	trimmed := strings.TrimRight(template, "X")
	suffix := make([]byte, len(template)-len(trimmed))
	for i := range suffix {
		suffix[i] = letters[randomInt(len(letters))]
	}
	return trimmed + string(suffix)
}
