package droplet

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// grep, tr, sort and uniq.

func init() {
	register("/usr/bin", runGrep, "grep")
	register("/usr/bin", runTr, "tr")
	register("/usr/bin", runSort, "sort")
	register("/usr/bin", runUniq, "uniq")
}

var grepSpec = optSpec{short: "qcEivFxwnoe:shlH", long: []string{
	"quiet/q", "silent/q", "count/c", "extended-regexp/E", "ignore-case/i", "invert-match/v",
	"fixed-strings/F", "line-regexp/x", "word-regexp/w", "line-number/n", "only-matching/o",
	"regexp/e", "no-messages/s", "no-filename/h", "files-with-matches/l", "with-filename/H"}}

// runGrep is GNU grep: exit 0 when a line matched, 1 when none did, 2 on
// an error.
func runGrep(p *proc) int {
	o, err := grepSpec.parse(p.args)
	if err != nil {
		return p.usage(2, err)
	}
	patterns := o.given["e"]
	if len(patterns) == 0 {
		if len(o.args) == 0 {
			fmt.Fprintf(p.stderr, "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n")
			return 2
		}
		patterns, o.args = strings.Split(o.args[0], "\n"), o.args[1:]
	}
	re, err := grepRegexp(patterns, o)
	if err != nil {
		return p.errorf(2, "%v", err)
	}
	showName := (len(o.args) > 1 || o.has("H")) && !o.has("h")
	matched, status := false, 0
	for _, f := range orStdin(o.args) {
		content, err := p.readInput(f)
		if err != nil {
			if !o.has("s") {
				p.errorf(2, "%s: %s", f, errText(err))
			}
			status = 2
			continue
		}
		n := grepLines(p, o, re, f, content, showName)
		matched = matched || n > 0
		if o.has("q") && matched {
			return 0
		}
	}
	switch {
	case status == 2 && !(o.has("q") && matched):
		return 2
	case matched:
		return 0
	}
	return 1
}

func orStdin(files []string) []string {
	if len(files) == 0 {
		return []string{"-"}
	}
	return files
}

// grepLines prints the lines of one input as the options say and returns
// how many matched.
func grepLines(p *proc, o opts, re *regexp.Regexp, name, content string, showName bool) int {
	prefix := ""
	if showName {
		prefix = name + ":"
	}
	count := 0
	for i, l := range lines(content) {
		if re.MatchString(l) == o.has("v") {
			continue
		}
		count++
		switch {
		case o.has("q"), o.has("c"), o.has("l"):
		case o.has("o") && !o.has("v"):
			for _, m := range re.FindAllString(l, -1) {
				fmt.Fprintf(p.stdout, "%s%s\n", prefix, m)
			}
		case o.has("n"):
			fmt.Fprintf(p.stdout, "%s%d:%s\n", prefix, i+1, l)
		default:
			fmt.Fprintf(p.stdout, "%s%s\n", prefix, l)
		}
	}
	switch {
	case o.has("q"):
	case o.has("l") && count > 0:
		fmt.Fprintln(p.stdout, name)
	case o.has("c"):
		fmt.Fprintf(p.stdout, "%s%d\n", prefix, count)
	}
	return count
}

// grepRegexp compiles grep's patterns (any may match) in its dialect.
func grepRegexp(patterns []string, o opts) (*regexp.Regexp, error) {
	var alts []string
	for _, pat := range patterns {
		switch {
		case o.has("F"):
			pat = regexp.QuoteMeta(pat)
		case !o.has("E"):
			pat = bre(pat)
		}
		alts = append(alts, "(?:"+pat+")")
	}
	expr := strings.Join(alts, "|")
	switch {
	case o.has("x"):
		expr = "^(?:" + expr + ")$"
	case o.has("w"):
		expr = `(?:^|\W)(?:` + expr + `)(?:\W|$)`
	}
	if o.has("i") {
		expr = "(?i)" + expr
	}
	return regexp.Compile(expr)
}

// runTr translates, deletes (-d) or squeezes (-s) characters; sets may
// use ranges (a-z), escapes (\n) and the [:classes:] scripts use.
func runTr(p *proc) int {
	o, err := optSpec{short: "dsc", long: []string{"delete/d", "squeeze-repeats/s", "complement/c"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	if len(o.args) == 0 || (!o.has("d") && !o.has("s") && len(o.args) < 2) {
		return p.usage(1, fmt.Errorf("missing operand"))
	}
	from := expandSet(o.args[0])
	var to []rune
	if len(o.args) > 1 {
		to = expandSet(o.args[1])
	}
	inFrom := func(r rune) int {
		i := indexRune(from, r)
		if o.has("c") {
			if i >= 0 {
				return -1
			}
			return 0
		}
		return i
	}
	input, _ := p.readInput("-")
	var b strings.Builder
	var last rune = -1
	for _, r := range input {
		i := inFrom(r)
		switch {
		case o.has("d") && i >= 0:
			continue
		case !o.has("d") && i >= 0 && len(to) > 0:
			r = to[min(i, len(to)-1)]
		}
		if o.has("s") && r == last && indexRune(squeezeSet(o, from, to), r) >= 0 {
			continue
		}
		b.WriteRune(r)
		last = r
	}
	fmt.Fprint(p.stdout, b.String())
	return 0
}

func indexRune(set []rune, r rune) int {
	for i, c := range set {
		if c == r {
			return i
		}
	}
	return -1
}

func squeezeSet(o opts, from, to []rune) []rune {
	if len(to) > 0 && !o.has("d") {
		return to
	}
	return from
}

// expandSet reads a tr SET.
func expandSet(set string) []rune {
	classes := map[string]func(rune) bool{
		"[:upper:]": unicode.IsUpper, "[:lower:]": unicode.IsLower, "[:digit:]": unicode.IsDigit,
		"[:space:]": unicode.IsSpace, "[:alpha:]": unicode.IsLetter, "[:alnum:]": func(r rune) bool {
			return unicode.IsLetter(r) || unicode.IsDigit(r)
		},
	}
	var out []rune
	rs := []rune(set)
	for i := 0; i < len(rs); i++ {
		if matched := matchClass(string(rs[i:]), classes); matched != "" {
			for r := rune(0); r < 128; r++ {
				if classes[matched](r) {
					out = append(out, r)
				}
			}
			i += len(matched) - 1
			continue
		}
		r := rs[i]
		if r == '\\' && i+1 < len(rs) {
			i++
			r = map[rune]rune{'n': '\n', 't': '\t', 'r': '\r', '\\': '\\'}[rs[i]]
		}
		if i+2 < len(rs) && rs[i+1] == '-' {
			for c := r; c <= rs[i+2]; c++ {
				out = append(out, c)
			}
			i += 2
			continue
		}
		out = append(out, r)
	}
	return out
}

func matchClass(s string, classes map[string]func(rune) bool) string {
	for name := range classes {
		if strings.HasPrefix(s, name) {
			return name
		}
	}
	return ""
}

func runSort(p *proc) int {
	o, err := optSpec{short: "rnuVt:k:", long: []string{"reverse/r", "numeric-sort/n", "unique/u", "version-sort/V",
		"field-separator/t", "key/k"}}.parse(p.args)
	if err != nil {
		return p.usage(2, err)
	}
	var all []string
	status := p.eachInput(o.args, func(_, content string) { all = append(all, lines(content)...) })
	key := sortKey(o)
	less := func(a, b string) bool { return key(a) < key(b) }
	switch {
	case o.has("n"):
		less = func(a, b string) bool { return leadingNumber(key(a)) < leadingNumber(key(b)) }
	case o.has("V"):
		less = func(a, b string) bool { return versionLess(key(a), key(b)) }
	}
	sort.SliceStable(all, func(i, j int) bool {
		if o.has("r") {
			return less(all[j], all[i])
		}
		return less(all[i], all[j])
	})
	for i, l := range all {
		if o.has("u") && i > 0 && key(l) == key(all[i-1]) {
			continue
		}
		fmt.Fprintln(p.stdout, l)
	}
	return status
}

// sortKey is -k N (one field, whitespace or -t separated), else the line.
func sortKey(o opts) func(string) string {
	field, err := strconv.Atoi(strings.SplitN(o.value("k", ""), ",", 2)[0])
	if err != nil || field < 1 {
		return func(l string) string { return l }
	}
	return func(l string) string {
		var fields []string
		if sep := o.value("t", ""); sep != "" {
			fields = strings.Split(l, sep)
		} else {
			fields = strings.Fields(l)
		}
		if field > len(fields) {
			return ""
		}
		return fields[field-1]
	}
}

func leadingNumber(s string) float64 {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] == '-' || s[end] == '.' || (s[end] >= '0' && s[end] <= '9')) {
		end++
	}
	n, _ := strconv.ParseFloat(s[:end], 64)
	return n
}

// versionLess compares as sort -V does: runs of digits by value.
func versionLess(a, b string) bool {
	for a != "" && b != "" {
		da, ra := splitDigits(a)
		db, rb := splitDigits(b)
		if da != "" && db != "" {
			na, _ := strconv.Atoi(da)
			nb, _ := strconv.Atoi(db)
			if na != nb {
				return na < nb
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func splitDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

func runUniq(p *proc) int {
	o, err := optSpec{short: "cdu", long: []string{"count/c", "repeated/d", "unique/u"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	input, _ := p.readInput("-")
	ls := lines(input)
	for i := 0; i < len(ls); {
		j := i
		for j < len(ls) && ls[j] == ls[i] {
			j++
		}
		n := j - i
		if (o.has("d") && n < 2) || (o.has("u") && n > 1) {
			i = j
			continue
		}
		if o.has("c") {
			fmt.Fprintf(p.stdout, "%7d %s\n", n, ls[i])
		} else {
			fmt.Fprintln(p.stdout, ls[i])
		}
		i = j
	}
	return 0
}
