package cloudron

import (
	"net/http"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func (s *server) listLists(rw http.ResponseWriter, r *http.Request, _ caller) error {
	var lists []map[string]any
	var err error
	s.read(func(c *world.Cloudron, _ *world.Data) {
		m, e := mailDomain(c, r.PathValue("domain"))
		if err = e; err != nil {
			return
		}
		for _, l := range m.Lists {
			lists = append(lists, map[string]any{"name": l.Name, "domain": m.Domain, "type": "list", "members": orEmpty(l.Members),
				"membersOnly": l.MembersOnly, "active": l.Active, "creationTime": isoTime(l.CreatedAt)})
		}
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, map[string]any{"lists": orEmptyMaps(lists)})
	return nil
}

// addList creates a mailing list of full addresses: 201 {}; 409 if the
// name is taken by a mailbox or a list.
func (s *server) addList(rw http.ResponseWriter, r *http.Request, _ caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	name, ok := b.str("name")
	if !ok {
		return fail(http.StatusBadRequest, "name must be a string")
	}
	members, ok := b.strings("members")
	if !ok {
		return fail(http.StatusBadRequest, "members must be a string array")
	}
	if err := b.optional(fieldCheck{"membersOnly", "boolean"}, fieldCheck{"active", "boolean"}); err != nil {
		return err
	}
	name = strings.ToLower(name)
	if err := validateMailName(name); err != nil {
		return err
	}
	for _, m := range members {
		if !strings.Contains(m, "@") {
			return fail(http.StatusBadRequest, "Invalid mail member: %s", m)
		}
	}
	list := &world.CloudronList{Name: name, Members: members, Active: true, CreatedAt: s.w.Now()}
	list.MembersOnly, _ = b.boolean("membersOnly")
	if active, ok := b.boolean("active"); ok {
		list.Active = active
	}
	err = s.update(r.Context(), "cloudron.mail.list.create", func(c *world.Cloudron, _ *world.Data) error {
		m, err := mailDomain(c, r.PathValue("domain"))
		if err != nil {
			return err
		}
		if nameTaken(m, name) {
			return fail(http.StatusConflict, "List already exists")
		}
		m.Lists = append(m.Lists, list)
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusCreated)
	return nil
}

// setCatchAll sets where mail to unknown addresses goes: 202; [] clears.
func (s *server) setCatchAll(rw http.ResponseWriter, r *http.Request, _ caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	if !b.has("addresses") {
		return fail(http.StatusBadRequest, "addresses is required")
	}
	addresses, ok := b.strings("addresses")
	if !ok {
		return fail(http.StatusBadRequest, "addresses must be an array of strings")
	}
	err = s.update(r.Context(), "cloudron.mail.catchall", func(c *world.Cloudron, _ *world.Data) error {
		m, err := mailDomain(c, r.PathValue("domain"))
		if err != nil {
			return err
		}
		m.CatchAll = addresses
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusAccepted)
	return nil
}
