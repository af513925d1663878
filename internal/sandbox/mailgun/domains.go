package mailgun

import (
	"net/http"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// POST /v4/domains
func (s *server) createDomain(rw http.ResponseWriter, r *http.Request) {
	spec, err := readDomainSpec(r)
	if err != nil {
		writeError(rw, err)
		return
	}
	// Made outside the world's lock: an RSA key takes a moment.
	publicKey := ""
	if !spec.automaticSenderSecurity {
		if publicKey, err = newDKIMKey(spec.keySize); err != nil {
			writeError(rw, err)
			return
		}
	}
	region := regionOf(r)
	var reply domainReply
	err = s.w.Update(r.Context(), "mailgun.domain.create", func(d *world.Data) error {
		if d.Mailgun.Domain(spec.name) != nil {
			// Names are global: taken in either region, or (for real) by
			// another account. Status from the mailgun-go mock; the text
			// is unverified.
			return badRequest("The domain %s is already taken", spec.name)
		}
		dom, err := spec.domain(d, region, s.w.Now(), publicKey)
		if err != nil {
			return err
		}
		d.Mailgun.Domains = append(d.Mailgun.Domains, dom)
		// The spec's text; older docs and mailgun-go's mock say "Domain
		// has been created".
		reply = replyOf("Domain DNS records have been created", dom)
		return nil
	})
	if err != nil {
		writeError(rw, err)
		return
	}
	writeJSON(rw, http.StatusOK, reply)
}

// GET /v4/domains/{name}
func (s *server) getDomain(rw http.ResponseWriter, r *http.Request) {
	var reply *domainReply
	s.w.Read(func(d *world.Data) {
		if dom := domainIn(d, regionOf(r), r.PathValue("name")); dom != nil {
			rep := replyOf("", dom)
			reply = &rep
		}
	})
	if reply == nil {
		writeError(rw, errDomainNotFound)
		return
	}
	writeJSON(rw, http.StatusOK, reply)
}

// GET /v4/domains?limit&skip&state&search&sort
func (s *server) listDomains(rw http.ResponseWriter, r *http.Request) {
	region, state, search := regionOf(r), r.FormValue("state"), strings.ToLower(r.FormValue("search"))
	var matching []*world.MailgunDomain
	var items []domainJSON
	s.w.Read(func(d *world.Data) {
		for _, dom := range d.Mailgun.Domains {
			if dom.Region == region && (state == "" || dom.State == state) && strings.Contains(dom.Name, search) {
				matching = append(matching, dom)
			}
		}
		sortDomains(matching, r.FormValue("sort"))
		for _, dom := range matching {
			items = append(items, domainOf(dom))
		}
	})
	from, to, err := pageOf(r, len(items))
	if err != nil {
		writeError(rw, err)
		return
	}
	writeJSON(rw, http.StatusOK, map[string]any{"total_count": len(items), "items": append([]domainJSON{}, items[from:to]...)})
}

// sortDomains orders as the spec says: by name when asked, else newest
// first.
func sortDomains(domains []*world.MailgunDomain, order string) {
	switch order {
	case "name", "name:asc":
		slices.SortStableFunc(domains, func(a, b *world.MailgunDomain) int { return strings.Compare(a.Name, b.Name) })
	case "name:desc":
		slices.SortStableFunc(domains, func(a, b *world.MailgunDomain) int { return strings.Compare(b.Name, a.Name) })
	default:
		slices.SortStableFunc(domains, func(a, b *world.MailgunDomain) int { return b.CreatedAt.Compare(a.CreatedAt) })
	}
}

// DELETE /v3/domains/{name}. Mailgun deletes "in the background"; the
// simulator deletes at once, so a name is free again right away.
func (s *server) deleteDomain(rw http.ResponseWriter, r *http.Request) {
	region, name := regionOf(r), r.PathValue("name")
	err := s.w.Update(r.Context(), "mailgun.domain.delete", func(d *world.Data) error {
		dom := domainIn(d, region, name)
		if dom == nil {
			return errDomainNotFound
		}
		d.Mailgun.Domains = slices.DeleteFunc(d.Mailgun.Domains, func(x *world.MailgunDomain) bool { return x == dom })
		return nil
	})
	if err != nil {
		writeError(rw, err)
		return
	}
	writeMessage(rw, http.StatusOK, "Domain will be deleted in the background")
}
