package droplet

import (
	"regexp"
	"strconv"
)

// hardware is what a droplet size gives the machine.
type hardware struct {
	memoryMiB int
	vcpus     int
	diskGB    int
}

// sizes are the droplet plans the machine knows (DigitalOcean's figures;
// reference/cloudron-operations.md §5). The DigitalOcean simulator has its
// own catalogue; this table keeps the machine independent of it.
var sizes = map[string]hardware{
	"s-1vcpu-512mb-10gb": {memoryMiB: 512, vcpus: 1, diskGB: 10},
	"s-1vcpu-1gb":        {memoryMiB: 1024, vcpus: 1, diskGB: 25},
	"s-1vcpu-2gb":        {memoryMiB: 2048, vcpus: 1, diskGB: 50},
	"s-2vcpu-2gb":        {memoryMiB: 2048, vcpus: 2, diskGB: 60},
	"s-2vcpu-4gb":        {memoryMiB: 4096, vcpus: 2, diskGB: 80},
	"c-2":                {memoryMiB: 4096, vcpus: 2, diskGB: 25},
	"s-4vcpu-8gb":        {memoryMiB: 8192, vcpus: 4, diskGB: 160},
	"s-8vcpu-16gb":       {memoryMiB: 16384, vcpus: 8, diskGB: 320},
}

var sizeSlug = regexp.MustCompile(`(\d+)vcpu-(\d+)(gb|mb)`)

// hardwareOf reads a size slug. An unknown slug of the usual shape
// ("s-4vcpu-16gb-amd") gives its vCPUs and RAM with DigitalOcean's Basic
// ratio of 25 GB of disk per GB of RAM; anything else is the smallest
// common plan.
func hardwareOf(slug string) hardware {
	if hw, ok := sizes[slug]; ok {
		return hw
	}
	if m := sizeSlug.FindStringSubmatch(slug); m != nil {
		cpus, _ := strconv.Atoi(m[1])
		mem, _ := strconv.Atoi(m[2])
		if m[3] == "gb" {
			mem *= 1024
		}
		return hardware{memoryMiB: mem, vcpus: cpus, diskGB: max(10, 25*mem/1024)}
	}
	return sizes["s-1vcpu-1gb"]
}

// memTotalKiB is what the kernel reports as MemTotal for installed RAM:
// less than the plan, as firmware and the kernel keep some. Fitted to
// DigitalOcean (1 GB → 957 MiB, the figure cloudron-setup's comment
// quotes; 2 GB → ≈1.9 GiB; 4 GB → ≈3.8 GiB).
func memTotalKiB(memoryMiB int) int {
	mib := float64(memoryMiB)
	return int((mib - 40 - mib*0.026) * 1024)
}

// rootSizeKiB is the size of / in 1K blocks: the disk less its boot
// partitions and the file system's overhead (a 25 GB droplet shows 24G).
func rootSizeKiB(diskGB int) int64 {
	return int64(diskGB) * 1024 * 1024 * 96 / 100
}

// Natural resource use, in MiB: a fresh image, and what an installed
// Cloudron adds (docker images on disk; box, MySQL, mail and the other
// services in memory; estimates of reference/cloudron-operations.md §5).
const (
	freshDiskMiB      = 2300
	cloudronDiskMiB   = 6500
	freshMemoryMiB    = 180
	cloudronMemoryMiB = 950
	percentFull       = 95 // what the disk-nearly-full and memory-low faults set
)

// A droplet's platform: a KVM virtual machine with an ext4 root.
const (
	defaultArch   = "x86_64"
	defaultRootFS = "ext4"
	defaultVirt   = "kvm"
)
