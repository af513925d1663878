package gandi

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// authenticate accepts "Bearer <the world's PAT>" and, for keys seeded as
// legacy, the deprecated "Apikey <key>". A credential it does not know gets
// the coded 401; no usable header at all gets the 401 without a code.
func (s *server) authenticate(r *http.Request) error {
	scheme, credential, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	credential = strings.TrimSpace(credential)
	if credential == "" {
		return errNoCredentials()
	}
	known := false
	switch strings.ToLower(scheme) {
	case "bearer":
		s.w.Read(func(d *world.Data) { known = sameSecret(credential, d.Tokens.Gandi) })
	case "apikey":
		s.w.Read(func(d *world.Data) {
			known = slices.ContainsFunc(d.Gandi.LegacyAPIKeys, func(k string) bool { return sameSecret(credential, k) })
		})
	default:
		return errNoCredentials()
	}
	if !known {
		return errBadCredentials()
	}
	return nil
}

func sameSecret(given, issued string) bool {
	return issued != "" && subtle.ConstantTimeCompare([]byte(given), []byte(issued)) == 1
}

// domainFor finds a domain the token may manage: 404 when the account has
// no such domain, 403 when the PAT is limited to other domains.
func domainFor(d *world.Data, fqdn string) (*world.Domain, error) {
	dom := d.DomainByFQDN(fqdn)
	if dom == nil {
		return nil, errDomainNotFound()
	}
	if !tokenCovers(d, fqdn) {
		return nil, errForbidden()
	}
	return dom, nil
}

// readDomain runs fn on a domain the token may manage, with the world
// locked for reading; fn must copy what it keeps.
func (s *server) readDomain(fqdn string, fn func(dom *world.Domain)) error {
	var err error
	s.w.Read(func(d *world.Data) {
		var dom *world.Domain
		if dom, err = domainFor(d, fqdn); err == nil {
			fn(dom)
		}
	})
	return err
}

func tokenCovers(d *world.Data, fqdn string) bool {
	return len(d.Gandi.TokenDomains) == 0 || slices.Contains(d.Gandi.TokenDomains, fqdn)
}

// checkContentType enforces Gandi's rule that a body sent with POST, PUT or
// PATCH is JSON. The 415 answer is unverified.
func checkContentType(r *http.Request) error {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return nil
	}
	if r.ContentLength == 0 {
		return nil
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "application/json" {
		return coded(http.StatusUnsupportedMediaType, "HTTPUnsupportedMediaType",
			"The request body must be application/json.")
	}
	return nil
}
