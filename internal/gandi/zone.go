package gandi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/atomicfile"
)

// maxZonePages stops a paging loop that a misbehaving server never ends.
const maxZonePages = 100

// Zone reads every record set of fqdn's zone, in Gandi's order.
//
// It uses its own GET …/records rather than libdns/gandi's GetRecords, which
// flattens the zone into one record per value (rrsets to be regrouped, empty
// ones lost), loses the HTTP status of a failure (so nothing could be
// retried or explained) and bypasses the adapter's dialer. Gandi answers the
// whole zone at once; should it ever page (Link rel="next", Total-Count),
// the pages are followed.
func (c *Client) Zone(ctx context.Context, fqdn string) ([]RRSet, error) {
	fqdn, err := checkZone(fqdn)
	if err != nil {
		return nil, err
	}
	zone := []RRSet{}
	total := -1
	next := recordsURL(fqdn)
	for page := 0; next != ""; page++ {
		if page == maxZonePages {
			return nil, fmt.Errorf("gandi: the zone of %s did not end after %d pages", fqdn, maxZonePages)
		}
		var rrsets []RRSet
		r, err := c.get(ctx, next, fqdn, &rrsets)
		if err != nil {
			return nil, err
		}
		for _, rr := range rrsets {
			if rr.Values == nil {
				rr.Values = []string{}
			}
			zone = append(zone, rr)
		}
		if n, err := strconv.Atoi(r.header.Get("Total-Count")); err == nil {
			total = n
		}
		next = nextPage(r.header.Get("Link"))
	}
	if total > len(zone) {
		return nil, fmt.Errorf("Gandi listed only %d of the %d record sets of %s: run the command again", len(zone), total, fqdn)
	}
	return zone, nil
}

// nextPage finds the rel="next" URL of a Link header. Only a URL under the
// API's own root is followed: the token goes with every request.
func nextPage(link string) string {
	for _, part := range strings.Split(link, ",") {
		target, params, ok := strings.Cut(part, ";")
		if !ok || !strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="next"`) {
			continue
		}
		u := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(target), "<"), ">")
		if strings.HasPrefix(u, apiBase+"/") {
			return u
		}
	}
	return ""
}

// backupTimeLayout names backups by UTC time; it sorts by time and suits
// every file system (the debug log's layout).
const backupTimeLayout = "20060102T150405Z"

// Backup saves fqdn's zone as it is now, as Gandi's rrset JSON (the shape of
// its API and of `sandbox world --json`), to dir/<time>-<fqdn>.json with
// mode 0600, atomically, and returns the file's path. Call it before any
// write. Two backups in the same second get -1, -2… rather than replacing
// each other: the first is the zone before the first write. (The chapter
// folder's lock keeps two processes from choosing a name at once.)
func (c *Client) Backup(ctx context.Context, fqdn, dir string, now time.Time) (string, error) {
	zone, err := c.Zone(ctx, fqdn)
	if err != nil {
		return "", err
	}
	raw, err := json.MarshalIndent(zone, "", "  ")
	if err != nil {
		return "", fmt.Errorf("gandi: back up the zone of %s: %w", fqdn, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("gandi: back up the zone of %s: %w", fqdn, err)
	}
	path, err := freeName(dir, now.UTC().Format(backupTimeLayout)+"-"+zoneName(fqdn), ".json")
	if err != nil {
		return "", fmt.Errorf("gandi: back up the zone of %s: %w", fqdn, err)
	}
	if err := atomicfile.Write(path, append(raw, '\n'), 0o600); err != nil {
		return "", fmt.Errorf("gandi: back up the zone of %s: %w", fqdn, err)
	}
	return path, nil
}

// freeName returns dir/base+ext, or dir/base-N+ext for the first N free.
func freeName(dir, base, ext string) (string, error) {
	for n := 0; n < 1000; n++ {
		name := base + ext
		if n > 0 {
			name = fmt.Sprintf("%s-%d%s", base, n, ext)
		}
		path := filepath.Join(dir, name)
		_, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("no free file name for %s in %s", base+ext, dir)
}

// IsBackupOf tells whether file (a base name) is named as Backup names
// the backups of fqdn's zone: <time>-<fqdn>.json, or <time>-<fqdn>-N.json
// for a later one in the same second.
func IsBackupOf(file, fqdn string) bool {
	stamp, rest, ok := strings.Cut(file, "-")
	if _, err := time.Parse(backupTimeLayout, stamp); err != nil || !ok {
		return false
	}
	rest, found := strings.CutPrefix(rest, zoneName(fqdn))
	if !found || !strings.HasSuffix(rest, ".json") {
		return false
	}
	n := strings.TrimSuffix(rest, ".json")
	if n == "" {
		return true
	}
	_, err := strconv.Atoi(strings.TrimPrefix(n, "-"))
	return strings.HasPrefix(n, "-") && err == nil
}
