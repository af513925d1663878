package debuglog

import (
	"net/http"
	"slices"
	"testing"
)

func TestRedactURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain URL unchanged", "https://api.example.com/v2/domains?page=2", "https://api.example.com/v2/domains?page=2"},
		{"user name kept without password", "https://chapter@example.com/x", "https://chapter@example.com/x"},
		{"password hidden", "https://chapter:hunter22@example.com/x?a=1", "https://chapter:[REDACTED]@example.com/x?a=1"},
		{"token query value", "https://x.io/v1?access_token=abc123&page=2", "https://x.io/v1?access_token=[REDACTED]&page=2"},
		{"key, signature and password", "https://x.io/?api_key=k1&Signature=s1&name=bob&password=p1",
			"https://x.io/?api_key=[REDACTED]&Signature=[REDACTED]&name=bob&password=[REDACTED]"},
		{"escaped key name", "https://x.io/?pass%77ord=p1&q=a%20b", "https://x.io/?pass%77ord=[REDACTED]&q=a%20b"},
		{"secret key without value", "https://x.io/?token&x=1", "https://x.io/?token&x=1"},
		{"repeated key", "https://x.io/?secret=a&secret=b", "https://x.io/?secret=[REDACTED]&secret=[REDACTED]"},
		{"unparsable hidden entirely", "https://x.io/%zz?token=abc", Redacted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactURL(tt.in); got != tt.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactHeader(t *testing.T) {
	h := http.Header{
		"Authorization":       {"Bearer abc"},
		"Proxy-Authorization": {"Basic xyz"},
		"Cookie":              {"session=1", "csrf=2"},
		"Set-Cookie":          {"session=3"},
		"X-Api-Key":           {"k"},
		"X-Auth-Token":        {"t"},
		"Content-Type":        {"application/json"},
		"User-Agent":          {"chapterctl/dev"},
	}
	got := RedactHeader(h)

	want := map[string][]string{
		"Authorization":       {Redacted},
		"Proxy-Authorization": {Redacted},
		"Cookie":              {Redacted, Redacted},
		"Set-Cookie":          {Redacted},
		"X-Api-Key":           {Redacted},
		"X-Auth-Token":        {Redacted},
		"Content-Type":        {"application/json"},
		"User-Agent":          {"chapterctl/dev"},
	}
	for name, values := range want {
		if g := got[name]; !slices.Equal(g, values) {
			t.Errorf("%s = %q, want %q", name, g, values)
		}
	}
	if h.Get("Authorization") != "Bearer abc" {
		t.Errorf("RedactHeader changed its argument: Authorization = %q", h.Get("Authorization"))
	}
}
