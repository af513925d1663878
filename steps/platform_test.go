package steps

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/droplet"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func init() {
	// The sandbox's clock runs a thousand times fast; polling at the real
	// world's pace would make every test wait seconds.
	statusPoll = 10 * time.Millisecond
	notStartedAfter = 5 * time.Second
}

// installerStarts counts the SSH commands that changed the droplet by
// running cloudron-setup (its start is the first change a launch makes;
// a launch that finds an install under way changes nothing).
func (s *sandboxRun) installerStarts(t *testing.T) int {
	t.Helper()
	n := 0
	for _, e := range s.mutations(t) {
		if e.Service == "ssh" && strings.Contains(e.Path, "./cloudron-setup") {
			n++
		}
	}
	return n
}

// points counts the journal's mutations at a named point.
func (s *sandboxRun) points(t *testing.T, point string) int {
	t.Helper()
	n := 0
	for _, e := range s.mutations(t) {
		if e.Point == point {
			n++
		}
	}
	return n
}

func (s *sandboxRun) progressLines() []string {
	s.Progress.mu.Lock()
	defer s.Progress.mu.Unlock()
	return slices.Clone(s.Progress.lines)
}

func TestPlatformInstallsRebootsAndRerunsClean(t *testing.T) {
	run := withDroplet(t, testChapter(), "", NewPlatform())
	steps := run.Steps
	run.Steps = steps[:2]
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	beforeInstall, _ := os.ReadFile(run.Dir.StateFile())
	run.Steps = steps
	plans, err := run.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if items := plans[2].Change.Items; len(items) != 1 || items[0].Detail != "install Cloudron 9.0.15" {
		t.Fatalf("plan before the install = %+v", items)
	}

	if err := run.Apply(context.Background()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if got := loadState(t, run.Dir).Output("platform", "version"); got != CloudronVersion {
		t.Errorf("version output = %q", got)
	}
	if n := run.installerStarts(t); n != 1 {
		t.Errorf("installer started %d times", n)
	}
	if n := run.points(t, "droplet.machine.reboot"); n != 1 {
		t.Errorf("rebooted %d times, want once", n)
	}
	lines := strings.Join(run.progressLines(), "\n")
	if !strings.Contains(lines, "==> installer: starting box") {
		t.Errorf("the installer's log was not streamed:\n%s", lines)
	}
	if run.Progress.waits["the Cloudron installer"] == 0 {
		t.Errorf("no progress for the install wait: %v", run.Progress.waits)
	}
	id, _ := strconv.Atoi(loadState(t, run.Dir).Output("droplet", "id"))
	droplet.Settle(run.Sandbox.World, id)
	var answering bool
	run.Sandbox.World.Read(func(d *world.Data) {
		answering = d.MachineOf(id).BoxAnswering(run.Sandbox.World.Now())
	})
	if !answering {
		t.Error("the box does not answer after the step")
	}

	// Rerun: nothing planned, nothing changed.
	mutations := len(run.mutations(t))
	plans, err = run.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if change := plans[2].Change; !change.IsEmpty() {
		t.Errorf("plan after the install = %+v", change.Items)
	}
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := run.mutations(t)[mutations:]; len(got) != 0 {
		t.Errorf("rerun mutated: %+v", got)
	}

	// A state that never heard of the install (a kill before the
	// checkpoint): the rerun adopts the box and installs nothing.
	if err := os.WriteFile(run.Dir.StateFile(), beforeInstall, 0o600); err != nil {
		t.Fatal(err)
	}
	plans, err = run.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if items := plans[2].Change.Items; len(items) != 1 || items[0].Action != Adopt {
		t.Fatalf("plan after the kill = %+v, want adopt", items)
	}
	if err := run.Apply(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := run.mutations(t)[mutations:]; len(got) != 0 {
		t.Errorf("adopting mutated: %+v", got)
	}
	if got := loadState(t, run.Dir).Output("platform", "version"); got != CloudronVersion {
		t.Errorf("version after adopt = %q", got)
	}
}

// The connection that started the installer is dropped halfway: the
// install runs on, chapterctl reconnects and follows its log, and never
// starts a second installer.
func TestPlatformSurvivesASSHDropMidInstall(t *testing.T) {
	run := withDroplet(t, testChapter(), "", NewPlatform())
	run.breakWorldFault(t, "ssh-drop-mid-install", "")
	if err := run.Apply(context.Background()); err != nil {
		t.Logf("the run with the drop: %v", err)
		// Even if this run gave up, a rerun must finish it.
		if err := run.Apply(context.Background()); err != nil {
			t.Fatalf("rerun after the drop: %v", err)
		}
	}
	if n := run.installerStarts(t); n != 1 {
		t.Errorf("installer started %d times, want once", n)
	}
	lines := strings.Join(run.progressLines(), "\n")
	// Either this run reconnected, or it stopped and the rerun followed
	// the install it had started; neither means the drop never came.
	if !strings.Contains(lines, "the SSH connection was lost") && !strings.Contains(lines, "already started on the droplet") {
		t.Errorf("the drop did not happen or was not reported:\n%s", lines)
	}
	if got := loadState(t, run.Dir).Output("platform", "version"); got != CloudronVersion {
		t.Errorf("version output = %q", got)
	}
}

// cancelOnLine plays Ctrl-C as soon as the installer's log shows a line.
type cancelOnLine struct {
	*progressLog
	once   sync.Once
	cancel context.CancelFunc
}

func (c *cancelOnLine) Line(text string) {
	c.progressLog.Line(text)
	if strings.HasPrefix(text, "Running cloudron-setup") {
		c.once.Do(c.cancel)
	}
}

// chapterctl stopped mid-install: the rerun reattaches to the install in
// progress by its log instead of starting another.
func TestPlatformRerunReattachesToARunningInstall(t *testing.T) {
	run := withDroplet(t, testChapter(), "", NewPlatform())
	ctx, cancel := context.WithCancel(context.Background())
	run.Runner.Progress = &cancelOnLine{progressLog: run.Progress, cancel: cancel}
	if err := run.Apply(ctx); err == nil {
		t.Fatal("Apply was not interrupted")
	}
	run.Runner.Progress = run.Progress
	plans, err := run.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if items := plans[2].Change.Items; len(items) != 1 || items[0].Action != Create {
		t.Fatalf("plan mid-install = %+v", items)
	}
	if err := run.Apply(context.Background()); err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if n := run.installerStarts(t); n != 1 {
		t.Errorf("installer started %d times, want once", n)
	}
	if !slices.Contains(run.progressLines(), "an install of Cloudron was already started on the droplet; following it") {
		t.Error("the rerun did not say it reattached")
	}
}

func TestPlatformRefusesA1GBDroplet(t *testing.T) {
	run := withDroplet(t, testChapter(), "s-1vcpu-1gb", NewPlatform())
	err := run.Apply(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the droplet has 0.9 GB of memory, but Cloudron and the chat apps need at least 2 GB") {
		t.Fatalf("Apply on 1 GB: %v", err)
	}
	if n := run.installerStarts(t); n != 0 {
		t.Errorf("installer started %d times on a refused droplet", n)
	}
}

func TestPlatformStopsAtAnotherHostKey(t *testing.T) {
	run := withDroplet(t, testChapter(), "", NewPlatform())
	run.breakWorldFault(t, "ssh-host-key-changed", "")
	err := run.Apply(context.Background())
	if err == nil || !strings.Contains(err.Error(), "chapterctl will not continue") {
		t.Fatalf("Apply with another host key: %v", err)
	}
	if n := run.installerStarts(t); n != 0 {
		t.Errorf("installer started %d times behind a wrong host key", n)
	}
}
