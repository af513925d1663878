package droplet

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"
)

// defaultPath is root's PATH on Ubuntu.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games:/snap/bin"

// environ is what sshd and bash give a root session.
func (s *session) environ() []string {
	return []string{
		"HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/bash", "PATH=" + defaultPath,
		"LANG=C.UTF-8", "PWD=/root", "UID=0", "EUID=0", "GID=0", "HOSTTYPE=x86_64",
		"SSH_CLIENT=" + s.client + " 22", "SSH_CONNECTION=" + s.client + " " + s.serverAddr + " 22",
	}
}

// script is shell source to run as bash runs `bash -c` or a script file.
type script struct {
	src    string
	name   string   // $0
	params []string // $1…
	dir    string   // the working directory ("" for root's home)
	env    []string // the exported variables (nil for a login's)
	opts   []string // options for set (-e, -o pipefail)
}

// scriptOf is a script run by program p, which it inherits from.
func scriptOf(p *proc, src, name string, params []string, opts ...string) script {
	return script{src: src, name: name, params: params, dir: p.hc.Dir, env: envList(p.hc.Env), opts: opts}
}

// runScript runs a script with the given streams and returns its exit
// status.
func (s *session) runScript(ctx context.Context, sc script, stdin io.Reader, stdout, stderr io.Writer) int {
	file, err := syntax.NewParser().Parse(strings.NewReader(sc.src), sc.name)
	if err != nil {
		fmt.Fprintf(stderr, "bash: %v\n", err)
		return 2
	}
	if sc.env == nil {
		sc.env = s.environ()
	}
	if sc.dir == "" {
		sc.dir = "/root"
	}
	if _, isFile := stdin.(*os.File); !isFile && stdin != nil {
		pipe, err := streamFile(stdin)
		if err != nil {
			fmt.Fprintf(stderr, "bash: %v\n", err)
			return 1
		}
		defer pipe.Close()
		stdin = pipe
	}
	r, err := interp.New(
		interp.Env(expand.ListEnviron(sc.env...)),
		inDir(sc.dir),
		interp.StdIO(stdin, stdout, stderr),
		interp.OpenHandler(s.openHandler),
		interp.StatHandler(s.statHandler),
		interp.ReadDirHandler2(s.readDirHandler),
		interp.AccessHandler(s.accessHandler),
		interp.CallHandler(s.callHandler),
		interp.ExecHandlers(func(interp.ExecHandlerFunc) interp.ExecHandlerFunc { return s.execHandler }),
		interp.Params(append(sc.opts, append([]string{"--"}, sc.params...)...)...),
	)
	if err != nil {
		fmt.Fprintf(stderr, "bash: %v\n", err)
		return 1
	}
	return exitStatus(ctx, r.Run(ctx, file))
}

// inDir sets the working directory without the host's stat that
// interp.Dir does.
func inDir(dir string) interp.RunnerOption {
	return func(r *interp.Runner) error {
		r.Dir = dir
		return nil
	}
}

func exitStatus(ctx context.Context, err error) int {
	if err == nil {
		return 0
	}
	if code, ok := interp.IsExitStatus(err); ok {
		return int(code)
	}
	if ctx.Err() != nil {
		return 130
	}
	return 1
}

// callHandler replaces the builtins that would look at the host's PATH
// (command -v, type) with the machine's versions.
func (s *session) callHandler(ctx context.Context, args []string) ([]string, error) {
	switch {
	case args[0] == "command" && len(args) > 1 && (args[1] == "-v" || args[1] == "-V"):
		return append([]string{internalPrefix + "command"}, args[1:]...), nil
	case args[0] == "type":
		return append([]string{internalPrefix + "type"}, args[1:]...), nil
	}
	return args, nil
}

// internalPrefix marks the shell's own helpers, which no file names.
const internalPrefix = "\x00"

// execHandler runs a command that is not a builtin: a program of the
// machine, a script file, or nothing (exit 127). It never runs anything
// on the host.
func (s *session) execHandler(ctx context.Context, args []string) error {
	Settle(s.srv.w, s.srv.dropletID) // what the clock has done since the last command
	hc := interp.HandlerCtx(ctx)
	p := &proc{ctx: ctx, s: s, hc: hc, name: args[0], args: args[1:],
		stdin: hc.Stdin, stdout: hc.Stdout, stderr: hc.Stderr}
	if p.stdin == nil {
		p.stdin = devNull{}
	}
	if attachedTo(p) {
		// Like sshd, the session stays open while anything still writes
		// to its channel; such a program dies when the connection goes
		// (for most, their next write would kill them soon after).
		s.holds.Add(1)
		defer s.holds.Done()
		ctx, cancel := context.WithCancelCause(ctx)
		stop := context.AfterFunc(s.conn.ctx, func() { cancel(errConnectionLost) })
		defer stop()
		defer cancel(nil)
		p.ctx = ctx
	} else {
		// Output in files: nothing ties it to the session any more.
		ctx, release := s.srv.detachedContext(ctx)
		defer release()
		p.ctx = ctx
	}
	code := s.dispatch(p)
	if code == 0 {
		return nil
	}
	return interp.ExitStatus(uint8(code))
}

// dispatch finds what args[0] names and runs it.
func (s *session) dispatch(p *proc) int {
	if name, ok := strings.CutPrefix(p.name, internalPrefix); ok {
		return internal[name](p)
	}
	t, err := s.fs.snapshot()
	if err != nil {
		return p.shellError(127, p.name, "command not found")
	}
	_, n, errText := resolve(t, p.hc, p.name)
	if errText != "" {
		code := 126
		if errText == "command not found" || errText == "No such file or directory" {
			code = 127
		}
		return p.shellError(code, p.name, errText)
	}
	if name, ok := programOf(n.content); ok {
		prog, known := programs[name]
		if !known {
			return p.shellError(127, p.name, "not simulated in the chapterctl sandbox")
		}
		return prog.run(p)
	}
	// A script: run by bash, whatever its #! line says.
	return s.runScript(p.ctx, scriptOf(p, n.content, p.name, p.args), p.stdin, p.stdout, p.stderr)
}

// resolve finds the file a command name runs, as bash does: a name with a
// slash is a path, anything else is looked up in PATH.
func resolve(t *tree, hc interp.HandlerContext, name string) (string, *node, string) {
	if strings.Contains(name, "/") {
		p := canonical(hc.Dir, name)
		n, ok := t.lookup(p)
		switch {
		case !ok:
			return "", nil, "No such file or directory"
		case n.dir:
			return "", nil, "Is a directory"
		case n.mode&0o111 == 0:
			return "", nil, "Permission denied"
		}
		return p, n, ""
	}
	if p, n, ok := lookPath(t, hc.Env.Get("PATH").String(), hc.Dir, name); ok {
		return p, n, ""
	}
	return "", nil, "command not found"
}

// lookPath searches PATH on the machine for an executable file.
func lookPath(t *tree, pathVar, dir, name string) (string, *node, bool) {
	for _, elem := range strings.Split(pathVar, ":") {
		if elem == "" {
			elem = "."
		}
		p := canonical(dir, elem+"/"+name)
		if n, ok := t.lookup(p); ok && !n.dir && n.mode&0o111 != 0 {
			return p, n, true
		}
	}
	return "", nil, false
}

// envList flattens the shell's exported variables for a script it runs.
func envList(env expand.Environ) []string {
	var list []string
	for name, v := range env.Each {
		if v.Exported && v.IsSet() {
			list = append(list, name+"="+v.String())
		}
	}
	return list
}
