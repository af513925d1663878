package gandi

import (
	"net/http"
	"net/url"
	"strings"
)

// target is what a request's path names.
type target struct {
	fqdn     string
	name     string // as decoded from the path: "@", "%40" and "www" alike
	rtype    string
	snapshot string
}

type handlerFunc func(s *server, rw http.ResponseWriter, r *http.Request, t target) error

// methods maps the HTTP methods a resource answers to their handlers.
type methods map[string]handlerFunc

var (
	domainsRoutes     = methods{http.MethodGet: (*server).listDomains}
	domainRoutes      = methods{http.MethodGet: (*server).getDomain, http.MethodPatch: (*server).patchDomain}
	nameserversRoutes = methods{http.MethodGet: (*server).getNameservers}
	recordsRoutes     = methods{
		http.MethodGet: (*server).listRecords, http.MethodPost: (*server).postRecord,
		http.MethodPut: (*server).putZone, http.MethodDelete: (*server).deleteZone,
	}
	nameRoutes = methods{
		http.MethodGet: (*server).getName, http.MethodPut: (*server).putName, http.MethodDelete: (*server).deleteName,
	}
	rrsetRoutes = methods{
		http.MethodGet: (*server).getRRSet, http.MethodPost: (*server).postRRSet,
		http.MethodPut: (*server).putRRSet, http.MethodDelete: (*server).deleteRRSet,
	}
	snapshotsRoutes = methods{http.MethodGet: (*server).listSnapshots, http.MethodPost: (*server).createSnapshot}
	snapshotRoutes  = methods{
		http.MethodGet: (*server).getSnapshot, http.MethodPatch: (*server).renameSnapshot,
		http.MethodDelete: (*server).deleteSnapshot,
	}
)

// route routes on the decoded path segments rather than with a ServeMux:
// the mux would clean "…/records//TXT" (what libdns/gandi sends for an
// empty name) into another resource by redirecting, which Gandi does not.
func (s *server) route(rw http.ResponseWriter, r *http.Request) {
	t, routes := resolve(r.URL)
	if routes == nil {
		writeError(rw, errDomainNotFound())
		return
	}
	h := routes[r.Method]
	if h == nil {
		writeError(rw, errMethodNotAllowed(r.Method))
		return
	}
	if err := h(s, rw, r, t); err != nil {
		writeError(rw, err)
	}
}

// resolve names the resource of a /v5/livedns/… URL, or returns nil.
func resolve(u *url.URL) (target, methods) {
	segs, ok := pathSegments(u)
	if !ok || len(segs) == 0 || segs[0] != "domains" {
		return target{}, nil
	}
	if len(segs) == 1 {
		return target{}, domainsRoutes
	}
	t := target{fqdn: strings.ToLower(segs[1])}
	if len(segs) == 2 {
		return t, domainRoutes
	}
	switch {
	case len(segs) == 3 && segs[2] == "nameservers":
		return t, nameserversRoutes
	case len(segs) == 3 && segs[2] == "records":
		return t, recordsRoutes
	case len(segs) == 4 && segs[2] == "records":
		t.name = segs[3]
		return t, nameRoutes
	case len(segs) == 5 && segs[2] == "records":
		t.name, t.rtype = segs[3], segs[4]
		return t, rrsetRoutes
	case len(segs) == 3 && segs[2] == "snapshots":
		return t, snapshotsRoutes
	case len(segs) == 4 && segs[2] == "snapshots":
		t.snapshot = segs[3]
		return t, snapshotRoutes
	}
	return target{}, nil
}

// pathSegments decodes each segment of the path under /v5/livedns/ on its
// own, so "%40" and a literal "@" are the same name. An empty segment
// (a doubled or trailing slash) names no resource.
func pathSegments(u *url.URL) ([]string, bool) {
	rest, ok := strings.CutPrefix(u.EscapedPath(), "/v5/livedns/")
	if !ok {
		return nil, false
	}
	raw := strings.Split(rest, "/")
	segs := make([]string, len(raw))
	for i, seg := range raw {
		decoded, err := url.PathUnescape(seg)
		if err != nil || decoded == "" {
			return nil, false
		}
		segs[i] = decoded
	}
	return segs, true
}
