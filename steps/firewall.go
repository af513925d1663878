package steps

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/chapterctl/chapterctl/internal/digitalocean"
)

// firewallStep keeps a DigitalOcean cloud firewall on the stack tag with
// the ports Cloudron serves and all outbound traffic. It applies by tag,
// so it covers the droplet whatever its id.
type firewallStep struct{}

// NewFirewall is the firewall step.
func NewFirewall() Step { return firewallStep{} }

func (firewallStep) ID() string    { return "firewall" }
func (firewallStep) Title() string { return "Cloud firewall for the droplet" }

// firewallSpec is the firewall this chapter wants; its name carries the
// stack id, so two chapters in one account never share one.
func firewallSpec(env *Env) digitalocean.FirewallSpec {
	return digitalocean.CloudronFirewall("chapterctl-"+env.StackID(), stackTag(env))
}

func (s firewallStep) Plan(ctx context.Context, env *Env) (Change, error) {
	spec := firewallSpec(env)
	fw, found, err := env.Providers.DigitalOcean.FirewallByName(ctx, spec.Name)
	switch {
	case err != nil:
		return Change{}, err
	case !found:
		return Change{Items: []Item{{Action: Create, Resource: "firewall " + spec.Name,
			Detail: "Cloudron's ports open to " + stackTag(env) + ", all outbound"}}}, nil
	case !firewallMatches(fw, spec):
		return Change{Items: []Item{{Action: Update, Resource: "firewall " + spec.Name,
			Detail: "its rules or tags differ from Cloudron's ports; they are set back"}}}, nil
	case env.Output(s.ID(), "id") != fw.ID:
		return Change{Items: []Item{{Action: Adopt, Resource: "firewall " + spec.Name, Detail: fw.ID}}}, nil
	}
	return Change{}, nil
}

func (s firewallStep) Apply(ctx context.Context, env *Env, _ Change) error {
	spec := firewallSpec(env)
	// EnsureFirewall looks by name before it creates, and removes the
	// duplicate a lost create answer may have left.
	if _, err := env.Providers.DigitalOcean.EnsureFirewall(ctx, spec); err != nil {
		return err
	}
	fw, found, err := env.Providers.DigitalOcean.FirewallByName(ctx, spec.Name)
	switch {
	case err != nil:
		return err
	case !found:
		return fmt.Errorf("firewall: DigitalOcean does not list the firewall %s it just accepted: run chapterctl again", spec.Name)
	}
	return env.Record("id", fw.ID)
}

// firewallMatches tells whether fw is spec, whatever the order of rules,
// addresses and tags, and however the API spells "all ports". Rules that
// also name tags or droplets (added in the control panel) are not seen
// here; EnsureFirewall, which sees them, still sets them back when asked.
func firewallMatches(fw digitalocean.Firewall, spec digitalocean.FirewallSpec) bool {
	return fw.Name == spec.Name &&
		slices.Equal(foldedSet(fw.Tags), foldedSet(spec.Tags)) &&
		slices.Equal(ruleSet(fw.Inbound), ruleSet(spec.Inbound)) &&
		slices.Equal(ruleSet(fw.Outbound), ruleSet(spec.Outbound))
}

func ruleSet(rules []digitalocean.Rule) []string {
	keys := make([]string, 0, len(rules))
	for _, r := range rules {
		protocol, ports := strings.ToLower(r.Protocol), r.Ports
		switch {
		case protocol == "icmp":
			ports = ""
		case ports == "" || strings.EqualFold(ports, "all"):
			ports = "0"
		}
		keys = append(keys, protocol+"|"+ports+"|"+strings.Join(foldedSet(r.Addresses), ","))
	}
	slices.Sort(keys)
	return keys
}

func foldedSet(list []string) []string {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return slices.CompactFunc(out, strings.EqualFold)
}
