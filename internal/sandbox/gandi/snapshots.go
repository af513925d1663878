package gandi

import (
	"net/http"
	"slices"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// snapshotOut is a snapshot as listed; getSnapshot adds its zone_data.
type snapshotOut struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Automatic    bool       `json:"automatic"`
	CreatedAt    time.Time  `json:"created_at"`
	SnapshotHref string     `json:"snapshot_href"`
	ZoneData     []rrsetOut `json:"zone_data,omitempty"`
}

func newSnapshotOut(fqdn string, snap world.Snapshot, withZone bool) snapshotOut {
	out := snapshotOut{ID: snap.ID, Name: snap.Name, Automatic: snap.Automatic, CreatedAt: snap.CreatedAt,
		SnapshotHref: snapshotHref(fqdn, snap.ID)}
	if withZone {
		out.ZoneData = []rrsetOut{}
		for _, rr := range snap.ZoneData {
			out.ZoneData = append(out.ZoneData, newRRSetOut(fqdn, rr))
		}
	}
	return out
}

func (s *server) listSnapshots(rw http.ResponseWriter, r *http.Request, t target) error {
	out := []snapshotOut{}
	err := s.readDomain(t.fqdn, func(dom *world.Domain) {
		for _, snap := range dom.Snapshots {
			out = append(out, newSnapshotOut(t.fqdn, snap, false))
		}
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, out)
	return nil
}

// createSnapshot keeps the zone as it is now. The body is optional and may
// name the snapshot; the 201 answer's shape is unverified.
func (s *server) createSnapshot(rw http.ResponseWriter, r *http.Request, t target) error {
	var body struct {
		Name string `json:"name"`
	}
	if err := decodeOptionalBody(r, &body); err != nil {
		return err
	}
	now := s.w.Now().UTC()
	snap := world.Snapshot{ID: newUUID(), Name: body.Name, CreatedAt: now}
	if snap.Name == "" {
		snap.Name = "Snapshot " + now.Format(time.DateTime)
	}
	err := s.w.Update(r.Context(), "gandi.snapshot.create", func(d *world.Data) error {
		dom, err := domainFor(d, t.fqdn)
		if err != nil {
			return err
		}
		snap.ZoneData = cloneRecords(dom.Records)
		dom.Snapshots = append(dom.Snapshots, snap)
		return nil
	})
	if err != nil {
		return err
	}
	rw.Header().Set("Location", snapshotHref(t.fqdn, snap.ID))
	writeJSON(rw, http.StatusCreated, struct {
		Message string `json:"message"`
		ID      string `json:"id"`
	}{"Snapshot Created", snap.ID})
	return nil
}

func (s *server) getSnapshot(rw http.ResponseWriter, r *http.Request, t target) error {
	var out snapshotOut
	found := false
	err := s.readDomain(t.fqdn, func(dom *world.Domain) {
		if i := snapshotIndex(dom, t.snapshot); i >= 0 {
			out, found = newSnapshotOut(t.fqdn, dom.Snapshots[i], true), true
		}
	})
	if err == nil && !found {
		err = errSnapshotNotFound()
	}
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, out)
	return nil
}

// renameSnapshot changes a snapshot's name.
func (s *server) renameSnapshot(rw http.ResponseWriter, r *http.Request, t target) error {
	var body struct {
		Name string `json:"name"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	err := s.changeSnapshot(r, "gandi.snapshot.update", t, func(dom *world.Domain, i int) {
		dom.Snapshots[i].Name = body.Name
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, message{"Snapshot updated."})
	return nil
}

func (s *server) deleteSnapshot(rw http.ResponseWriter, r *http.Request, t target) error {
	err := s.changeSnapshot(r, "gandi.snapshot.delete", t, func(dom *world.Domain, i int) {
		dom.Snapshots = slices.Delete(dom.Snapshots, i, i+1)
	})
	if err != nil {
		return err
	}
	rw.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) changeSnapshot(r *http.Request, point string, t target, change func(dom *world.Domain, i int)) error {
	return s.w.Update(r.Context(), point, func(d *world.Data) error {
		dom, err := domainFor(d, t.fqdn)
		if err != nil {
			return err
		}
		i := snapshotIndex(dom, t.snapshot)
		if i < 0 {
			return errSnapshotNotFound()
		}
		change(dom, i)
		return nil
	})
}

func snapshotIndex(dom *world.Domain, id string) int {
	return slices.IndexFunc(dom.Snapshots, func(s world.Snapshot) bool { return s.ID == id })
}
