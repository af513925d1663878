package gandi

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// zoneRecords reads a copy of a domain's records.
func (s *server) zoneRecords(fqdn string) ([]world.RRSet, error) {
	var records []world.RRSet
	err := s.readDomain(fqdn, func(dom *world.Domain) { records = cloneRecords(dom.Records) })
	return records, err
}

// listRecords lists the zone's rrsets: all of them, or one type with
// ?rrset_type=, one page of them with ?page=/&per_page=, or the whole zone
// as text with Accept: text/plain. Without paging parameters the whole
// zone comes in one answer: whether Gandi ever truncates it is unverified,
// and libdns/gandi never pages.
func (s *server) listRecords(rw http.ResponseWriter, r *http.Request, t target) error {
	records, err := s.zoneRecords(t.fqdn)
	if err != nil {
		return err
	}
	if typ := r.URL.Query().Get("rrset_type"); typ != "" {
		typ = strings.ToUpper(typ)
		records = slices.DeleteFunc(records, func(rr world.RRSet) bool { return rr.Type != typ })
	}
	if wantsText(r) {
		writeZoneText(rw, records)
		return nil
	}
	p, err := parsePaging(r)
	if err != nil {
		return err
	}
	rw.Header().Set("Total-Count", strconv.Itoa(len(records)))
	if p.on {
		if link := p.link(r, recordsHref(t.fqdn), len(records)); link != "" {
			rw.Header().Set("Link", link)
		}
		records = p.slice(records)
	}
	out := make([]rrsetOut, len(records))
	for i, rr := range records {
		out[i] = newRRSetOut(t.fqdn, rr)
	}
	writeJSON(rw, http.StatusOK, out)
	return nil
}

// wantsText tells whether the client asked for the zone file form.
func wantsText(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "text/plain") && !strings.Contains(accept, "application/json")
}

// writeZoneText writes the zone as zone-file lines with relative names,
// one per value (the exact layout of Gandi's export is unverified).
func writeZoneText(rw http.ResponseWriter, records []world.RRSet) {
	var b strings.Builder
	for _, rr := range records {
		for _, v := range rr.Values {
			fmt.Fprintf(&b, "%s %d IN %s %s\n", rr.Name, rr.TTL, rr.Type, v)
		}
	}
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.WriteHeader(http.StatusOK)
	rw.Write([]byte(b.String()))
}

// postRecord creates one rrset named in the body.
func (s *server) postRecord(rw http.ResponseWriter, r *http.Request, t target) error {
	var body rrsetBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	if body.Name == "" {
		return errValidation("rrset_name", "rrset_name is required (param: rrset_name)")
	}
	rr, err := s.newRRSet(t.fqdn, body.Name, body.Type, body.TTL, body.Values)
	if err != nil {
		return err
	}
	if err := s.storeRRSet(r, "gandi.rrset.create", t.fqdn, rr, true); err != nil {
		return err
	}
	created(rw, rrsetHref(t.fqdn, rr.Name, rr.Type))
	return nil
}

// putZone replaces the whole zone with the items sent. chapterctl must
// never call it; it is here so that a client that does meets Gandi's
// behaviour, not a 405.
func (s *server) putZone(rw http.ResponseWriter, r *http.Request, t target) error {
	var body itemsBody
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	zone, err := s.zoneFromItems(t.fqdn, body.Items)
	if err != nil {
		return err
	}
	err = s.changeZone(r.Context(), "gandi.zone.put", t.fqdn, func([]world.RRSet) ([]world.RRSet, error) {
		return zone, nil
	})
	if err != nil {
		return err
	}
	created(rw, "")
	return nil
}

func (s *server) zoneFromItems(fqdn string, items []rrsetBody) ([]world.RRSet, error) {
	var zone []world.RRSet
	for _, item := range items {
		rr, err := s.newRRSet(fqdn, item.Name, item.Type, item.TTL, item.Values)
		if err != nil {
			return nil, err
		}
		if indexOf(zone, rr.Name, rr.Type) >= 0 {
			return nil, errValidation("items", fmt.Sprintf("'%s/%s' is given twice (param: items)", rr.Name, rr.Type))
		}
		zone = append(zone, rr)
	}
	for _, rr := range zone {
		if err := s.checkCNAME(rr.Name, typesAt(zone, rr.Name)); err != nil {
			return nil, err
		}
	}
	return zone, nil
}

// deleteZone wipes every record of the zone.
func (s *server) deleteZone(rw http.ResponseWriter, r *http.Request, t target) error {
	err := s.changeZone(r.Context(), "gandi.zone.delete", t.fqdn, func([]world.RRSet) ([]world.RRSet, error) {
		return []world.RRSet{}, nil
	})
	if err != nil {
		return err
	}
	rw.WriteHeader(http.StatusNoContent)
	return nil
}
