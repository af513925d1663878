package digitalocean

import (
	"net/http"
	"slices"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// partRequest is the body of the POST|DELETE /v2/firewalls/{id}/droplets,
// /tags and /rules calls; each uses its own fields.
type partRequest struct {
	DropletIDs    []int         `json:"droplet_ids"`
	Tags          []string      `json:"tags"`
	InboundRules  []ruleRequest `json:"inbound_rules"`
	OutboundRules []ruleRequest `json:"outbound_rules"`
}

// firewallPart is one of the parts of a firewall that can be added to and
// removed from on its own.
type firewallPart struct {
	path   string
	add    func(fw *world.Firewall, req partRequest) error
	remove func(fw *world.Firewall, req partRequest) error
}

var firewallParts = []firewallPart{
	{
		path: "droplets",
		add: func(fw *world.Firewall, req partRequest) error {
			fw.DropletIDs = union(fw.DropletIDs, req.DropletIDs)
			return nil
		},
		remove: func(fw *world.Firewall, req partRequest) error {
			fw.DropletIDs = deleteWhere(fw.DropletIDs, func(id int) bool { return slices.Contains(req.DropletIDs, id) })
			return nil
		},
	},
	{
		path: "tags",
		add: func(fw *world.Firewall, req partRequest) error {
			fw.Tags = union(fw.Tags, req.Tags)
			return nil
		},
		remove: func(fw *world.Firewall, req partRequest) error {
			fw.Tags = deleteWhere(fw.Tags, func(t string) bool { return slices.Contains(req.Tags, t) })
			return nil
		},
	},
	{path: "rules", add: addRules, remove: removeRules},
}

func addRules(fw *world.Firewall, req partRequest) error {
	inbound, outbound, err := partRules(req)
	if err != nil {
		return err
	}
	fw.Inbound, fw.Outbound = append(fw.Inbound, inbound...), append(fw.Outbound, outbound...)
	if len(fw.Inbound)+len(fw.Outbound) > maxFirewallRules {
		return unprocessable(msgTooManyRules)
	}
	return nil
}

func removeRules(fw *world.Firewall, req partRequest) error {
	inbound, outbound, err := partRules(req)
	if err != nil {
		return err
	}
	fw.Inbound = deleteWhere(fw.Inbound, func(r world.FWRule) bool {
		return slices.ContainsFunc(inbound, func(x world.FWRule) bool { return sameRule(r, x) })
	})
	fw.Outbound = deleteWhere(fw.Outbound, func(r world.FWRule) bool {
		return slices.ContainsFunc(outbound, func(x world.FWRule) bool { return sameRule(r, x) })
	})
	return nil
}

func partRules(req partRequest) (inbound, outbound []world.FWRule, err error) {
	if inbound, err = rulesOf(req.InboundRules, true); err != nil {
		return nil, nil, err
	}
	outbound, err = rulesOf(req.OutboundRules, false)
	return inbound, outbound, err
}

func union[T comparable](list, more []T) []T {
	for _, x := range more {
		if !slices.Contains(list, x) {
			list = append(list, x)
		}
	}
	return list
}

// changeFirewallPart serves one add (POST) or remove (DELETE) call: 204
// with no body.
func (a *api) changeFirewallPart(part firewallPart, adding bool) apiHandler {
	change, verb := part.remove, "remove_"
	if adding {
		change, verb = part.add, "add_"
	}
	point := "digitalocean.firewall." + verb + part.path
	return func(rw http.ResponseWriter, r *http.Request) error {
		var req partRequest
		if err := decodeBody(r, &req); err != nil {
			return err
		}
		_, err := a.changeFirewall(r, point, func(_ *world.Data, fw *world.Firewall) error { return change(fw, req) })
		if err != nil {
			return err
		}
		writeNoContent(rw)
		return nil
	}
}

type firewallJSON struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	Status         string         `json:"status"`
	InboundRules   []inboundJSON  `json:"inbound_rules"`
	OutboundRules  []outboundJSON `json:"outbound_rules"`
	CreatedAt      string         `json:"created_at"`
	DropletIDs     []int          `json:"droplet_ids"`
	Tags           []string       `json:"tags"`
	PendingChanges []pendingJSON  `json:"pending_changes"`
}

type inboundJSON struct {
	Protocol string     `json:"protocol"`
	Ports    string     `json:"ports"`
	Sources  targetJSON `json:"sources"`
	Action   string     `json:"action,omitempty"`
}

type outboundJSON struct {
	Protocol     string     `json:"protocol"`
	Ports        string     `json:"ports"`
	Destinations targetJSON `json:"destinations"`
	Action       string     `json:"action,omitempty"`
}

type pendingJSON struct {
	DropletID int    `json:"droplet_id"`
	Removing  bool   `json:"removing"`
	Status    string `json:"status"`
}

func targetOf(r world.FWRule) targetJSON {
	return targetJSON{Addresses: r.Addresses, DropletIDs: r.DropletIDs, LoadBalancerUIDs: r.LoadBalancerUIDs,
		KubernetesIDs: r.KubernetesIDs, Tags: r.Tags}
}

func firewallJSONOf(fw *world.Firewall, now time.Time) firewallJSON {
	j := firewallJSON{
		ID: fw.ID, Name: fw.Name, Status: firewallStatus(fw, now), InboundRules: []inboundJSON{}, OutboundRules: []outboundJSON{},
		CreatedAt: timestamp(fw.CreatedAt), DropletIDs: append([]int{}, fw.DropletIDs...), Tags: append([]string{}, fw.Tags...),
		PendingChanges: []pendingJSON{},
	}
	for _, r := range fw.Inbound {
		j.InboundRules = append(j.InboundRules, inboundJSON{Protocol: r.Protocol, Ports: r.Ports, Sources: targetOf(r), Action: r.Action})
	}
	for _, r := range fw.Outbound {
		j.OutboundRules = append(j.OutboundRules, outboundJSON{Protocol: r.Protocol, Ports: r.Ports, Destinations: targetOf(r), Action: r.Action})
	}
	if j.Status == "waiting" {
		for _, p := range fw.Pending {
			j.PendingChanges = append(j.PendingChanges, pendingJSON{DropletID: p.DropletID, Removing: p.Removing, Status: "waiting"})
		}
	}
	return j
}
