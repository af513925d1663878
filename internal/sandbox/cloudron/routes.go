package cloudron

import (
	"net/http"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// publicFunc serves a route that needs no token.
type publicFunc func(rw http.ResponseWriter, r *http.Request) error

// authedFunc serves a route for the token's user.
type authedFunc func(rw http.ResponseWriter, r *http.Request, who caller) error

// caller is the user behind a request's token.
type caller struct {
	user     world.CloudronUser
	readOnly bool
}

// Roles a route needs. Owners and admins may do everything; the two
// managers only their own area and what users may do.
const (
	needUser        = "user"
	needUserManager = "usermanager"
	needMailManager = "mailmanager"
	needAdmin       = "admin"
)

func (s *server) routes() *http.ServeMux {
	m := http.NewServeMux()
	pub := func(pattern string, h publicFunc) { m.Handle(pattern, s.public(h)) }
	auth := func(pattern, need string, h authedFunc) { m.Handle(pattern, s.authed(need, h)) }

	pub("GET /api/v1/cloudron/status", s.cloudronStatus)
	pub("GET /api/v1/provision/status", s.provisionStatus)
	pub("POST /api/v1/provision/setup", s.provisionSetup)
	pub("POST /api/v1/provision/activate", s.provisionActivate)
	pub("POST /api/v1/auth/login", s.login)

	auth("GET /api/v1/tokens", needUser, s.listTokens)
	auth("POST /api/v1/tokens", needUser, s.createToken)
	auth("DELETE /api/v1/tokens/{id}", needUser, s.deleteToken)
	auth("GET /api/v1/profile", needUser, s.getProfile)
	auth("POST /api/v1/profile/twofactorauthentication_secret", needUser, s.twoFactorSecret)
	auth("POST /api/v1/profile/twofactorauthentication_enable", needUser, s.twoFactorEnable)
	auth("POST /api/v1/profile/twofactorauthentication_disable", needUser, s.twoFactorDisable)
	auth("GET /api/v1/users", needUserManager, s.listUsers)
	auth("POST /api/v1/users", needUserManager, s.createUser)
	auth("GET /api/v1/users/{id}", needUserManager, s.getUser)
	auth("POST /api/v1/users/{id}/twofactorauthentication_disable", needUserManager, s.resetTwoFactor)

	auth("GET /api/v1/domains", needUser, s.listDomains)
	auth("GET /api/v1/domains/{domain}", needAdmin, s.getDomain)
	auth("POST /api/v1/domains/{domain}/wellknown", needAdmin, s.setWellKnown)

	s.appRoutes(auth)
	auth("GET /api/v1/tasks/{id}", needAdmin, s.getTask)
	auth("POST /api/v1/tasks/{id}/stop", needAdmin, s.stopTask)
	auth("GET /api/v1/tasks/{id}/logs", needAdmin, s.taskLogs)

	auth("GET /api/v1/mail/{domain}", needMailManager, s.getMail)
	auth("POST /api/v1/mail/{domain}/enable", needMailManager, s.enableMail)
	auth("GET /api/v1/mail/{domain}/status", needMailManager, s.mailStatus)
	auth("POST /api/v1/mail/{domain}/relay", needMailManager, s.setRelay)
	auth("GET /api/v1/mail/{domain}/mailboxes", needMailManager, s.listMailboxes)
	auth("POST /api/v1/mail/{domain}/mailboxes", needMailManager, s.addMailbox)
	auth("GET /api/v1/mail/{domain}/lists", needMailManager, s.listLists)
	auth("POST /api/v1/mail/{domain}/lists", needMailManager, s.addList)
	auth("POST /api/v1/mail/{domain}/catch_all", needMailManager, s.setCatchAll)

	s.updaterRoutes(auth)
	auth("GET /api/v1/backups", needAdmin, s.listBackups)
	auth("POST /api/v1/backups/create", needAdmin, s.createBackup)

	// Express answers any other path or method with this, not with 405.
	m.HandleFunc("/", notFoundRoute)
	return m
}

func (s *server) appRoutes(auth func(string, string, authedFunc)) {
	// The install route moved in 8.2 (cloudron.md §8).
	auth("POST /api/v1/apps", needAdmin, s.since(8, 2, s.installApp))
	auth("POST /api/v1/apps/install", needAdmin, s.before(8, 2, s.installApp))
	auth("GET /api/v1/apps", needUser, s.listApps)
	auth("GET /api/v1/apps/{id}", needAdmin, s.getApp)
	auth("GET /api/v1/apps/{id}/task", needAdmin, s.getAppTask)
	auth("POST /api/v1/apps/{id}/update", needAdmin, s.updateApp)
	auth("POST /api/v1/apps/{id}/check_for_updates", needAdmin, s.checkAppUpdates)
	for _, verb := range []string{"uninstall", "restart", "start", "stop"} {
		auth("POST /api/v1/apps/{id}/"+verb, needAdmin, s.appAction(verb))
	}
}

func (s *server) updaterRoutes(auth func(string, string, authedFunc)) {
	// ≤ 8.x: one cache for the box and the apps; 9.x: box_update routes
	// (cloudron.md §10).
	auth("GET /api/v1/updater/updates", needAdmin, s.before(9, 0, s.getUpdates))
	auth("POST /api/v1/updater/check_for_updates", needAdmin, s.before(9, 0, s.checkUpdates))
	auth("POST /api/v1/updater/update", needAdmin, s.before(9, 0, s.updateBox))
	auth("GET /api/v1/updater/box_update", needUser, s.since(9, 0, s.getBoxUpdate))
	auth("POST /api/v1/updater/check_box_update", needAdmin, s.since(9, 0, s.checkBoxUpdate))
	auth("POST /api/v1/updater/box_update", needAdmin, s.since(9, 0, s.updateBox))
}

func (s *server) public(h publicFunc) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if err := h(rw, r); err != nil {
			writeError(rw, err)
		}
	})
}

func (s *server) authed(need string, h authedFunc) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		who, err := s.authenticate(r, need)
		if err == nil {
			err = h(rw, r, who)
		}
		if err != nil {
			writeError(rw, err)
		}
	})
}

// authenticate finds the token's user and checks the route is allowed.
// The messages for a missing token and a read-only token are (unverified);
// "No such token" is what a 9.0.15 server answered ([live9]).
func (s *server) authenticate(r *http.Request, need string) (caller, error) {
	token := r.URL.Query().Get("access_token")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	if token == "" {
		return caller{}, fail(http.StatusUnauthorized, "Token required")
	}
	nowMS := s.w.Now().UnixMilli()
	var who caller
	found := false
	s.read(func(c *world.Cloudron, _ *world.Data) {
		for _, t := range c.Tokens {
			if t.AccessToken != token || t.Expires < nowMS {
				continue
			}
			if u := userByID(c, t.UserID); u != nil && u.Active {
				who, found = caller{user: *u, readOnly: t.Scope["*"] != "rw"}, true
			}
		}
	})
	switch {
	case !found:
		return caller{}, fail(http.StatusUnauthorized, "No such token")
	case who.readOnly && r.Method != http.MethodGet:
		return caller{}, fail(http.StatusForbidden, "Token is read-only")
	case !allows(who.user.Role, need):
		return caller{}, fail(http.StatusForbidden, "User does not have the required role")
	}
	return who, nil
}

func allows(role, need string) bool {
	switch role {
	case "owner", "admin":
		return true
	case "usermanager", "mailmanager":
		return need == needUser || need == role
	}
	return need == needUser
}

// since serves h only on versions at least major.minor; older boxes do not
// have the route.
func (s *server) since(major, minor int, h authedFunc) authedFunc {
	return func(rw http.ResponseWriter, r *http.Request, who caller) error {
		if !s.version().atLeast(major, minor) {
			return fail(http.StatusNotFound, "No such route")
		}
		return h(rw, r, who)
	}
}

// before serves h only on versions older than major.minor.
func (s *server) before(major, minor int, h authedFunc) authedFunc {
	return func(rw http.ResponseWriter, r *http.Request, who caller) error {
		if s.version().atLeast(major, minor) {
			return fail(http.StatusNotFound, "No such route")
		}
		return h(rw, r, who)
	}
}

func (s *server) version() version {
	var v string
	s.read(func(c *world.Cloudron, _ *world.Data) { v = c.Version })
	return parseVersion(v)
}
