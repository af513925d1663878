package digitalocean

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Firewall limits (reference §3, DigitalOcean's documented limits).
const (
	maxFirewallDroplets = 10
	maxFirewallTags     = 5
	maxFirewallRules    = 50
	maxTargetEntries    = 1000
)

// The 422 texts of firewall writes. msgBadPorts is the text reported for
// ports "all" by doctl and droplet_kit users; a newer report reads "you
// must specify a valid range for ports" (which one the API sends now is
// unverified). The limit, rule-count and missing-tag texts are unverified.
const (
	msgBadPorts        = "You must specify a positive value for ports."
	msgBadSourcesType  = "You specified an invalid type for one of the sources."
	msgBadDestsType    = "You specified an invalid type for one of the destinations."
	msgBadAddress      = "invalid address"
	msgBadProtocol     = "protocol must be one of tcp, udp, icmp"
	msgNoRules         = "At least one inbound or outbound rule is required."
	msgBadFirewallName = "name must begin with a letter or number and contain only letters, numbers, periods and dashes"
	msgTooManyRules    = "a firewall can have at most 50 rules"
	msgTooManyEntries  = "a rule can have at most 1000 sources or destinations"
	msgTooManyDroplets = "a firewall can be applied to at most 10 droplets"
	msgTooManyTags     = "a firewall can be applied to at most 5 tags"
	msgUnknownTag      = "tag %s does not exist: tags must exist before a firewall names them"
	msgUnknownDroplet  = "droplet %d does not exist"
)

var firewallNamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9.\-]+$`)

// ruleRequest is a rule as godo sends it. sources and destinations are kept
// raw: they must be objects, and an array gets the API's own 422.
type ruleRequest struct {
	Protocol     string          `json:"protocol"`
	Ports        string          `json:"ports"`
	Sources      json.RawMessage `json:"sources"`
	Destinations json.RawMessage `json:"destinations"`
	Action       string          `json:"action"`
}

type targetJSON struct {
	Addresses        []string `json:"addresses,omitempty"`
	DropletIDs       []int    `json:"droplet_ids,omitempty"`
	LoadBalancerUIDs []string `json:"load_balancer_uids,omitempty"`
	KubernetesIDs    []string `json:"kubernetes_ids,omitempty"`
	Tags             []string `json:"tags,omitempty"`
}

// rulesOf checks and converts the rules of one direction. An absent or
// null target is taken as empty (unverified: the API may require one).
func rulesOf(reqs []ruleRequest, inbound bool) ([]world.FWRule, error) {
	rules := []world.FWRule{}
	for _, rq := range reqs {
		raw, typeMsg := rq.Destinations, msgBadDestsType
		if inbound {
			raw, typeMsg = rq.Sources, msgBadSourcesType
		}
		var target targetJSON
		if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 && !bytes.Equal(trimmed, []byte("null")) {
			if trimmed[0] != '{' || json.Unmarshal(trimmed, &target) != nil {
				return nil, unprocessable(typeMsg)
			}
		}
		rule, err := ruleOf(rq, target)
		if err != nil {
			return nil, err
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

func ruleOf(rq ruleRequest, t targetJSON) (world.FWRule, error) {
	rule := world.FWRule{
		Protocol: rq.Protocol, Ports: rq.Ports, Addresses: t.Addresses, Tags: t.Tags,
		DropletIDs: t.DropletIDs, LoadBalancerUIDs: t.LoadBalancerUIDs, KubernetesIDs: t.KubernetesIDs, Action: rq.Action,
	}
	switch rq.Protocol {
	case "icmp":
		rule.Ports = "0" // ICMP has no ports; the API shows "0"
	case "tcp", "udp":
		if !validPorts(rq.Ports) {
			return rule, unprocessable(msgBadPorts)
		}
	default:
		return rule, unprocessable(msgBadProtocol)
	}
	if len(t.Addresses)+len(t.Tags)+len(t.DropletIDs)+len(t.LoadBalancerUIDs)+len(t.KubernetesIDs) > maxTargetEntries {
		return rule, unprocessable(msgTooManyEntries)
	}
	for _, addr := range t.Addresses {
		if _, err := netip.ParseAddr(addr); err == nil {
			continue
		}
		if _, err := netip.ParsePrefix(addr); err != nil {
			return rule, unprocessable(msgBadAddress)
		}
	}
	return rule, nil
}

// validPorts: "0" (all ports), "22", or "8000-9000".
func validPorts(ports string) bool {
	if ports == "0" {
		return true
	}
	low, high, isRange := strings.Cut(ports, "-")
	from, err1 := strconv.Atoi(low)
	to, err2 := from, error(nil)
	if isRange {
		to, err2 = strconv.Atoi(high)
	}
	return err1 == nil && err2 == nil && from >= 1 && from <= to && to <= 65535
}

// checkReferences checks what a firewall names against the account: its
// tags and the rules' tags must exist, and so must its droplets.
func checkReferences(d *world.Data, fw *world.Firewall) error {
	if len(fw.DropletIDs) > maxFirewallDroplets {
		return unprocessable(msgTooManyDroplets)
	}
	if len(fw.Tags) > maxFirewallTags {
		return unprocessable(msgTooManyTags)
	}
	tags := slices.Clone(fw.Tags)
	for _, rule := range slices.Concat(fw.Inbound, fw.Outbound) {
		tags = append(tags, rule.Tags...)
	}
	for _, t := range tags {
		if !slices.Contains(d.DigitalOcean.Tags, t) {
			return unprocessablef(msgUnknownTag, t)
		}
	}
	for _, id := range fw.DropletIDs {
		if d.DropletByID(id) == nil {
			return unprocessablef(msgUnknownDroplet, id)
		}
	}
	return nil
}

// sameRule tells whether two rules are the same, for removing rules.
func sameRule(a, b world.FWRule) bool {
	return a.Protocol == b.Protocol && a.Ports == b.Ports && slices.Equal(a.Addresses, b.Addresses) &&
		slices.Equal(a.Tags, b.Tags) && slices.Equal(a.DropletIDs, b.DropletIDs) &&
		slices.Equal(a.LoadBalancerUIDs, b.LoadBalancerUIDs) && slices.Equal(a.KubernetesIDs, b.KubernetesIDs)
}
