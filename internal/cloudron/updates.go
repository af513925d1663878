package cloudron

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Update is a newer Cloudron release the updater offers.
type Update struct {
	Version   string   `json:"version"`
	Changelog []string `json:"changelog"`
	Unstable  bool     `json:"unstable"`
}

// BoxUpdate is the platform update the server knows of (its hourly check's
// cached answer), nil when there is none. Up to 8.x it is the box part of
// GET /updater/updates; 9.x has GET /updater/box_update.
func (c *Client) BoxUpdate(ctx context.Context) (*Update, error) {
	u, err := c.boxUpdate(ctx, http.MethodGet)
	if err != nil {
		return nil, fmt.Errorf("cloudron: read the available platform update: %w", err)
	}
	return u, nil
}

// CheckBoxUpdate asks the release server now (slow: the server contacts
// cloudron.io) and returns what it offers, nil when nothing.
func (c *Client) CheckBoxUpdate(ctx context.Context) (*Update, error) {
	u, err := c.boxUpdate(ctx, http.MethodPost)
	if err != nil {
		return nil, fmt.Errorf("cloudron: check for a platform update: %w", err)
	}
	return u, nil
}

// boxUpdate reads (GET) or checks (POST) the platform update on the
// version's route.
func (c *Client) boxUpdate(ctx context.Context, method string) (*Update, error) {
	v, err := c.serverVersion(ctx)
	if err != nil {
		return nil, err
	}
	if !v.atLeast(9, 0) {
		path := "/updater/updates"
		if method == http.MethodPost {
			path = "/updater/check_for_updates"
		}
		var body struct {
			Updates struct {
				Box *Update `json:"box"`
			} `json:"updates"`
		}
		if err := c.do(ctx, call{method: method, path: path, out: &body, timeout: updateCheckTimeout(method)}); err != nil {
			return nil, err
		}
		return usable(body.Updates.Box), nil
	}
	path := "/updater/box_update"
	if method == http.MethodPost {
		path = "/updater/check_box_update"
	}
	// The 9.x body is not documented: {"update": <info>|null} is
	// (unverified), so a bare info object is accepted too.
	var raw json.RawMessage
	if err := c.do(ctx, call{method: method, path: path, out: &raw, timeout: updateCheckTimeout(method)}); err != nil {
		return nil, err
	}
	var wrapped struct {
		Update *Update `json:"update"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && wrapped.Update != nil {
		return usable(wrapped.Update), nil
	}
	var bare Update
	if json.Unmarshal(raw, &bare) == nil {
		return usable(&bare), nil
	}
	return nil, nil
}

// updateCheckTimeout: a check contacts cloudron.io from the server.
func updateCheckTimeout(method string) time.Duration {
	if method == http.MethodPost {
		return 2 * time.Minute
	}
	return 0
}

// usable is u, or nil when it names no version (an empty {}).
func usable(u *Update) *Update {
	if u == nil || u.Version == "" {
		return nil
	}
	return u
}

// StartBoxUpdate starts the platform update and returns its task; unless
// skipBackup, Cloudron takes a full backup first. The box restarts near
// the end, when the API answers 502 for a while; WaitTask rides that out.
// ErrNoUpdate when nothing is offered, ErrBusy while an update or a backup
// runs.
func (c *Client) StartBoxUpdate(ctx context.Context, skipBackup bool) (taskID string, err error) {
	v, err := c.serverVersion(ctx)
	if err != nil {
		return "", fmt.Errorf("cloudron: start the platform update: %w", err)
	}
	path := "/updater/box_update"
	if !v.atLeast(9, 0) {
		path = "/updater/update"
	}
	var out struct {
		TaskID flexID `json:"taskId"`
	}
	err = c.do(ctx, call{method: http.MethodPost, path: path, in: map[string]bool{"skipBackup": skipBackup}, out: &out})
	switch statusOf(err) {
	case http.StatusUnprocessableEntity:
		return "", fmt.Errorf("cloudron: start the platform update: %w", ErrNoUpdate)
	case http.StatusConflict:
		return "", fmt.Errorf("cloudron: start the platform update: %w (%w)", ErrBusy, err)
	}
	if err != nil {
		return "", fmt.Errorf("cloudron: start the platform update: %w", err)
	}
	// The routes may change with the new version.
	c.forgetVersion()
	return string(out.TaskID), nil
}

// AppUpdate is a newer package version of an installed app.
type AppUpdate struct {
	AppStoreID string
	Version    string
}

// CheckAppUpdate asks the App Store whether app appID has a newer package;
// nil when it has not.
func (c *Client) CheckAppUpdate(ctx context.Context, appID string) (*AppUpdate, error) {
	var body struct {
		Updates map[string]struct {
			ID       string `json:"id"`
			Manifest struct {
				Version string `json:"version"`
			} `json:"manifest"`
		} `json:"updates"`
	}
	err := c.do(ctx, call{method: http.MethodPost, path: "/apps/" + url.PathEscape(appID) + "/check_for_updates", out: &body,
		timeout: updateCheckTimeout(http.MethodPost)})
	if err != nil {
		return nil, fmt.Errorf("cloudron: check the app %s for updates: %w", appID, err)
	}
	// Keyed by app id [sim]; a single entry under another key is taken too.
	u, ok := body.Updates[appID]
	if !ok && len(body.Updates) == 1 {
		for _, only := range body.Updates {
			u, ok = only, true
		}
	}
	if !ok || u.Manifest.Version == "" {
		return nil, nil
	}
	return &AppUpdate{AppStoreID: u.ID, Version: u.Manifest.Version}, nil
}

// UpdateApp updates app appID to the newest package of appStoreID and
// returns the task; unless skipBackup, Cloudron backs the app up first.
func (c *Client) UpdateApp(ctx context.Context, appID, appStoreID string, skipBackup bool) (taskID string, err error) {
	var out struct {
		TaskID flexID `json:"taskId"`
	}
	body := map[string]any{"appStoreId": appStoreID, "skipBackup": skipBackup}
	err = c.do(ctx, call{method: http.MethodPost, path: "/apps/" + url.PathEscape(appID) + "/update", in: body, out: &out})
	if err != nil {
		return "", fmt.Errorf("cloudron: update the app %s: %w", appID, err)
	}
	return string(out.TaskID), nil
}
