package droplet

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"golang.org/x/crypto/ssh"
)

// alter changes the booted machine (its hardware, to play other droplets).
func (td *testDroplet) alter(fn func(m *world.Machine)) {
	td.w.Settle(func(d *world.Data) { fn(d.MachineOf(testDropletID)) })
}

// waitForInstallStart waits until a run started in the background has
// recorded itself (systemd-run and & return before that, as for real).
func (td *testDroplet) waitForInstallStart(t *testing.T) {
	t.Helper()
	eventually(t, "the install to start", func() bool {
		_, in := td.machine(t)
		return !in.StartedAt.IsZero()
	})
}

// fetchInstaller downloads cloudron-setup as the documentation says.
func fetchInstaller(t *testing.T, c *ssh.Client) {
	t.Helper()
	sh(t, c, "wget -q https://cloudron.io/cloudron-setup && chmod +x cloudron-setup")
}

// cloudron tells whether the machine has a Cloudron now (settled first).
func (td *testDroplet) cloudron() bool {
	Settle(td.w, testDropletID)
	has := false
	td.w.Read(func(d *world.Data) { has = d.MachineOf(testDropletID).Cloudron != nil })
	return has
}

func TestInstallerRefusals(t *testing.T) {
	t.Parallel()
	const packagesLine = "Error: Some packages like nginx/docker/nodejs are already installed."
	cases := []struct {
		name    string
		options []dropletOption
		alter   func(m *world.Machine)
		setup   string
		args    string
		stdout  string // a line the output must have
		stderr  string
		status  int
	}{
		{name: "512 MB of memory", options: []dropletOption{withSize("s-1vcpu-512mb-10gb")},
			stdout: "Error: Cloudron requires atleast 1GB physical memory", status: 1},
		{name: "1 GB passes the memory check (957 MiB)", options: []dropletOption{withSize("s-1vcpu-1gb")}, args: "--help",
			stdout: "See https://docs.cloudron.io/installation/ on how to install Cloudron", status: 0},
		{name: "a small disk", alter: func(m *world.Machine) { m.DiskGB = 10 },
			stdout: "Error: Cloudron requires atleast 20GB disk space (Disk space on / is 9GB)", status: 1},
		{name: "btrfs root", alter: func(m *world.Machine) { m.RootFS = "btrfs" },
			stdout: "Error: Cloudron requires '/' to be ext4 or xfs", status: 1},
		{name: "arm", alter: func(m *world.Machine) { m.Arch = "aarch64" },
			stdout: "Error: Cloudron only supports amd64/x86_64", status: 1},
		{name: "a container", alter: func(m *world.Machine) { m.Container = "lxc" },
			stdout: "Error: Cloudron does not support lxc, only runs on bare metal or with full hardware virtualization", status: 1},
		{name: "already installed", setup: "touch /etc/systemd/system/box.service",
			stdout: "Error: Cloudron is already installed. To reinstall, start afresh", status: 1},
		{name: "checks the machine before the options", setup: "touch /etc/systemd/system/box.service", args: "--bogus",
			stdout: "Error: Cloudron is already installed. To reinstall, start afresh", status: 1},
		{name: "unknown option", args: "--bogus", stderr: "./cloudron-setup: unrecognized option '--bogus'", status: 1},
		{name: "option without its value", args: "--version", stderr: "./cloudron-setup: option '--version' requires an argument", status: 1},
		{name: "Ubuntu 20.04 for Cloudron 9", options: []dropletOption{withImage("ubuntu-20-04-x64")},
			stderr: "Cloudron requires Ubuntu 22.04, 24.04", status: 1},
		{name: "Debian has no lsb_release", options: []dropletOption{withImage("debian-12-x64")},
			stderr: "./cloudron-setup: line 114: lsb_release: command not found", status: 127},
		{name: "docker already there", setup: "touch /usr/bin/docker && chmod +x /usr/bin/docker", stderr: packagesLine, status: 1},
		{name: "no AVX: gives up at Checking version", alter: func(m *world.Machine) { m.AVX = false },
			stdout: "Cloudron version 9.0.15 requires AVX support in the CPU. No avx found in /proc/cpuinfo", status: 1},
		{name: "no such version", args: "--version 9.x", stdout: "Failed to get release information", status: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			td := newTestDroplet(t, tc.options...)
			c := td.client(t)
			if tc.alter != nil {
				td.alter(tc.alter)
			}
			fetchInstaller(t, c)
			if tc.setup != "" {
				sh(t, c, tc.setup)
			}
			r := run(t, c, strings.TrimSpace("./cloudron-setup "+tc.args), "")
			if r.status != tc.status || !hasLine(r.stdout, tc.stdout) || !hasLine(r.stderr, tc.stderr) {
				t.Errorf("got status %d\nstdout %q\nstderr %q", r.status, r.stdout, r.stderr)
			}
		})
	}
}

// hasLine tells whether text has line as one of its lines ("" always).
func hasLine(text, line string) bool {
	return line == "" || strings.Contains("\n"+text, "\n"+line+"\n") || strings.HasPrefix(text, line)
}

func TestForegroundInstallPrintsItsPhasesAndLeavesACloudron(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t)
	c := td.client(t)
	fetchInstaller(t, c)
	r := run(t, c, "./cloudron-setup --skip-reboot --provider digitalocean --generate-setup-token", "")
	if r.status != 0 {
		t.Fatalf("install: %+v", r)
	}
	phases := []string{"=> Updating apt and installing script dependencies", "=> Checking version",
		"=> Downloading Cloudron version 9.0.15 ...", "=> Installing base dependencies (this takes some time) ...",
		"=> Installing Cloudron version 9.0.15 (this takes some time) ...",
		"=> Waiting for cloudron to be ready (this takes some time) ...", "https://203.0.113.10/?setupToken="}
	rest := r.stdout
	for _, p := range phases {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Fatalf("output lacks %q (in order):\n%s", p, r.stdout)
		}
		rest = rest[i+len(p):]
	}
	token := sh(t, c, "cat /etc/cloudron/SETUP_TOKEN")
	if !regexp.MustCompile(`^[0-9a-f]{20}\n$`).MatchString(token) || !strings.Contains(r.stdout, strings.TrimSpace(token)) {
		t.Errorf("setup token %q", token)
	}
	checks := map[string]string{
		"cat /etc/cloudron/PROVIDER":                                       "digitalocean\n",
		"systemctl is-active box":                                          "active\n",
		"curl -fsS http://127.0.0.1:3000/api/v1/cloudron/status":           `{"version":"9.0.15"}`,
		"head -c 27 /home/yellowtent/platformdata/nginx/cert/default.cert": "-----BEGIN CERTIFICATE-----",
	}
	for command, want := range checks {
		if got := sh(t, c, command); got != want {
			t.Errorf("%s = %q, want %q", command, got, want)
		}
	}
	_, in := td.machine(t)
	if !td.cloudron() || !in.Ended || in.ExitCode != 0 || !in.KilledAt.IsZero() {
		t.Errorf("installer %+v", in)
	}
	again := run(t, c, "./cloudron-setup --skip-reboot", "")
	if again.status != 1 || again.stdout != "Error: Cloudron is already installed. To reinstall, start afresh\n" {
		t.Errorf("second run: %+v", again)
	}
}

func TestInstallLogGrowsAndCloudronAppearsWhenTheInstallEnds(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t, withScale(0.003)) // ten minutes: 1.8 s
	c := td.client(t)
	fetchInstaller(t, c)
	sh(t, c, "nohup ./cloudron-setup --skip-reboot > /root/setup.out 2>&1 &")
	td.waitForInstallStart(t)
	if td.cloudron() {
		t.Fatal("a Cloudron right after the start")
	}
	const motd = "test -f /etc/update-motd.d/91-cloudron-install-in-progress"
	if r := run(t, c, motd, ""); r.status != 0 {
		t.Error("no install-in-progress banner while installing")
	}
	if r := run(t, c, "curl -fsS http://127.0.0.1:3000/api/v1/cloudron/status", ""); r.status != 7 {
		t.Errorf("box answered while installing: %+v", r)
	}
	var sizes []int
	eventually(t, "the install to end", func() bool {
		size := len(run(t, c, "cat /var/log/cloudron-setup.log", "").stdout) // none until the run has started
		if len(sizes) == 0 || size != sizes[len(sizes)-1] {
			sizes = append(sizes, size)
		}
		return td.cloudron()
	})
	if len(sizes) < 3 {
		t.Errorf("log sizes seen %v: it should grow step by step", sizes)
	}
	for i := 1; i < len(sizes); i++ {
		if sizes[i] < sizes[i-1] {
			t.Errorf("log shrank: %v", sizes)
		}
	}
	log := sh(t, c, "cat /var/log/cloudron-setup.log")
	if !strings.HasPrefix(log, "Running cloudron-setup with args : --skip-reboot\n") || !strings.Contains(log, "starting box") {
		t.Errorf("log:\n%s", log)
	}
	// The script's own last lines land in its output file as it ends.
	eventually(t, "the script's last lines", func() bool {
		return strings.Contains(sh(t, c, "cat /root/setup.out"), "https://203.0.113.10")
	})
	if got := sh(t, c, "curl -fsS http://127.0.0.1:3000/api/v1/cloudron/status"); got != `{"version":"9.0.15"}` {
		t.Errorf("status = %q", got)
	}
	if r := run(t, c, motd, ""); r.status != 1 {
		t.Error("the install-in-progress banner outlived the install")
	}
}

func TestInstallerCrashPoints(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ point, command string }{
		{"droplet.installer.start", "./cloudron-setup --skip-reboot --version 1.0.0"},
		{"droplet.machine.reboot", "systemctl reboot"},
	} {
		t.Run(tc.point, func(t *testing.T) {
			t.Parallel()
			crashed := make(chan string, 1)
			td := newTestDropletIn(t, world.Options{Crash: func(p string) { crashed <- p }})
			c := td.client(t)
			fetchInstaller(t, c)
			td.w.Update(context.Background(), "", func(d *world.Data) error {
				d.Faults[world.CrashAt] = tc.point
				return nil
			})
			s, err := c.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Start(tc.command); err != nil {
				t.Fatal(err)
			}
			select {
			case got := <-crashed:
				if got != tc.point {
					t.Errorf("crashed at %q", got)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no crash")
			}
		})
	}
}

func TestDetachedInstallSurvivesADroppedConnection(t *testing.T) {
	t.Parallel()
	for name, command := range map[string]string{
		"nohup, output in a file": "nohup ./cloudron-setup --skip-reboot > /root/setup.out 2>&1 &",
		"systemd-run":             "systemd-run --unit cloudron-setup /root/cloudron-setup --skip-reboot",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			td := newTestDroplet(t)
			c, err := td.dial()
			if err != nil {
				t.Fatal(err)
			}
			fetchInstaller(t, c)
			sh(t, c, command)
			c.Close() // the connection goes away mid-install
			eventually(t, "the install to end", td.cloudron)
			_, in := td.machine(t)
			if !in.Ended || in.ExitCode != 0 || !in.KilledAt.IsZero() {
				t.Errorf("installer %+v", in)
			}
		})
	}
}

func TestForegroundInstallDiesWithItsConnection(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t)
	c, err := td.dial()
	if err != nil {
		t.Fatal(err)
	}
	fetchInstaller(t, c)
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, _ := s.StdoutPipe()
	if err := s.Start("./cloudron-setup --skip-reboot"); err != nil {
		t.Fatal(err)
	}
	// Drop the connection once the base dependencies are being installed:
	// the script's next write is when installer.sh starts.
	var seen strings.Builder
	buf := make([]byte, 256)
	for !strings.Contains(seen.String(), "=> Installing base dependencies") {
		n, err := out.Read(buf)
		if err != nil {
			t.Fatalf("output ended before the base dependencies: %v\n%s", err, seen.String())
		}
		seen.Write(buf[:n])
	}
	c.Close()
	eventually(t, "the script to die", func() bool {
		Settle(td.w, testDropletID)
		_, in := td.machine(t)
		return in.Ended
	})
	_, in := td.machine(t)
	if in.ExitCode != 141 || in.KilledAt.IsZero() {
		t.Fatalf("installer %+v, want killed by SIGPIPE", in)
	}
	eventually(t, "the end the install would have had", func() bool { return time.Now().After(in.FinishesAt) })
	if td.cloudron() {
		t.Error("a killed install left a Cloudron")
	}

	// It died at its next write, after the base dependencies: a rerun
	// needs --redo.
	again := td.client(t)
	if r := run(t, again, "./cloudron-setup --skip-reboot", ""); r.status != 1 ||
		!strings.HasPrefix(r.stderr, "Error: Some packages like nginx/docker/nodejs are already installed.") {
		t.Fatalf("rerun: %+v", r)
	}
	if r := run(t, again, "./cloudron-setup --skip-reboot --redo", ""); r.status != 0 || !td.cloudron() {
		t.Errorf("rerun with --redo: %+v", r)
	}
}

func TestRebootPromptWithoutATerminal(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, stdin string
		status      int
		boxActive   bool
	}{
		{"end of input", "", 1, false}, // read fails under set -e: exit 1 after a good install
		{"no", "n\n", 0, false},
		{"yes reboots", "y\n", -1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			td := newTestDroplet(t)
			c := td.client(t)
			fetchInstaller(t, c)
			r := run(t, c, "./cloudron-setup", tc.stdin)
			if r.status != tc.status || !strings.Contains(r.stdout, "https://203.0.113.10") {
				t.Fatalf("install: status %d, stdout %q", r.status, r.stdout)
			}
			if !td.cloudron() {
				t.Fatal("no Cloudron after a complete install")
			}
			var after *ssh.Client
			eventually(t, "ssh", func() bool {
				var err error
				after, err = td.dial()
				return err == nil
			})
			defer after.Close()
			active := func() bool { return run(t, after, "systemctl is-active box", "").status == 0 }
			if tc.boxActive {
				eventually(t, "box after the reboot", func() bool {
					return active() && run(t, after, "curl -fs localhost:3000/api/v1/cloudron/status", "").status == 0
				})
			} else if active() || run(t, after, "curl -fs localhost:3000/api/v1/cloudron/status", "").status != 7 {
				t.Error("box runs though the script stopped it before its prompt")
			}
		})
	}
}

func TestASecondRunWhileOneRunsFails(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t, withScale(0.01))
	c := td.client(t)
	fetchInstaller(t, c)
	sh(t, c, "systemd-run -q /root/cloudron-setup --skip-reboot")
	td.waitForInstallStart(t)
	r := run(t, c, "./cloudron-setup --skip-reboot", "")
	if r.status != 1 || !strings.HasSuffix(r.stdout, "Could not update package repositories. See /var/log/cloudron-setup.log\n") {
		t.Errorf("second run: %+v", r)
	}
}

func TestAnInstallWhoseProcessDiedIsKilledAtItsNextWrite(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t)
	td.client(t)
	start := time.Now()
	work := 600 * time.Millisecond // at scale 0.001
	in := &world.Installer{Version: "9.0.15", StartedAt: start, AptFreeAt: start, FinishesAt: start.Add(work),
		Provider: "generic", SkipReboot: true, Owner: "a-session-of-a-dead-process", SeenAt: start.Add(work * 3 / 10)}
	td.w.Settle(func(d *world.Data) { d.MachineOf(testDropletID).Installer = in })
	Settle(td.w, testDropletID)
	_, got := td.machine(t)
	if want := start.Add(work * 60 / 100); !got.KilledAt.Equal(want) || got.ExitCode != 141 || got.Owner != "" {
		t.Errorf("killed at %v (exit %d), want the write at 60%% (%v)", got.KilledAt.Sub(start), got.ExitCode, want.Sub(start))
	}
}
