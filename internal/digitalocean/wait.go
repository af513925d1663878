package digitalocean

import (
	"context"
	"fmt"
	"time"

	"github.com/digitalocean/godo"
)

// Polling a new droplet: soon at first (creation takes 35–55 s,
// timings.md §1), then less often, well inside the 250 requests a minute.
const (
	firstPoll = 2 * time.Second
	maxPoll   = 10 * time.Second
)

// WaitActive waits until droplet id is active and has its public IPv4,
// polling the droplet and its create action with backoff. report, if not
// nil, hears how long it has waited and the droplet's status after each
// poll that found it not ready. A create action that errored is
// ErrCreateFailed: that droplet never starts.
func (c *Client) WaitActive(ctx context.Context, id int, report func(waited time.Duration, status string)) (Droplet, error) {
	op := fmt.Sprintf("wait for droplet %d to start", id)
	ctx, cancel := context.WithTimeout(ctx, activeTimeout)
	defer cancel()
	start, interval, createAction := time.Now(), firstPoll, 0
	for {
		d, err := c.Droplet(ctx, id)
		if err != nil {
			return Droplet{}, err
		}
		switch d.Status {
		case "active":
			if d.PublicIPv4 != "" {
				return d, nil
			}
		case "new":
			errored, err := c.createErrored(ctx, id, &createAction)
			if err != nil {
				return Droplet{}, c.fail(op, err)
			}
			if errored {
				return Droplet{}, c.failure(op, ErrCreateFailed, fmt.Sprintf("%s (its create action errored): it will never start; "+
					"delete it in the DigitalOcean control panel and run chapterctl again", ErrCreateFailed), nil)
			}
		default: // off, archive: nothing to wait for
			return Droplet{}, c.failure(op, ErrRefused, fmt.Sprintf("droplet %d is %s: power it on in the DigitalOcean control panel", id, d.Status), nil)
		}
		waited := time.Now().Sub(start)
		c.log.Debug("digitalocean: droplet not ready", "id", id, "status", d.Status, "waited", waited, "next_poll", interval)
		if report != nil {
			report(waited, d.Status)
		}
		if err := c.sleep(ctx, interval); err != nil {
			if ctx.Err() == context.DeadlineExceeded {
				return Droplet{}, c.failure(op, ErrUnavailable, fmt.Sprintf("it was still %s after %s: DigitalOcean is slow today; "+
					"run chapterctl again to keep waiting", d.Status, waited.Round(time.Second)), err)
			}
			return Droplet{}, c.fail(op, err)
		}
		interval = min(interval*3/2, maxPoll)
	}
}

// createErrored tells whether the droplet's create action ended errored.
// The action's id is learned once from the droplet's actions (so a rerun
// that did not see the create can still wait), then read directly.
func (c *Client) createErrored(ctx context.Context, dropletID int, actionID *int) (bool, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	if *actionID == 0 {
		actions, err := allPages(ctx, c.perPage, func(ctx context.Context, opt *godo.ListOptions) ([]godo.Action, *godo.Response, error) {
			return c.godo.Droplets.Actions(ctx, dropletID, opt)
		})
		if err != nil {
			return false, err
		}
		for _, a := range actions {
			if a.Type == "create" {
				*actionID = a.ID
				return a.Status == "errored", nil
			}
		}
		return false, nil // not listed yet: the droplet itself is watched meanwhile
	}
	a, _, err := c.godo.Actions.Get(ctx, *actionID)
	if err != nil {
		return false, err
	}
	return a.Status == "errored", nil
}
