package cloudron

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// version is a Cloudron release, major.minor.patch.
type version struct{ major, minor, patch int }

// parseVersion reads "9.0.15" (a leading v and a -suffix are allowed).
func parseVersion(s string) (version, error) {
	parts := strings.Split(strings.TrimPrefix(strings.TrimSpace(s), "v"), ".")
	if len(parts) != 3 {
		return version{}, fmt.Errorf("Cloudron reported the version %q, which is not major.minor.patch", s)
	}
	var n [3]int
	for i, p := range parts {
		p, _, _ = strings.Cut(p, "-")
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return version{}, fmt.Errorf("Cloudron reported the version %q, which is not major.minor.patch", s)
		}
		n[i] = v
	}
	return version{n[0], n[1], n[2]}, nil
}

// atLeast tells whether v is major.minor or newer.
func (v version) atLeast(major, minor int) bool {
	return v.major > major || (v.major == major && v.minor >= minor)
}

func (v version) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }

// less tells whether v is older than w.
func (v version) less(w version) bool {
	return cmp.Or(cmp.Compare(v.major, w.major), cmp.Compare(v.minor, w.minor), cmp.Compare(v.patch, w.patch)) < 0
}
