package ui

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestStepProgressIsPlainAndThrottled(t *testing.T) {
	s, _, _, errOut := Test()
	p := s.NewStepProgress()
	p.Started("Droplet my.redrockdsa.org", []string{"+ droplet my.redrockdsa.org"})
	p.Waiting("the droplet to be active", 200*time.Millisecond) // under a second: not shown
	p.Waiting("the droplet to be active", 2*time.Second)
	p.Waiting("the droplet to be active", 3*time.Second) // too soon after the last
	p.Waiting("the droplet to be active", 8*time.Second)
	p.Line("=> Installing Cloudron")
	p.Finished("Droplet my.redrockdsa.org", true, nil)
	p.Finished("Firewall", false, nil)
	p.Finished("Platform", true, errors.New("boom"))
	out := errOut.String()
	if strings.Contains(out, "\x1b[") {
		t.Fatalf("escape codes off a terminal:\n%q", out)
	}
	if n := strings.Count(out, "waiting for the droplet to be active"); n != 2 {
		t.Errorf("%d wait lines, want 2:\n%s", n, out)
	}
	for _, want := range []string{"waiting for the droplet to be active (2s)", "| => Installing Cloudron", "✓ Firewall (already done)", "✗ Platform"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}
