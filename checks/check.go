// Package checks is doctor's set of checks, one per file. Each looks at one
// thing a chapter depends on and says, in plain words, whether it is right
// and what fixes it. They run concurrently, each under its own deadline.
package checks

import (
	"context"
	"fmt"
	"time"
)

// Status is a check's verdict. Unknown means the check could not tell (a
// resolver timed out, a blocklist refused the query): never a pass or a fail.
type Status string

const (
	Pass    Status = "pass"
	Warn    Status = "warn"
	Fail    Status = "fail"
	Skip    Status = "skip"
	Unknown Status = "unknown"
)

// Result is what one check found.
type Result struct {
	Status Status
	Detail string // what was seen, in plain words
	Fix    string // what to do, with the command to run where chapterctl can do it
	// RecheckAfter is when looking again can change the verdict (a stale
	// resolver's cached answer expires); zero when it cannot.
	RecheckAfter time.Time
	// Cause is the id of the failing check this result follows from
	// (Fold sets it); "" when it stands on its own.
	Cause string
}

// Check is one diagnosis.
type Check interface {
	ID() string    // e.g. "mail.spf"; stable, used by --check and in JSON
	Title() string // e.g. "SPF record"
	Run(ctx context.Context, env *Env) Result
}

// Outcome is a check and its result.
type Outcome struct {
	Check  Check
	Result Result
	Took   time.Duration // how long the check ran
}

// Run runs every check concurrently, each with its own timeout, and returns
// the outcomes in the order of list. A check that overruns is Unknown: doctor
// finishes within its timeouts even when everything hangs.
func Run(ctx context.Context, env *Env, list []Check, timeout time.Duration) []Outcome {
	outcomes := make([]Outcome, len(list))
	done := make(chan int, len(list))
	for i, c := range list {
		outcomes[i].Check = c
		go func() {
			start := time.Now()
			outcomes[i].Result = runOne(ctx, env, c, timeout)
			outcomes[i].Took = time.Since(start)
			done <- i
		}()
	}
	for range list {
		<-done
	}
	return outcomes
}

// slowAfter is when a check still running is shown as waited on (flutter
// doctor says so after 10 s; chapterctl's checks are mostly faster).
const slowAfter = 3 * time.Second

func runOne(ctx context.Context, env *Env, c Check, timeout time.Duration) (result Result) {
	if t, ok := c.(interface{ Timeout() time.Duration }); ok && t.Timeout() > 0 {
		timeout = t.Timeout()
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if env != nil && env.Waiting != nil {
		start := time.Now()
		every := slowAfter
		if env.SlowAfter > 0 {
			every = env.SlowAfter
		}
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		stop, exited := make(chan struct{}), make(chan struct{})
		defer func() { close(stop); <-exited }() // no report after the result
		go func() {
			defer close(exited)
			for {
				select {
				case <-ticker.C:
					env.Waiting(c, time.Since(start))
				case <-stop:
					return
				}
			}
		}()
	}
	finished := make(chan Result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				finished <- Result{Status: Unknown, Detail: fmt.Sprintf("the check failed inside chapterctl (%v)", p)}
			}
		}()
		finished <- c.Run(ctx, env)
	}()
	select {
	case r := <-finished:
		return r
	case <-ctx.Done():
		return Result{Status: Unknown, Detail: fmt.Sprintf("no answer within %s", timeout)}
	}
}
