package gandi

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// maxAutomaticSnapshots is how many automatic snapshots a domain keeps; the
// oldest goes first. Gandi's own retention is unverified.
const maxAutomaticSnapshots = 10

// changeZone applies edit to a domain's records inside the world's Update,
// so each API write is one committed, journaled mutation named point. edit
// gets its own copy of the records and returns the new ones; an error
// leaves the zone as it was. The new zone reaches the authoritative
// servers Propagation later.
func (s *server) changeZone(ctx context.Context, point, fqdn string, edit func(records []world.RRSet) ([]world.RRSet, error)) error {
	// Read the clock before taking the world's write lock: After reads the
	// world too.
	at, now := s.w.After(Propagation), s.w.Now().UTC()
	return s.w.Update(ctx, point, func(d *world.Data) error {
		dom, err := domainFor(d, fqdn)
		if err != nil {
			return err
		}
		edited, err := edit(cloneRecords(dom.Records))
		if err != nil {
			return err
		}
		if dom.AutomaticSnapshots {
			addAutomaticSnapshot(dom, dom.Records, now)
		}
		dom.Records = edited
		dom.Publish(at)
		return nil
	})
}

// addAutomaticSnapshot keeps the zone as it was before a change, as LiveDNS
// does for a domain with automatic_snapshots on.
func addAutomaticSnapshot(dom *world.Domain, records []world.RRSet, now time.Time) {
	dom.Snapshots = append(dom.Snapshots, world.Snapshot{
		ID: newUUID(), Name: "Automatic snapshot", Automatic: true, CreatedAt: now, ZoneData: cloneRecords(records)})
	automatic := 0
	for i := len(dom.Snapshots) - 1; i >= 0; i-- {
		if !dom.Snapshots[i].Automatic {
			continue
		}
		if automatic++; automatic > maxAutomaticSnapshots {
			dom.Snapshots = slices.Delete(dom.Snapshots, i, i+1)
		}
	}
}

func cloneRecords(records []world.RRSet) []world.RRSet {
	out := make([]world.RRSet, len(records))
	for i, r := range records {
		r.Values = slices.Clone(r.Values)
		out[i] = r
	}
	return out
}

func indexOf(records []world.RRSet, name, typ string) int {
	return slices.IndexFunc(records, func(r world.RRSet) bool { return r.Name == name && r.Type == typ })
}

// putRRSet replaces the rrset of the same name and type in place, or adds
// it at the end: LiveDNS lists rrsets in the order they were created.
func putRRSet(records []world.RRSet, rr world.RRSet) []world.RRSet {
	if i := indexOf(records, rr.Name, rr.Type); i >= 0 {
		records[i] = rr
		return records
	}
	return append(records, rr)
}

func typesAt(records []world.RRSet, name string) []string {
	var types []string
	for _, r := range records {
		if r.Name == name {
			types = append(types, r.Type)
		}
	}
	return types
}

// checkCNAME refuses what RFC 1034 §3.6.2 forbids, given every type a name
// would hold after a write: a CNAME beside anything else, or at the apex.
// Whether and how Gandi refuses these is unverified; Options switches it.
func (s *server) checkCNAME(name string, types []string) error {
	if s.opts.AllowCNAMEConflicts || !slices.Contains(types, "CNAME") {
		return nil
	}
	if name == "@" {
		return errValidation("rrset_type", "a CNAME record is not allowed at the apex '@' (param: rrset_type)")
	}
	if len(types) > 1 {
		return errValidation("rrset_type",
			fmt.Sprintf("'%s': a CNAME record cannot coexist with other records at the same name (param: rrset_type)", name))
	}
	return nil
}

// checkCNAMEAfterPut checks the name of rr as it would be once rr is put.
func (s *server) checkCNAMEAfterPut(records []world.RRSet, rr world.RRSet) error {
	types := slices.DeleteFunc(typesAt(records, rr.Name), func(t string) bool { return t == rr.Type })
	return s.checkCNAME(rr.Name, append(types, rr.Type))
}

// newUUID makes a random (version 4) UUID, the form of Gandi's ids.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
