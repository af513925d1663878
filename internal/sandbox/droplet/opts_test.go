package droplet

import (
	"reflect"
	"testing"
)

func TestOptionParsing(t *testing.T) {
	t.Parallel()
	spec := optSpec{short: "fsn:o:I::", long: []string{"fail/f", "silent/s", "lines/n", "output=", "skip-reboot",
		"setup-token=", "iso/I", "list=?"}}
	cases := []struct {
		args  []string
		given map[string][]string
		rest  []string
		err   string
	}{
		{args: []string{"-fsS"}, err: "invalid option -- 'S'"},
		{args: []string{"-fs", "url"}, given: map[string][]string{"f": {""}, "s": {""}}, rest: []string{"url"}},
		{args: []string{"-n5", "-n", "6", "--lines=7", "--lines", "8"}, given: map[string][]string{"n": {"5", "6", "7", "8"}}},
		{args: []string{"a", "--skip", "b"}, given: map[string][]string{"skip-reboot": {""}}, rest: []string{"a", "b"}},
		{args: []string{"--s"}, err: "option '--s' is ambiguous; possibilities: '--silent' '--skip-reboot' '--setup-token'"},
		{args: []string{"--bogus"}, err: "unrecognized option '--bogus'"},
		{args: []string{"--output"}, err: "option '--output' requires an argument"},
		{args: []string{"--skip-reboot=yes"}, err: "option '--skip-reboot' doesn't allow an argument"},
		{args: []string{"-n"}, err: "option requires an argument -- 'n'"},
		{args: []string{"-Iseconds", "-I", "--list"}, given: map[string][]string{"I": {"seconds", ""}, "list": {""}}},
		{args: []string{"--", "-f"}, rest: []string{"-f"}},
		{args: []string{"-"}, rest: []string{"-"}},
	}
	for _, tc := range cases {
		o, err := spec.parse(tc.args)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%v: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		if tc.given == nil {
			tc.given = map[string][]string{}
		}
		if !reflect.DeepEqual(o.given, tc.given) || !reflect.DeepEqual(o.args, tc.rest) {
			t.Errorf("%v: given %v, operands %v; want %v, %v", tc.args, o.given, o.args, tc.given, tc.rest)
		}
	}
	inOrder := optSpec{short: "k:", inOrder: true}
	if o, _ := inOrder.parse([]string{"-k", "1", "cmd", "-x"}); !reflect.DeepEqual(o.args, []string{"cmd", "-x"}) {
		t.Errorf("in order: operands %v", o.args)
	}
}
