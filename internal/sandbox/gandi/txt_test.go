package gandi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestTXTValuesAreStoredQuoted(t *testing.T) {
	t.Parallel()
	strict, splitting := newSim(t), newSimWith(t, simConfig{opts: Options{SplitLongTXT: true}})
	long := strings.Repeat("k", 300)
	tests := []struct {
		name   string
		s      *sim
		value  string
		stored string // "" means refused with 400
	}{
		{"unquoted", strict, "v=spf1 -all", `"v=spf1 -all"`},
		{"unquoted with spaces stays one string", strict, "Bah bah black sheep", `"Bah bah black sheep"`},
		{"already quoted", strict, `"v=spf1 -all"`, `"v=spf1 -all"`},
		{"several strings kept as sent", strict, `"v=DKIM1; p=abc" "def"`, `"v=DKIM1; p=abc" "def"`},
		{"inner quotes escaped", strict, `say "hi"`, `"say \"hi\""`},
		{"long value in 255-byte strings", strict, `"` + long[:255] + `" "` + long[255:] + `"`, `"` + long[:255] + `" "` + long[255:] + `"`},
		{"long unquoted value refused", strict, long, ""},
		{"long quoted string refused", strict, `"` + long + `"`, ""},
		{"long unquoted value split", splitting, long, `"` + long[:255] + `" "` + long[255:] + `"`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "txt" + string(rune('a'+i))
			body, _ := json.Marshal(map[string]any{"rrset_values": []string{tt.value}})
			r := tt.s.call(t, "PUT", "domains/example.org/records/"+name+"/TXT", string(body))
			if tt.stored == "" {
				r.expect(t, 400)
				return
			}
			r.expect(t, 201)
			var rr rrsetOut
			tt.s.call(t, "GET", "domains/example.org/records/"+name+"/TXT", "").expect(t, 200).json(t, &rr)
			if !slices.Equal(rr.Values, []string{tt.stored}) {
				t.Errorf("returned %q, want %q", rr.Values, tt.stored)
			}
		})
	}
}

func TestDuplicateValuesAreKeptAsSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opts Options
		want []string
	}{
		{Options{}, []string{`"x"`, `"x"`, `"y"`}},
		{Options{DedupeValues: true}, []string{`"x"`, `"y"`}},
	}
	for _, tt := range tests {
		s := newSimWith(t, simConfig{opts: tt.opts})
		s.call(t, "PUT", "domains/example.org/records/dup/TXT", `{"rrset_values":["x","\"x\"","y"]}`).expect(t, 201)
		if rr, _ := s.rrset("dup", "TXT"); !slices.Equal(rr.Values, tt.want) {
			t.Errorf("dedupe %v: stored %q, want %q", tt.opts.DedupeValues, rr.Values, tt.want)
		}
	}
}

func TestTXTText(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		`"v=spf1 -all"`:          "v=spf1 -all",
		`"v=DKIM1; p=ab" "cd"`:   "v=DKIM1; p=abcd",
		`"say \"hi\""`:           `say "hi"`,
		`unquoted`:               "unquoted",
		`"unterminated`:          `"unterminated`,
		`"a"b`:                   `"a"b`,
		"\"tab\"\t\"separated\"": "tabseparated",
	}
	for in, want := range tests {
		if got := TXTText(in); got != want {
			t.Errorf("TXTText(%q) = %q, want %q", in, got, want)
		}
	}
}
