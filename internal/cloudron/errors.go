package cloudron

import (
	"errors"
	"fmt"
	"net/http"
)

// Outcomes a caller acts on, tested with errors.Is.
var (
	// ErrAlreadyActivated: the Cloudron already has its owner (409 up to
	// 8.x, 405 in 9.x). A rerun that lost the activation token gets a new
	// one with Login, or the organizer makes one in the dashboard.
	ErrAlreadyActivated = errors.New("this Cloudron is already activated")
	// ErrExists: what was to be created is there already (an app on that
	// subdomain, a mailbox or list of that name).
	ErrExists = errors.New("already exists")
	// ErrLoginUnsupported: the server has no password login route, so a
	// token can only come from activation or the dashboard.
	ErrLoginUnsupported = errors.New("this Cloudron has no password login route (POST /api/v1/auth/login)")
	// ErrWellKnownUnsupported: the server is too old for the well-known API.
	ErrWellKnownUnsupported = errors.New("this Cloudron has no well-known API (POST /api/v1/domains/:domain/wellknown): update Cloudron first")
	// ErrNoUpdate: no platform update is available (422).
	ErrNoUpdate = errors.New("no Cloudron update is available")
	// ErrBusy: a platform update or a backup is running (409), so another
	// cannot start; the caller follows the running one.
	ErrBusy = errors.New("an update or backup is already running on the Cloudron")
)

// APIError is an error answer of the box API: its {"status","message"}
// body, or for a non-JSON answer (nginx's 502 page) the reason phrase.
type APIError struct {
	Method  string
	Path    string // below /api/v1
	Status  int
	Message string // Cloudron's own text, secrets removed
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s (%s %s)", e.sentence(), e.Method, e.Path)
}

// sentence says what the status means and what to do, in one sentence.
func (e *APIError) sentence() string {
	what := fmt.Sprintf("%d %s", e.Status, e.Message)
	switch e.Status {
	case http.StatusBadRequest:
		return "Cloudron refused the request: " + e.Message
	case http.StatusUnauthorized:
		return fmt.Sprintf("Cloudron refused the API token (%s): it may have expired or been deleted; "+
			"make a new one in the Cloudron dashboard under Profile → API Tokens", what)
	case http.StatusPaymentRequired:
		return fmt.Sprintf("Cloudron's App Store plan does not allow this (%s): check the subscription at cloudron.io", what)
	case http.StatusForbidden:
		return fmt.Sprintf("Cloudron does not allow this token to do that (%s): use a read-write token of an owner or admin", what)
	case http.StatusNotFound:
		if e.Message == "No such route" {
			return fmt.Sprintf("this Cloudron version does not have this API route (%s): update Cloudron or chapterctl", what)
		}
		return fmt.Sprintf("Cloudron does not know it (%s)", what)
	case http.StatusMethodNotAllowed:
		return fmt.Sprintf("Cloudron no longer allows this (%s)", what)
	case http.StatusConflict:
		return fmt.Sprintf("Cloudron is busy or it exists already (%s): wait for the running task and retry", what)
	case http.StatusPreconditionFailed:
		return fmt.Sprintf("this Cloudron is not registered with the App Store (%s): sign in under App Store in the dashboard", what)
	case http.StatusUnprocessableEntity:
		return fmt.Sprintf("Cloudron could not do it (%s)", what)
	case http.StatusFailedDependency:
		return fmt.Sprintf("a service Cloudron relies on failed (%s): retry later", what)
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return fmt.Sprintf("Cloudron's box service is not answering (%s): it may be starting, rebooting or updating; wait a minute and retry", what)
	}
	if e.Status >= 500 {
		return fmt.Sprintf("Cloudron failed with an internal error (%s): its logs are under /home/yellowtent/platformdata/logs/box.log", what)
	}
	return fmt.Sprintf("Cloudron answered %s", what)
}

// statusOf is the API status behind err (0 if none).
func statusOf(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// AppExistsError: an install found the subdomain taken. App is the app
// there now: the one a killed earlier run started, or another.
type AppExistsError struct {
	App App
}

func (e *AppExistsError) Error() string {
	return fmt.Sprintf("%s is already taken by the app %s (%s, %s)", e.App.FQDN, e.App.ID, e.App.AppStoreID, e.App.InstallationState)
}

func (e *AppExistsError) Is(target error) bool { return target == ErrExists }

// TaskError: a Cloudron task ended without success.
type TaskError struct {
	ID      string
	Type    string
	Message string
	Code    string // stopped, crashed, timeout, …
}

func (e *TaskError) Error() string {
	code := ""
	if e.Code != "" {
		code = " [" + e.Code + "]"
	}
	return fmt.Sprintf("Cloudron task %s (%s) failed: %s%s; its log is at GET /api/v1/tasks/%s/logs", e.ID, e.Type, e.Message, code, e.ID)
}

// AppError: an app ended in the error state, or installed but not running.
type AppError struct {
	App     App
	Message string
}

func (e *AppError) Error() string {
	return fmt.Sprintf("the app %s at %s %s", e.App.AppStoreID, e.App.FQDN, e.Message)
}

// SetupError: Cloudron's first-time setup failed in the background.
type SetupError struct {
	Step    string // the setup message it stopped at
	Message string
}

func (e *SetupError) Error() string {
	return fmt.Sprintf("Cloudron setup failed at %q: %s", e.Step, e.Message)
}

// Unavailable tells whether err is the box not answering for now (502,
// 503, 504, or no connection): what a platform update's restart looks
// like, worth waiting out.
func Unavailable(err error) bool {
	switch statusOf(err) {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	var unreachable *unreachableError
	return errors.As(err, &unreachable)
}
