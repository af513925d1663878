package cloudron

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func appByID(c *world.Cloudron, id string) *world.CloudronApp {
	if id == "" {
		return nil
	}
	for _, a := range c.Apps {
		if a.ID == id {
			return a
		}
	}
	return nil
}

type appJSON struct {
	ID                string          `json:"id"`
	AppStoreID        string          `json:"appStoreId"`
	InstallationState string          `json:"installationState"`
	RunState          string          `json:"runState"`
	Health            *string         `json:"health"`
	Error             *appErrorJSON   `json:"error"`
	TaskID            *string         `json:"taskId"`
	Subdomain         string          `json:"subdomain"`
	Domain            string          `json:"domain"`
	FQDN              string          `json:"fqdn"`
	Manifest          manifestJSON    `json:"manifest"`
	AccessRestriction json.RawMessage `json:"accessRestriction"`
	MemoryLimit       int64           `json:"memoryLimit"`
	Label             *string         `json:"label"`
	SSO               bool            `json:"sso"`
	Certificate       *string         `json:"certificate"`
	AliasDomains      []any           `json:"aliasDomains"`
	RedirectDomains   []any           `json:"redirectDomains"`
	Ports             map[string]any  `json:"ports"`
	// UpdateInfo carries the cached update for the app: how a 9.x client
	// learns of app updates with a read-only token (unverified field).
	UpdateInfo   *appUpdateJSON `json:"updateInfo"`
	CreationTime string         `json:"creationTime"`
	UpdateTime   string         `json:"updateTime"`
}

type manifestJSON struct {
	ID              string `json:"id"`
	Title           string `json:"title"`
	Version         string `json:"version"`
	UpstreamVersion string `json:"upstreamVersion"`
}

type appErrorJSON struct {
	Message           string `json:"message"`
	Reason            string `json:"reason"`
	Code              string `json:"code,omitempty"`
	InstallationState string `json:"installationState,omitempty"`
}

func viewApp(c *world.Cloudron, a *world.CloudronApp, now time.Time) appJSON {
	store, _ := storeAppByID(a.AppStoreID)
	v := appJSON{ID: a.ID, AppStoreID: a.AppStoreID, InstallationState: a.InstallationState, RunState: a.RunState,
		Subdomain: a.Subdomain, Domain: a.Domain, FQDN: a.FQDN(),
		Manifest:          manifestJSON{ID: a.AppStoreID, Title: store.title, Version: a.Version, UpstreamVersion: store.upstreamVersion},
		AccessRestriction: json.RawMessage("null"), MemoryLimit: a.MemoryLimit, SSO: a.SSO,
		AliasDomains: []any{}, RedirectDomains: []any{}, Ports: map[string]any{},
		CreationTime: isoTime(a.CreatedAt), UpdateTime: isoTime(a.UpdatedAt)}
	// The view is encoded after the world's lock is released: it holds
	// copies, never pointers into the world.
	if len(a.AccessRestriction) > 0 {
		v.AccessRestriction = slices.Clone(a.AccessRestriction)
	}
	if label := a.Label; label != "" {
		v.Label = &label
	}
	if taskID := a.TaskID; taskID != "" {
		v.TaskID = &taskID
	}
	if a.Error != nil {
		v.Error = &appErrorJSON{Message: a.Error.Message, Reason: "Task Error", Code: a.Error.Code, InstallationState: a.Error.InstallationState}
	}
	if newVersion, ok := c.Updates.Apps[a.ID]; ok {
		u := viewAppUpdate(a, newVersion)
		v.UpdateInfo = &u
	}
	v.RunState, v.Health = runStateAndHealth(a, now)
	return v
}

// runStateAndHealth: health is null until the app has started and passed
// its first health check; the app-down fault shows a stopped, unhealthy
// app; a Synapse that refused its configuration fails its first check and
// every later one (its container keeps restarting).
func runStateAndHealth(a *world.CloudronApp, now time.Time) (string, *string) {
	health := func(s string) *string { return &s }
	switch {
	case a.Down:
		return "stopped", health("unhealthy")
	case a.InstalledAt.IsZero() || a.RunState != "running" || a.HealthyAt.IsZero() || now.Before(a.HealthyAt):
		return a.RunState, nil
	case a.Synapse != nil && a.Synapse.Error != "":
		return a.RunState, health("unhealthy")
	}
	return a.RunState, health("healthy")
}

func (s *server) listApps(rw http.ResponseWriter, _ *http.Request, _ caller) error {
	now := s.w.Now()
	s.cachedUpdates() // the hourly check has run: each app's updateInfo is as fresh
	apps := []appJSON{}
	s.read(func(c *world.Cloudron, _ *world.Data) {
		for _, a := range c.Apps {
			apps = append(apps, viewApp(c, a, now))
		}
	})
	writeJSON(rw, http.StatusOK, map[string]any{"apps": apps})
	return nil
}

func (s *server) getApp(rw http.ResponseWriter, r *http.Request, _ caller) error {
	now := s.w.Now()
	var v *appJSON
	s.read(func(c *world.Cloudron, _ *world.Data) {
		if a := appByID(c, r.PathValue("id")); a != nil {
			av := viewApp(c, a, now)
			v = &av
		}
	})
	if v == nil {
		return fail(http.StatusNotFound, "No such app")
	}
	writeJSON(rw, http.StatusOK, v)
	return nil
}

// getAppTask answers the app's running task; 400 when it has none [spec].
func (s *server) getAppTask(rw http.ResponseWriter, r *http.Request, _ caller) error {
	now := s.w.Now()
	var v *taskJSON
	var err error
	s.read(func(c *world.Cloudron, _ *world.Data) {
		a := appByID(c, r.PathValue("id"))
		if a == nil {
			err = fail(http.StatusNotFound, "No such app")
			return
		}
		if t := taskByID(c, a.TaskID); t != nil {
			tv := viewTask(t, now)
			v = &tv
		}
	})
	if err != nil {
		return err
	}
	if v == nil {
		return fail(http.StatusBadRequest, "No active task")
	}
	writeJSON(rw, http.StatusOK, v)
	return nil
}

// busy refuses to act on an app that a task holds, with newer boxes'
// message (unverified wording), or one in the error state (only uninstall
// can follow, as repair is not simulated).
func busy(a *world.CloudronApp, verb string) error {
	if a.TaskID != "" {
		return fail(http.StatusConflict, "Locked by task %s : %s / %s", a.TaskID, a.InstallationState, a.RunState)
	}
	if a.InstallationState == "error" && verb != "uninstall" {
		return fail(http.StatusConflict, "Not allowed in error state")
	}
	return nil
}

// appVerbSteps are the steps of the short app tasks (messages are
// illustrative; only percent and the end matter to clients).
func appVerbSteps(verb string) []step {
	switch verb {
	case "uninstall":
		return []step{{10, "Stopping app", uninstallDefault / 4}, {40, "Deleting container", uninstallDefault / 4},
			{70, "Removing app data", uninstallDefault / 4}, {90, "Unregistering domains", uninstallDefault / 4}}
	case "restart":
		return []step{{20, "Restarting container", appActionDefault}}
	case "start":
		return []step{{20, "Starting container", appActionDefault}}
	}
	return []step{{20, "Stopping container", appActionDefault}}
}

// appAction serves uninstall, restart, start and stop: 202 {taskId}.
func (s *server) appAction(verb string) authedFunc {
	return func(rw http.ResponseWriter, r *http.Request, _ caller) error {
		now := s.w.Now()
		var taskID string
		err := s.update(r.Context(), "cloudron.app."+verb, func(c *world.Cloudron, d *world.Data) error {
			a := appByID(c, r.PathValue("id"))
			if a == nil {
				return fail(http.StatusNotFound, "No such app")
			}
			if err := busy(a, verb); err != nil {
				return err
			}
			t := startTask(c, d, now, taskSpec{typ: "app", action: verb, appID: a.ID, steps: appVerbSteps(verb), wait: -1})
			a.InstallationState, a.TaskID, a.Error, a.UpdatedAt = "pending_"+verb, t.ID, nil, now
			taskID = t.ID
			return nil
		})
		if err != nil {
			return err
		}
		writeJSON(rw, http.StatusAccepted, map[string]string{"taskId": taskID})
		return nil
	}
}

// validateSubdomain applies the box's location rules: smtp and imap are
// reserved, and so is the dashboard's own name [v4 domains.js].
func validateSubdomain(sub, domain string) error {
	if sub == "smtp" || sub == "imap" || sub == "my" {
		return fail(http.StatusBadRequest, "Bad location: %s is reserved", sub)
	}
	if sub == "" {
		return nil
	}
	for _, label := range strings.Split(sub, ".") {
		if len(label) < 1 || len(label) > 63 {
			return fail(http.StatusBadRequest, "Bad location: Invalid subdomain length")
		}
	}
	if strings.Trim(sub, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != "" {
		return fail(http.StatusBadRequest, "Bad location: Subdomain can only contain alphanumeric, hyphen and dot")
	}
	if strings.HasPrefix(sub, "-") || strings.HasPrefix(sub, ".") || strings.HasSuffix(sub, "-") {
		return fail(http.StatusBadRequest, "Bad location: Subdomain cannot start or end with hyphen or dot")
	}
	if len(sub)+1+len(domain) > 253 {
		return fail(http.StatusBadRequest, "Bad location: Hostname length exceeds 253 characters")
	}
	return nil
}

// inUse reports a host another app (installing or installed) holds.
func inUse(c *world.Cloudron, fqdn string) error {
	for _, a := range c.Apps {
		if a.FQDN() == fqdn {
			return fail(http.StatusConflict, "Domain '%s' is in use", fqdn)
		}
	}
	return nil
}

func domainByName(c *world.Cloudron, name string) *world.CloudronDomain {
	for _, dom := range c.Domains {
		if dom.Domain == name {
			return dom
		}
	}
	return nil
}
