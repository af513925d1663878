package droplet

import (
	"fmt"
	"strings"
)

// osImage is what a droplet image slug installs: the facts the base file
// system, uname, lsb_release and sshd's greeting show.
type osImage struct {
	id         string // os-release ID
	name       string // os-release NAME
	versionID  string // os-release VERSION_ID and lsb_release -rs
	version    string // os-release VERSION
	pretty     string // os-release PRETTY_NAME
	codename   string // lsb_release -cs
	kernel     string // uname -r
	sshVersion string // sshd's identification string
	// lsbRelease: the image has the lsb_release program (Debian and Rocky
	// images do not, and cloudron-setup calls it).
	lsbRelease bool
}

// images are DigitalOcean's distribution images, by slug. Kernel and
// OpenSSH package versions are those of late-2026 updates of each release
// (unverified details: nothing reads them but people).
var images = map[string]osImage{
	"ubuntu-20-04-x64": {id: "ubuntu", name: "Ubuntu", versionID: "20.04", version: "20.04.6 LTS (Focal Fossa)",
		pretty: "Ubuntu 20.04.6 LTS", codename: "focal", kernel: "5.4.0-216-generic",
		sshVersion: "SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.13", lsbRelease: true},
	"ubuntu-22-04-x64": {id: "ubuntu", name: "Ubuntu", versionID: "22.04", version: "22.04.5 LTS (Jammy Jellyfish)",
		pretty: "Ubuntu 22.04.5 LTS", codename: "jammy", kernel: "5.15.0-151-generic",
		sshVersion: "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.13", lsbRelease: true},
	"ubuntu-24-04-x64": {id: "ubuntu", name: "Ubuntu", versionID: "24.04", version: "24.04.3 LTS (Noble Numbat)",
		pretty: "Ubuntu 24.04.3 LTS", codename: "noble", kernel: "6.8.0-85-generic",
		sshVersion: "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.14", lsbRelease: true},
	"ubuntu-26-04-x64": {id: "ubuntu", name: "Ubuntu", versionID: "26.04", version: "26.04 LTS (Resolute Raccoon)",
		pretty: "Ubuntu 26.04 LTS", codename: "resolute", kernel: "7.0.0-15-generic",
		sshVersion: "SSH-2.0-OpenSSH_10.0p2 Ubuntu-5ubuntu5", lsbRelease: true},
	"debian-12-x64": {id: "debian", name: "Debian GNU/Linux", versionID: "12", version: "12 (bookworm)",
		pretty: "Debian GNU/Linux 12 (bookworm)", codename: "bookworm", kernel: "6.1.0-40-amd64",
		sshVersion: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u7"},
	"debian-13-x64": {id: "debian", name: "Debian GNU/Linux", versionID: "13", version: "13 (trixie)",
		pretty: "Debian GNU/Linux 13 (trixie)", codename: "trixie", kernel: "6.12.48+deb13-amd64",
		sshVersion: "SSH-2.0-OpenSSH_10.0p2 Debian-7"},
	"rockylinux-9-x64": {id: "rocky", name: "Rocky Linux", versionID: "9.6", version: "9.6 (Blue Onyx)",
		pretty: "Rocky Linux 9.6 (Blue Onyx)", codename: "", kernel: "5.14.0-570.42.2.el9_6.x86_64",
		sshVersion: "SSH-2.0-OpenSSH_8.7"},
}

// imageOf reads an image slug; an unknown one (a numeric id, a custom
// image) is taken for Ubuntu 22.04, the image chapterctl asks for.
func imageOf(slug string) osImage {
	if im, ok := images[slug]; ok {
		return im
	}
	return images["ubuntu-22-04-x64"]
}

func (im osImage) ubuntu() bool { return im.id == "ubuntu" }

// osRelease is /etc/os-release (Ubuntu's layout for Ubuntu).
func (im osImage) osRelease() string {
	var b strings.Builder
	fmt.Fprintf(&b, "PRETTY_NAME=%q\nNAME=%q\nVERSION_ID=%q\nVERSION=%q\n", im.pretty, im.name, im.versionID, im.version)
	if im.codename != "" {
		fmt.Fprintf(&b, "VERSION_CODENAME=%s\n", im.codename)
	}
	fmt.Fprintf(&b, "ID=%s\n", im.id)
	switch im.id {
	case "ubuntu":
		b.WriteString("ID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\nSUPPORT_URL=\"https://help.ubuntu.com/\"\n" +
			"BUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\n" +
			"PRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\n")
		fmt.Fprintf(&b, "UBUNTU_CODENAME=%s\n", im.codename)
	case "debian":
		b.WriteString("HOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\n" +
			"BUG_REPORT_URL=\"https://bugs.debian.org/\"\n")
	default:
		b.WriteString("ID_LIKE=\"rhel centos fedora\"\nPLATFORM_ID=\"platform:el9\"\nHOME_URL=\"https://rockylinux.org/\"\n")
	}
	return b.String()
}

// lsbReleaseFile is /etc/lsb-release, which only Ubuntu ships.
func (im osImage) lsbReleaseFile() string {
	return fmt.Sprintf("DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=%s\nDISTRIB_CODENAME=%s\nDISTRIB_DESCRIPTION=%q\n",
		im.versionID, im.codename, im.pretty)
}

// lsbID is what lsb_release -i prints after "Distributor ID:".
func (im osImage) lsbID() string {
	if im.ubuntu() {
		return "Ubuntu"
	}
	return strings.Fields(im.name)[0]
}
