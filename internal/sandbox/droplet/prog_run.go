package droplet

import (
	"context"
	"fmt"
	"io"
	"strings"

	"mvdan.cc/sh/v3/expand"
)

// Programs that run other programs: bash and sh, nohup, setsid, sudo,
// timeout and systemd-run.
//
// Over an exec session without a terminal nothing sends SIGHUP, so nohup
// and setsid change nothing that matters here: what kills a program when
// the SSH connection goes is its next write to the dead channel (SIGPIPE).
// A program survives the connection when its output goes to files, or
// when systemd-run starts it (its output goes to the journal).

func init() {
	register("/usr/bin", runBash, "bash", "sh", "dash")
	register("/usr/bin", runNohup, "nohup")
	register("/usr/bin", runSetsid, "setsid")
	register("/usr/bin", runSudo, "sudo")
	register("/usr/bin", runTimeout, "timeout")
	register("/usr/bin", runSystemdRun, "systemd-run")
	register("/usr/bin", runBuiltinFile, "echo", "printf", "test", "[", "kill", "pwd")
}

// runBuiltinFile is /usr/bin/echo and the like: the files coreutils ships
// for the shell's builtins, for programs that run them without a shell
// (nohup echo, env printf). The builtin does the work.
func runBuiltinFile(p *proc) int {
	params := append([]string{baseName(p.name)}, p.args...)
	return p.s.runScript(p.ctx, scriptOf(p, `"$@"`, p.name, params), p.stdin, p.stdout, p.stderr)
}

// runArgv runs args as a program started by p (no shell in between), or
// reports with notFound (a format taking the name) that there is none.
func (s *session) runArgv(p *proc, args []string, env []string, notFound string) int {
	child := *p
	child.name, child.args = args[0], args[1:]
	if env != nil {
		child.hc.Env = expand.ListEnviron(env...)
	}
	t, err := s.fs.snapshot()
	if err != nil {
		return 1
	}
	if _, _, text := resolve(t, child.hc, args[0]); text != "" {
		fmt.Fprintf(p.stderr, notFound+"\n", args[0])
		if text == "Permission denied" {
			return 126
		}
		return 127
	}
	return s.dispatch(&child)
}

func runBash(p *proc) int {
	var shellOpts []string
	args := p.args
	command, hasCommand, fromStdin := "", false, false
flags:
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		a := args[0]
		args = args[1:]
		switch {
		case a == "--":
			break flags
		case a == "-c":
			if len(args) == 0 {
				return p.errorf(2, "-c: option requires an argument")
			}
			command, args, hasCommand = args[0], args[1:], true
		case a == "-s":
			fromStdin = true
		case a == "-o" && len(args) > 0:
			shellOpts, args = append(shellOpts, "-o", args[0]), args[1:]
		case a == "-l", a == "--login", a == "--noprofile", a == "--norc":
		default:
			shellOpts = append(shellOpts, a)
		}
	}
	switch {
	case hasCommand:
		name := "bash"
		if len(args) > 0 {
			name, args = args[0], args[1:]
		}
		return p.s.runScript(p.ctx, scriptOf(p, command, name, args, shellOpts...), p.stdin, p.stdout, p.stderr)
	case len(args) == 0 || fromStdin:
		src, _ := io.ReadAll(p.stdin)
		return p.s.runScript(p.ctx, scriptOf(p, string(src), "bash", args, shellOpts...), devNull{}, p.stdout, p.stderr)
	}
	src, err := p.s.fs.readFile(p.path(args[0]))
	if err != nil {
		fmt.Fprintf(p.stderr, "%s: %s: %s\n", p.name, args[0], errText(err))
		return 127
	}
	if _, binary := programOf(src); binary {
		fmt.Fprintf(p.stderr, "%s: %s: cannot execute binary file\n", p.name, args[0])
		return 126
	}
	return p.s.runScript(p.ctx, scriptOf(p, src, args[0], args[1:], shellOpts...), p.stdin, p.stdout, p.stderr)
}

func runNohup(p *proc) int {
	if len(p.args) == 0 {
		return p.usage(125, fmt.Errorf("missing operand"))
	}
	return p.s.runArgv(p, p.args, nil, "nohup: failed to run command '%s': No such file or directory")
}

func runSetsid(p *proc) int {
	args := p.args
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		args = args[1:] // -f, -w, -c: the session changes nothing here
	}
	if len(args) == 0 {
		return p.usage(1, fmt.Errorf("no command specified"))
	}
	return p.s.runArgv(p, args, nil, "setsid: failed to execute %s: No such file or directory")
}

func runSudo(p *proc) int {
	args := p.args
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		if args[0] == "-u" && len(args) > 1 {
			args = args[1:]
		}
		args = args[1:]
	}
	if len(args) == 0 {
		return p.errorf(1, "usage: sudo command")
	}
	return p.s.runArgv(p, args, nil, "sudo: %s: command not found")
}

// runTimeout stops the command after DURATION of simulated time (exit 124).
func runTimeout(p *proc) int {
	o, err := optSpec{short: "s:k:v", long: []string{"signal/s", "kill-after/k", "preserve-status", "foreground", "verbose/v"},
		inOrder: true}.parse(p.args)
	if err != nil || len(o.args) < 2 {
		if err == nil {
			err = fmt.Errorf("missing operand")
		}
		return p.usage(125, err)
	}
	d, err := parseDuration(o.args[0])
	if err != nil {
		return p.usage(125, fmt.Errorf("invalid time interval ‘%s’", o.args[0]))
	}
	child := *p
	var cancel context.CancelFunc
	if d > 0 {
		child.ctx, cancel = context.WithTimeout(p.ctx, p.s.fs.w.Scaled(d))
		defer cancel()
	}
	code := p.s.runArgv(&child, o.args[1:], nil, "timeout: failed to run command ‘%s’: No such file or directory")
	if child.ctx.Err() == context.DeadlineExceeded && p.ctx.Err() == nil {
		return 124
	}
	return code
}

// runSystemdRun starts the command as a transient service: it runs on
// with its output in the journal, whatever happens to this session.
func runSystemdRun(p *proc) int {
	o, err := optSpec{short: "p:qu:E:", long: []string{"unit/u", "scope", "wait", "collect", "quiet/q", "property/p",
		"setenv/E", "same-dir", "no-block", "remain-after-exit", "service-type=", "pipe", "pty"}, inOrder: true}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	if len(o.args) == 0 {
		return p.errorf(1, "Command line to execute required.")
	}
	if o.has("scope") || o.has("pipe") {
		return p.s.runArgv(p, o.args, nil, "Failed to find executable %s: No such file or directory")
	}
	unit := o.value("u", fmt.Sprintf("run-u%d", 100+randomInt(900)))
	if !strings.HasSuffix(unit, ".service") {
		unit += ".service"
	}
	child := *p
	child.stdin, child.stdout, child.stderr = devNull{}, devNull{}, devNull{}
	child.hc.Stdin, child.hc.Stdout, child.hc.Stderr = nil, devNull{}, devNull{}
	ctx, release := p.s.srv.detachedContext(p.ctx)
	child.ctx = ctx
	done := make(chan int, 1)
	p.s.srv.wg.Add(1)
	go func() {
		defer p.s.srv.wg.Done()
		defer release()
		done <- p.s.runArgv(&child, o.args, nil, "Failed to find executable %s: No such file or directory")
	}()
	if !o.has("q") {
		fmt.Fprintf(p.stderr, "Running as unit: %s\n", unit)
	}
	if o.has("wait") {
		select {
		case code := <-done:
			return code
		case <-p.ctx.Done():
			return 130
		}
	}
	return 0
}

// detachedContext keeps parent's values (the request, the shell's
// handler context) but ends only with the machine's boot, not with the
// session; call release when done with it.
func (s *Server) detachedContext(parent context.Context) (ctx context.Context, release func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	stop := context.AfterFunc(s.currentBoot(), cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}
