package gandi

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// itemsBody is the body of the routes that write several rrsets at once.
type itemsBody struct {
	Items []rrsetBody `json:"items"`
}

// getName lists every rrset at one name (an empty list when there is none;
// whether Gandi answers 404 instead is unverified).
func (s *server) getName(rw http.ResponseWriter, r *http.Request, t target) error {
	name, err := relativeName(t.name, t.fqdn)
	if err != nil {
		return err
	}
	out := []rrsetOut{}
	err = s.readDomain(t.fqdn, func(dom *world.Domain) {
		for _, rr := range cloneRecords(dom.Records) {
			if rr.Name == name {
				out = append(out, newRRSetOut(t.fqdn, rr))
			}
		}
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, out)
	return nil
}

// putName replaces every type at a name with the items sent.
func (s *server) putName(rw http.ResponseWriter, r *http.Request, t target) error {
	var body itemsBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	name, err := relativeName(t.name, t.fqdn)
	if err != nil {
		return err
	}
	items, err := s.itemsAt(t.fqdn, name, body.Items)
	if err != nil {
		return err
	}
	err = s.changeZone(r.Context(), "gandi.name.put", t.fqdn, func(records []world.RRSet) ([]world.RRSet, error) {
		kept := slices.DeleteFunc(records, func(rr world.RRSet) bool { return rr.Name == name })
		return append(kept, items...), nil
	})
	if err != nil {
		return err
	}
	created(rw, nameHref(t.fqdn, name))
	return nil
}

// itemsAt checks the rrsets a PUT by name sends: one per type, and what
// may share the name.
func (s *server) itemsAt(fqdn, name string, items []rrsetBody) ([]world.RRSet, error) {
	var out []world.RRSet
	var types []string
	for _, item := range items {
		rr, err := s.newRRSet(fqdn, name, item.Type, item.TTL, item.Values)
		if err != nil {
			return nil, err
		}
		if slices.Contains(types, rr.Type) {
			return nil, errValidation("items", fmt.Sprintf("'%s': the type is given twice (param: items)", rr.Type))
		}
		types = append(types, rr.Type)
		out = append(out, rr)
	}
	if err := s.checkCNAME(name, types); err != nil {
		return nil, err
	}
	return out, nil
}

// deleteName deletes every type at a name.
func (s *server) deleteName(rw http.ResponseWriter, r *http.Request, t target) error {
	name, err := relativeName(t.name, t.fqdn)
	if err != nil {
		return err
	}
	err = s.changeZone(r.Context(), "gandi.name.delete", t.fqdn, func(records []world.RRSet) ([]world.RRSet, error) {
		kept := slices.DeleteFunc(records, func(rr world.RRSet) bool { return rr.Name == name })
		if len(kept) == len(records) {
			return nil, errNameNotFound(t.name)
		}
		return kept, nil
	})
	if err != nil {
		return err
	}
	rw.WriteHeader(http.StatusNoContent)
	return nil
}
