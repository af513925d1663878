package debuglog

import "testing"

func TestRedact(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"no secrets known", nil, "token abcd1234 here", "token abcd1234 here"},
		{"no match", []string{"abcd1234"}, "nothing to hide", "nothing to hide"},
		{"one occurrence", []string{"abcd1234"}, "token abcd1234 here", "token [REDACTED] here"},
		{"every occurrence", []string{"abcd1234"}, "abcd1234/abcd1234", "[REDACTED]/[REDACTED]"},
		{"whole string", []string{"abcd1234"}, "abcd1234", "[REDACTED]"},
		{"two secrets", []string{"alpha-one", "beta-two"}, "a=alpha-one b=beta-two", "a=[REDACTED] b=[REDACTED]"},
		// Replacing "abcdef" first would leave "ghi" of "defghi" behind.
		{"overlapping secrets", []string{"abcdef", "defghi"}, "x abcdefghi y", "x [REDACTED] y"},
		{"overlapping reversed", []string{"defghi", "abcdef"}, "x abcdefghi y", "x [REDACTED] y"},
		{"nested secrets", []string{"hunter2hunter", "hunter2h"}, "pw=hunter2hunter!", "pw=[REDACTED]!"},
		{"self-overlapping", []string{"abab"}, "ababab", "[REDACTED]"},
		{"adjacent secrets merge", []string{"aaaa1", "bbbb2"}, "aaaa1bbbb2", "[REDACTED]"},
		{"short values ignored", []string{"", "a", "abc"}, "a abc b", "a abc b"},
		{"unicode kept around secret", []string{"pässwörd"}, "é pässwörd ü", "é [REDACTED] ü"},
		{"query-escaped form", []string{"p@ss w+rd"}, "?pw=p%40ss+w%2Brd&x=1", "?pw=[REDACTED]&x=1"},
		{"path-escaped form", []string{"p@ss w+rd"}, "/u/p@ss%20w+rd/", "/u/[REDACTED]/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRedactor(tt.secrets...)
			if got := r.Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactorAdd(t *testing.T) {
	r := NewRedactor()
	r.Add("first-secret")
	v := r.version()
	r.Add("first-secret", "", "abc")
	if r.version() != v {
		t.Errorf("version changed from %d to %d when Add learned nothing", v, r.version())
	}
	r.Add("second-secret")
	if r.version() == v {
		t.Errorf("version stayed %d after Add learned a secret", v)
	}
	if got, want := r.Redact("first-secret second-secret"), "[REDACTED] [REDACTED]"; got != want {
		t.Errorf("Redact = %q, want %q", got, want)
	}
}

func TestNilRedactor(t *testing.T) {
	var r *Redactor
	if got := r.Redact("anything at all"); got != "anything at all" {
		t.Errorf("nil Redact changed text to %q", got)
	}
}

func TestIsSecretKey(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"api_token", true},
		{"Authorization", true},
		{"DB_PASSWORD", true},
		{"passwd", true},
		{"clientSecret", true},
		{"X-Api-Key", true},
		{"apikey", true},
		{"private-key", true},
		{"ssh_private_key", true},
		{"credentials", true},
		{"droplet", false},
		{"key", false},
		{"author", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isSecretKey(tt.key); got != tt.want {
			t.Errorf("isSecretKey(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}
