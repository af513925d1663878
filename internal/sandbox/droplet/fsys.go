package droplet

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// fsys is a droplet machine's file system, read from and written to the
// world: every read sees the machine as it is now, every write is an
// Update (so it is saved, journaled as the request's doing, and can be a
// crash point).
type fsys struct {
	w  *world.World
	id int
}

var errNoMachine = errors.New("the droplet has not booted")

// snapshot is the file system as it is now.
func (f fsys) snapshot() (*tree, error) {
	var t *tree
	now := f.w.Now()
	f.w.Read(func(d *world.Data) {
		if m := d.MachineOf(f.id); m != nil {
			t = buildTree(m, d.DropletByID(f.id), now)
		}
	})
	if t == nil {
		return nil, errNoMachine
	}
	return t, nil
}

// stat finds a node, or a PathError as the system call would give.
func (f fsys) stat(p string) (*node, error) {
	t, err := f.snapshot()
	if err != nil {
		return nil, err
	}
	n, ok := t.lookup(p)
	if !ok {
		return nil, pathError("stat", p, syscall.ENOENT)
	}
	return n, nil
}

// readFile reads a regular file.
func (f fsys) readFile(p string) (string, error) {
	n, err := f.stat(p)
	if err != nil {
		return "", pathError("open", p, syscall.ENOENT)
	}
	if n.dir {
		return "", pathError("read", p, syscall.EISDIR)
	}
	return n.content, nil
}

func pathError(op, p string, errno syscall.Errno) error {
	return &fs.PathError{Op: op, Path: p, Err: errno}
}

// errText is how coreutils word a file error ("No such file or directory").
func errText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		text := errno.Error()
		return strings.ToUpper(text[:1]) + text[1:]
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// change runs fn on the machine and its current tree as one Update.
func (f fsys) change(ctx context.Context, point string, fn func(m *world.Machine, t *tree) error) error {
	now := f.w.Now()
	var fnErr error
	err := f.w.Update(ctx, point, func(d *world.Data) error {
		m := d.MachineOf(f.id)
		if m == nil {
			fnErr = errNoMachine
			return fnErr
		}
		if fnErr = fn(m, buildTree(m, d.DropletByID(f.id), now)); fnErr != nil {
			return fnErr
		}
		syncFromFiles(m)
		return nil
	})
	if fnErr != nil {
		return fnErr // the error as fn gave it, for callers that look at it
	}
	return err
}

// writable checks that a file may be created or replaced at p.
func writable(t *tree, p string) error {
	parent, ok := t.lookup(path.Dir(p))
	switch {
	case !ok:
		return pathError("open", p, syscall.ENOENT)
	case !parent.dir:
		return pathError("open", p, syscall.ENOTDIR)
	}
	if n, ok := t.lookup(p); ok {
		switch {
		case n.dir:
			return pathError("open", p, syscall.EISDIR)
		case n.readOnly:
			return pathError("open", p, syscall.EACCES)
		}
	}
	return nil
}

// putFile stores a file on the machine; mode 0 keeps the file's mode
// (0644 for a new one).
func putFile(m *world.Machine, t *tree, p, content string, mode fs.FileMode) {
	if mode == 0 {
		mode = 0o644
		if n, ok := t.lookup(p); ok {
			mode = n.mode
		}
	}
	ensureMaps(m)
	m.Files[p] = content
	delete(m.Removed, p)
	m.MTimes[p] = t.now
	if mode.Perm() == 0o644 && mode&fs.ModeSticky == 0 {
		delete(m.Modes, p)
	} else {
		m.Modes[p] = uint32(mode)
	}
}

// removeNode deletes p and, for a directory, all under it: the machine's
// own entries go, the image's are masked.
func removeNode(m *world.Machine, t *tree, p string) {
	ensureMaps(m)
	for name := range t.nodes {
		if name != p && !strings.HasPrefix(name, p+"/") {
			continue
		}
		if _, own := m.Files[name]; own {
			delete(m.Files, name)
			delete(m.Modes, name)
			delete(m.MTimes, name)
		}
		delete(m.Dirs, name)
		m.Removed[name] = true
	}
}

// makeDir creates directory p (its parent must exist).
func makeDir(m *world.Machine, t *tree, p string, mode fs.FileMode) {
	ensureMaps(m)
	m.Dirs[p] = uint32(mode)
	delete(m.Removed, p)
}

// setMode changes a node's permission bits; an image file is copied onto
// the machine to carry them.
func setMode(m *world.Machine, t *tree, p string, n *node, mode fs.FileMode) {
	ensureMaps(m)
	if n.dir {
		m.Dirs[p] = uint32(mode)
		return
	}
	putFile(m, t, p, n.content, mode)
	m.MTimes[p] = n.mtime
}

// touchFile sets a file's modification time, creating it empty if needed.
func touchFile(m *world.Machine, t *tree, p string, at time.Time) {
	n, ok := t.lookup(p)
	if !ok {
		putFile(m, t, p, "", 0o644)
	} else if !n.dir {
		putFile(m, t, p, n.content, n.mode)
	}
	m.MTimes[p] = at
}

func ensureMaps(m *world.Machine) {
	if m.Files == nil {
		m.Files = map[string]string{}
	}
	if m.Modes == nil {
		m.Modes = map[string]uint32{}
	}
	if m.Dirs == nil {
		m.Dirs = map[string]uint32{}
	}
	if m.Removed == nil {
		m.Removed = map[string]bool{}
	}
	if m.MTimes == nil {
		m.MTimes = map[string]time.Time{}
	}
}
