package steps

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/debuglog"
	"github.com/chapterctl/chapterctl/internal/lock"
	"github.com/chapterctl/chapterctl/internal/state"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// fakeWorld stands for a provider: resources found by tag, as droplets are.
type fakeWorld struct {
	mu      sync.Mutex
	byTag   map[string]string
	creates int
	// afterCreate runs right after the world commits a create, before the
	// step can record it: the moment a kill hurts most.
	afterCreate func()
}

func newFakeWorld() *fakeWorld { return &fakeWorld{byTag: map[string]string{}} }

func (w *fakeWorld) find(tag string) (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	id, ok := w.byTag[tag]
	return id, ok
}

func (w *fakeWorld) create(tag string) string {
	w.mu.Lock()
	w.creates++
	id := fmt.Sprintf("id-%d", w.creates)
	w.byTag[tag] = id
	hook := w.afterCreate
	w.mu.Unlock()
	if hook != nil {
		hook()
	}
	return id
}

// widgetStep creates one resource tagged with the stack id, the way the
// droplet step does: look before you create, record at once.
type widgetStep struct {
	id    string
	world *fakeWorld
	trail *[]string
	// applyHook, when set, runs inside Apply after the widget is recorded.
	applyHook func(ctx context.Context, env *Env) error
}

func (s *widgetStep) ID() string    { return s.id }
func (s *widgetStep) Title() string { return "widget " + s.id }

func (s *widgetStep) tag(env *Env) string { return "chapterctl:" + env.StackID() + ":" + s.id }

func (s *widgetStep) Plan(_ context.Context, env *Env) (Change, error) {
	id, exists := s.world.find(s.tag(env))
	switch {
	case !exists:
		return Change{Items: []Item{{Action: Create, Resource: s.Title()}}}, nil
	case env.Output(s.id, "widget") != id:
		return Change{Items: []Item{{Action: Adopt, Resource: s.Title(), Detail: id}}}, nil
	}
	if s.applyHook != nil {
		return Change{Items: []Item{{Action: Update, Resource: s.Title()}}}, nil
	}
	return Change{}, nil
}

func (s *widgetStep) Apply(ctx context.Context, env *Env, _ Change) error {
	*s.trail = append(*s.trail, s.id)
	id, exists := s.world.find(s.tag(env))
	if !exists {
		id = s.world.create(s.tag(env))
	}
	if err := env.Record("widget", id); err != nil {
		return err
	}
	if s.applyHook != nil {
		return s.applyHook(ctx, env)
	}
	return nil
}

type recordingReporter struct{ started, finished []string }

func (r *recordingReporter) StepStarted(step Step, _ Change) {
	r.started = append(r.started, step.ID())
}
func (r *recordingReporter) StepFinished(step Step, _ Change, err error) {
	r.finished = append(r.finished, fmt.Sprintf("%s:%v", step.ID(), err == nil))
}

func newRunner(t *testing.T, dir workdir.Dir, list ...Step) (*Runner, *recordingReporter) {
	t.Helper()
	rep := &recordingReporter{}
	return &Runner{
		Dir: dir, Steps: list, Log: debuglog.Discard(), Report: rep, Command: "test",
		Now: func() time.Time { return time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC) },
	}, rep
}

func loadState(t *testing.T, dir workdir.Dir) *state.State {
	t.Helper()
	_, st, err := state.Open(dir.StateFile())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func widgets(world *fakeWorld, trail *[]string, ids ...string) []Step {
	var list []Step
	for _, id := range ids {
		list = append(list, &widgetStep{id: id, world: world, trail: trail})
	}
	return list
}

func TestApplyRunsStepsInOrderAndRecordsThem(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	world, trail := newFakeWorld(), &[]string{}
	runner, rep := newRunner(t, dir, widgets(world, trail, "a", "b", "c")...)
	if err := runner.Apply(context.Background()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if got := strings.Join(*trail, ","); got != "a,b,c" {
		t.Errorf("applied %s, want a,b,c", got)
	}
	if got := strings.Join(rep.finished, ","); got != "a:true,b:true,c:true" {
		t.Errorf("reported %s", got)
	}
	st := loadState(t, dir)
	for _, id := range []string{"a", "b", "c"} {
		if st.Steps[id].Status != state.Done || st.Output(id, "widget") == "" {
			t.Errorf("step %s record = %+v", id, st.Steps[id])
		}
	}

	// A second run finds everything in place and applies nothing.
	*trail = nil
	if err := runner.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(*trail) != 0 || world.creates != 3 {
		t.Errorf("rerun applied %v, creates %d; want nothing new", *trail, world.creates)
	}
}

func TestRecordCheckpointsBeforeApplyReturns(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	world, trail := newFakeWorld(), &[]string{}
	var onDisk string
	step := &widgetStep{id: "a", world: world, trail: trail, applyHook: func(context.Context, *Env) error {
		onDisk = loadState(t, dir).Output("a", "widget")
		return nil
	}}
	runner, _ := newRunner(t, dir, step)
	if err := runner.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if onDisk != "id-1" {
		t.Fatalf("output on disk during Apply = %q, want id-1 (checkpointed at Record)", onDisk)
	}
}

func TestFailureStopsAndRerunResumes(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	world, trail := newFakeWorld(), &[]string{}
	list := widgets(world, trail, "a", "b", "c")
	failing := list[1].(*widgetStep)
	failing.applyHook = func(context.Context, *Env) error { return errors.New("quota exceeded") }
	runner, _ := newRunner(t, dir, list...)

	err := runner.Apply(context.Background())
	var stepErr *StepError
	if !errors.As(err, &stepErr) || stepErr.ID != "b" || !strings.Contains(err.Error(), "quota exceeded") {
		t.Fatalf("Apply error = %v, want step b's failure", err)
	}
	st := loadState(t, dir)
	if st.Steps["a"].Status != state.Done || st.Steps["b"].Status != state.Failed || st.Steps["b"].Error != "quota exceeded" {
		t.Fatalf("state after failure: a=%+v b=%+v", st.Steps["a"], st.Steps["b"])
	}
	if _, ran := st.Lookup("c"); ran {
		t.Fatal("step c ran after b failed")
	}

	failing.applyHook = nil
	*trail = nil
	if err := runner.Apply(context.Background()); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if got := strings.Join(*trail, ","); got != "c" {
		t.Errorf("rerun applied %q, want only c (b's widget exists and is recorded)", got)
	}
	if world.creates != 3 {
		t.Errorf("creates = %d, want 3", world.creates)
	}
	if st := loadState(t, dir); st.Steps["b"].Status != state.Done || st.Steps["b"].Error != "" {
		t.Errorf("b after rerun = %+v", st.Steps["b"])
	}
}

// A kill between the world's create and the checkpoint leaves a state file
// that does not know the resource. The rerun must find it, not make another.
func TestKillBetweenCreateAndCheckpointAdoptsOnRerun(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	world, trail := newFakeWorld(), &[]string{}
	list := widgets(world, trail, "a", "b")
	var atKill []byte
	world.afterCreate = func() {
		if world.creates == 2 { // b's widget: snapshot the file a kill would leave
			atKill, _ = os.ReadFile(dir.StateFile())
		}
	}
	runner, _ := newRunner(t, dir, list...)
	if err := runner.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir.StateFile(), atKill, 0o600); err != nil {
		t.Fatal(err)
	}
	if killed := loadState(t, dir); killed.Steps["b"].Status != state.Running || killed.Output("b", "widget") != "" {
		t.Fatalf("the snapshot is not a kill before the checkpoint: %+v", killed.Steps["b"])
	}

	world.afterCreate = nil
	plans, err := runner.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := plans[1].Change.Items; len(got) != 1 || got[0].Action != Adopt {
		t.Fatalf("plan for b after the kill = %+v, want adopt", got)
	}
	if err := runner.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if world.creates != 2 {
		t.Fatalf("creates = %d after rerun, want 2 (no duplicate)", world.creates)
	}
	if st := loadState(t, dir); st.Output("b", "widget") != "id-2" || st.Steps["b"].Status != state.Done {
		t.Fatalf("b after rerun = %+v", st.Steps["b"])
	}
}

func TestInterruptSavesAndStops(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	world, trail := newFakeWorld(), &[]string{}
	list := widgets(world, trail, "a", "b", "c")
	ctx, cancel := context.WithCancel(context.Background())
	list[1].(*widgetStep).applyHook = func(ctx context.Context, _ *Env) error {
		cancel() // Ctrl-C while b waits for something
		<-ctx.Done()
		return ctx.Err()
	}
	runner, _ := newRunner(t, dir, list...)
	err := runner.Apply(ctx)
	var interrupted *InterruptedError
	if !errors.As(err, &interrupted) || interrupted.ID != "b" {
		t.Fatalf("Apply error = %v, want an interruption in b", err)
	}
	st := loadState(t, dir)
	if st.Steps["b"].Status != state.Running || st.Output("b", "widget") != "id-2" {
		t.Fatalf("b after interrupt = %+v, want running with its widget recorded", st.Steps["b"])
	}
	if _, ran := st.Lookup("c"); ran {
		t.Fatal("c ran after the interrupt")
	}
}

type panickingStep struct{ Outline }

func (p panickingStep) ID() string    { return p.Outline.ID }
func (p panickingStep) Title() string { return p.Outline.Title }
func (p panickingStep) Plan(context.Context, *Env) (Change, error) {
	return Change{Items: []Item{{Action: Create}}}, nil
}
func (p panickingStep) Apply(context.Context, *Env, Change) error { panic("nil map") }

func TestPanicBecomesStepFailure(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	runner, _ := newRunner(t, dir, panickingStep{Outline{"boom", "Boom"}})
	err := runner.Apply(context.Background())
	var stepErr *StepError
	if !errors.As(err, &stepErr) || !strings.Contains(err.Error(), "internal error: nil map") {
		t.Fatalf("error = %v, want the panic as a step failure", err)
	}
	if st := loadState(t, dir); st.Steps["boom"].Status != state.Failed {
		t.Fatalf("state = %+v", st.Steps["boom"])
	}
}

func TestFailureTextIsRedactedInState(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	world, trail := newFakeWorld(), &[]string{}
	list := widgets(world, trail, "a")
	list[0].(*widgetStep).applyHook = func(context.Context, *Env) error {
		return errors.New("401 for token dop_v1_secretvalue")
	}
	runner, _ := newRunner(t, dir, list...)
	runner.Redact = debuglog.NewRedactor("dop_v1_secretvalue").Redact
	runner.Apply(context.Background())
	data, _ := os.ReadFile(dir.StateFile())
	if strings.Contains(string(data), "dop_v1_secretvalue") {
		t.Fatalf("the state file holds the token:\n%s", data)
	}
}

func TestLockHeldRunsNothing(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	if err := dir.Ensure(); err != nil {
		t.Fatal(err)
	}
	held, err := lock.Acquire(dir.LockFile(), "init", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	world, trail := newFakeWorld(), &[]string{}
	runner, _ := newRunner(t, dir, widgets(world, trail, "a")...)
	var heldErr *lock.HeldError
	if err := runner.Apply(context.Background()); !errors.As(err, &heldErr) {
		t.Fatalf("Apply error = %v, want *lock.HeldError", err)
	}
	if world.creates != 0 || len(*trail) != 0 {
		t.Fatal("a step ran without the lock")
	}
}

func TestPlanChangesNothing(t *testing.T) {
	dir := workdir.Dir{Root: t.TempDir()}
	world, trail := newFakeWorld(), &[]string{}
	runner, _ := newRunner(t, dir, widgets(world, trail, "a", "b")...)
	plans, err := runner.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 2 || plans[0].Change.Items[0].Action != Create {
		t.Fatalf("plans = %+v", plans)
	}
	if world.creates != 0 || len(*trail) != 0 {
		t.Fatal("Plan changed the world")
	}
	if _, err := os.Stat(dir.StateFile()); !os.IsNotExist(err) {
		t.Fatalf("Plan wrote the state file: %v", err)
	}
}

func TestStatusesFollowTheOutline(t *testing.T) {
	st := state.New()
	st.Step("droplet").Status = state.Done
	st.Step("firewall").Status = state.Failed
	st.Step("firewall").Error = "quota exceeded"
	st.Step("dns-host").Status = state.Running
	rows := Statuses(Order, st)
	if len(rows) != len(Order) || rows[0].ID != "ssh-key" || rows[0].State != "pending" {
		t.Fatalf("rows = %+v", rows)
	}
	want := map[string]string{"droplet": "done", "firewall": "failed", "dns-host": "pending"}
	for _, row := range rows {
		if w, ok := want[row.ID]; ok && row.State != w {
			t.Errorf("%s state = %s, want %s", row.ID, row.State, w)
		}
		if row.ID == "firewall" && row.Detail != "quota exceeded" {
			t.Errorf("failed detail = %q", row.Detail)
		}
		if row.ID == "dns-host" && !strings.Contains(row.Detail, "cut short") {
			t.Errorf("running detail = %q", row.Detail)
		}
	}
}

func TestInitFollowsTheContractOrder(t *testing.T) {
	// Init is the whole contract (DESIGN.md, "Steps"), in its order: status
	// lists Order, init runs Init.
	var got, want []string
	for _, s := range Init() {
		got = append(got, s.ID())
	}
	for _, o := range Order {
		want = append(want, o.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("init steps = %v, want %v", got, want)
	}
}
