package cloudron

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// App is an installed (or installing) Cloudron app.
type App struct {
	ID                string
	AppStoreID        string
	Title             string
	Version           string // the package version (manifest.version)
	InstallationState string // installed, error, pending_*
	RunState          string // running, stopped
	Health            string // healthy, unhealthy, error, dead; "" right after install
	Subdomain         string // "" for the bare domain
	Domain            string
	FQDN              string
	TaskID            string // the running task, if any
	Error             string // why it is in the error state
	// UpdateVersion is the newer package version Cloudron's last update
	// check found (the app's cached updateInfo), "" when none: reading it
	// asks the App Store nothing.
	UpdateVersion string
}

// Busy tells whether a task holds the app (any pending_* state): Cloudron
// refuses other actions on it with 409 meanwhile.
func (a App) Busy() bool { return strings.HasPrefix(a.InstallationState, "pending_") }

type appJSON struct {
	ID                string  `json:"id"`
	AppStoreID        string  `json:"appStoreId"`
	InstallationState string  `json:"installationState"`
	RunState          string  `json:"runState"`
	Health            *string `json:"health"`
	TaskID            flexID  `json:"taskId"`
	Subdomain         string  `json:"subdomain"`
	Domain            string  `json:"domain"`
	FQDN              string  `json:"fqdn"`
	Manifest          struct {
		Title   string `json:"title"`
		Version string `json:"version"`
	} `json:"manifest"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
	UpdateInfo *struct {
		Manifest struct {
			Version string `json:"version"`
		} `json:"manifest"`
	} `json:"updateInfo"`
}

func (j appJSON) app() App {
	a := App{ID: j.ID, AppStoreID: j.AppStoreID, Title: j.Manifest.Title, Version: j.Manifest.Version,
		InstallationState: j.InstallationState, RunState: j.RunState, Subdomain: j.Subdomain, Domain: j.Domain,
		FQDN: j.FQDN, TaskID: string(j.TaskID)}
	if j.Health != nil {
		a.Health = *j.Health
	}
	if j.Error != nil {
		a.Error = j.Error.Message
	}
	if j.UpdateInfo != nil {
		a.UpdateVersion = j.UpdateInfo.Manifest.Version
	}
	if a.FQDN == "" {
		a.FQDN = strings.TrimPrefix(a.Subdomain+"."+a.Domain, ".")
	}
	return a
}

// Apps lists the installed apps.
func (c *Client) Apps(ctx context.Context) ([]App, error) {
	var body struct {
		Apps []appJSON `json:"apps"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: "/apps", out: &body}); err != nil {
		return nil, fmt.Errorf("cloudron: list the apps: %w", err)
	}
	apps := make([]App, 0, len(body.Apps))
	for _, j := range body.Apps {
		apps = append(apps, j.app())
	}
	return apps, nil
}

// App reads one app.
func (c *Client) App(ctx context.Context, id string) (App, error) {
	a, err := c.app(ctx, id)
	if err != nil {
		return App{}, fmt.Errorf("cloudron: %w", err)
	}
	return a, nil
}

func (c *Client) app(ctx context.Context, id string) (App, error) {
	var j appJSON
	if err := c.do(ctx, call{method: http.MethodGet, path: "/apps/" + url.PathEscape(id), out: &j}); err != nil {
		return App{}, fmt.Errorf("read the app %s: %w", id, err)
	}
	return j.app(), nil
}

// AppBySubdomain finds the app at subdomain of domain ("" for the bare
// domain); found is false when there is none.
func (c *Client) AppBySubdomain(ctx context.Context, subdomain, domain string) (app App, found bool, err error) {
	apps, err := c.Apps(ctx)
	if err != nil {
		return App{}, false, err
	}
	for _, a := range apps {
		if strings.EqualFold(a.Subdomain, subdomain) && strings.EqualFold(a.Domain, domain) {
			return a, true, nil
		}
	}
	return App{}, false, nil
}

// InstallRequest is an App Store app to install.
type InstallRequest struct {
	AppStoreID  string // e.g. org.matrix.synapse
	Subdomain   string // "" for the bare domain
	Domain      string
	MemoryLimit int64  // bytes; 0 keeps the package's default
	Label       string // optional name in the dashboard
}

// InstallApp starts installing an app (everyone on the Cloudron may use it)
// and returns its id and install task. With the manual DNS provider the
// task waits at 85 % until the app's A record resolves at every
// authoritative server, so write it now. A subdomain already taken gives
// the app there with an *AppExistsError (errors.Is ErrExists): a killed
// earlier run may have started it.
func (c *Client) InstallApp(ctx context.Context, req InstallRequest) (appID, taskID string, err error) {
	where := strings.TrimPrefix(req.Subdomain+"."+req.Domain, ".")
	v, err := c.serverVersion(ctx)
	if err != nil {
		return "", "", fmt.Errorf("cloudron: install %s at %s: %w", req.AppStoreID, where, err)
	}
	// The route moved in 8.2 (reference/cloudron.md §8).
	path := "/apps"
	if !v.atLeast(8, 2) {
		path = "/apps/install"
	}
	body := map[string]any{"appStoreId": req.AppStoreID, "subdomain": req.Subdomain, "domain": req.Domain, "accessRestriction": nil}
	if req.MemoryLimit > 0 {
		body["memoryLimit"] = req.MemoryLimit
	}
	if req.Label != "" {
		body["label"] = req.Label
	}
	var out struct {
		ID     string `json:"id"`
		TaskID flexID `json:"taskId"`
	}
	err = c.do(ctx, call{method: http.MethodPost, path: path, in: body, out: &out})
	if statusOf(err) == http.StatusConflict {
		if app, found, findErr := c.AppBySubdomain(ctx, req.Subdomain, req.Domain); findErr == nil && found {
			return app.ID, app.TaskID, &AppExistsError{App: app}
		}
	}
	if err != nil {
		return "", "", fmt.Errorf("cloudron: install %s at %s: %w", req.AppStoreID, where, err)
	}
	return out.ID, string(out.TaskID), nil
}

// WaitApp waits until the app is installed and running, calling report
// (if not nil) with its task's progress as it changes. An app in the
// error state, or installed but stopped, is an *AppError with Cloudron's
// reason.
func (c *Client) WaitApp(ctx context.Context, appID string, report func(percent int, message string)) (App, error) {
	return c.waitApp(ctx, appID, false, report)
}

// WaitHealthy is WaitApp that also waits for the app's health check to
// pass: health is null from a (re)start until the first check. An app
// whose check fails (unhealthy, dead, error) after its task ended is an
// *AppError: a restart that leaves it so means the app refused to start.
func (c *Client) WaitHealthy(ctx context.Context, appID string, report func(percent int, message string)) (App, error) {
	return c.waitApp(ctx, appID, true, report)
}

func (c *Client) waitApp(ctx context.Context, appID string, healthy bool, report func(percent int, message string)) (App, error) {
	ctx, cancel := withWaitLimit(ctx, appWaitLimit)
	defer cancel()
	var last App
	lastPercent, lastMessage := -1, ""
	err := poll(ctx, "the app "+appID, func(ctx context.Context) (bool, error) {
		a, err := c.app(ctx, appID)
		if err != nil {
			return false, err
		}
		last = a
		switch {
		case a.InstallationState == "error":
			return false, &AppError{App: a, Message: "is in the error state: " + a.Error}
		case a.InstallationState == "installed" && a.TaskID == "":
			if a.RunState != "running" {
				return false, &AppError{App: a, Message: "is installed but " + a.RunState}
			}
			return !healthy || a.Health == "healthy", unhealthy(a, healthy)
		}
		if report != nil && a.TaskID != "" {
			// Progress is a nicety: a task that cannot be read now is
			// read again at the next poll.
			if t, err := c.task(ctx, a.TaskID); err == nil && (t.Percent != lastPercent || t.Message != lastMessage) {
				report(t.Percent, t.Message)
				lastPercent, lastMessage = t.Percent, t.Message
			}
		}
		return false, nil
	})
	if err != nil {
		return last, fmt.Errorf("cloudron: %w", err)
	}
	return last, nil
}

// unhealthy is the error of a running app whose health check failed, when
// health is waited for.
func unhealthy(a App, healthy bool) error {
	if !healthy || a.Health == "" || a.Health == "healthy" {
		return nil
	}
	return &AppError{App: a, Message: "is running but " + a.Health}
}
