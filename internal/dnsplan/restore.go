package dnsplan

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/chapterctl/chapterctl/internal/gandi"
)

// ParseBackup reads a zone backup: Gandi's rrset JSON, as gandi.Backup
// writes it and `sandbox world --json` shows a zone.
func ParseBackup(raw []byte) ([]gandi.RRSet, error) {
	var zone []gandi.RRSet
	if err := json.Unmarshal(raw, &zone); err != nil {
		return nil, fmt.Errorf("not a JSON array of Gandi record sets: %w", err)
	}
	seen := map[Key]bool{}
	for i, rr := range zone {
		if rr.Name == "" || rr.Type == "" {
			return nil, fmt.Errorf("record set %d has no rrset_name or rrset_type", i+1)
		}
		k := KeyOf(rr)
		if seen[k] {
			return nil, fmt.Errorf("%s appears twice", k)
		}
		seen[k] = true
	}
	return zone, nil
}

// gandiManaged are record sets LiveDNS keeps itself: the apex NS (it
// cannot be changed through the API) is neither restored nor deleted.
func gandiManaged(k Key) bool { return k.Name == "@" && (k.Type == "NS" || k.Type == "SOA") }

// RestoreChanges makes zone equal to backup: each backup set that differs
// put back whole (values and TTL), each set absent from the backup
// deleted. Deletions come first, so that a CNAME coming back never meets
// the records that replaced it.
func RestoreChanges(domain string, backup, zone []gandi.RRSet) []Change {
	now := indexZone(domain, zone)
	then := indexZone(domain, backup)
	var deletes, puts []Change
	for _, rr := range zone {
		k := KeyOf(rr)
		if _, kept := then.sets[k]; kept || gandiManaged(k) {
			continue
		}
		c := restoreChange(now, k, Delete)
		c.Write = gandi.RRSet{Name: k.Name, Type: k.Type}
		deletes = append(deletes, c)
	}
	for _, rr := range backup {
		k := KeyOf(rr)
		if gandiManaged(k) {
			continue
		}
		want := then.sets[k]
		have, exists := now.sets[k]
		if exists && gandi.Equal(have, want) {
			continue
		}
		action := Update
		if !exists {
			action = Create
		}
		c := restoreChange(now, k, action)
		c.Wanted, c.Write = then.plain[k], want
		puts = append(puts, c)
	}
	return slices.Concat(deletes, puts)
}

func restoreChange(now zoneIndex, k Key, action Action) Change {
	c := Change{Name: FQDN(now.domain, k.Name), Type: k.Type, Key: k, Action: action, Current: nonNil(now.plain[k]),
		Wanted: []string{}, Owner: OwnerChapterctl, Reason: "as the backup has it", Have: now.sets[k]}
	c.Have.Name, c.Have.Type = k.Name, k.Type
	return c
}
