package gandi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// domainOut is a LiveDNS domain as the API returns it. Its hrefs are
// absolute: libdns/gandi builds every later URL from domain_records_href.
type domainOut struct {
	FQDN               string `json:"fqdn"`
	AutomaticSnapshots bool   `json:"automatic_snapshots"`
	DomainHref         string `json:"domain_href"`
	DomainKeysHref     string `json:"domain_keys_href"`
	DomainRecordsHref  string `json:"domain_records_href"`
}

func newDomainOut(dom *world.Domain) domainOut {
	return domainOut{
		FQDN: dom.FQDN, AutomaticSnapshots: dom.AutomaticSnapshots,
		DomainHref: domainHref(dom.FQDN), DomainKeysHref: domainHref(dom.FQDN) + "/keys",
		DomainRecordsHref: recordsHref(dom.FQDN),
	}
}

// listDomains lists the domains the token may manage.
func (s *server) listDomains(rw http.ResponseWriter, r *http.Request, _ target) error {
	out := []domainOut{}
	s.w.Read(func(d *world.Data) {
		for _, dom := range d.Gandi.Domains {
			if tokenCovers(d, dom.FQDN) {
				out = append(out, newDomainOut(dom))
			}
		}
	})
	writeJSON(rw, http.StatusOK, out)
	return nil
}

func (s *server) getDomain(rw http.ResponseWriter, r *http.Request, t target) error {
	var out domainOut
	if err := s.readDomain(t.fqdn, func(dom *world.Domain) { out = newDomainOut(dom) }); err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, out)
	return nil
}

// patchDomain switches automatic snapshots. The 202 and its message are
// unverified (a client read only expects a 2xx with a message).
func (s *server) patchDomain(rw http.ResponseWriter, r *http.Request, t target) error {
	var body struct {
		AutomaticSnapshots *bool `json:"automatic_snapshots"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	err := s.w.Update(r.Context(), "gandi.domain.update", func(d *world.Data) error {
		dom, err := domainFor(d, t.fqdn)
		if err != nil {
			return err
		}
		if body.AutomaticSnapshots != nil {
			dom.AutomaticSnapshots = *body.AutomaticSnapshots
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusAccepted, message{"Domain updated."})
	return nil
}

// getNameservers answers the apex NS values when the zone has them, else
// the name servers LiveDNS gave the domain.
func (s *server) getNameservers(rw http.ResponseWriter, r *http.Request, t target) error {
	var out []string
	err := s.readDomain(t.fqdn, func(dom *world.Domain) {
		i := indexOf(dom.Records, "@", "NS")
		if i < 0 {
			out = slices.Clone(dom.Nameservers)
			return
		}
		for _, v := range dom.Records[i].Values {
			out = append(out, strings.TrimSuffix(v, "."))
		}
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, out)
	return nil
}
