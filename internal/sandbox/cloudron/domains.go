package cloudron

import (
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

type domainJSON struct {
	Domain    string            `json:"domain"`
	ZoneName  string            `json:"zoneName"`
	Provider  string            `json:"provider"`
	Config    json.RawMessage   `json:"config"`
	TLSConfig map[string]string `json:"tlsConfig"`
	WellKnown map[string]string `json:"wellKnown"`
}

func viewDomain(dom *world.CloudronDomain) domainJSON {
	v := domainJSON{Domain: dom.Domain, ZoneName: dom.ZoneName, Provider: dom.Provider, Config: json.RawMessage("{}"),
		TLSConfig: map[string]string{"provider": dom.TLSProvider}, WellKnown: maps.Clone(dom.WellKnown)}
	if len(dom.Config) > 0 {
		v.Config = slices.Clone(dom.Config)
	}
	return v
}

func (s *server) listDomains(rw http.ResponseWriter, _ *http.Request, _ caller) error {
	domains := []domainJSON{}
	s.read(func(c *world.Cloudron, _ *world.Data) {
		for _, dom := range c.Domains {
			domains = append(domains, viewDomain(dom))
		}
	})
	writeJSON(rw, http.StatusOK, map[string]any{"domains": domains})
	return nil
}

func (s *server) getDomain(rw http.ResponseWriter, r *http.Request, _ caller) error {
	var v *domainJSON
	s.read(func(c *world.Cloudron, _ *world.Data) {
		if dom := domainByName(c, r.PathValue("domain")); dom != nil {
			dv := viewDomain(dom)
			v = &dv
		}
	})
	if v == nil {
		return fail(http.StatusNotFound, "No such domain")
	}
	writeJSON(rw, http.StatusOK, v)
	return nil
}

// setWellKnown sets the documents served under https://<domain>/.well-known/:
// {"wellKnown":{"<path>":"<body>"}} → 204, null clears. The POST replaces
// the whole map (unverified; clients should read, merge and post all).
func (s *server) setWellKnown(rw http.ResponseWriter, r *http.Request, _ caller) error {
	oldBox := false
	s.read(func(c *world.Cloudron, _ *world.Data) { oldBox = c.Options.NoWellKnownRoute })
	if oldBox {
		return fail(http.StatusNotFound, "No such route")
	}
	b, err := readBody(r)
	if err != nil {
		return err
	}
	docs, err := parseWellKnown(b)
	if err != nil {
		return err
	}
	err = s.update(r.Context(), "cloudron.domain.wellknown", func(c *world.Cloudron, _ *world.Data) error {
		dom := domainByName(c, r.PathValue("domain"))
		if dom == nil {
			return fail(http.StatusNotFound, "No such domain")
		}
		dom.WellKnown = docs
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusNoContent)
	return nil
}

func parseWellKnown(b body) (map[string]string, error) {
	v, ok := b["wellKnown"]
	if !ok {
		return nil, fail(http.StatusBadRequest, "wellKnown is required")
	}
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fail(http.StatusBadRequest, "wellKnown must be an object")
	}
	docs := make(map[string]string, len(m))
	for path, body := range m {
		s, ok := body.(string)
		if !ok {
			return nil, fail(http.StatusBadRequest, "wellKnown values must be strings")
		}
		docs[strings.TrimPrefix(path, "/")] = s
	}
	return docs, nil
}

// WellKnown is what https://<host>/.well-known/<path> answers on the
// droplet's Cloudron: the document set through the well-known API, served
// only for a Cloudron domain with an app installed on its bare domain
// (chat-on-cloudron.md §2.3). path may carry the /.well-known/ prefix.
// For the sandbox's HTTPS front, called inside w.Read; ok is false where
// the box would answer 404.
func WellKnown(d *world.Data, dropletID int, host, path string) (body string, ok bool) {
	m := d.MachineOf(dropletID)
	if m == nil || m.Cloudron == nil {
		return "", false
	}
	c := m.Cloudron
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	dom := domainByName(c, host)
	if dom == nil || !appOnBareDomain(c, host) {
		return "", false
	}
	path = strings.TrimPrefix(strings.TrimPrefix(path, "/"), ".well-known/")
	body, ok = dom.WellKnown[path]
	return body, ok
}

// appOnBareDomain tells whether an app whose reverse proxy exists sits on
// the bare domain.
func appOnBareDomain(c *world.Cloudron, domain string) bool {
	for _, a := range c.Apps {
		if a.Subdomain == "" && a.Domain == domain && !a.InstalledAt.IsZero() {
			return true
		}
	}
	return false
}
