package droplet

import (
	"context"
	"crypto/rand"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"mvdan.cc/sh/v3/interp"
)

// The shell's file handlers: redirections, tests, globs and cd all reach
// the machine's file system through them, never the host's.

func (s *session) openHandler(ctx context.Context, name string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	hc := interp.HandlerCtx(ctx)
	return s.openFile(ctx, hc, canonical(hc.Dir, name), flag, perm)
}

// openFile opens p on the machine for a program or a redirection.
func (s *session) openFile(ctx context.Context, hc interp.HandlerContext, p string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	t, err := s.fs.snapshot()
	if err != nil {
		return nil, err
	}
	reading := flag&(os.O_WRONLY|os.O_RDWR) == 0
	if n, ok := t.lookup(p); ok && n.device != "" {
		return openDevice(n.device, hc, p, reading)
	}
	if reading {
		n, ok := t.lookup(p)
		switch {
		case !ok:
			return nil, pathError("open", p, syscall.ENOENT)
		case n.dir:
			return nil, pathError("read", p, syscall.EISDIR)
		}
		return streamFile(strings.NewReader(n.content))
	}
	err = s.fs.change(ctx, "droplet.file.write", func(m *world.Machine, t *tree) error {
		if err := writable(t, p); err != nil {
			return err
		}
		n, exists := t.lookup(p)
		switch {
		case !exists && flag&os.O_CREATE == 0:
			return pathError("open", p, syscall.ENOENT)
		case !exists:
			putFile(m, t, p, "", perm.Perm())
		case flag&os.O_TRUNC != 0:
			putFile(m, t, p, "", 0)
		default:
			putFile(m, t, p, n.content, 0) // the machine now holds its own copy
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &fileWriter{fs: s.fs, ctx: ctx, path: p}, nil
}

// fileWriter appends what a program writes to a machine file, one Update
// per write, so a reader sees it grow.
type fileWriter struct {
	fs   fsys
	ctx  context.Context
	path string
}

func (f *fileWriter) Write(b []byte) (int, error) {
	err := f.fs.change(f.ctx, "droplet.file.write", func(m *world.Machine, t *tree) error {
		n, ok := t.lookup(f.path)
		if !ok || n.dir {
			return pathError("write", f.path, syscall.ENOENT)
		}
		putFile(m, t, f.path, n.content+string(b), 0)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(b), nil
}

func (f *fileWriter) Read([]byte) (int, error) { return 0, pathError("read", f.path, syscall.EBADF) }
func (f *fileWriter) Close() error             { return nil }

// streamFile serves r as a pipe: an *os.File, which the shell uses as
// standard input as it is and closes when the redirection ends (any other
// reader it would copy into a pipe of its own that nobody closes).
func streamFile(r io.Reader) (*os.File, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	go func() {
		io.Copy(pw, r) // ends when the reader closes its end, at the latest
		pw.Close()
	}()
	return pr, nil
}

// devNull is /dev/null: reads end at once, writes vanish.
type devNull struct{}

func (devNull) Read([]byte) (int, error)    { return 0, io.EOF }
func (devNull) Write(b []byte) (int, error) { return len(b), nil }
func (devNull) Close() error                { return nil }

// endless is what /dev/zero or /dev/urandom read.
type endless struct{ random bool }

func (e endless) Read(b []byte) (int, error) {
	if e.random {
		return rand.Read(b)
	}
	clear(b)
	return len(b), nil
}

// stream is /dev/stdin, /dev/stdout or /dev/stderr: the program's own
// stream, which closing the file must not close.
type stream struct {
	r io.Reader
	w io.Writer
}

func (s stream) Read(b []byte) (int, error) {
	if s.r == nil {
		return 0, io.EOF
	}
	return s.r.Read(b)
}
func (s stream) Write(b []byte) (int, error) {
	if s.w == nil {
		return 0, syscall.EBADF
	}
	return s.w.Write(b)
}
func (stream) Close() error { return nil }

func openDevice(device string, hc interp.HandlerContext, p string, reading bool) (io.ReadWriteCloser, error) {
	switch device {
	case "null", "zero", "random", "urandom":
		if !reading {
			return devNull{}, nil
		}
		var r io.Reader = devNull{}
		if device != "null" {
			r = endless{random: device != "zero"}
		}
		return streamFile(r)
	case "stdin":
		return stream{r: hc.Stdin}, nil
	case "stdout":
		return stream{w: hc.Stdout}, nil
	case "stderr":
		return stream{w: hc.Stderr}, nil
	}
	// No terminal: SSH sessions here never get one.
	return nil, pathError("open", p, syscall.ENXIO)
}

// detached tells whether a program writing to w is independent of the
// SSH channel: its output goes to a file, or nowhere.
func detached(w io.Writer) bool {
	switch w.(type) {
	case *fileWriter, devNull, nil:
		return true
	}
	return false
}

func (s *session) statHandler(ctx context.Context, name string, followSymlinks bool) (fs.FileInfo, error) {
	hc := interp.HandlerCtx(ctx)
	t, err := s.fs.snapshot()
	if err != nil {
		return nil, err
	}
	if !followSymlinks {
		clean := canonical("/", name)
		for _, l := range usrMerged {
			if clean == l.target && strings.TrimSuffix(name, "/") == l.link {
				return fileInfo{name: l.link[1:], n: t.nodes[l.link]}, nil
			}
		}
	}
	p := canonical(hc.Dir, name)
	n, ok := t.lookup(p)
	if !ok {
		return nil, pathError("stat", name, syscall.ENOENT)
	}
	return fileInfo{name: baseName(p), n: n}, nil
}

func (s *session) readDirHandler(ctx context.Context, name string) ([]fs.DirEntry, error) {
	hc := interp.HandlerCtx(ctx)
	t, err := s.fs.snapshot()
	if err != nil {
		return nil, err
	}
	p := canonical(hc.Dir, name)
	n, ok := t.lookup(p)
	switch {
	case !ok:
		return nil, pathError("open", name, syscall.ENOENT)
	case !n.dir:
		return nil, pathError("readdirent", name, syscall.ENOTDIR)
	}
	var entries []fs.DirEntry
	for _, child := range t.children(p) {
		entries = append(entries, fs.FileInfoToDirEntry(fileInfo{name: child, n: t.nodes[joinPath(p, child)]}))
	}
	return entries, nil
}

func (s *session) accessHandler(ctx context.Context, name string, mode interp.AccessMode) error {
	hc := interp.HandlerCtx(ctx)
	n, err := s.fs.stat(canonical(hc.Dir, name))
	if err != nil {
		return err
	}
	return access(n, mode, name)
}

// access is the permission check for root: everything may be read and
// written (but /proc), only what has an x bit may be executed.
func access(n *node, mode interp.AccessMode, name string) error {
	if mode&interp.AccessWrite != 0 && n.readOnly {
		return pathError("access", name, syscall.EACCES)
	}
	if mode&interp.AccessExec != 0 && !n.dir && n.mode&0o111 == 0 {
		return pathError("access", name, syscall.EACCES)
	}
	return nil
}

func baseName(p string) string {
	if p == "/" {
		return "/"
	}
	return p[strings.LastIndexByte(p, '/')+1:]
}

func joinPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}
