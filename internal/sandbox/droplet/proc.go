package droplet

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"mvdan.cc/sh/v3/interp"
)

// proc is one run of a program on the machine: its command line, its
// streams and the session it runs in.
type proc struct {
	ctx    context.Context
	s      *session
	hc     interp.HandlerContext
	name   string   // the program as invoked (args[0])
	args   []string // the arguments after it
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errorf prints "prog: message" to standard error, as the GNU tools do,
// and returns code.
func (p *proc) errorf(code int, format string, a ...any) int {
	fmt.Fprintf(p.stderr, "%s: %s\n", p.name, fmt.Sprintf(format, a...))
	return code
}

// usage reports a bad command line the GNU way.
func (p *proc) usage(code int, err error) int {
	fmt.Fprintf(p.stderr, "%s: %v\nTry '%s --help' for more information.\n", p.name, err, p.name)
	return code
}

// shellError is bash's own complaint about a command it could not run.
func (p *proc) shellError(code int, name, text string) int {
	fmt.Fprintf(p.stderr, "bash: line %d: %s: %s\n", max(1, p.hc.Pos.Line()), name, text)
	return code
}

func (p *proc) path(name string) string { return canonical(p.hc.Dir, name) }

func (p *proc) now() time.Time { return p.s.fs.w.Now() }

// sleep waits simulated duration d, or until the program is stopped.
func (p *proc) sleep(d time.Duration) error { return p.s.fs.w.Sleep(p.ctx, d) }

// readInput reads a file operand ("-" is standard input).
func (p *proc) readInput(name string) (string, error) {
	if name == "-" {
		b, err := io.ReadAll(p.stdin)
		return string(b), err
	}
	return p.s.fs.readFile(p.path(name))
}

// eachInput calls fn with the content of every file operand (standard
// input when there is none), reporting unreadable ones; the status is 1
// if any was.
func (p *proc) eachInput(files []string, fn func(name, content string)) int {
	if len(files) == 0 {
		files = []string{"-"}
	}
	status := 0
	for _, f := range files {
		content, err := p.readInput(f)
		if err != nil {
			status = p.errorf(1, "%s: %s", f, errText(err))
			continue
		}
		fn(f, content)
	}
	return status
}

// lines splits text into lines without their newlines.
func lines(text string) []string {
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// program is a command the machine has: where its file is, and what
// running it does.
type program struct {
	dir string
	run func(p *proc) int
}

// programs are the machine's commands, by name; internal are the shell's
// own helpers that replace builtins which would look at the host.
var (
	programs = map[string]program{}
	internal = map[string]func(p *proc) int{}
)

func register(dir string, run func(p *proc) int, names ...string) {
	for _, n := range names {
		programs[n] = program{dir: dir, run: run}
	}
}
