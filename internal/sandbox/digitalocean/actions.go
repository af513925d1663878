package digitalocean

import (
	"net/http"
	"slices"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// msgPendingEvent refuses an action while another one runs on the
// droplet (the create included): DigitalOcean's text as commonly reported,
// unverified here.
const msgPendingEvent = "Droplet already has a pending event."

type actionJSON struct {
	ID           int        `json:"id"`
	Status       string     `json:"status"`
	Type         string     `json:"type"`
	StartedAt    string     `json:"started_at"`
	CompletedAt  *string    `json:"completed_at"`
	ResourceID   int        `json:"resource_id"`
	ResourceType string     `json:"resource_type"`
	Region       regionJSON `json:"region"`
	RegionSlug   string     `json:"region_slug"`
}

// actionStatus derives an action's status from the clock.
func actionStatus(ac *world.Action, now time.Time) string {
	switch {
	case now.Before(ac.CompletesAt):
		return "in-progress"
	case ac.Errored:
		return "errored"
	}
	return "completed"
}

func actionOf(ac *world.Action, now time.Time) actionJSON {
	return actionJSON{
		ID: ac.ID, Status: actionStatus(ac, now), Type: ac.Type, StartedAt: timestamp(ac.StartedAt),
		CompletedAt: optionalTimestamp(ac.CompletesAt, now), ResourceID: ac.DropletID, ResourceType: "droplet",
		Region: regionBySlug(ac.Region), RegionSlug: ac.Region,
	}
}

func (a *api) actionRoutes() {
	a.handle("GET /v2/actions", a.listActions)
	a.handle("GET /v2/actions/{action}", a.getAction)
	a.handle("GET /v2/droplets/{id}/actions", a.listDropletActions)
	a.handle("POST /v2/droplets/{id}/actions", a.postDropletAction)
	a.handle("GET /v2/droplets/{id}/actions/{action}", a.getAction)
	a.handle("POST /v2/droplets/actions", a.postDropletActionByTag)
}

// actionsWhere renders the actions keep picks, newest first as the API
// lists them.
func (a *api) actionsWhere(keep func(*world.Action) bool) []actionJSON {
	now := a.w.Now()
	var list []actionJSON
	a.w.Read(func(d *world.Data) {
		for _, ac := range slices.Backward(d.DigitalOcean.Actions) {
			if keep(ac) {
				list = append(list, actionOf(ac, now))
			}
		}
	})
	return list
}

func (a *api) listActions(rw http.ResponseWriter, r *http.Request) error {
	paginated(rw, r, "actions", a.actionsWhere(func(*world.Action) bool { return true }))
	return nil
}

func (a *api) listDropletActions(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if !a.dropletAnswered(id) {
		return errNotFound
	}
	paginated(rw, r, "actions", a.actionsWhere(func(ac *world.Action) bool { return ac.DropletID == id }))
	return nil
}

func (a *api) dropletAnswered(id int) bool {
	now, found := a.w.Now(), false
	a.w.Read(func(d *world.Data) { found = answeredByID(d, now, id) != nil })
	return found
}

// getAction answers GET /v2/actions/{action} and, when the path names a
// droplet, GET /v2/droplets/{id}/actions/{action}, which needs the action
// to be that droplet's.
func (a *api) getAction(rw http.ResponseWriter, r *http.Request) error {
	actionID, err := pathID(r, "action")
	if err != nil {
		return err
	}
	dropletID := 0
	if r.PathValue("id") != "" {
		if dropletID, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	found := a.actionsWhere(func(ac *world.Action) bool {
		return ac.ID == actionID && (dropletID == 0 || ac.DropletID == dropletID)
	})
	if len(found) == 0 {
		return errNotFound
	}
	writeJSON(rw, http.StatusOK, map[string]any{"action": found[0]})
	return nil
}
