package cloudron

import (
	"maps"
	"net/http"
	"slices"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// neverExpires is the expiry of a token made without expiresAt: JavaScript's
// Number.MAX_SAFE_INTEGER (unverified; a token with no end).
const neverExpires = 1<<53 - 1

func newToken(userID, name, clientID string, expires int64, scope map[string]string) *world.CloudronToken {
	return &world.CloudronToken{ID: "tid-" + uuid4(), Name: name, AccessToken: randomHex(32), UserID: userID,
		ClientID: clientID, Expires: expires, Scope: scope}
}

type tokenJSON struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	AccessToken string            `json:"accessToken,omitempty"`
	Identifier  string            `json:"identifier"`
	ClientID    string            `json:"clientId"`
	Expires     int64             `json:"expires"`
	LastUsedAt  *string           `json:"lastUsedAt"`
	Scope       map[string]string `json:"scope"`
}

func viewToken(t *world.CloudronToken, withSecret bool) tokenJSON {
	v := tokenJSON{ID: t.ID, Name: t.Name, Identifier: t.UserID, ClientID: t.ClientID, Expires: t.Expires, Scope: maps.Clone(t.Scope)}
	if withSecret {
		v.AccessToken = t.AccessToken
	}
	return v
}

func (s *server) listTokens(rw http.ResponseWriter, r *http.Request, who caller) error {
	tokens := []tokenJSON{}
	s.read(func(c *world.Cloudron, _ *world.Data) {
		for _, t := range c.Tokens {
			if t.UserID == who.user.ID {
				tokens = append(tokens, viewToken(t, false))
			}
		}
	})
	from, to, err := page(r, len(tokens))
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, map[string]any{"tokens": tokens[from:to]})
	return nil
}

// createToken makes an API token for the caller: read-write with scope
// {"*":"rw"} (the default), read-only with {"*":"r"} [spec].
func (s *server) createToken(rw http.ResponseWriter, r *http.Request, who caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	name, ok := b.str("name")
	if !ok || name == "" {
		return fail(http.StatusBadRequest, "name must be a non-empty string")
	}
	if err := b.optional(fieldCheck{"expiresAt", "number"}, fieldCheck{"scope", "object"}); err != nil {
		return err
	}
	scope := map[string]string{"*": "rw"}
	if sc, ok := b.object("scope"); ok {
		scope = map[string]string{}
		for route, perm := range sc {
			p, ok := perm.(string)
			if !ok || (p != "r" && p != "rw") {
				return fail(http.StatusBadRequest, "scope values must be r or rw")
			}
			scope[route] = p
		}
	}
	expires := int64(neverExpires)
	if at, ok := b.number("expiresAt"); ok {
		expires = int64(at)
	}
	t := newToken(who.user.ID, name, "cid-sdk", expires, scope)
	err = s.update(r.Context(), "cloudron.token.create", func(c *world.Cloudron, _ *world.Data) error {
		c.Tokens = append(c.Tokens, t)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, viewToken(t, true))
	return nil
}

func (s *server) deleteToken(rw http.ResponseWriter, r *http.Request, who caller) error {
	id := r.PathValue("id")
	err := s.update(r.Context(), "cloudron.token.delete", func(c *world.Cloudron, _ *world.Data) error {
		n := len(c.Tokens)
		c.Tokens = slices.DeleteFunc(c.Tokens, func(t *world.CloudronToken) bool { return t.ID == id && t.UserID == who.user.ID })
		if len(c.Tokens) == n {
			return fail(http.StatusNotFound, "No such token")
		}
		return nil
	})
	if err != nil {
		return err
	}
	noContent(rw, http.StatusNoContent)
	return nil
}
