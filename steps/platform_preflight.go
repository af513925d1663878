package steps

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// hostFacts is what preflight.sh.tmpl reports of the droplet.
type hostFacts struct {
	OSID, OSVersion string
	Arch            string
	MemKiB          int64
	DiskBytes       int64
	FSType          string
	AVX             bool
	Port80Used      bool
	Port443Used     bool
	BoxActive       bool // Cloudron's box service runs
	SetupLogExists  bool // an install was started (by chapterctl or by hand)
	Installing      bool // the installer's in-progress banner is there
}

// Thresholds chapterctl asks of a server. Cloudron itself needs 1 GB of
// RAM; the chat apps (Synapse above all) need the second gigabyte, hence
// DESIGN's "≥ 2 GB". A 2 GB droplet's kernel reports about 1.9 GiB, so the
// bar sits below that. The disk bar is Cloudron's own (20 GB, which a
// 25 GB droplet's root shows as 24G).
const (
	minMemKiB    = 1800 * 1024
	minDiskBytes = 18 << 30
)

// ubuntuReleases are the releases Cloudron 9 supports.
var ubuntuReleases = []string{"22.04", "24.04"}

func parseHostFacts(out string) (hostFacts, error) {
	kv := parseKeyValues(out)
	for _, key := range []string{"os_id", "arch", "mem_kib", "disk_bytes", "box"} {
		if _, ok := kv[key]; !ok {
			return hostFacts{}, fmt.Errorf("platform: preflight: the server did not report %s", key)
		}
	}
	f := hostFacts{OSID: kv["os_id"], OSVersion: strings.Trim(kv["os_version"], `"`), Arch: kv["arch"],
		FSType: kv["fs_type"], AVX: kv["avx"] == "yes", Port80Used: kv["port_80"] == "used",
		Port443Used: kv["port_443"] == "used", BoxActive: kv["box"] == "active",
		SetupLogExists: kv["setup_log"] == "yes", Installing: kv["installing"] == "yes"}
	var err error
	if f.MemKiB, err = strconv.ParseInt(kv["mem_kib"], 10, 64); err != nil {
		return hostFacts{}, fmt.Errorf("platform: preflight: memory %q is not a number", kv["mem_kib"])
	}
	if f.DiskBytes, err = strconv.ParseInt(kv["disk_bytes"], 10, 64); err != nil {
		return hostFacts{}, fmt.Errorf("platform: preflight: disk size %q is not a number", kv["disk_bytes"])
	}
	return f, nil
}

// parseKeyValues reads "key=value" lines; others are ignored.
func parseKeyValues(out string) map[string]string {
	kv := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			kv[k] = v
		}
	}
	return kv
}

// started tells whether an install already began on this server: then
// chapterctl follows it rather than starting a second one.
func (f hostFacts) started() bool { return f.SetupLogExists || f.BoxActive }

// refusal is one sentence naming why Cloudron cannot go on this server,
// or "". The port check only applies before an install: Cloudron's own
// nginx holds 80 and 443 once it has begun.
func (f hostFacts) refusal() string {
	const gib = 1 << 30
	switch {
	case f.OSID != "ubuntu" || !slices.Contains(ubuntuReleases, f.OSVersion):
		return fmt.Sprintf("the droplet runs %s %s, but Cloudron %s needs Ubuntu %s; recreate the droplet with a supported image",
			f.OSID, f.OSVersion, CloudronVersion, strings.Join(ubuntuReleases, " or "))
	case f.Arch != "x86_64":
		return fmt.Sprintf("the droplet is %s, but Cloudron only runs on x86_64; recreate it with an x86_64 size", f.Arch)
	case f.MemKiB < minMemKiB:
		return fmt.Sprintf("the droplet has %.1f GB of memory, but Cloudron and the chat apps need at least 2 GB; "+
			"resize the droplet (size in chapter.yaml) and rerun", float64(f.MemKiB)/(1<<20))
	case f.DiskBytes < minDiskBytes:
		return fmt.Sprintf("the droplet's disk has %d GB, but Cloudron needs at least 20 GB; resize the droplet and rerun",
			f.DiskBytes/gib)
	case f.FSType != "" && f.FSType != "ext4" && f.FSType != "xfs":
		return fmt.Sprintf("the droplet's / is %s, but Cloudron needs ext4 or xfs; recreate the droplet from a standard image", f.FSType)
	case !f.AVX:
		return fmt.Sprintf("the droplet's CPU has no AVX, which Cloudron %s needs; recreate it with another size or region", CloudronVersion)
	case !f.started() && (f.Port80Used || f.Port443Used):
		return "something on the droplet already listens on port 80 or 443, but Cloudron needs both; " +
			"start from a fresh droplet"
	}
	return ""
}
