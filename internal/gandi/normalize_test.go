package gandi

import (
	"slices"
	"strings"
	"testing"
)

func TestQuoteTXT(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 255) + strings.Repeat("b", 255) + "c"
	tests := []struct {
		name, text, want string
	}{
		{"plain", "v=spf1 -all", `"v=spf1 -all"`},
		{"empty", "", `""`},
		{"quotes and backslashes", `say "hi" \o/`, `"say \"hi\" \\o/"`},
		{"exactly 255 bytes", strings.Repeat("x", 255), `"` + strings.Repeat("x", 255) + `"`},
		{"over 255 bytes", long, `"` + strings.Repeat("a", 255) + `" "` + strings.Repeat("b", 255) + `" "c"`},
		// 254 ASCII bytes then "é" (2 bytes): the cut moves before the é.
		{"never splits a character", strings.Repeat("x", 254) + "é", `"` + strings.Repeat("x", 254) + `" "é"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := QuoteTXT(tt.text)
			if got != tt.want {
				t.Errorf("QuoteTXT = %q, want %q", got, tt.want)
			}
			if back := TXTText(got); back != tt.text {
				t.Errorf("TXTText(QuoteTXT(x)) = %q, want x back", back)
			}
			chunks, ok := txtStrings(got)
			if !ok {
				t.Fatalf("%q does not parse as quoted strings", got)
			}
			for _, c := range chunks {
				if len(c) > 255 {
					t.Errorf("a string of %d bytes", len(c))
				}
			}
		})
	}
}

func TestTXTText(t *testing.T) {
	t.Parallel()
	tests := []struct{ value, want string }{
		{`"v=spf1 " "-all"`, "v=spf1 -all"},
		{`"a"  "b"`, "ab"},
		{`"with \"quotes\""`, `with "quotes"`},
		{"unquoted text", "unquoted text"},
		{`"unterminated`, `"unterminated`},
		{`"a"b`, `"a"b`},
	}
	for _, tt := range tests {
		if got := TXTText(tt.value); got != tt.want {
			t.Errorf("TXTText(%q) = %q, want %q", tt.value, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   RRSet
		want RRSet
	}{
		{"names, type, TTL default",
			RRSet{Name: "", Type: "a", Values: []string{"192.0.2.2", "192.0.2.1"}},
			RRSet{Name: "@", Type: "A", TTL: DefaultTTL, Values: []string{"192.0.2.1", "192.0.2.2"}}},
		{"TXT strings joined and re-split canonically",
			RRSet{Name: "_DMARC", Type: "TXT", TTL: 300, Values: []string{`"v=DMARC1; " "p=none"`}},
			RRSet{Name: "_dmarc", Type: "TXT", TTL: 300, Values: []string{`"v=DMARC1; p=none"`}}},
		{"unquoted TXT is what Gandi would store",
			RRSet{Name: "@", Type: "TXT", TTL: 300, Values: []string{"Bah bah black sheep"}},
			RRSet{Name: "@", Type: "TXT", TTL: 300, Values: []string{`"Bah bah black sheep"`}}},
		{"host names lowercased, final dot kept or not",
			RRSet{Name: "@", Type: "MX", TTL: 300, Values: []string{"10  My.Example.org.", "20 relative"}},
			RRSet{Name: "@", Type: "MX", TTL: 300, Values: []string{"10 my.example.org.", "20 relative"}}},
		{"IPv6 in canonical form",
			RRSet{Name: "my", Type: "AAAA", TTL: 300, Values: []string{"2001:DB8:0::1"}},
			RRSet{Name: "my", Type: "AAAA", TTL: 300, Values: []string{"2001:db8::1"}}},
		{"no values: no TTL",
			RRSet{Name: "x", Type: "A", TTL: 600, Values: []string{}},
			RRSet{Name: "x", Type: "A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Normalize(tt.in)
			if got.Name != tt.want.Name || got.Type != tt.want.Type || got.TTL != tt.want.TTL ||
				!slices.Equal(got.Values, tt.want.Values) {
				t.Errorf("Normalize = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	spf := RRSet{Name: "@", Type: "TXT", TTL: 300, Values: []string{`"v=spf1 a mx -all"`, `"google-site-verification=x"`}}
	tests := []struct {
		name  string
		a, b  RRSet
		equal bool
	}{
		{"order of values", spf, RRSet{Name: "@", Type: "txt", TTL: 300,
			Values: []string{`"google-site-verification=x"`, `"v=spf1 " "a mx -all"`}}, true},
		{"TTL differs", spf, RRSet{Name: "@", Type: "TXT", TTL: 600, Values: spf.Values}, false},
		{"TTL 0 is Gandi's default", RRSet{Name: "a", Type: "A", Values: []string{"192.0.2.1"}},
			RRSet{Name: "a", Type: "A", TTL: 10800, Values: []string{"192.0.2.1"}}, true},
		{"a value more", RRSet{Name: "a", Type: "A", TTL: 300, Values: []string{"192.0.2.1"}},
			RRSet{Name: "a", Type: "A", TTL: 300, Values: []string{"192.0.2.1", "192.0.2.1"}}, false},
		{"absent vs absent", RRSet{Name: "a", Type: "A", TTL: 300}, RRSet{Name: "a", Type: "A"}, true},
		{"another name", RRSet{Name: "a", Type: "A", Values: []string{"192.0.2.1"}},
			RRSet{Name: "b", Type: "A", Values: []string{"192.0.2.1"}}, false},
		{"TXT case matters (DKIM keys)", RRSet{Name: "k", Type: "TXT", Values: []string{`"p=AbC"`}},
			RRSet{Name: "k", Type: "TXT", Values: []string{`"p=abc"`}}, false},
		{"relative and absolute targets differ", RRSet{Name: "w", Type: "CNAME", Values: []string{"h.example.net"}},
			RRSet{Name: "w", Type: "CNAME", Values: []string{"h.example.net."}}, false},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.equal {
			t.Errorf("%s: Equal = %v, want %v", tt.name, got, tt.equal)
		}
		if got := Equal(tt.b, tt.a); got != tt.equal {
			t.Errorf("%s: Equal is not symmetric", tt.name)
		}
	}
}
