package gandi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// RDAP (RFC 9083, bootstrap RFC 9224): what doctor's domain.expiry asks.
// The bootstrap file lives at IANA; each TLD's registry runs its own RDAP
// server. The registry hosts here are the sandbox's choice (unverified:
// the real bootstrap file names other hosts for some TLDs); the client
// follows whatever the bootstrap says, so only the shape matters.
const (
	IANABootstrapHost = "data.iana.org"
	RDAPHost          = "rdap.registry.example"
	bootstrapPath     = "/rdap/dns.json"
	rdapBase          = "https://" + RDAPHost + "/rdap/"
)

// RDAP serves IANA's DNS bootstrap file and the registries' domain
// lookups for the world's Gandi domains, with the registration's expiry.
func RDAP(w *world.World) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.InjectLatency(r.Context())
		if r.Method != http.MethodGet {
			http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		host := strings.ToLower(strings.Split(r.Host, ":")[0])
		switch {
		case host == IANABootstrapHost && r.URL.Path == bootstrapPath:
			writeRDAP(rw, http.StatusOK, "application/json", bootstrap(w))
		case host == RDAPHost && strings.HasPrefix(r.URL.Path, "/rdap/domain/"):
			rdapDomain(w, rw, strings.TrimPrefix(r.URL.Path, "/rdap/domain/"))
		default:
			writeRDAP(rw, http.StatusNotFound, "application/rdap+json", map[string]any{"errorCode": 404, "title": "Not Found"})
		}
	})
}

// bootstrap lists every TLD of the world's domains under the one registry.
func bootstrap(w *world.World) map[string]any {
	var tlds []string
	w.Read(func(d *world.Data) {
		for _, dom := range d.Gandi.Domains {
			tld := dom.FQDN[strings.LastIndex(dom.FQDN, ".")+1:]
			if !slices.Contains(tlds, tld) {
				tlds = append(tlds, tld)
			}
		}
	})
	return map[string]any{"version": "1.0", "publication": "2026-11-01T00:00:00Z",
		"description": "RDAP bootstrap file for Domain Name System registrations",
		"services":    [][][]string{{tlds, {rdapBase}}}}
}

func rdapDomain(w *world.World, rw http.ResponseWriter, name string) {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	var found *world.Domain
	w.Read(func(d *world.Data) {
		if dom := d.DomainByFQDN(name); dom != nil {
			c := *dom
			found = &c
		}
	})
	if found == nil {
		writeRDAP(rw, http.StatusNotFound, "application/rdap+json", map[string]any{"errorCode": 404, "title": "Not Found"})
		return
	}
	ns := []map[string]any{}
	for _, n := range found.Nameservers {
		ns = append(ns, map[string]any{"objectClassName": "nameserver", "ldhName": strings.ToUpper(n)})
	}
	writeRDAP(rw, http.StatusOK, "application/rdap+json", map[string]any{
		"objectClassName": "domain", "ldhName": strings.ToUpper(found.FQDN),
		"rdapConformance": []string{"rdap_level_0"},
		"status":          []string{"client transfer prohibited"},
		"nameservers":     ns,
		"events": []map[string]string{
			{"eventAction": "registration", "eventDate": found.Expires.AddDate(-1, 0, 0).UTC().Format(time.RFC3339)},
			{"eventAction": "expiration", "eventDate": found.Expires.UTC().Format(time.RFC3339)},
		},
	})
}

func writeRDAP(rw http.ResponseWriter, status int, contentType string, v any) {
	rw.Header().Set("Content-Type", contentType)
	rw.WriteHeader(status)
	json.NewEncoder(rw).Encode(v)
}
