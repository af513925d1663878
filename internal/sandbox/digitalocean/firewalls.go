package digitalocean

import (
	"net/http"
	"slices"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func (a *api) firewallRoutes() {
	a.handle("GET /v2/firewalls", a.listFirewalls)
	a.handle("POST /v2/firewalls", a.createFirewall)
	a.handle("GET /v2/firewalls/{fw}", a.getFirewall)
	a.handle("PUT /v2/firewalls/{fw}", a.replaceFirewall)
	a.handle("DELETE /v2/firewalls/{fw}", a.deleteFirewall)
	for _, part := range firewallParts {
		a.handle("POST /v2/firewalls/{fw}/"+part.path, a.changeFirewallPart(part, true))
		a.handle("DELETE /v2/firewalls/{fw}/"+part.path, a.changeFirewallPart(part, false))
	}
}

// firewallRequest is the body of POST and PUT /v2/firewalls.
type firewallRequest struct {
	Name          string        `json:"name"`
	InboundRules  []ruleRequest `json:"inbound_rules"`
	OutboundRules []ruleRequest `json:"outbound_rules"`
	DropletIDs    []int         `json:"droplet_ids"`
	Tags          []string      `json:"tags"`
}

// firewallOf checks what needs no world state and builds the firewall's
// new contents.
func firewallOf(req firewallRequest) (world.Firewall, error) {
	if !firewallNamePattern.MatchString(req.Name) {
		return world.Firewall{}, unprocessable(msgBadFirewallName)
	}
	if len(req.InboundRules)+len(req.OutboundRules) == 0 {
		return world.Firewall{}, unprocessable(msgNoRules)
	}
	if len(req.InboundRules)+len(req.OutboundRules) > maxFirewallRules {
		return world.Firewall{}, unprocessable(msgTooManyRules)
	}
	inbound, err := rulesOf(req.InboundRules, true)
	if err != nil {
		return world.Firewall{}, err
	}
	outbound, err := rulesOf(req.OutboundRules, false)
	if err != nil {
		return world.Firewall{}, err
	}
	return world.Firewall{Name: req.Name, Inbound: inbound, Outbound: outbound,
		DropletIDs: slices.Clone(req.DropletIDs), Tags: slices.Clone(req.Tags)}, nil
}

func (a *api) createFirewall(rw http.ResponseWriter, r *http.Request) error {
	var req firewallRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	fw, err := firewallOf(req)
	if err != nil {
		return err
	}
	now := a.w.Now()
	var created firewallJSON
	err = a.w.Update(r.Context(), "digitalocean.firewall.create", func(d *world.Data) error {
		if err := checkReferences(d, &fw); err != nil {
			return err
		}
		fw.ID, fw.CreatedAt = newRequestID(), now
		settleLater(d, clockOf(d, now), &fw, nil)
		d.DigitalOcean.Firewalls = append(d.DigitalOcean.Firewalls, &fw)
		created = firewallJSONOf(&fw, now)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusAccepted, map[string]any{"firewall": created})
	return nil
}

// replaceFirewall is PUT: the request replaces the whole firewall, and
// what it omits is reset, not kept.
func (a *api) replaceFirewall(rw http.ResponseWriter, r *http.Request) error {
	var req firewallRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	replacement, err := firewallOf(req)
	if err != nil {
		return err
	}
	fw, err := a.changeFirewall(r, "digitalocean.firewall.update", func(_ *world.Data, fw *world.Firewall) error {
		fw.Name, fw.Inbound, fw.Outbound = replacement.Name, replacement.Inbound, replacement.Outbound
		fw.DropletIDs, fw.Tags = replacement.DropletIDs, replacement.Tags
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusOK, map[string]any{"firewall": fw})
	return nil
}

// changeFirewall applies change to a copy of the firewall named in the
// path, checks the result against the account, and only then stores it,
// so a refused change leaves the firewall as it was. It returns the
// firewall as the API then shows it.
func (a *api) changeFirewall(r *http.Request, point string, change func(*world.Data, *world.Firewall) error) (firewallJSON, error) {
	now := a.w.Now()
	var after firewallJSON
	err := a.w.Update(r.Context(), point, func(d *world.Data) error {
		fw := firewallByID(d, r.PathValue("fw"))
		if fw == nil {
			return errNotFound
		}
		next := cloneFirewall(fw)
		if err := change(d, next); err != nil {
			return err
		}
		if err := checkReferences(d, next); err != nil {
			return err
		}
		settleLater(d, clockOf(d, now), next, fw)
		*fw = *next
		after = firewallJSONOf(fw, now)
		return nil
	})
	return after, err
}

func (a *api) deleteFirewall(rw http.ResponseWriter, r *http.Request) error {
	err := a.w.Update(r.Context(), "digitalocean.firewall.delete", func(d *world.Data) error {
		fw := firewallByID(d, r.PathValue("fw"))
		if fw == nil {
			return errNotFound
		}
		d.DigitalOcean.Firewalls = deleteWhere(d.DigitalOcean.Firewalls, func(x *world.Firewall) bool { return x == fw })
		return nil
	})
	if err != nil {
		return err
	}
	writeNoContent(rw)
	return nil
}

func (a *api) getFirewall(rw http.ResponseWriter, r *http.Request) error {
	now := a.w.Now()
	var found *firewallJSON
	a.w.Read(func(d *world.Data) {
		if fw := firewallByID(d, r.PathValue("fw")); fw != nil {
			j := firewallJSONOf(fw, now)
			found = &j
		}
	})
	if found == nil {
		return errNotFound
	}
	writeJSON(rw, http.StatusOK, map[string]any{"firewall": found})
	return nil
}

func (a *api) listFirewalls(rw http.ResponseWriter, r *http.Request) error {
	paginated(rw, r, "firewalls", a.firewallsWhere(func(*world.Data, *world.Firewall) bool { return true }))
	return nil
}

// listDropletFirewalls is GET /v2/droplets/{id}/firewalls: the firewalls
// that apply to the droplet, by id or by one of its tags.
func (a *api) listDropletFirewalls(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if !a.dropletAnswered(id) {
		return errNotFound
	}
	paginated(rw, r, "firewalls", a.firewallsWhere(func(d *world.Data, fw *world.Firewall) bool {
		return slices.Contains(coveredDroplets(d, fw), id)
	}))
	return nil
}

func (a *api) firewallsWhere(keep func(*world.Data, *world.Firewall) bool) []firewallJSON {
	now := a.w.Now()
	var list []firewallJSON
	a.w.Read(func(d *world.Data) {
		for _, fw := range d.DigitalOcean.Firewalls {
			if keep(d, fw) {
				list = append(list, firewallJSONOf(fw, now))
			}
		}
	})
	return list
}

func firewallByID(d *world.Data, id string) *world.Firewall {
	for _, fw := range d.DigitalOcean.Firewalls {
		if fw.ID == id {
			return fw
		}
	}
	return nil
}

// coveredDroplets are the droplets a firewall applies to: those it names
// and those carrying one of its tags.
func coveredDroplets(d *world.Data, fw *world.Firewall) []int {
	ids := slices.Clone(fw.DropletIDs)
	for _, dr := range d.DigitalOcean.Droplets {
		if !slices.Contains(ids, dr.ID) && slices.ContainsFunc(dr.Tags, func(t string) bool { return slices.Contains(fw.Tags, t) }) {
			ids = append(ids, dr.ID)
		}
	}
	return ids
}

// settleLater starts the wait until a change reaches every droplet it
// concerns: those now covered, and those no longer covered (removing).
func settleLater(d *world.Data, clk clock, next, before *world.Firewall) {
	covered := coveredDroplets(d, next)
	next.Pending = nil
	for _, id := range covered {
		next.Pending = append(next.Pending, world.FWPendingChange{DropletID: id})
	}
	if before != nil {
		for _, id := range coveredDroplets(d, before) {
			if !slices.Contains(covered, id) {
				next.Pending = append(next.Pending, world.FWPendingChange{DropletID: id, Removing: true})
			}
		}
	}
	next.SettledAt = clk.after(delaysOf(d.DigitalOcean.Timings).firewallSettle)
}

func cloneFirewall(fw *world.Firewall) *world.Firewall {
	c := *fw
	c.DropletIDs, c.Tags, c.Pending = slices.Clone(fw.DropletIDs), slices.Clone(fw.Tags), slices.Clone(fw.Pending)
	c.Inbound, c.Outbound = slices.Clone(fw.Inbound), slices.Clone(fw.Outbound)
	return &c
}

// firewallStatus: "waiting" until the change has settled, then
// "succeeded".
func firewallStatus(fw *world.Firewall, now time.Time) string {
	if now.Before(fw.SettledAt) {
		return "waiting"
	}
	return "succeeded"
}
