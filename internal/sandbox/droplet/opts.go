package droplet

import (
	"fmt"
	"strings"
)

// opts is a parsed command line: the options given (by name, with their
// values in order) and the operands.
type opts struct {
	given map[string][]string
	args  []string
}

func (o opts) has(name string) bool { _, ok := o.given[name]; return ok }

// value is the last value given for name, or def.
func (o opts) value(name, def string) string {
	if v := o.given[name]; len(v) > 0 {
		return v[len(v)-1]
	}
	return def
}

// optSpec describes options as getopt_long does. short is getopt's
// optstring ("n:qvI::": n takes a value, I an optional one, attached).
// Each long entry is "name" (a flag), "name=" (takes a value), "name=?"
// (an optional value, given as --name=value), or "name/x" (the same as
// short option x). An option is reported under its short letter when it
// has one, else under its long name.
type optSpec struct {
	short string
	long  []string
	// inOrder stops at the first operand, as getopt's "+" does for
	// programs that run a command (timeout 5 cmd -x).
	inOrder bool
}

type longOpt struct {
	name, key       string
	value, optional bool
}

func (s optSpec) shortOpt(c byte) (known, value, optional bool) {
	i := strings.IndexByte(s.short, c)
	if i < 0 || c == ':' {
		return false, false, false
	}
	rest := s.short[i+1:]
	return true, strings.HasPrefix(rest, ":"), strings.HasPrefix(rest, "::")
}

func (s optSpec) longs() []longOpt {
	var out []longOpt
	for _, l := range s.long {
		switch {
		case strings.HasSuffix(l, "=?"):
			out = append(out, longOpt{name: l[:len(l)-2], key: l[:len(l)-2], value: true, optional: true})
		case strings.HasSuffix(l, "="):
			out = append(out, longOpt{name: l[:len(l)-1], key: l[:len(l)-1], value: true})
		case strings.Contains(l, "/"):
			name, short, _ := strings.Cut(l, "/")
			_, value, optional := s.shortOpt(short[0])
			out = append(out, longOpt{name: name, key: short, value: value, optional: optional})
		default:
			out = append(out, longOpt{name: l, key: l})
		}
	}
	return out
}

// findLong matches --name exactly or by an unambiguous prefix, as
// getopt_long does.
func (s optSpec) findLong(name string) (longOpt, error) {
	var matches []longOpt
	for _, l := range s.longs() {
		if l.name == name {
			return l, nil
		}
		if strings.HasPrefix(l.name, name) {
			matches = append(matches, l)
		}
	}
	switch len(matches) {
	case 0:
		return longOpt{}, fmt.Errorf("unrecognized option '--%s'", name)
	case 1:
		return matches[0], nil
	}
	var names []string
	for _, m := range matches {
		names = append(names, "'--"+m.name+"'")
	}
	return longOpt{}, fmt.Errorf("option '--%s' is ambiguous; possibilities: %s", name, strings.Join(names, " "))
}

// parse reads args, GNU style: options and operands may mix, "--" ends
// the options, "-" is an operand. Errors read as getopt_long's.
func (s optSpec) parse(args []string) (opts, error) {
	o := opts{given: map[string][]string{}}
	add := func(key, value string) { o.given[key] = append(o.given[key], value) }
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			o.args = append(o.args, args[i+1:]...)
			return o, nil
		case strings.HasPrefix(a, "--"):
			name, value, hasValue := strings.Cut(a[2:], "=")
			l, err := s.findLong(name)
			if err != nil {
				return o, err
			}
			switch {
			case l.optional:
			case l.value && !hasValue && i+1 >= len(args):
				return o, fmt.Errorf("option '--%s' requires an argument", l.name)
			case l.value && !hasValue:
				i++
				value = args[i]
			case !l.value && hasValue:
				return o, fmt.Errorf("option '--%s' doesn't allow an argument", l.name)
			}
			add(l.key, value)
		case strings.HasPrefix(a, "-") && a != "-":
			consumed, err := s.parseShort(a[1:], args[i+1:], add)
			if err != nil {
				return o, err
			}
			i += consumed
		case s.inOrder:
			o.args = append(o.args, args[i:]...)
			return o, nil
		default:
			o.args = append(o.args, a)
		}
	}
	return o, nil
}

// parseShort reads a cluster of short options ("-fsSL", "-n5", "-n 5");
// it returns how many following arguments it used as a value.
func (s optSpec) parseShort(cluster string, rest []string, add func(key, value string)) (int, error) {
	for j := 0; j < len(cluster); j++ {
		c := cluster[j]
		known, value, optional := s.shortOpt(c)
		switch {
		case !known:
			return 0, fmt.Errorf("invalid option -- '%c'", c)
		case !value, optional && j+1 == len(cluster):
			add(string(c), "")
		case j+1 < len(cluster):
			add(string(c), cluster[j+1:])
			return 0, nil
		case len(rest) == 0:
			return 0, fmt.Errorf("option requires an argument -- '%c'", c)
		default:
			add(string(c), rest[0])
			return 1, nil
		}
	}
	return 0, nil
}
