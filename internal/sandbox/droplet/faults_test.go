package droplet

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// setFault turns a fault on as `sandbox break` does: Break, then the
// switch; heal undoes it as `sandbox heal` does.
func (td *testDroplet) setFault(t *testing.T, name, param string) {
	t.Helper()
	spec := faultSpec(t, name)
	td.w.Update(context.Background(), "", func(d *world.Data) error {
		if spec.Break != nil {
			if err := spec.Break(d, param); err != nil {
				t.Fatal(err)
			}
		}
		d.Faults[name] = param
		return nil
	})
}

func (td *testDroplet) healFault(t *testing.T, name string) {
	t.Helper()
	spec := faultSpec(t, name)
	td.w.Update(context.Background(), "", func(d *world.Data) error {
		if spec.Heal != nil {
			if err := spec.Heal(d); err != nil {
				t.Fatal(err)
			}
		}
		delete(d.Faults, name)
		return nil
	})
}

func faultSpec(t *testing.T, name string) world.FaultSpec {
	t.Helper()
	for _, f := range Faults() {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no fault %s", name)
	return world.FaultSpec{}
}

func TestFaultHostKeyChanged(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t)
	td.setFault(t, FaultHostKeyChanged, "")
	if _, err := td.dial(); err == nil || !strings.Contains(err.Error(), "host key mismatch") {
		t.Errorf("dial with the pinned key: %v, want a mismatch", err)
	}
	td.healFault(t, FaultHostKeyChanged)
	if !td.answers() {
		t.Error("the pinned key still fails after healing")
	}
}

func TestFaultDropMidInstall(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t)
	c := td.client(t)
	fetchInstaller(t, c)
	td.setFault(t, FaultDropMidInstall, "")
	if r := run(t, c, "./cloudron-setup --skip-reboot", ""); r.status != -1 {
		t.Fatalf("install: %+v, want the connection dropped", r)
	}
	eventually(t, "the script to die", func() bool {
		Settle(td.w, testDropletID)
		_, in := td.machine(t)
		return in.Ended
	})
	if _, in := td.machine(t); in.ExitCode != 141 {
		t.Errorf("installer %+v", in)
	}
	// The fault is used up: the rerun (which the half install makes need
	// --redo) is not dropped.
	again := td.client(t)
	if r := run(t, again, "./cloudron-setup --skip-reboot --redo", ""); r.status != 0 || !td.cloudron() {
		t.Errorf("rerun: %+v", r)
	}
}

func TestFaultSlowReboot(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t)
	td.setFault(t, FaultSlowReboot, "")
	before := time.Now()
	run(t, td.client(t), "reboot", "")
	m, _ := td.machine(t)
	if took := m.BootedAt.Sub(before); took < 400*time.Millisecond || took > 500*time.Millisecond {
		t.Errorf("boot ends %v after the reboot, want ten times 40 ms", took)
	}
}

func TestFaultsThatFillTheMachine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault, command, full, natural string
	}{
		{FaultDiskNearlyFull, "df --output=pcent / | tail -n1", " 95%\n", "  3%\n"},
		{FaultMemoryLow, "grep MemAvailable /proc/meminfo", "MemAvailable:     202214 kB\n", "MemAvailable:    3842077 kB\n"},
		{FaultMemoryLow, "free -m | grep Mem:", "Mem:            3949        3752          98           9          98         197\n",
			"Mem:            3949         197        3258           9         493        3752\n"},
	}
	for _, tc := range cases {
		t.Run(tc.fault+" "+tc.command, func(t *testing.T) {
			t.Parallel()
			td := newTestDroplet(t)
			c := td.client(t)
			td.setFault(t, tc.fault, "")
			if got := sh(t, c, tc.command); got != tc.full {
				t.Errorf("broken: %q, want %q", got, tc.full)
			}
			td.healFault(t, tc.fault)
			if got := sh(t, c, tc.command); got != tc.natural {
				t.Errorf("healed: %q, want %q", got, tc.natural)
			}
		})
	}
}

func TestFaultsAreListed(t *testing.T) {
	want := map[string]string{FaultHostKeyChanged: world.KindReliability, FaultDropMidInstall: world.KindReliability,
		FaultSlowReboot: world.KindReliability, FaultDiskNearlyFull: world.KindDoctor, FaultMemoryLow: world.KindDoctor}
	for _, f := range Faults() {
		if want[f.Name] != f.Kind || f.Description == "" || (f.Kind == world.KindDoctor) != (f.Break != nil && f.Heal != nil) {
			t.Errorf("fault %+v", f)
		}
		delete(want, f.Name)
	}
	if len(want) > 0 {
		t.Errorf("missing faults %v", want)
	}
}
