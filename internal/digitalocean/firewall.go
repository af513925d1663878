package digitalocean

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/digitalocean/godo"
)

// FirewallSpec is a cloud firewall as chapterctl wants it: applied to the
// droplets carrying Tags.
type FirewallSpec struct {
	Name     string
	Tags     []string
	Inbound  []Rule
	Outbound []Rule
}

// Firewall is a cloud firewall as it is.
type Firewall struct {
	ID         string
	Name       string
	Status     string // waiting, succeeded or failed
	Tags       []string
	DropletIDs []int
	Inbound    []Rule
	Outbound   []Rule
}

var firewallNamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9.\-]+$`)

// FirewallByName finds the firewall called name (the oldest, should there
// be several); found is false when there is none.
func (c *Client) FirewallByName(ctx context.Context, name string) (fw Firewall, found bool, err error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	named, err := c.firewallsNamed(ctx, name)
	if err != nil {
		return Firewall{}, false, c.fail("look up the firewall "+name, err)
	}
	if len(named) == 0 {
		return Firewall{}, false, nil
	}
	return firewallOf(&named[0]), true, nil
}

// EnsureFirewall makes the firewall called spec.Name be spec: it creates
// it, or replaces the existing one (one PUT) only where it differs, and
// never leaves two. changed tells whether anything was written.
//
// Duplicates of the name (left by a create whose answer was lost) are
// deleted: their rules would add up with the kept one's.
func (c *Client) EnsureFirewall(ctx context.Context, spec FirewallSpec) (changed bool, err error) {
	op := "set up the firewall " + spec.Name
	if err := c.checkFirewallSpec(op, spec); err != nil {
		return false, err
	}
	for _, tag := range spec.Tags { // a firewall can only name tags that exist
		if err := c.EnsureTag(ctx, tag); err != nil {
			return false, err
		}
	}
	ctx, cancel := c.call(ctx)
	defer cancel()
	named, err := c.firewallsNamed(ctx, spec.Name)
	if err != nil {
		return false, c.fail(op, err)
	}
	if len(named) == 0 {
		if named, err = c.createFirewall(ctx, op, spec); err != nil {
			return false, err
		}
		changed = true
	}
	for _, extra := range named[1:] {
		if _, err := c.godo.Firewalls.Delete(ctx, extra.ID); err != nil && statusCode(err) != http.StatusNotFound {
			return changed, c.fail(fmt.Sprintf("%s: delete its duplicate %s", op, extra.ID), err)
		}
		changed = true
	}
	if sameFirewall(&named[0], spec) {
		return changed, nil
	}
	// PUT replaces the whole firewall: keep the droplets it names itself.
	update := firewallRequest(spec)
	update.DropletIDs = slices.Clone(named[0].DropletIDs)
	if _, _, err := c.godo.Firewalls.Update(ctx, named[0].ID, update); err != nil {
		return changed, c.fail(op, err)
	}
	return true, nil
}

// createFirewall creates the firewall and returns it as the list shows it.
// A create whose answer was lost is looked for by name, and sent a second
// time only when it is not there: a duplicate firewall costs nothing and
// the next EnsureFirewall removes it, unlike a duplicate droplet.
func (c *Client) createFirewall(ctx context.Context, op string, spec FirewallSpec) ([]godo.Firewall, error) {
	for try := 1; ; try++ {
		fw, _, err := c.godo.Firewalls.Create(ctx, firewallRequest(spec))
		if err == nil {
			return []godo.Firewall{*fw}, nil
		}
		if !answerLost(err) {
			return nil, c.fail(op, err)
		}
		named, listErr := c.firewallsNamed(ctx, spec.Name)
		switch {
		case listErr != nil:
			return nil, c.fail(op, listErr)
		case len(named) > 0:
			return named, nil
		case try == 2:
			return nil, c.failure(op, ErrCreateUncertain, fmt.Sprintf("DigitalOcean did not answer its create (%s): run chapterctl again", lostDetail(err)), err)
		}
	}
}

// firewallsNamed lists the firewalls called name, oldest first.
func (c *Client) firewallsNamed(ctx context.Context, name string) ([]godo.Firewall, error) {
	all, err := allPages(ctx, c.perPage, c.godo.Firewalls.List)
	if err != nil {
		return nil, err
	}
	named := slices.DeleteFunc(all, func(fw godo.Firewall) bool { return fw.Name != name })
	slices.SortStableFunc(named, func(a, b godo.Firewall) int { return strings.Compare(a.Created, b.Created) })
	return named, nil
}

func (c *Client) checkFirewallSpec(op string, spec FirewallSpec) error {
	switch {
	case !firewallNamePattern.MatchString(spec.Name):
		return c.failure(op, ErrRefused, "a firewall name starts with a letter or digit and has only letters, digits, . and -", nil)
	case len(spec.Inbound)+len(spec.Outbound) == 0:
		return c.failure(op, ErrRefused, "a firewall needs at least one rule", nil)
	}
	for _, r := range slices.Concat(spec.Inbound, spec.Outbound) {
		if p := strings.ToLower(r.Protocol); p != "tcp" && p != "udp" && p != "icmp" {
			return c.failure(op, ErrRefused, fmt.Sprintf("a rule's protocol is tcp, udp or icmp, not %q", r.Protocol), nil)
		}
	}
	return nil
}

func firewallOf(fw *godo.Firewall) Firewall {
	inbound, outbound := rulesOf(fw)
	return Firewall{ID: fw.ID, Name: fw.Name, Status: fw.Status, Tags: slices.Clone(fw.Tags),
		DropletIDs: slices.Clone(fw.DropletIDs), Inbound: inbound, Outbound: outbound}
}
