package cloudron

import (
	"context"
	"fmt"
	"net/http"
)

// Offers are the updates the box's own hourly check found: the platform's
// and each app's. Reading them changes nothing on the server, unlike the
// check routes, which contact cloudron.io and rewrite the box's cache.
type Offers struct {
	Box  *Update           // nil when the platform is current
	Apps map[string]string // app id → offered package version
}

// Offers reads the cached update information on the version's routes: up
// to 8.x one document holds the box and the apps; 9.x has the box's route
// and each app's updateInfo (unverified field, see docs/upgrade.md).
func (c *Client) Offers(ctx context.Context) (Offers, error) {
	v, err := c.serverVersion(ctx)
	if err != nil {
		return Offers{}, fmt.Errorf("cloudron: read the available updates: %w", err)
	}
	if !v.atLeast(9, 0) {
		offers, err := c.offersBefore9(ctx)
		return offers.newerThan(v), err
	}
	// The box route first: reading it is what refreshes a stale cache,
	// the apps' updateInfo included.
	box, err := c.BoxUpdate(ctx)
	if err != nil {
		return Offers{}, err
	}
	apps, err := c.Apps(ctx)
	if err != nil {
		return Offers{}, err
	}
	offers := Offers{Box: box, Apps: map[string]string{}}
	for _, a := range apps {
		if a.Offered != "" && a.Offered != a.Version {
			offers.Apps[a.ID] = a.Offered
		}
	}
	return offers.newerThan(v), nil
}

// newerThan drops a platform offer that is not newer than running: a
// cache read right after an update may still name the version just
// installed.
func (o Offers) newerThan(running version) Offers {
	if o.Box == nil {
		return o
	}
	if offered, err := parseVersion(o.Box.Version); err != nil || !running.less(offered) {
		o.Box = nil
	}
	return o
}

func (c *Client) offersBefore9(ctx context.Context) (Offers, error) {
	var body struct {
		Updates map[string]struct {
			Version  string `json:"version"` // the box's entry
			Manifest struct {
				Version string `json:"version"`
			} `json:"manifest"` // an app's entry
		} `json:"updates"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, path: "/updater/updates", out: &body}); err != nil {
		return Offers{}, fmt.Errorf("cloudron: read the available updates: %w", err)
	}
	offers := Offers{Apps: map[string]string{}}
	for id, u := range body.Updates {
		switch {
		case id == "box" && u.Version != "":
			offers.Box = &Update{Version: u.Version}
		case id != "box" && u.Manifest.Version != "":
			offers.Apps[id] = u.Manifest.Version
		}
	}
	return offers, nil
}
