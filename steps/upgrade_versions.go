package steps

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/state"
)

// Version is one row of upgrade's plan: what runs now and what is
// offered ("" when it is current).
type Version struct {
	Name    string `json:"name"` // "Cloudron", or the app and where it is
	Now     string `json:"now"`
	Offered string `json:"offered,omitempty"`
}

// Versions reads the Cloudron's version and each app's, with the updates
// the box offers. It changes nothing and takes no lock. Nil when the
// chapter is not set up yet: there is nothing to upgrade.
func (r *Runner) Versions(ctx context.Context) ([]Version, error) {
	_, st, err := state.Open(r.Dir.StateFile())
	if err != nil {
		return nil, err
	}
	env := r.env(st, NewPlatformUpdate(), nil)
	client, err := upgradeCloudron(env)
	if errors.Is(err, errNotSetUp) {
		return nil, nil
	}
	now, err := client.Status(ctx)
	if err != nil {
		return nil, err
	}
	offers, err := client.Offers(ctx)
	if err != nil {
		return nil, err
	}
	apps, err := client.Apps(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(apps, func(a, b cloudron.App) int { return cmp.Compare(a.FQDN, b.FQDN) })
	rows := []Version{{Name: "Cloudron", Now: now}}
	if offers.Box != nil {
		rows[0].Offered = offers.Box.Version
	}
	for _, a := range apps {
		rows = append(rows, Version{Name: offeredApp{app: a}.name(), Now: a.Version, Offered: offers.Apps[a.ID]})
	}
	return rows, nil
}
