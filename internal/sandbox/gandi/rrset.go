package gandi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// maxBody bounds a request body; a whole zone fits many times over.
const maxBody = 1 << 20

// rrsetBody is an rrset as clients send it. Fields a route does not use
// (rrset_name and rrset_type on …/{name}/{type}, rrset_href) are tolerated:
// libdns/gandi sends them with every write.
type rrsetBody struct {
	Name   string   `json:"rrset_name"`
	Type   string   `json:"rrset_type"`
	TTL    *int     `json:"rrset_ttl"`
	Values []string `json:"rrset_values"`
}

// rrsetOut is an rrset as LiveDNS returns it.
type rrsetOut struct {
	Name   string   `json:"rrset_name"`
	Type   string   `json:"rrset_type"`
	TTL    int      `json:"rrset_ttl"`
	Values []string `json:"rrset_values"`
	Href   string   `json:"rrset_href"`
}

func newRRSetOut(fqdn string, rr world.RRSet) rrsetOut {
	// A copy: the answer is encoded after the world's lock is released.
	// An empty rrset is [] on the wire, never null.
	values := append([]string{}, rr.Values...)
	return rrsetOut{Name: rr.Name, Type: rr.Type, TTL: rr.TTL, Values: values, Href: rrsetHref(fqdn, rr.Name, rr.Type)}
}

func decodeBody(r *http.Request, v any) error {
	return decode(r, v, false)
}

// decodeOptionalBody is decodeBody for routes whose body may be absent.
func decodeOptionalBody(r *http.Request, v any) error {
	return decode(r, v, true)
}

func decode(r *http.Request, v any, optional bool) error {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		return errValidation("body", "the body could not be read: "+err.Error())
	}
	if optional && len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return errValidation("body", "Invalid JSON body: "+err.Error())
	}
	return nil
}

// newRRSet checks and normalises one rrset of a write.
func (s *server) newRRSet(fqdn, rawName, rawType string, ttl *int, values []string) (world.RRSet, error) {
	name, err := relativeName(rawName, fqdn)
	if err != nil {
		return world.RRSet{}, err
	}
	typ, err := recordType(rawType)
	if err != nil {
		return world.RRSet{}, err
	}
	if typ == "ALIAS" && name != "@" {
		return world.RRSet{}, errValidation("rrset_name", "only '@' is allowed for ALIAS records (param: rrset_name)")
	}
	seconds, err := s.recordTTL(ttl)
	if err != nil {
		return world.RRSet{}, err
	}
	normalised, err := s.recordValues(typ, values)
	if err != nil {
		return world.RRSet{}, err
	}
	return world.RRSet{Name: name, Type: typ, TTL: seconds, Values: normalised}, nil
}

// lookupRRSet reads one rrset; the 404 carries "code":404, which
// libdns/gandi needs to treat the rrset as absent rather than fail.
func (s *server) lookupRRSet(t target) (world.RRSet, error) {
	name, err := relativeName(t.name, t.fqdn)
	if err != nil {
		return world.RRSet{}, err
	}
	var rr world.RRSet
	found := false
	err = s.readDomain(t.fqdn, func(dom *world.Domain) {
		if i := indexOf(dom.Records, name, normaliseTypeForLookup(t.rtype)); i >= 0 {
			rr, found = cloneRecords(dom.Records[i : i+1])[0], true
		}
	})
	if err == nil && !found {
		err = errRRSetNotFound(t.name, t.rtype)
	}
	return rr, err
}

// normaliseTypeForLookup uppercases a type for reading; an unknown type
// simply finds nothing (404), as a read has nothing to validate.
func normaliseTypeForLookup(raw string) string {
	typ, err := recordType(raw)
	if err != nil {
		return raw
	}
	return typ
}

func (s *server) getRRSet(rw http.ResponseWriter, r *http.Request, t target) error {
	rr, err := s.lookupRRSet(t)
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, newRRSetOut(t.fqdn, rr))
	return nil
}

// putRRSet creates or replaces one rrset: its values and TTL are replaced
// wholesale, and the answer is 201 with a Location either way.
func (s *server) putRRSet(rw http.ResponseWriter, r *http.Request, t target) error {
	return s.writeRRSet(rw, r, t, "gandi.rrset.put", false)
}

// postRRSet creates one rrset; one already there is a conflict.
func (s *server) postRRSet(rw http.ResponseWriter, r *http.Request, t target) error {
	return s.writeRRSet(rw, r, t, "gandi.rrset.create", true)
}

func (s *server) writeRRSet(rw http.ResponseWriter, r *http.Request, t target, point string, createOnly bool) error {
	var body rrsetBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	rr, err := s.newRRSet(t.fqdn, t.name, t.rtype, body.TTL, body.Values)
	if err != nil {
		return err
	}
	if err := s.storeRRSet(r, point, t.fqdn, rr, createOnly); err != nil {
		return err
	}
	created(rw, rrsetHref(t.fqdn, rr.Name, rr.Type))
	return nil
}

func (s *server) storeRRSet(r *http.Request, point, fqdn string, rr world.RRSet, createOnly bool) error {
	return s.changeZone(r.Context(), point, fqdn, func(records []world.RRSet) ([]world.RRSet, error) {
		if createOnly && indexOf(records, rr.Name, rr.Type) >= 0 {
			return nil, errConflict(rr.Name, rr.Type)
		}
		if err := s.checkCNAMEAfterPut(records, rr); err != nil {
			return nil, err
		}
		return putRRSet(records, rr), nil
	})
}

func (s *server) deleteRRSet(rw http.ResponseWriter, r *http.Request, t target) error {
	name, err := relativeName(t.name, t.fqdn)
	if err != nil {
		return err
	}
	typ := normaliseTypeForLookup(t.rtype)
	err = s.changeZone(r.Context(), "gandi.rrset.delete", t.fqdn, func(records []world.RRSet) ([]world.RRSet, error) {
		i := indexOf(records, name, typ)
		if i < 0 {
			return nil, errRRSetNotFound(t.name, t.rtype)
		}
		return append(records[:i], records[i+1:]...), nil
	})
	if err != nil {
		return err
	}
	rw.WriteHeader(http.StatusNoContent)
	return nil
}
