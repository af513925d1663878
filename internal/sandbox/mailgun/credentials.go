package mailgun

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// generatedNote accompanies passwords Mailgun made up (its wording is
// unverified; the field is in the spec).
const generatedNote = "Store the generated password(s) now: Mailgun will not show them again"

// credentialsReply is POST …/credentials and PUT …/credentials/{login}:
// generated passwords are shown once, here.
type credentialsReply struct {
	Message     string            `json:"message"`
	Note        string            `json:"note,omitempty"`
	Credentials map[string]string `json:"credentials,omitempty"`
}

// POST /v3/domains/{name}/credentials with login (repeatable; mailbox is
// a synonym) and optional password (repeatable, paired by position).
func (s *server) createCredentials(rw http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		writeError(rw, err)
		return
	}
	logins := append(r.Form["login"], r.Form["mailbox"]...)
	passwords := r.Form["password"]
	if len(logins) == 0 {
		writeError(rw, badRequest("Parameter 'login' is missing"))
		return
	}
	for _, p := range passwords {
		if err := checkPassword(p); err != nil {
			writeError(rw, err)
			return
		}
	}
	region, name := regionOf(r), r.PathValue("name")
	reply := credentialsReply{Message: fmt.Sprintf("Created %d credentials pair(s)", len(logins))}
	err := s.w.Update(r.Context(), "mailgun.credential.create", func(d *world.Data) error {
		dom := domainIn(d, region, name)
		if dom == nil {
			return errDomainNotFound
		}
		created, generated, err := newCredentials(dom, logins, passwords, s.w.Now())
		if err != nil {
			return err
		}
		dom.Credentials = append(dom.Credentials, created...)
		if len(generated) > 0 {
			reply.Note, reply.Credentials = generatedNote, generated
		}
		return nil
	})
	if err != nil {
		writeError(rw, err)
		return
	}
	writeJSON(rw, http.StatusOK, reply)
}

// newCredentials checks the requested logins against dom and makes them;
// generated maps each login whose password Mailgun chose to it.
func newCredentials(dom *world.MailgunDomain, logins, passwords []string, now time.Time) (created []*world.MailgunCredential, generated map[string]string, err error) {
	generated = map[string]string{}
	for i, raw := range logins {
		login, err := loginOn(dom, raw)
		if err != nil {
			return nil, nil, err
		}
		// Duplicates: 400 as in mailgun-go's mock; the text is unverified.
		if dom.Credential(login) != nil || slices.ContainsFunc(created, func(c *world.MailgunCredential) bool { return c.Login == login }) {
			return nil, nil, badRequest("Credentials already exist: %s", login)
		}
		c := &world.MailgunCredential{Login: login, CreatedAt: now.UTC()}
		if i < len(passwords) && passwords[i] != "" {
			c.Password = passwords[i]
		} else {
			c.Password = generatePassword()
			generated[login] = c.Password
		}
		created = append(created, c)
	}
	return created, generated, nil
}

// loginOn turns a requested login into the full address stored. A bare
// local part ("bob.bar", as older docs show) gets the domain appended
// (unverified for today's API); an address on another domain is refused
// (unverified text).
func loginOn(dom *world.MailgunDomain, raw string) (string, error) {
	login := strings.ToLower(strings.TrimSpace(raw))
	local, host, hasAt := strings.Cut(login, "@")
	if !hasAt {
		host = dom.Name
	}
	if local == "" || strings.ContainsAny(local, " \t\"<>") || host != dom.Name {
		return "", badRequest("Invalid login '%s': it must be an address on %s", raw, dom.Name)
	}
	return local + "@" + host, nil
}

func checkPassword(p string) error {
	switch {
	case len(p) < 5:
		return badRequest("Password is too short. It must be between 5 and 32 characters.")
	case len(p) > 32:
		return badRequest("Password is too long. It must be between 5 and 32 characters.")
	}
	return nil
}

// GET /v3/domains/{name}/credentials?skip&limit. Passwords are never listed.
func (s *server) listCredentials(rw http.ResponseWriter, r *http.Request) {
	region, name := regionOf(r), r.PathValue("name")
	var items []map[string]any
	found := false
	s.w.Read(func(d *world.Data) {
		dom := domainIn(d, region, name)
		if found = dom != nil; !found {
			return
		}
		for _, c := range dom.Credentials {
			items = append(items, map[string]any{"login": c.Login, "mailbox": c.Login,
				"created_at": rfc2822Numeric(c.CreatedAt), "size_bytes": nil})
		}
	})
	if !found {
		writeError(rw, errDomainNotFound)
		return
	}
	from, to, err := pageOf(r, len(items))
	if err != nil {
		writeError(rw, err)
		return
	}
	page := append([]map[string]any{}, items[from:to]...)
	// total_count is "the number of credentials described in 'items'"
	// (spec), not the number the domain has.
	writeJSON(rw, http.StatusOK, map[string]any{"total_count": len(page), "items": page})
}

// PUT /v3/domains/{name}/credentials/{login} with an optional password;
// without one Mailgun generates it and shows it once.
func (s *server) updateCredential(rw http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		writeError(rw, err)
		return
	}
	password, generated := r.FormValue("password"), false
	if password == "" {
		password, generated = generatePassword(), true
	} else if err := checkPassword(password); err != nil {
		writeError(rw, err)
		return
	}
	region, name := regionOf(r), r.PathValue("name")
	// Older docs' and mailgun-go's text; the spec's example repeats the
	// create text, likely a copy.
	reply := credentialsReply{Message: "Password changed"}
	err := s.w.Update(r.Context(), "mailgun.credential.update", func(d *world.Data) error {
		c, err := credentialIn(d, region, name, r.PathValue("login"))
		if err != nil {
			return err
		}
		c.Password = password
		if generated {
			reply.Note, reply.Credentials = generatedNote, map[string]string{c.Login: password}
		}
		return nil
	})
	if err != nil {
		writeError(rw, err)
		return
	}
	writeJSON(rw, http.StatusOK, reply)
}

// DELETE /v3/domains/{name}/credentials/{login}
func (s *server) deleteCredential(rw http.ResponseWriter, r *http.Request) {
	region, name := regionOf(r), r.PathValue("name")
	var spec string
	err := s.w.Update(r.Context(), "mailgun.credential.delete", func(d *world.Data) error {
		c, err := credentialIn(d, region, name, r.PathValue("login"))
		if err != nil {
			return err
		}
		if c.System {
			return badRequest("Cannot delete system mailbox: %s", c.Login)
		}
		dom := domainIn(d, region, name)
		dom.Credentials = slices.DeleteFunc(dom.Credentials, func(x *world.MailgunCredential) bool { return x == c })
		spec = c.Login
		return nil
	})
	if err != nil {
		writeError(rw, err)
		return
	}
	writeJSON(rw, http.StatusOK, map[string]string{"message": "Credentials have been deleted", "spec": spec})
}

// DELETE /v3/domains/{name}/credentials removes every login but the
// system one (unverified: whether postmaster goes too).
func (s *server) deleteAllCredentials(rw http.ResponseWriter, r *http.Request) {
	region, name := regionOf(r), r.PathValue("name")
	count := 0
	err := s.w.Update(r.Context(), "mailgun.credentials.delete", func(d *world.Data) error {
		dom := domainIn(d, region, name)
		if dom == nil {
			return errDomainNotFound
		}
		before := len(dom.Credentials)
		dom.Credentials = slices.DeleteFunc(dom.Credentials, func(c *world.MailgunCredential) bool { return !c.System })
		count = before - len(dom.Credentials)
		return nil
	})
	if err != nil {
		writeError(rw, err)
		return
	}
	writeJSON(rw, http.StatusOK, map[string]any{"message": "All domain credentials have been deleted", "count": count})
}

// credentialIn finds a login of a domain; the path may give the full
// address or its local part.
func credentialIn(d *world.Data, region, domain, login string) (*world.MailgunCredential, error) {
	dom := domainIn(d, region, domain)
	if dom == nil {
		return nil, errDomainNotFound
	}
	if !strings.Contains(login, "@") {
		login += "@" + dom.Name
	}
	if c := dom.Credential(login); c != nil {
		return c, nil
	}
	return nil, errCredentialsNotFound
}

// generatePassword makes a password like the ones Mailgun hands out.
func generatePassword() string {
	return rand.Text()[:24]
}
