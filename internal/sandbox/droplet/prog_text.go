package droplet

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The text tools of coreutils, as far as scripts use them.

func init() {
	register("/usr/bin", runCat, "cat")
	register("/usr/bin", runHead, "head")
	register("/usr/bin", runTail, "tail")
	register("/usr/bin", runWC, "wc")
	register("/usr/bin", runCut, "cut")
	register("/usr/bin", runTee, "tee")
}

func runCat(p *proc) int {
	o, err := optSpec{short: "nAE"}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	n := 0
	return p.eachInput(o.args, func(_, content string) {
		if !o.has("n") {
			io.WriteString(p.stdout, content)
			return
		}
		for _, l := range lines(content) {
			n++
			fmt.Fprintf(p.stdout, "%6d\t%s\n", n, l)
		}
	})
}

// countArg reads head's and tail's -n/-c value; "+N" for tail means from
// line N.
func countArg(s string) (n int, fromStart bool, err error) {
	fromStart = strings.HasPrefix(s, "+")
	n, err = strconv.Atoi(strings.TrimPrefix(strings.TrimPrefix(s, "+"), "-"))
	return n, fromStart, err
}

// legacyCount turns head -5 / tail -5 into -n 5.
func legacyCount(args []string) []string {
	if len(args) > 0 && len(args[0]) > 1 && args[0][0] == '-' && args[0][1] >= '0' && args[0][1] <= '9' {
		return append([]string{"-n", args[0][1:]}, args[1:]...)
	}
	return args
}

func runHead(p *proc) int {
	o, err := optSpec{short: "n:c:q", long: []string{"lines/n", "bytes/c", "quiet/q"}}.parse(legacyCount(p.args))
	if err != nil {
		return p.usage(1, err)
	}
	if o.has("c") {
		n, _, err := countArg(o.value("c", "0"))
		if err != nil {
			return p.errorf(1, "invalid number of bytes: '%s'", o.value("c", ""))
		}
		return headBytes(p, o.args, n)
	}
	n, _, err := countArg(o.value("n", "10"))
	if err != nil {
		return p.errorf(1, "invalid number of lines: '%s'", o.value("n", ""))
	}
	return p.eachInput(o.args, func(_, content string) {
		ls := lines(content)
		for _, l := range ls[:min(n, len(ls))] {
			fmt.Fprintln(p.stdout, l)
		}
	})
}

// headBytes reads only what it prints, so that head -c 16 /dev/urandom
// ends.
func headBytes(p *proc, files []string, n int) int {
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, f := range files {
		var r io.Reader = p.stdin
		if f != "-" {
			rc, err := p.s.openFile(p.ctx, p.hc, p.path(f), 0, 0)
			if err != nil {
				return p.errorf(1, "cannot open '%s' for reading: %s", f, errText(err))
			}
			defer rc.Close()
			r = rc
		}
		io.CopyN(p.stdout, r, int64(n))
	}
	return 0
}

func runTail(p *proc) int {
	o, err := optSpec{short: "n:c:fFq", long: []string{"lines/n", "bytes/c", "follow/f", "quiet/q"}}.parse(legacyCount(p.args))
	if err != nil {
		return p.usage(1, err)
	}
	n, fromStart, err := countArg(o.value("n", "10"))
	if err != nil {
		return p.errorf(1, "invalid number of lines: '%s'", o.value("n", ""))
	}
	pick := func(content string) string {
		ls := lines(content)
		if fromStart {
			ls = ls[min(max(n-1, 0), len(ls)):]
		} else {
			ls = ls[max(0, len(ls)-n):]
		}
		if len(ls) == 0 {
			return ""
		}
		return strings.Join(ls, "\n") + "\n"
	}
	status := p.eachInput(o.args, func(_, content string) { io.WriteString(p.stdout, pick(content)) })
	if (o.has("f") || o.has("F")) && len(o.args) == 1 && status == 0 {
		return follow(p, o.args[0])
	}
	return status
}

// follow is tail -f: it prints what is appended to the file until the
// program is stopped (the log of a running install grows as time passes).
func follow(p *proc, name string) int {
	shown, _ := p.readInput(name)
	for {
		if err := p.sleep(time.Second); err != nil {
			return 130
		}
		content, err := p.readInput(name)
		if err != nil {
			continue
		}
		if len(content) < len(shown) {
			fmt.Fprintf(p.stderr, "%s: %s: file truncated\n", p.name, name)
			shown = ""
		}
		io.WriteString(p.stdout, content[len(shown):])
		shown = content
	}
}

func runWC(p *proc) int {
	o, err := optSpec{short: "lwc", long: []string{"lines/l", "words/w", "bytes/c"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	all := !o.has("l") && !o.has("w") && !o.has("c")
	var total [3]int
	var rows [][3]int
	var names []string
	status := p.eachInput(o.args, func(name, content string) {
		row := [3]int{strings.Count(content, "\n"), len(strings.Fields(content)), len(content)}
		for i := range row {
			total[i] += row[i]
		}
		rows, names = append(rows, row), append(names, name)
	})
	if len(rows) > 1 {
		rows, names = append(rows, total), append(names, "total")
	}
	for i, row := range rows {
		var cols []string
		for j, flag := range []string{"l", "w", "c"} {
			if all || o.has(flag) {
				cols = append(cols, strconv.Itoa(row[j]))
			}
		}
		if len(o.args) > 0 {
			cols = append(cols, names[i])
		}
		fmt.Fprintln(p.stdout, wcColumns(cols, len(o.args) == 0 && len(cols) == 1))
	}
	return status
}

// wcColumns pads counts as wc does: alone they are bare, together each
// takes the width of the widest.
func wcColumns(cols []string, bare bool) string {
	if bare {
		return cols[0]
	}
	width := 1
	for _, c := range cols {
		if _, err := strconv.Atoi(c); err == nil {
			width = max(width, len(c))
		}
	}
	for i, c := range cols {
		if _, err := strconv.Atoi(c); err == nil {
			cols[i] = fmt.Sprintf("%*s", width, c)
		}
	}
	return strings.Join(cols, " ")
}

func runCut(p *proc) int {
	o, err := optSpec{short: "d:f:c:s", long: []string{"delimiter/d", "fields/f", "characters/c", "only-delimited/s"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	spec, chars := o.value("f", ""), false
	if o.has("c") {
		spec, chars = o.value("c", ""), true
	}
	if spec == "" {
		return p.usage(1, fmt.Errorf("you must specify a list of bytes, characters, or fields"))
	}
	wanted, err := parseRanges(spec)
	if err != nil {
		return p.errorf(1, "%v", err)
	}
	delim := o.value("d", "\t")
	return p.eachInput(o.args, func(_, content string) {
		for _, l := range lines(content) {
			if chars {
				fmt.Fprintln(p.stdout, pickFields(strings.Split(l, ""), wanted, ""))
				continue
			}
			if !strings.Contains(l, delim) {
				if !o.has("s") {
					fmt.Fprintln(p.stdout, l)
				}
				continue
			}
			fmt.Fprintln(p.stdout, pickFields(strings.Split(l, delim), wanted, delim))
		}
	})
}

// parseRanges reads cut's LIST: "2", "1,3", "2-", "-3", "2-4".
func parseRanges(spec string) ([][2]int, error) {
	var out [][2]int
	for _, part := range strings.Split(spec, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		from, to := 1, 1<<30
		var err error
		if lo != "" {
			if from, err = strconv.Atoi(lo); err != nil || from < 1 {
				return nil, fmt.Errorf("invalid field value '%s'", part)
			}
		}
		switch {
		case !isRange:
			to = from
		case hi != "":
			if to, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("invalid field range '%s'", part)
			}
		}
		out = append(out, [2]int{from, to})
	}
	return out, nil
}

func pickFields(fields []string, wanted [][2]int, delim string) string {
	var kept []string
	for i, f := range fields {
		for _, r := range wanted {
			if i+1 >= r[0] && i+1 <= r[1] {
				kept = append(kept, f)
				break
			}
		}
	}
	return strings.Join(kept, delim)
}

func runTee(p *proc) int {
	o, err := optSpec{short: "a", long: []string{"append/a"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	data, _ := io.ReadAll(p.stdin)
	p.stdout.Write(data)
	status := 0
	for _, f := range o.args {
		flag := writeFlags(o.has("a"))
		w, err := p.s.openFile(p.ctx, p.hc, p.path(f), flag, 0o644)
		if err != nil {
			status = p.errorf(1, "%s: %s", f, errText(err))
			continue
		}
		w.Write(data)
	}
	return status
}

// bre turns a basic regular expression (grep's default, sed's) into Go's
// syntax: \( \) \{ \} \| \+ \? are the operators, the bare characters are
// literal.
func bre(expr string) string {
	var b strings.Builder
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr) && strings.IndexByte("(){}|+?", expr[i+1]) >= 0:
			b.WriteByte(expr[i+1])
			i++
		case c == '\\' && i+1 < len(expr):
			b.WriteByte(c)
			b.WriteByte(expr[i+1])
			i++
		case strings.IndexByte("(){}|+?", c) >= 0:
			b.WriteString(regexp.QuoteMeta(string(c)))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
