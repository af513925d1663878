package cloudron

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// maskedSecret is how the box shows a stored secret; posting it back
// keeps the stored one [v4].
const maskedSecret = "●●●●●●●●"

// builtinRelays need no login test: the server's own SMTP, or none.
var builtinRelays = []string{"cloudron-smtp", "noop"}

var mailboxChars = regexp.MustCompile(`^[a-zA-Z0-9.-]+$`)

// mailDomain finds the domain's mail configuration, else 404.
func mailDomain(c *world.Cloudron, domain string) (*world.CloudronMail, error) {
	if m := c.Mail[domain]; m != nil {
		return m, nil
	}
	return nil, fail(http.StatusNotFound, "No such domain")
}

func (s *server) getMail(rw http.ResponseWriter, r *http.Request, _ caller) error {
	var v map[string]any
	var err error
	s.read(func(c *world.Cloudron, _ *world.Data) {
		m, e := mailDomain(c, r.PathValue("domain"))
		if err = e; err != nil {
			return
		}
		relay := map[string]any{"provider": m.Relay.Provider, "host": m.Relay.Host, "port": m.Relay.Port,
			"username": m.Relay.Username, "acceptSelfSignedCerts": m.Relay.AcceptSelfSignedCerts, "forceFromAddress": m.Relay.ForceFromAddress}
		if m.Relay.Password != "" {
			relay["password"] = maskedSecret
		}
		v = map[string]any{"domain": m.Domain, "enabled": m.Enabled, "mailFromValidation": true,
			"catchAll": orEmpty(m.CatchAll), "relay": relay, "dkimSelector": m.DKIMSelector,
			"banner": map[string]string{"text": "", "html": ""}}
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, v)
	return nil
}

// enableMail turns incoming mail on or off: 202 at once, the mail
// container restarting in the background (ReadyAt).
func (s *server) enableMail(rw http.ResponseWriter, r *http.Request, _ caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	enabled, ok := b.boolean("enabled")
	if !ok {
		return fail(http.StatusBadRequest, "enabled is required")
	}
	now := s.w.Now()
	err = s.update(r.Context(), "cloudron.mail.enable", func(c *world.Cloudron, d *world.Data) error {
		m, err := mailDomain(c, r.PathValue("domain"))
		if err != nil {
			return err
		}
		m.Enabled = enabled
		m.EnabledAt, m.ReadyAt = now, now.Add(scaled(d, knob(c.Options.Timings.MailEnable, mailEnableDefault)))
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusAccepted)
	return nil
}

// setRelay sets how outgoing mail leaves: for any provider but the
// built-in ones the box first logs in to the relay, and a failed login is
// 400 with the SMTP error.
func (s *server) setRelay(rw http.ResponseWriter, r *http.Request, _ caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	relay, err := parseRelay(b)
	if err != nil {
		return err
	}
	domain := r.PathValue("domain")
	var current world.CloudronRelay
	s.read(func(c *world.Cloudron, _ *world.Data) {
		m, e := mailDomain(c, domain)
		if err = e; err == nil {
			current = m.Relay
		}
	})
	if err != nil {
		return err
	}
	if relay.Password == maskedSecret {
		relay.Password = current.Password
	}
	if !slices.Contains(builtinRelays, relay.Provider) {
		ctx, cancel := context.WithTimeout(r.Context(), lookupTimeout)
		defer cancel()
		if err := s.deps.SMTPLogin(ctx, relay.Host, relay.Port, relay.Username, relay.Password); err != nil {
			return fail(http.StatusBadRequest, "%s", err.Error())
		}
	}
	err = s.update(r.Context(), "cloudron.mail.relay", func(c *world.Cloudron, _ *world.Data) error {
		m, err := mailDomain(c, domain)
		if err != nil {
			return err
		}
		m.Relay = relay
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusAccepted)
	return nil
}

func parseRelay(b body) (world.CloudronRelay, error) {
	var relay world.CloudronRelay
	var ok bool
	if relay.Provider, ok = b.str("provider"); !ok {
		return relay, fail(http.StatusBadRequest, "provider is required")
	}
	err := b.optional(fieldCheck{"host", "string"}, fieldCheck{"port", "number"}, fieldCheck{"username", "string"},
		fieldCheck{"password", "string"}, fieldCheck{"acceptSelfSignedCerts", "boolean"}, fieldCheck{"forceFromAddress", "boolean"})
	if err != nil {
		return relay, err
	}
	relay.Host, _ = b.str("host")
	port, _ := b.number("port")
	relay.Port = int(port)
	relay.Username, _ = b.str("username")
	relay.Password, _ = b.str("password")
	relay.AcceptSelfSignedCerts, _ = b.boolean("acceptSelfSignedCerts")
	relay.ForceFromAddress, _ = b.boolean("forceFromAddress")
	if !slices.Contains(builtinRelays, relay.Provider) {
		if relay.Host == "" {
			return relay, fail(http.StatusBadRequest, "host is required")
		}
		if relay.Port == 0 {
			relay.Port = 587
		}
	}
	return relay, nil
}

func (s *server) listMailboxes(rw http.ResponseWriter, r *http.Request, _ caller) error {
	var boxes []map[string]any
	var err error
	s.read(func(c *world.Cloudron, _ *world.Data) {
		m, e := mailDomain(c, r.PathValue("domain"))
		if err = e; err != nil {
			return
		}
		for _, mb := range m.Mailboxes {
			boxes = append(boxes, map[string]any{"name": mb.Name, "domain": m.Domain, "ownerId": mb.OwnerID, "ownerType": mb.OwnerType,
				"active": mb.Active, "enablePop3": mb.EnablePop3, "storageQuota": 0, "messagesQuota": 0, "aliases": []any{},
				"creationTime": isoTime(mb.CreatedAt)})
		}
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, map[string]any{"mailboxes": orEmptyMaps(boxes)})
	return nil
}

// addMailbox creates a mailbox owned by a user (or group): 201 {}; 409 if
// the name is a mailbox or list already.
func (s *server) addMailbox(rw http.ResponseWriter, r *http.Request, _ caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	mb, err := parseMailbox(b)
	if err != nil {
		return err
	}
	mb.CreatedAt = s.w.Now()
	err = s.update(r.Context(), "cloudron.mail.mailbox.create", func(c *world.Cloudron, _ *world.Data) error {
		m, err := mailDomain(c, r.PathValue("domain"))
		if err != nil {
			return err
		}
		if mb.OwnerType == "user" && userByID(c, mb.OwnerID) == nil {
			return fail(http.StatusBadRequest, "ownerId: no such user")
		}
		if nameTaken(m, mb.Name) {
			return fail(http.StatusConflict, "Mailbox already exists")
		}
		m.Mailboxes = append(m.Mailboxes, &mb)
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusCreated)
	return nil
}

func parseMailbox(b body) (world.CloudronMailbox, error) {
	var mb world.CloudronMailbox
	var ok bool
	if mb.Name, ok = b.str("name"); !ok {
		return mb, fail(http.StatusBadRequest, "name must be a string")
	}
	if mb.OwnerID, ok = b.str("ownerId"); !ok {
		return mb, fail(http.StatusBadRequest, "ownerId must be a string")
	}
	if mb.OwnerType, ok = b.str("ownerType"); !ok || (mb.OwnerType != "user" && mb.OwnerType != "group") {
		return mb, fail(http.StatusBadRequest, "ownerType must be user or group")
	}
	if mb.Active, ok = b.boolean("active"); !ok {
		return mb, fail(http.StatusBadRequest, "active must be a boolean")
	}
	if mb.EnablePop3, ok = b.boolean("enablePop3"); !ok {
		return mb, fail(http.StatusBadRequest, "enablePop3 must be a boolean")
	}
	mb.Name = strings.ToLower(mb.Name)
	return mb, validateMailName(mb.Name)
}

// validateMailName applies v4's mailbox name rules (mail.js).
func validateMailName(name string) error {
	switch {
	case name == "":
		return fail(http.StatusBadRequest, "mailbox name must be atleast 1 char")
	case len(name) >= 200:
		return fail(http.StatusBadRequest, "mailbox name too long")
	case !mailboxChars.MatchString(name):
		return fail(http.StatusBadRequest, "mailbox name can only contain alphanumerals and dot")
	case strings.Contains(name, ".app"):
		return fail(http.StatusBadRequest, "mailbox name pattern is reserved for apps")
	}
	return nil
}

func nameTaken(m *world.CloudronMail, name string) bool {
	for _, mb := range m.Mailboxes {
		if mb.Name == name {
			return true
		}
	}
	for _, l := range m.Lists {
		if l.Name == name {
			return true
		}
	}
	return false
}

// orEmpty copies s, as [] rather than null when empty.
func orEmpty(s []string) []string { return append([]string{}, s...) }

func orEmptyMaps(s []map[string]any) []map[string]any {
	if s == nil {
		return []map[string]any{}
	}
	return s
}
