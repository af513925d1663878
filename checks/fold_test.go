package checks

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

func fixed(id string, status Status, needs ...string) Def {
	return Def{Key: id, Name: id, Needs: needs, Impact: "impact of " + id,
		Look: func(context.Context, *Env) Result { return Result{Status: status, Detail: id, Fix: "fix " + id} }}
}

func TestFoldPointsDependantsAtTheRoot(t *testing.T) {
	list := []Check{
		fixed("tls.cert", Fail, "dns.a"),
		fixed("dns.a", Fail),
		fixed("matrix.federation", Fail, "tls.cert"),
		fixed("host.disk", Pass, "dns.a"), // right anyway: stays a pass
		fixed("mail.mx", Fail),            // its own problem
		fixed("host.ssh", Unknown),
		fixed("host.memory", Warn, "host.ssh"),
	}
	out := Fold(Run(context.Background(), &Env{}, list, time.Second))
	want := map[string]struct {
		status Status
		cause  string
	}{
		"dns.a": {Fail, ""}, "tls.cert": {Unknown, "dns.a"}, "matrix.federation": {Unknown, "dns.a"},
		"host.disk": {Pass, ""}, "mail.mx": {Fail, ""}, "host.ssh": {Unknown, ""}, "host.memory": {Unknown, "host.ssh"},
	}
	for _, o := range out {
		w := want[o.Check.ID()]
		if o.Result.Status != w.status || o.Result.Cause != w.cause {
			t.Errorf("%s = %s (cause %q), want %s (cause %q)", o.Check.ID(), o.Result.Status, o.Result.Cause, w.status, w.cause)
		}
		if o.Result.Cause != "" && o.Result.Fix != "" {
			t.Errorf("%s follows from %s but still has its own fix %q", o.Check.ID(), o.Result.Cause, o.Result.Fix)
		}
	}
	var order []string
	for _, o := range Arrange(out) {
		order = append(order, o.Check.ID())
	}
	wantOrder := []string{"dns.a", "tls.cert", "matrix.federation", "mail.mx", "host.ssh", "host.memory", "host.disk"}
	if !slices.Equal(order, wantOrder) {
		t.Errorf("arranged %v, want %v", order, wantOrder)
	}
}

func TestRunSaysWhatItWaitsOn(t *testing.T) {
	release := make(chan struct{})
	slow := Def{Key: "slow", Name: "slow", Look: func(ctx context.Context, _ *Env) Result {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return Result{Status: Pass}
	}}
	var mu sync.Mutex
	var told []string
	env := &Env{SlowAfter: time.Millisecond, Waiting: func(c Check, _ time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		if len(told) == 0 {
			close(release) // heard once: let the check finish
		}
		told = append(told, c.ID())
	}}
	out := Run(context.Background(), env, []Check{slow}, time.Minute)
	if out[0].Result.Status != Pass || len(told) == 0 || told[0] != "slow" {
		t.Errorf("result %+v, told %v: want the slow check named while it ran", out[0].Result, told)
	}
}
