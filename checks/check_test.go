package checks

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/secrets"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

type fixedCheck struct {
	id    string
	delay time.Duration
	panic bool
}

func (c fixedCheck) ID() string    { return c.id }
func (c fixedCheck) Title() string { return c.id }
func (c fixedCheck) Run(ctx context.Context, _ *Env) Result {
	if c.panic {
		panic("boom")
	}
	select {
	case <-time.After(c.delay):
		return Result{Status: Pass}
	case <-ctx.Done():
		// A check that ignores its deadline is still cut off by Run.
		<-time.After(c.delay)
		return Result{Status: Pass}
	}
}

func TestRunIsConcurrentAndBoundsEachCheck(t *testing.T) {
	list := []Check{
		fixedCheck{id: "a", delay: 10 * time.Millisecond},
		fixedCheck{id: "hangs", delay: time.Hour},
		fixedCheck{id: "panics", panic: true},
		fixedCheck{id: "b", delay: 10 * time.Millisecond},
	}
	start := time.Now()
	out := Run(context.Background(), &Env{}, list, 200*time.Millisecond)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("Run took %s: a hanging check was waited for", elapsed)
	}
	want := []Status{Pass, Unknown, Unknown, Pass}
	for i, o := range out {
		if o.Check.ID() != list[i].ID() || o.Result.Status != want[i] {
			t.Errorf("outcome %d = %s %s, want %s %s", i, o.Check.ID(), o.Result.Status, list[i].ID(), want[i])
		}
	}
	if !strings.Contains(out[1].Result.Detail, "no answer within") {
		t.Errorf("timeout detail = %q", out[1].Result.Detail)
	}
}

func TestStateReadable(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	env := &Env{Dir: dir}
	if r := (StateReadable{}).Run(context.Background(), env); r.Status != Skip {
		t.Errorf("no state: %+v", r)
	}
	dir.Ensure()
	store, st, _ := state.Open(dir.StateFile())
	store.Save(st)
	if r := (StateReadable{}).Run(context.Background(), env); r.Status != Pass {
		t.Errorf("good state: %+v", r)
	}
	os.WriteFile(dir.StateFile(), []byte("{"), 0o600)
	if r := (StateReadable{}).Run(context.Background(), env); r.Status != Fail || r.Fix == "" {
		t.Errorf("damaged state: %+v", r)
	}
}

func TestSecretsPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes do not apply on Windows")
	}
	dir := workdir.Dir{Root: t.TempDir()}
	env := &Env{Dir: dir}
	if r := (SecretsPrivate{}).Run(context.Background(), env); r.Status != Skip {
		t.Errorf("no secrets: %+v", r)
	}
	dir.Ensure()
	secrets.Save(dir.SecretsFile(), secrets.Secrets{secrets.GandiToken: "pat-abcdef"})
	if r := (SecretsPrivate{}).Run(context.Background(), env); r.Status != Pass {
		t.Errorf("0600: %+v", r)
	}
	os.Chmod(dir.SecretsFile(), 0o644)
	r := (SecretsPrivate{}).Run(context.Background(), env)
	if r.Status != Fail || !strings.Contains(r.Fix, "chmod 600") || strings.Contains(r.Detail, "pat-abcdef") {
		t.Errorf("0644: %+v", r)
	}
}
