package droplet

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// node is one entry of the machine's file system.
type node struct {
	dir      bool
	link     string      // a symbolic link's target (the merged-/usr links only)
	device   string      // a /dev node: null, zero, urandom, stdin, stdout, stderr, tty
	mode     fs.FileMode // permission bits
	content  string
	mtime    time.Time
	readOnly bool // /proc: even root cannot write there
}

// tree is the machine's file system at one instant: the base image, what
// the clock has done to it (cloud-init, the installer), and the machine's
// own changes (world.Machine's Files, Dirs, Modes, Removed) on top.
type tree struct {
	nodes map[string]*node
	now   time.Time
}

// usrMerged are the top-level links of a merged-/usr system (Ubuntu since
// 20.04, Debian 12, Rocky 9): /bin/cat is /usr/bin/cat.
var usrMerged = []struct{ link, target string }{
	{"/bin", "/usr/bin"}, {"/sbin", "/usr/sbin"}, {"/lib", "/usr/lib"}, {"/lib64", "/usr/lib64"},
}

// canonical makes p absolute (relative to dir), clean, and resolves the
// merged-/usr links, so that every path names one node.
func canonical(dir, p string) string {
	if !strings.HasPrefix(p, "/") {
		p = dir + "/" + p
	}
	p = path.Clean(p)
	for _, l := range usrMerged {
		if p == l.link || strings.HasPrefix(p, l.link+"/") {
			return l.target + p[len(l.link):]
		}
	}
	return p
}

func (t *tree) lookup(p string) (*node, bool) {
	n, ok := t.nodes[p]
	return n, ok
}

// addDir adds a directory and its missing ancestors.
func (t *tree) addDir(p string, mode fs.FileMode) {
	for cur := p; ; cur = path.Dir(cur) {
		if n, ok := t.nodes[cur]; ok && n.dir {
			if cur == p {
				n.mode = mode
			}
		} else {
			m := fs.FileMode(0o755)
			if cur == p {
				m = mode
			}
			t.nodes[cur] = &node{dir: true, mode: m, mtime: t.now}
		}
		if cur == "/" {
			return
		}
	}
}

// addFile adds a file and makes sure its directory exists.
func (t *tree) addFile(p, content string, mode fs.FileMode) *node {
	if parent, ok := t.nodes[path.Dir(p)]; !ok || !parent.dir {
		t.addDir(path.Dir(p), 0o755)
	}
	n := &node{mode: mode, content: content, mtime: t.now}
	t.nodes[p] = n
	return n
}

// children lists the names in directory p, sorted.
func (t *tree) children(p string) []string {
	prefix := p + "/"
	if p == "/" {
		prefix = "/"
	}
	var names []string
	for name := range t.nodes {
		if name == p || !strings.HasPrefix(name, prefix) {
			continue
		}
		rest := name[len(prefix):]
		if rest != "" && !strings.Contains(rest, "/") {
			names = append(names, rest)
		}
	}
	sort.Strings(names)
	return names
}

// buildTree assembles the file system of machine m (of droplet dr, which
// may be nil once destroyed) at time now.
func buildTree(m *world.Machine, dr *world.Droplet, now time.Time) *tree {
	t := &tree{nodes: map[string]*node{}, now: now}
	addBaseImage(t, m, imageOf(m.Image))
	addRuntimeFiles(t, m, dr)
	addInstallerFiles(t, m, now)
	applyOverlay(t, m)
	return t
}

// applyOverlay puts the machine's own changes on top of the image.
func applyOverlay(t *tree, m *world.Machine) {
	for p := range m.Removed {
		delete(t.nodes, p)
	}
	for p, mode := range m.Dirs {
		t.addDir(p, fs.FileMode(mode))
	}
	for p, content := range m.Files {
		mode := fs.FileMode(0o644)
		if bits, ok := m.Modes[p]; ok {
			mode = fs.FileMode(bits)
		}
		n := t.addFile(p, content, mode)
		if at, ok := m.MTimes[p]; ok {
			n.mtime = at
		}
	}
}

// fileInfo is a node as fs.FileInfo, for the shell's stat and readdir.
type fileInfo struct {
	name string
	n    *node
}

func (fi fileInfo) Name() string { return fi.name }
func (fi fileInfo) Size() int64 {
	if fi.n.dir {
		return 4096
	}
	if fi.n.link != "" {
		return int64(len(fi.n.link))
	}
	return int64(len(fi.n.content))
}
func (fi fileInfo) Mode() fs.FileMode {
	switch {
	case fi.n.dir:
		return fs.ModeDir | fi.n.mode
	case fi.n.link != "":
		return fs.ModeSymlink | 0o777
	case fi.n.device != "":
		return fs.ModeDevice | fs.ModeCharDevice | fi.n.mode
	}
	return fi.n.mode
}
func (fi fileInfo) ModTime() time.Time { return fi.n.mtime }
func (fi fileInfo) IsDir() bool        { return fi.n.dir }
func (fi fileInfo) Sys() any           { return nil }
