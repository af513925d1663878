package digitalocean

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func (a *api) dropletRoutes() {
	a.handle("GET /v2/droplets", a.listDroplets)
	a.handle("POST /v2/droplets", a.createDroplet)
	a.handle("DELETE /v2/droplets", a.deleteDropletsByTag)
	a.handle("GET /v2/droplets/{id}", a.getDroplet)
	a.handle("DELETE /v2/droplets/{id}", a.deleteDroplet)
	a.handle("GET /v2/droplets/{id}/firewalls", a.listDropletFirewalls)
}

// answered are the droplets the API still answers for at now: the live
// ones, and the destroyed ones whose deletion has not caught up yet.
func answered(d *world.Data, now time.Time) []*world.Droplet {
	all := slices.Clone(d.DigitalOcean.Droplets)
	for _, dr := range d.DigitalOcean.Destroyed {
		if now.Before(dr.GoneAt) {
			all = append(all, dr)
		}
	}
	return all
}

func answeredByID(d *world.Data, now time.Time, id int) *world.Droplet {
	for _, dr := range answered(d, now) {
		if dr.ID == id {
			return dr
		}
	}
	return nil
}

// forgetGone drops the destroyed droplets the API no longer answers for,
// so world.json does not keep them forever.
func forgetGone(d *world.Data, now time.Time) {
	d.DigitalOcean.Destroyed = deleteWhere(d.DigitalOcean.Destroyed, func(dr *world.Droplet) bool { return !now.Before(dr.GoneAt) })
}

func pathID(r *http.Request, name string) (int, error) {
	id, err := strconv.Atoi(r.PathValue(name))
	if err != nil || id < 1 {
		return 0, errNotFound
	}
	return id, nil
}

// listDroplets answers GET /v2/droplets with its filters: tag_name (exact,
// as the tag's canonical spelling), name (exact, case-insensitive) and
// type (there are no GPU droplets). A droplet is listed only once the list
// has caught up with its creation (ListedAt).
func (a *api) listDroplets(rw http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	tag, name, kind := q.Get("tag_name"), q.Get("name"), q.Get("type")
	if tag != "" && (name != "" || kind != "") {
		// The spec says they "can not be combined"; the status and text of
		// the refusal are unverified.
		return unprocessable("tag_name can not be combined with name or type")
	}
	now := a.w.Now()
	var list []dropletJSON
	a.w.Read(func(d *world.Data) {
		for _, dr := range answered(d, now) {
			switch {
			case now.Before(dr.ListedAt), kind == "gpus":
			case tag != "" && !slices.Contains(dr.Tags, tag):
			case name != "" && !strings.EqualFold(dr.Name, name):
			default:
				list = append(list, dropletOf(dr, now))
			}
		}
	})
	paginated(rw, r, "droplets", list)
	return nil
}

func (a *api) getDroplet(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	now := a.w.Now()
	var found *dropletJSON
	a.w.Read(func(d *world.Data) {
		if dr := answeredByID(d, now, id); dr != nil {
			j := dropletOf(dr, now)
			found = &j
		}
	})
	if found == nil {
		return errNotFound
	}
	writeJSON(rw, http.StatusOK, map[string]any{"droplet": found})
	return nil
}

// deleteDroplet destroys a droplet: the machine is gone at once, the API
// keeps answering for it until the destroy delay has passed. A second
// DELETE in that time is accepted again (unverified).
func (a *api) deleteDroplet(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	now := a.w.Now()
	err = a.w.Update(r.Context(), "digitalocean.droplet.delete", func(d *world.Data) error {
		forgetGone(d, now)
		if answeredByID(d, now, id) == nil {
			return errNotFound
		}
		destroy(d, clockOf(d, now), func(dr *world.Droplet) bool { return dr.ID == id })
		return nil
	})
	if err != nil {
		return err
	}
	writeNoContent(rw)
	return nil
}

// deleteDropletsByTag is DELETE /v2/droplets?tag_name=T. A tag the account
// does not have is a 404; a tag on no droplet deletes nothing (both
// unverified).
func (a *api) deleteDropletsByTag(rw http.ResponseWriter, r *http.Request) error {
	tag := r.URL.Query().Get("tag_name")
	if tag == "" {
		return badRequest("tag_name is required")
	}
	now := a.w.Now()
	err := a.w.Update(r.Context(), "digitalocean.droplet.delete_by_tag", func(d *world.Data) error {
		forgetGone(d, now)
		if !slices.Contains(d.DigitalOcean.Tags, tag) {
			return errNotFound
		}
		destroy(d, clockOf(d, now), func(dr *world.Droplet) bool { return slices.Contains(dr.Tags, tag) })
		return nil
	})
	if err != nil {
		return err
	}
	writeNoContent(rw)
	return nil
}

// destroy moves the droplets doomed picks to Destroyed and takes them off
// the firewalls that named them.
func destroy(d *world.Data, clk clock, doomed func(*world.Droplet) bool) {
	goneAt := clk.after(delaysOf(d.DigitalOcean.Timings).destroy)
	d.DigitalOcean.Droplets = deleteWhere(d.DigitalOcean.Droplets, func(dr *world.Droplet) bool {
		if !doomed(dr) {
			return false
		}
		dr.GoneAt = goneAt
		d.DigitalOcean.Destroyed = append(d.DigitalOcean.Destroyed, dr)
		for _, fw := range d.DigitalOcean.Firewalls {
			fw.DropletIDs = deleteWhere(fw.DropletIDs, func(id int) bool { return id == dr.ID })
		}
		return true
	})
}

// clockOf is the clock for deadlines computed inside Update, where
// World.Scaled (which takes the world's lock) cannot be called.
func clockOf(d *world.Data, now time.Time) clock { return clock{now: now, scale: d.TimeScale} }
