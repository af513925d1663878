package droplet

import (
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The installer's milestones, as fractions of its work after the apt lock
// is free (cloudron-setup's phases; reference/cloudron.md §1). Apt and the
// downloads are quick; the base dependencies (docker, nginx, node) and
// installer.sh (docker image pulls) take most of the ten minutes; the last
// tenth is the poll of the box's status every 10 s. The split is an
// estimate (unverified: no timed log of a real run was found).
const (
	fracValidate  = 0.05
	fracVersion   = 0.06
	fracDownload  = 0.08
	fracBaseDeps  = 0.15
	fracPackages  = 0.20 // nginx, docker and node are installed
	fracInstall   = 0.60 // /etc/cloudron/PROVIDER written, installer.sh starts
	fracBoxUnit   = 0.70 // box.service exists
	fracWaitReady = 0.90 // box started; the script polls its status
	readyPoll     = 10 * time.Second
)

// at is the instant a milestone is reached.
func at(in *world.Installer, frac float64) time.Time {
	if frac <= 0 {
		return in.StartedAt
	}
	work := in.FinishesAt.Sub(in.AptFreeAt)
	if in.Failure != "" {
		work = time.Duration(float64(in.FinishesAt.Sub(in.AptFreeAt)) / fracVersion)
	}
	return in.AptFreeAt.Add(time.Duration(frac * float64(work)))
}

// reached tells whether the run got to a milestone by time now: it must
// be due, and the script must not have died or given up before it.
func reached(in *world.Installer, frac float64, now time.Time) bool {
	when := at(in, frac)
	if now.Before(when) {
		return false
	}
	if in.Failure != "" && frac > fracVersion {
		return false
	}
	return in.KilledAt.IsZero() || !in.KilledAt.Before(when)
}

// running tells whether the script is alive at time now.
func running(in *world.Installer, now time.Time) bool {
	return !in.Ended && !in.Killed(now) && now.Before(in.FinishesAt)
}

// installsCloudron tells whether this run leaves a Cloudron behind, once
// FinishesAt has passed: the box service was started before the script
// died (box runs on under systemd even if the script is killed while it
// polls).
func installsCloudron(in *world.Installer) bool {
	return in.Failure == "" && reached(in, fracWaitReady, in.FinishesAt)
}

// output is one write the script makes to its standard output.
type output struct {
	at   time.Time
	text string
}

// stdoutWrites are the script's writes to standard output, in order, as
// cloudron-setup makes them (its `echo -n` phases finish their line when
// the next phase starts).
func stdoutWrites(in *world.Installer, requested string, urls []string, tick time.Duration) []output {
	if requested == "" {
		requested = "latest"
	}
	v := in.Version
	w := []output{
		{in.StartedAt, "\n##############################################\n" +
			"         Cloudron Setup (" + requested + ")\n" +
			"##############################################\n\n" +
			" Follow setup logs in a second terminal with:\n $ tail -f " + setupLog + "\n\n" +
			" Join us at https://forum.cloudron.io for any questions.\n\n" +
			"=> Updating apt and installing script dependencies\n"},
		{at(in, fracValidate), "=> Validating setup token\n"},
		{at(in, fracVersion), "=> Checking version\n"},
	}
	if in.Failure != "" {
		return append(w, output{in.FinishesAt, in.Failure + "\n"})
	}
	w = append(w,
		output{at(in, fracDownload), "=> Downloading Cloudron version " + v + " ...\n"},
		output{at(in, fracBaseDeps), "=> Installing base dependencies (this takes some time) ..."},
		output{at(in, fracInstall), "\n=> Installing Cloudron version " + v + " (this takes some time) ..."},
		output{at(in, fracWaitReady), "\n=> Waiting for cloudron to be ready (this takes some time) ..."})
	for dot := at(in, fracWaitReady); !dot.After(in.FinishesAt); dot = dot.Add(tick) {
		w = append(w, output{dot, "."})
		if tick <= 0 {
			break
		}
	}
	final := "\n\n\x1b[32mAfter reboot, visit one of the following URLs and accept the self-signed certificate to finish setup.\x1b[m\n\n"
	for _, u := range urls {
		final += "  * \x1b[32m" + u + "\x1b[m\n"
	}
	return append(w, output{in.FinishesAt, final})
}

// nextWrite is when a script whose SSH channel went away at time gone
// dies: at its first write to standard output from then on (SIGPIPE).
func nextWrite(writes []output, gone time.Time) time.Time {
	for _, w := range writes {
		if !w.at.Before(gone) {
			return w.at
		}
	}
	return writes[len(writes)-1].at
}

// setupLog is cloudron-setup's log file.
const setupLog = "/var/log/cloudron-setup.log"

// logLines are what the script and the programs it runs append to its
// log, with the milestone each appears at: enough for the log to grow as
// the install goes on, as `tail -f` shows it. Only the first line is the
// real script's; the rest stands in for apt's and installer.sh's output.
var logLines = []struct {
	frac float64
	text string
}{
	{0.005, "Hit:1 http://mirrors.digitalocean.com/ubuntu {codename} InRelease"},
	{0.01, "Get:2 http://mirrors.digitalocean.com/ubuntu {codename}-updates InRelease [128 kB]"},
	{0.02, "Reading package lists..."},
	{0.03, "Building dependency tree..."},
	{0.04, "curl is already the newest version."},
	{0.07, "Release information fetched for {version}"},
	{0.10, "Downloaded box-{version}.tar.gz"},
	{0.16, "==> initializeBaseUbuntuImage: updating apt"},
	{0.18, "Setting up nginx-full ..."},
	{0.20, "Setting up docker-ce ..."},
	{0.25, "Setting up nodejs ..."},
	{0.35, "Setting up mysql-server-8.0 ..."},
	{0.45, "Setting up unbound ..."},
	{0.55, "==> initializeBaseUbuntuImage: Done"},
	{0.62, "==> installer: updating node modules"},
	{0.66, "==> installer: pulling docker images"},
	{0.72, "==> installer: pulled cloudron/mail"},
	{0.78, "==> installer: pulled cloudron/mysql, cloudron/postgresql, cloudron/mongodb"},
	{0.84, "==> installer: pulled cloudron/redis, cloudron/graphite, cloudron/sftp, cloudron/turn"},
	{0.89, "==> installer: starting box"},
}

// setupLogContent is the log as it is at time now.
func setupLogContent(in *world.Installer, codename string, now time.Time) string {
	var b strings.Builder
	b.WriteString("Running cloudron-setup with args : " + strings.Join(in.Args, " ") + "\n")
	if in.AptFreeAt.After(in.StartedAt) {
		// The first boot's apt run still holds the lock.
		b.WriteString("Waiting for 30s for existing apt/dpkg processes\n")
	}
	fill := strings.NewReplacer("{codename}", codename, "{version}", in.Version)
	for _, l := range logLines {
		if !reached(in, l.frac, now) {
			break
		}
		b.WriteString(fill.Replace(l.text) + "\n")
	}
	if in.Failure != "" && reached(in, fracVersion, now) && !now.Before(in.FinishesAt) {
		b.WriteString(in.Failure + "\n")
	}
	return b.String()
}

// addInstallerFiles adds what the installer has written by time now.
func addInstallerFiles(t *tree, m *world.Machine, now time.Time) {
	in := m.Installer
	if in == nil || now.Before(in.StartedAt) {
		return
	}
	t.addFile(setupLog, setupLogContent(in, imageOf(m.Image).codename, now), 0o644)
	cleanExit := in.Ended && in.KilledAt.IsZero()
	if !cleanExit {
		// The EXIT trap removes it; a killed script leaves it behind.
		t.addFile("/etc/update-motd.d/91-cloudron-install-in-progress", motdInProgress, 0o755)
	}
	if reached(in, fracPackages, now) {
		for _, p := range []string{"/usr/sbin/nginx", "/usr/bin/docker", "/usr/bin/node", "/usr/bin/mysql"} {
			t.addFile(p, programContent(p[strings.LastIndexByte(p, '/')+1:]), 0o755)
		}
	}
	if reached(in, fracInstall, now) {
		t.addFile("/etc/cloudron/PROVIDER", in.Provider+"\n", 0o644)
		if in.SetupToken != "" {
			t.addFile("/etc/cloudron/SETUP_TOKEN", in.SetupToken+"\n", 0o644)
		}
	}
	if reached(in, fracBoxUnit, now) {
		t.addFile(boxUnitPath, boxUnit, 0o644)
	}
}

const boxUnitPath = "/etc/systemd/system/box.service"

const boxUnit = `[Unit]
Description=Cloudron Admin
After=mysql.service nginx.service

[Service]
WorkingDirectory=/home/yellowtent/box
ExecStart=/home/yellowtent/box/box.js
User=yellowtent
Restart=always

[Install]
WantedBy=multi-user.target
`

// motdInProgress stands in for the installer's login banner.
const motdInProgress = `#!/bin/bash
printf '\nCloudron is installing. Run '"'"'tail -f /var/log/cloudron-setup.log'"'"' to view progress.\n\n'
`
