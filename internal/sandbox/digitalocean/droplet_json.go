package digitalocean

import (
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// dropletJSON is a droplet as the API shows it. kernel is always null (a
// deprecated field the API still sends); next_backup_window is null
// without backups, as real answers have it.
type dropletJSON struct {
	ID               int               `json:"id"`
	Name             string            `json:"name"`
	Memory           int               `json:"memory"`
	VCPUs            int               `json:"vcpus"`
	Disk             int               `json:"disk"`
	DiskInfo         []diskInfoJSON    `json:"disk_info"`
	Locked           bool              `json:"locked"`
	Status           string            `json:"status"`
	Kernel           *struct{}         `json:"kernel"`
	CreatedAt        string            `json:"created_at"`
	Features         []string          `json:"features"`
	BackupIDs        []int             `json:"backup_ids"`
	NextBackupWindow *backupWindowJSON `json:"next_backup_window"`
	SnapshotIDs      []int             `json:"snapshot_ids"`
	Image            imageJSON         `json:"image"`
	VolumeIDs        []string          `json:"volume_ids"`
	Size             sizeJSON          `json:"size"`
	SizeSlug         string            `json:"size_slug"`
	Networks         networksJSON      `json:"networks"`
	Region           regionJSON        `json:"region"`
	Tags             []string          `json:"tags"`
	VPCUUID          string            `json:"vpc_uuid"`
}

type backupWindowJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type networksJSON struct {
	V4 []networkV4JSON `json:"v4"`
	V6 []networkV6JSON `json:"v6"`
}

type networkV4JSON struct {
	IPAddress string `json:"ip_address"`
	Netmask   string `json:"netmask"`
	Gateway   string `json:"gateway"`
	Type      string `json:"type"`
}

type networkV6JSON struct {
	IPAddress string `json:"ip_address"`
	Netmask   int    `json:"netmask"`
	Gateway   string `json:"gateway"`
	Type      string `json:"type"`
}

// dropletOf renders dr as it is at now.
func dropletOf(dr *world.Droplet, now time.Time) dropletJSON {
	size, ok := world.DOSizeBySlug(dr.Size)
	if !ok {
		size = world.Size{Slug: dr.Size} // seeded with a plan the catalogue lacks
	}
	status := dr.StatusAt(now)
	j := dropletJSON{
		ID: dr.ID, Name: dr.Name, Memory: size.MemoryMiB, VCPUs: size.VCPUs, Disk: size.DiskGB,
		DiskInfo: sizeOf(size).DiskInfo, Status: status, CreatedAt: timestamp(dr.CreatedAt),
		Features: dropletFeatures(dr), BackupIDs: []int{}, SnapshotIDs: []int{},
		Image: imageOf(dropletImage(dr)), VolumeIDs: []string{}, Size: sizeOf(size), SizeSlug: dr.Size,
		Networks: networksJSON{V4: []networkV4JSON{}, V6: []networkV6JSON{}},
		Region:   regionBySlug(dr.Region), Tags: append([]string{}, dr.Tags...), VPCUUID: uuidFrom("vpc:" + dr.Region),
	}
	if dr.Backups {
		start := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		j.NextBackupWindow = &backupWindowJSON{Start: timestamp(start), End: timestamp(start.Add(4 * time.Hour))}
	}
	// The addresses arrive with "active" (reference §4.3), and stay while
	// the droplet is off.
	if status == "active" || status == "off" {
		j.Networks = networksOf(dr)
	}
	return j
}

func dropletFeatures(dr *world.Droplet) []string {
	features := []string{}
	if dr.Backups {
		features = append(features, "backups")
	}
	if dr.IPv6 {
		features = append(features, "ipv6")
	}
	if dr.Monitoring {
		features = append(features, "monitoring")
	}
	// Every droplet is in its region's VPC, so it always has a private
	// address.
	return append(features, "private_networking")
}

// networksOf lists the private address first, as real answers do: a
// client must pick by type, not by position.
func networksOf(dr *world.Droplet) networksJSON {
	n := networksJSON{V4: []networkV4JSON{}, V6: []networkV6JSON{}}
	if dr.PrivateIP != "" {
		n.V4 = append(n.V4, networkV4JSON{IPAddress: dr.PrivateIP, Netmask: "255.255.240.0", Gateway: "10.108.0.1", Type: "private"})
	}
	if dr.PublicIPv4 != "" {
		n.V4 = append(n.V4, networkV4JSON{IPAddress: dr.PublicIPv4, Netmask: "255.255.255.0", Gateway: gatewayOf(dr.PublicIPv4), Type: "public"})
	}
	if dr.PublicIPv6 != "" {
		n.V6 = append(n.V6, networkV6JSON{IPAddress: dr.PublicIPv6, Netmask: 64, Gateway: "2001:db8::1", Type: "public"})
	}
	return n
}

// gatewayOf is the .1 of an IPv4 address's /24.
func gatewayOf(ip string) string {
	if i := strings.LastIndexByte(ip, '.'); i >= 0 {
		return ip[:i] + ".1"
	}
	return ""
}

func dropletImage(dr *world.Droplet) world.DOImage {
	if im, ok := world.DOImageBySlug(dr.Image); ok {
		return im
	}
	return world.DOImage{Slug: dr.Image, Name: dr.Image, Distribution: "Unknown", CreatedAt: dr.CreatedAt}
}
