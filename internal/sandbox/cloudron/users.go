package cloudron

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// reservedNames are the usernames Cloudron refuses (newer versions add
// root to v4's list) [spec User.json].
var reservedNames = []string{"admin", "no-reply", "postmaster", "mailer-daemon", "root", "admins", "users"}

var usernameChars = regexp.MustCompile(`^[a-zA-Z0-9.-]+$`)

var roles = []string{"owner", "admin", "usermanager", "mailmanager", "user"}

// validateUsername applies v4's rules (users.js), compared without case.
func validateUsername(name string) error {
	switch {
	case name == "":
		return fail(http.StatusBadRequest, "Username must be atleast 1 char")
	case len(name) >= 200:
		return fail(http.StatusBadRequest, "Username too long")
	case slices.Contains(reservedNames, strings.ToLower(name)):
		return fail(http.StatusBadRequest, "Username is reserved")
	case !usernameChars.MatchString(name):
		return fail(http.StatusBadRequest, "Username can only contain alphanumerals, dot and -")
	case strings.Contains(strings.ToLower(name), ".app"):
		return fail(http.StatusBadRequest, "Username pattern is reserved for apps")
	}
	return nil
}

// validatePassword: 8–256 characters, the only rule the code enforces
// (cloudron-operations.md §2).
func validatePassword(pw string) error {
	switch {
	case len(pw) < 8:
		return fail(http.StatusBadRequest, "Password must be atleast 8 characters")
	case len(pw) > 256:
		return fail(http.StatusBadRequest, "Password cannot be more than 256 characters")
	}
	return nil
}

func validateEmail(email string) error {
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !strings.Contains(email, "@") {
		return fail(http.StatusBadRequest, "Invalid email")
	}
	return nil
}

func hashPassword(pw string) string {
	salt := randomHex(8)
	sum := sha256.Sum256([]byte(salt + pw))
	return salt + ":" + hex.EncodeToString(sum[:])
}

func passwordMatches(hash, pw string) bool {
	salt, want, ok := strings.Cut(hash, ":")
	if !ok {
		return false
	}
	sum := sha256.Sum256([]byte(salt + pw))
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(want)) == 1
}

func userByID(c *world.Cloudron, id string) *world.CloudronUser {
	for _, u := range c.Users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

// taken reports a username or email another user already has.
func taken(c *world.Cloudron, username, email string) error {
	for _, u := range c.Users {
		if username != "" && strings.EqualFold(u.Username, username) {
			return fail(http.StatusConflict, "Username already exists")
		}
		if strings.EqualFold(u.Email, email) {
			return fail(http.StatusConflict, "Email already exists")
		}
	}
	return nil
}

// credentials are the fields of an activation.
type credentials struct{ username, password, email, displayName string }

func parseCredentials(b body) (credentials, error) {
	var c credentials
	var ok bool
	if c.username, ok = b.str("username"); !ok {
		return c, fail(http.StatusBadRequest, "username must be string")
	}
	if c.password, ok = b.str("password"); !ok {
		return c, fail(http.StatusBadRequest, "password must be string")
	}
	if c.email, ok = b.str("email"); !ok {
		return c, fail(http.StatusBadRequest, "email must be string")
	}
	if b.has("displayName") {
		if c.displayName, ok = b.str("displayName"); !ok {
			return c, fail(http.StatusBadRequest, "displayName must be string")
		}
	}
	if err := validateUsername(c.username); err != nil {
		return c, err
	}
	if err := validatePassword(c.password); err != nil {
		return c, err
	}
	return c, validateEmail(c.email)
}

// provisionActivate creates the owner and answers with a dashboard token
// valid for a week [v4]. Activation before setup has finished is refused
// with 409 (unverified: the box needs a dashboard domain for its owner).
func (s *server) provisionActivate(rw http.ResponseWriter, r *http.Request) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	if err := s.provisionAllowed(b); err != nil {
		return err
	}
	cred, err := parseCredentials(b)
	if err != nil {
		return err
	}
	now := s.w.Now()
	var owner world.CloudronUser
	var token world.CloudronToken
	err = s.update(r.Context(), "cloudron.provision.activate", func(c *world.Cloudron, d *world.Data) error {
		if c.Activated {
			return afterActivation(c)
		}
		if dashboardDomain(c) == "" {
			return fail(http.StatusConflict, "Setup is not complete")
		}
		u := &world.CloudronUser{ID: "uid-" + uuid4(), Username: cred.username, Email: cred.email, DisplayName: cred.displayName,
			Role: "owner", PasswordHash: hashPassword(cred.password), Active: true, CreatedAt: now}
		t := newToken(u.ID, "", "cid-webadmin", now.Add(7*24*time.Hour).UnixMilli(), map[string]string{"*": "rw"})
		c.Users, c.Tokens = append(c.Users, u), append(c.Tokens, t)
		c.Activated, c.ActivatedAt = true, now
		owner, token = *u, *t
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusCreated, map[string]any{"userId": owner.ID, "token": token.AccessToken, "expires": token.Expires})
	return nil
}

type userJSON struct {
	ID                             string   `json:"id"`
	Username                       string   `json:"username"`
	Email                          string   `json:"email"`
	FallbackEmail                  string   `json:"fallbackEmail"`
	DisplayName                    string   `json:"displayName"`
	GroupIDs                       []string `json:"groupIds"`
	Active                         bool     `json:"active"`
	Source                         string   `json:"source"`
	Role                           string   `json:"role"`
	TwoFactorAuthenticationEnabled bool     `json:"twoFactorAuthenticationEnabled"`
	InviteAccepted                 bool     `json:"inviteAccepted"`
}

func viewUser(u *world.CloudronUser) userJSON {
	return userJSON{ID: u.ID, Username: u.Username, Email: u.Email, FallbackEmail: u.FallbackEmail, DisplayName: u.DisplayName,
		GroupIDs: []string{}, Active: u.Active, Role: u.Role, TwoFactorAuthenticationEnabled: u.TwoFactorEnabled,
		InviteAccepted: u.PasswordHash != ""}
}

func (s *server) listUsers(rw http.ResponseWriter, r *http.Request, _ caller) error {
	users := []userJSON{}
	s.read(func(c *world.Cloudron, _ *world.Data) {
		for _, u := range c.Users {
			users = append(users, viewUser(u))
		}
	})
	from, to, err := page(r, len(users))
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, map[string]any{"users": users[from:to]})
	return nil
}

func (s *server) getUser(rw http.ResponseWriter, r *http.Request, _ caller) error {
	var v *userJSON
	s.read(func(c *world.Cloudron, _ *world.Data) {
		if u := userByID(c, r.PathValue("id")); u != nil {
			uv := viewUser(u)
			v = &uv
		}
	})
	if v == nil {
		return fail(http.StatusNotFound, "User not found")
	}
	writeJSON(rw, http.StatusOK, v)
	return nil
}

// createUser adds a member: only email is required; without a username
// and password the member completes the account through the invite.
func (s *server) createUser(rw http.ResponseWriter, r *http.Request, who caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	u, err := parseNewUser(b, who)
	if err != nil {
		return err
	}
	u.CreatedAt = s.w.Now()
	err = s.update(r.Context(), "cloudron.user.create", func(c *world.Cloudron, _ *world.Data) error {
		if err := taken(c, u.Username, u.Email); err != nil {
			return err
		}
		c.Users = append(c.Users, &u)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusCreated, map[string]string{"id": u.ID})
	return nil
}

func parseNewUser(b body, who caller) (world.CloudronUser, error) {
	u := world.CloudronUser{ID: "uid-" + uuid4(), Role: "user", Active: true}
	var ok bool
	if u.Email, ok = b.str("email"); !ok {
		return u, fail(http.StatusBadRequest, "email must be string")
	}
	checks := []fieldCheck{{"username", "string"}, {"password", "string"}, {"displayName", "string"}, {"role", "string"}, {"fallbackEmail", "string"}}
	if err := b.optional(checks...); err != nil {
		return u, err
	}
	u.Username, _ = b.str("username")
	u.DisplayName, _ = b.str("displayName")
	u.FallbackEmail, _ = b.str("fallbackEmail")
	if role, ok := b.str("role"); ok {
		u.Role = role
	}
	if err := validateEmail(u.Email); err != nil {
		return u, err
	}
	if b.has("username") {
		if err := validateUsername(u.Username); err != nil {
			return u, err
		}
	}
	if pw, ok := b.str("password"); ok {
		if err := validatePassword(pw); err != nil {
			return u, err
		}
		u.PasswordHash = hashPassword(pw)
	}
	if !slices.Contains(roles, u.Role) {
		return u, fail(http.StatusBadRequest, "role must be one of %s", strings.Join(roles, ", "))
	}
	if u.Role == "owner" && who.user.Role != "owner" {
		return u, fail(http.StatusForbidden, "only an owner can make an owner")
	}
	return u, nil
}
