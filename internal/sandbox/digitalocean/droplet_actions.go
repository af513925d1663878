package digitalocean

import (
	"net/http"
	"slices"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// simulatedActions are the droplet actions the sandbox performs; the
// others of the API (resize, rebuild, snapshot…) are refused with a 422
// that says so, rather than faked.
var simulatedActions = []string{"reboot", "power_cycle", "shutdown", "power_off", "power_on", "rename"}

// byTagActions are those the API also accepts for every droplet of a tag.
var byTagActions = []string{"power_cycle", "shutdown", "power_off", "power_on"}

type actionRequest struct {
	Type string `json:"type"`
	Name string `json:"name"` // rename
}

func decodeAction(r *http.Request, allowed []string) (actionRequest, error) {
	var req actionRequest
	if err := decodeBody(r, &req); err != nil {
		return req, err
	}
	if !slices.Contains(allowed, req.Type) {
		return req, unprocessablef("the sandbox does not simulate the droplet action %q", req.Type)
	}
	if req.Type == "rename" && (len(req.Name) > 255 || !dropletNamePattern.MatchString(req.Name)) {
		return req, unprocessable(msgBadHostname)
	}
	return req, nil
}

func (a *api) postDropletAction(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	req, err := decodeAction(r, simulatedActions)
	if err != nil {
		return err
	}
	now := a.w.Now()
	var started actionJSON
	err = a.w.Update(r.Context(), "digitalocean.droplet_action."+req.Type, func(d *world.Data) error {
		dr := d.DropletByID(id)
		if dr == nil {
			return errNotFound
		}
		ac, err := applyAction(d, clockOf(d, now), dr, req)
		if err != nil {
			return err
		}
		started = actionOf(ac, now)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusCreated, map[string]any{"action": started})
	return nil
}

// postDropletActionByTag is POST /v2/droplets/actions?tag_name=T: the
// action for each droplet of the tag, all or none.
func (a *api) postDropletActionByTag(rw http.ResponseWriter, r *http.Request) error {
	tag := r.URL.Query().Get("tag_name")
	req, err := decodeAction(r, byTagActions)
	if err != nil {
		return err
	}
	now := a.w.Now()
	started := []actionJSON{}
	err = a.w.Update(r.Context(), "digitalocean.droplet_action_by_tag."+req.Type, func(d *world.Data) error {
		clk := clockOf(d, now)
		for _, dr := range d.DigitalOcean.Droplets {
			if !slices.Contains(dr.Tags, tag) {
				continue
			}
			if busy(d, dr, now) {
				return unprocessable(msgPendingEvent)
			}
		}
		for _, dr := range d.DigitalOcean.Droplets {
			if slices.Contains(dr.Tags, tag) {
				ac, _ := applyAction(d, clk, dr, req)
				started = append(started, actionOf(ac, now))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusCreated, map[string]any{"actions": started})
	return nil
}

// busy: the droplet has an action still running, or its creation failed
// (an errored droplet is not usable: delete and retry).
func busy(d *world.Data, dr *world.Droplet, now time.Time) bool {
	if dr.Errored {
		return true
	}
	for _, ac := range d.DigitalOcean.Actions {
		if ac.DropletID == dr.ID && now.Before(ac.CompletesAt) {
			return true
		}
	}
	return false
}

// applyAction performs req on dr. Its effect is immediate in the world (the
// machine goes down, the name changes) while the action reports
// in-progress for the action delay, which is what a client can observe.
func applyAction(d *world.Data, clk clock, dr *world.Droplet, req actionRequest) (*world.Action, error) {
	if busy(d, dr, clk.now) {
		return nil, unprocessable(msgPendingEvent)
	}
	switch req.Type {
	case "reboot", "power_cycle":
		dr.Off, dr.RestartedAt = false, clk.now
	case "power_on":
		if dr.Off {
			dr.Off, dr.RestartedAt = false, clk.now
		}
	case "shutdown", "power_off":
		dr.Off = true
	case "rename":
		// The PTR follows the name; a rename also ends a ptr-wrong fault,
		// as it is how the product fixes it.
		dr.Name, dr.NameBeforeFault = req.Name, ""
	}
	ac := &world.Action{
		ID: actionIDBase + d.Next("digitalocean.action"), Type: req.Type, DropletID: dr.ID, Region: dr.Region,
		StartedAt: clk.now, CompletesAt: clk.after(delaysOf(d.DigitalOcean.Timings).action),
	}
	d.DigitalOcean.Actions = append(d.DigitalOcean.Actions, ac)
	return ac, nil
}
