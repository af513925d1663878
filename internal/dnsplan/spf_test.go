package dnsplan

import (
	"strings"
	"testing"
)

func TestMergeSPF(t *testing.T) {
	tests := []struct {
		name     string
		existing []string
		need     []string
		all      string
		want     string
		err      string
	}{
		{name: "none yet", need: []string{"a:my.example.org"}, all: "~all", want: "v=spf1 a:my.example.org ~all"},
		{name: "another sender's record keeps its mechanisms and policy",
			existing: []string{"v=spf1 include:_spf.google.com -all"}, need: []string{"a:my.example.org"}, all: "~all",
			want: "v=spf1 include:_spf.google.com a:my.example.org -all"},
		{name: "already there", existing: []string{"v=spf1 A:My.Example.org ~all"}, need: []string{"a:my.example.org"}, all: "~all",
			want: "v=spf1 A:My.Example.org ~all"},
		{name: "two records become one, strictest all",
			existing: []string{"v=spf1 a:my.example.org ~all", "v=spf1 include:spf.protection.outlook.com -all"},
			need:     []string{"a:my.example.org"}, all: "~all",
			want: "v=spf1 a:my.example.org include:spf.protection.outlook.com -all"},
		{name: "Cloudron and Mailgun together", need: []string{"a:my.example.org", "include:mailgun.org"}, all: "~all",
			want: "v=spf1 a:my.example.org include:mailgun.org ~all"},
		{name: "modifiers kept before all", existing: []string{"v=spf1 ip4:192.0.2.1 exp=explain.example.org ?all"},
			need: []string{"a:my.example.org"}, all: "~all", want: "v=spf1 ip4:192.0.2.1 a:my.example.org exp=explain.example.org ?all"},
		{name: "a redirect stands for all", existing: []string{"v=spf1 redirect=_spf.example.net"},
			need: []string{"a:my.example.org"}, all: "~all", want: "v=spf1 a:my.example.org redirect=_spf.example.net"},
		{name: "two redirects", existing: []string{"v=spf1 redirect=a.example.net", "v=spf1 redirect=b.example.net"},
			need: []string{"a:my.example.org"}, all: "~all", err: "redirect to different places"},
		{name: "too many lookups",
			existing: []string{"v=spf1 include:a.example include:b.example include:c.example include:d.example include:e.example " +
				"include:f.example include:g.example include:h.example include:i.example include:j.example -all"},
			need: []string{"a:my.example.org"}, all: "~all", err: "11 DNS lookups"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MergeSPF(tt.existing, tt.need, tt.all, nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("MergeSPF = %q, %v; want error with %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("MergeSPF = %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}

func TestSPFLookups(t *testing.T) {
	for text, want := range map[string]int{
		"v=spf1 -all":                               0,
		"v=spf1 ip4:192.0.2.0/24 ~all":              0,
		"v=spf1 a mx ptr ~all":                      3,
		"v=spf1 a:my.example.org/24 ~all":           1,
		"v=spf1 include:x exists:%{i}.y redirect=z": 3,
		"google-site-verification=abc":              0,
	} {
		if got, _ := SPFLookups(text, nil); got != want {
			t.Errorf("SPFLookups(%q) = %d, want %d", text, got, want)
		}
	}
}

func TestSPFLookupsFollowIncludes(t *testing.T) {
	published := map[string]string{
		"_spf.google.com":        "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com include:_netblocks3.google.com ~all",
		"_netblocks.google.com":  "v=spf1 ip4:35.190.247.0/24 ~all",
		"_netblocks2.google.com": "v=spf1 ip6:2001:4860:4000::/36 ~all",
		"_netblocks3.google.com": "v=spf1 ip4:172.217.0.0/19 ~all",
		"loop.example":           "v=spf1 include:loop.example a ~all",
		"big.example":            "v=spf1 a mx include:a.example include:b.example include:c.example include:d.example -all",
	}
	lookup := func(name string) (string, bool) { r, ok := published[name]; return r, ok }
	tests := []struct {
		text     string
		n        int
		complete bool
	}{
		{"v=spf1 include:_spf.google.com a:my.example.org ~all", 5, true},
		{"v=spf1 include:loop.example ~all", 3, true},
		{"v=spf1 include:unknown.example ~all", 1, false},
		{"v=spf1 include:_spf.google.com include:big.example a:my.example.org ~all", 12, false},
	}
	for _, tt := range tests {
		n, complete := SPFLookups(tt.text, lookup)
		if n != tt.n || complete != tt.complete {
			t.Errorf("SPFLookups(%q) = %d, %v; want %d, %v", tt.text, n, complete, tt.n, tt.complete)
		}
	}
	// Merging an include whose record is full goes past the limit only
	// when the includes are followed.
	existing := []string{"v=spf1 include:_spf.google.com include:big.example ~all"}
	if _, err := MergeSPF(existing, []string{"a:my.example.org"}, "~all", nil); err != nil {
		t.Errorf("own terms only: %v", err)
	}
	if _, err := MergeSPF(existing, []string{"a:my.example.org"}, "~all", lookup); err == nil || !strings.Contains(err.Error(), "12 DNS lookups") {
		t.Errorf("includes followed: %v, want 12 lookups refused", err)
	}
}

func TestAllowsLetsEncrypt(t *testing.T) {
	for _, tt := range []struct {
		values []string
		want   bool
	}{
		{nil, true},
		{[]string{`0 iodef "mailto:sec@example.org"`}, true},
		{[]string{`0 issue "digicert.com"`}, false},
		{[]string{`0 issue "digicert.com"`, `0 issue "letsencrypt.org"`}, true},
		{[]string{`0 issue "LetsEncrypt.org; validationmethods=http-01"`}, true},
		{[]string{`0 issue ";"`}, false},
		{[]string{`0 issuewild "digicert.com"`}, true},
	} {
		if got := AllowsLetsEncrypt(tt.values); got != tt.want {
			t.Errorf("AllowsLetsEncrypt(%q) = %v, want %v", tt.values, got, tt.want)
		}
	}
}
