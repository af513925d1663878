package digitalocean

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/digitalocean/godo"
)

// Rule is one firewall rule: traffic of Protocol on Ports, from Addresses
// (inbound) or to them (outbound).
type Rule struct {
	Protocol  string   // tcp, udp or icmp
	Ports     string   // "22", "50000-51000", "0" for all; ignored for icmp
	Addresses []string // IPv4/IPv6 addresses or CIDRs
}

// everywhere is every IPv4 and IPv6 address (a new slice each time: specs
// are the caller's to change).
func everywhere() []string { return []string{"0.0.0.0/0", "::/0"} }

// firewallRequest is spec as the API takes it.
func firewallRequest(spec FirewallSpec) *godo.FirewallRequest {
	req := &godo.FirewallRequest{Name: spec.Name, Tags: slices.Clone(spec.Tags)}
	for _, r := range spec.Inbound {
		req.InboundRules = append(req.InboundRules, godo.InboundRule{
			Protocol: r.Protocol, PortRange: requestPorts(r), Sources: &godo.Sources{Addresses: slices.Clone(r.Addresses)}})
	}
	for _, r := range spec.Outbound {
		req.OutboundRules = append(req.OutboundRules, godo.OutboundRule{
			Protocol: r.Protocol, PortRange: requestPorts(r), Destinations: &godo.Destinations{Addresses: slices.Clone(r.Addresses)}})
	}
	return req
}

// requestPorts: ICMP has no ports and the API wants none sent.
func requestPorts(r Rule) string {
	if strings.EqualFold(r.Protocol, "icmp") {
		return ""
	}
	return r.Ports
}

// sameFirewall tells whether fw already is what spec asks for, whatever
// the order of rules, addresses and tags, and however the API spells "all
// ports". A rule that also names tags, droplets or load balancers (added
// in the control panel) makes it differ. The firewall's own droplet_ids
// are not compared: spec applies by tag, and whether the API lists
// tag-covered droplets there is unverified (comparing could rewrite the
// firewall on every run).
func sameFirewall(fw *godo.Firewall, spec FirewallSpec) bool {
	want := firewallRequest(spec)
	return fw.Name == spec.Name &&
		slices.Equal(sortedSet(fw.Tags), sortedSet(spec.Tags)) &&
		slices.Equal(inboundKeys(fw.InboundRules), inboundKeys(want.InboundRules)) &&
		slices.Equal(outboundKeys(fw.OutboundRules), outboundKeys(want.OutboundRules))
}

func inboundKeys(rules []godo.InboundRule) []string {
	return ruleKeys(rules, func(r godo.InboundRule) (string, string, string, *godo.Sources) {
		return r.Protocol, r.PortRange, string(r.Action), r.Sources
	})
}

func outboundKeys(rules []godo.OutboundRule) []string {
	return ruleKeys(rules, func(r godo.OutboundRule) (string, string, string, *godo.Sources) {
		return r.Protocol, r.PortRange, string(r.Action), (*godo.Sources)(r.Destinations) // the same fields
	})
}

// ruleKeys are rules as sorted canonical strings, so that two lists of
// rules compare equal whatever their order.
func ruleKeys[R any](rules []R, parts func(R) (protocol, ports, action string, target *godo.Sources)) []string {
	keys := make([]string, 0, len(rules))
	for _, r := range rules {
		protocol, ports, action, t := parts(r)
		if t == nil {
			t = &godo.Sources{}
		}
		keys = append(keys, ruleKey(protocol, ports, action, t.Addresses, t.Tags, t.DropletIDs, t.LoadBalancerUIDs, t.KubernetesIDs))
	}
	slices.Sort(keys)
	return keys
}

// ruleKey is a rule in one canonical string.
func ruleKey(protocol, ports, action string, addresses, tags []string, droplets []int, lbs, k8s []string) string {
	protocol = strings.ToLower(protocol)
	switch {
	case protocol == "icmp":
		ports = ""
	case ports == "":
		ports = "0"
	}
	if action == "" {
		action = string(godo.FirewallRuleActionAllow)
	}
	ids := make([]string, 0, len(droplets))
	for _, id := range droplets {
		ids = append(ids, fmt.Sprint(id))
	}
	return strings.Join([]string{protocol, ports, action, strings.Join(sortedSet(addresses), ","),
		strings.Join(sortedSet(tags), ","), strings.Join(sortedSet(ids), ","),
		strings.Join(sortedSet(lbs), ","), strings.Join(sortedSet(k8s), ",")}, "|")
}

func sortedSet(list []string) []string {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return slices.CompactFunc(out, strings.EqualFold)
}

// rulesOf turns the API's rules back into Rules; targets other than
// addresses are left out (chapterctl never sets them).
func rulesOf(fw *godo.Firewall) (inbound, outbound []Rule) {
	for _, r := range fw.InboundRules {
		rule := Rule{Protocol: r.Protocol, Ports: r.PortRange}
		if r.Sources != nil {
			rule.Addresses = slices.Clone(r.Sources.Addresses)
		}
		inbound = append(inbound, rule)
	}
	for _, r := range fw.OutboundRules {
		rule := Rule{Protocol: r.Protocol, Ports: r.PortRange}
		if r.Destinations != nil {
			rule.Addresses = slices.Clone(r.Destinations.Addresses)
		}
		outbound = append(outbound, rule)
	}
	return inbound, outbound
}
