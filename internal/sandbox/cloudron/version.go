package cloudron

import (
	"fmt"
	"strconv"
	"strings"
)

// version is a Cloudron or package version, major.minor.patch.
type version struct{ major, minor, patch int }

// parseVersion reads "9.0.15"; missing or bad parts count as 0.
func parseVersion(s string) version {
	var parts [3]int
	for i, p := range strings.SplitN(strings.TrimPrefix(s, "v"), ".", 3) {
		if n, err := strconv.Atoi(strings.SplitN(p, "-", 2)[0]); err == nil {
			parts[i] = n
		}
	}
	return version{parts[0], parts[1], parts[2]}
}

func (v version) atLeast(major, minor int) bool {
	return v.major > major || (v.major == major && v.minor >= minor)
}

func (v version) less(o version) bool {
	if v.major != o.major {
		return v.major < o.major
	}
	if v.minor != o.minor {
		return v.minor < o.minor
	}
	return v.patch < o.patch
}

func (v version) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }

// newer tells whether version a is newer than b.
func newer(a, b string) bool { return parseVersion(b).less(parseVersion(a)) }

// nextPatch is the version one patch release after s.
func nextPatch(s string) string {
	v := parseVersion(s)
	v.patch++
	return v.String()
}
