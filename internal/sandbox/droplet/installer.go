package droplet

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Cloudron's installer, cloudron-setup (reference/cloudron.md §1). The
// script the sandbox serves hands over to this program with its $0 and
// arguments; it checks what the real script checks, in its order, then
// records the run (Update point droplet.installer.start) and follows it.

func init() {
	register("/usr/lib/chapterctl-sandbox", runInstaller, "cloudron-setup")
}

// installerSpec is the script's getopt: long options only. --env and
// --setup-token are taken as given: the App Store and cloudron.io's
// release channels are not simulated (a --setup-token is never refused).
var installerSpec = optSpec{long: []string{"help", "provider=", "version=", "env=", "skip-reboot",
	"generate-setup-token", "setup-token=", "redo"}}

// Thresholds of the current script (reference/cloudron.md §1: 941 MiB;
// 7.x copies said 949 or 960).
const (
	minimumMemoryMiB = 941
	minimumDiskGB    = 18
	defaultRelease   = "9.0.15"
)

// supportedUbuntu is the script's list of Ubuntu releases and its message
// for others. The 7.x script's list is known; the 8.x and 9.x lists are
// not (unverified): 8 is taken to add 24.04, 9 to drop 20.04, as their
// release notes suggest.
func supportedUbuntu(release string) ([]string, string) {
	major, _ := strconv.Atoi(strings.SplitN(release, ".", 2)[0])
	switch {
	case major >= 9:
		return []string{"22.04", "24.04"}, "Cloudron requires Ubuntu 22.04, 24.04"
	case major == 8:
		return []string{"20.04", "22.04", "24.04"}, "Cloudron requires Ubuntu 20.04, 22.04, 24.04"
	}
	return []string{"16.04", "18.04", "20.04", "22.04"}, "Cloudron requires Ubuntu 18.04, 20.04, 22.04"
}

// installRequest is a run the checks let through.
type installRequest struct {
	script    string // $0
	args      []string
	requested string // --version as given ("" for the latest)
	version   string
	provider  string
	skip      bool
	token     string // --generate-setup-token's one-time password
	failure   string // the run gives up at "Checking version"
}

func runInstaller(p *proc) int {
	if len(p.args) == 0 {
		return p.errorf(1, "run through the cloudron-setup script")
	}
	script, args := p.args[0], p.args[1:]
	t, err := p.s.fs.snapshot()
	if err != nil {
		return 1
	}
	f := p.machine()
	if refusal := hardwareRefusal(f, t); refusal != "" {
		fmt.Fprintln(p.stdout, refusal)
		return 1
	}
	o, err := installerSpec.parse(args)
	if err != nil {
		fmt.Fprintf(p.stderr, "%s: %v\n", script, err)
		return 1
	}
	if o.has("help") {
		fmt.Fprintln(p.stdout, "See https://docs.cloudron.io/installation/ on how to install Cloudron")
		return 0
	}
	release := defaultRelease
	p.s.fs.w.Read(func(d *world.Data) {
		if d.Cloudron.Version != "" {
			release = d.Cloudron.Version
		}
	})
	if code := systemRefusal(p, t, f, script, release, o.has("redo")); code != 0 {
		return code
	}
	req := installRequest{script: script, args: args, requested: o.value("version", ""),
		version: o.value("version", release), provider: o.value("provider", "generic"), skip: o.has("skip-reboot")}
	if o.has("generate-setup-token") {
		b := make([]byte, 10)
		rand.Read(b)
		req.token = hex.EncodeToString(b)
	}
	req.failure = versionFailure(req.version, t)
	return p.install(req)
}

// hardwareRefusal is the script's first checks, made before it reads its
// options (so even --help gets them), each printing one line on stdout.
func hardwareRefusal(f facts, t *tree) string {
	memoryMiB := memTotalKiB(f.memoryMiB) / 1024
	diskGB := rootSizeKiB(f.diskGB) / 1024 / 1024
	_, installed := t.lookup(boxUnitPath)
	switch {
	case f.rootFS != "ext4" && f.rootFS != "xfs":
		return "Error: Cloudron requires '/' to be ext4 or xfs"
	case memoryMiB < minimumMemoryMiB:
		return "Error: Cloudron requires atleast 1GB physical memory"
	case diskGB < minimumDiskGB:
		return fmt.Sprintf("Error: Cloudron requires atleast 20GB disk space (Disk space on / is %dGB)", diskGB)
	case f.arch != "x86_64":
		return "Error: Cloudron only supports amd64/x86_64"
	case f.container != "":
		return "Error: Cloudron does not support " + f.container + ", only runs on bare metal or with full hardware virtualization"
	case installed:
		// systemctl cat box.service: a unit that exists, running or not.
		return "Error: Cloudron is already installed. To reinstall, start afresh"
	}
	return ""
}

// systemRefusal is the checks after the options, printed on stderr: the
// Ubuntu release (through lsb_release, which only Ubuntu has) and
// packages an earlier install left (unless --redo). Root is always who
// runs here, so "This script should be run as root." never shows.
func systemRefusal(p *proc, t *tree, f facts, script, release string, redo bool) int {
	im := imageOf(f.image)
	if !im.lsbRelease {
		fmt.Fprintf(p.stderr, "%s: line 114: lsb_release: command not found\n", script)
		return 127
	}
	versions, message := supportedUbuntu(release)
	if !im.ubuntu() || !slices.Contains(versions, im.versionID) {
		fmt.Fprintln(p.stderr, message)
		return 1
	}
	for _, prog := range []string{"nginx", "docker", "node"} {
		if _, _, ok := lookPath(t, defaultPath, "/root", prog); ok && !redo {
			fmt.Fprintln(p.stderr, "Error: Some packages like nginx/docker/nodejs are already installed. Cloudron requires "+
				"specific versions of these packages and will install them as part of its installation. Please start "+
				"with a fresh Ubuntu install and run this script again.")
			return 1
		}
	}
	return 0
}

var releaseVersion = regexp.MustCompile(`^\d+\.\d+\.\d+$`)

// versionFailure is why a run stops at "Checking version": no such
// release, or a CPU without AVX for a release after 7.5.
func versionFailure(version string, t *tree) string {
	if !releaseVersion.MatchString(version) {
		return "Failed to get release information"
	}
	cpuinfo := ""
	if n, ok := t.lookup("/proc/cpuinfo"); ok {
		cpuinfo = n.content
	}
	if !versionLess(version, "7.5.99") && !strings.Contains(cpuinfo, " avx") {
		return "Cloudron version " + version + " requires AVX support in the CPU. No avx found in /proc/cpuinfo"
	}
	return ""
}
