package digitalocean

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// cloudronFirewall is the kind of firewall the product asks for: inbound
// ports by tag, ICMP without ports, outbound open.
func cloudronFirewall(tag string) *godo.FirewallRequest {
	anywhere := []string{"0.0.0.0/0", "::/0"}
	return &godo.FirewallRequest{
		Name: "chapterctl-abc123",
		InboundRules: []godo.InboundRule{
			{Protocol: "tcp", PortRange: "22", Sources: &godo.Sources{Addresses: anywhere}},
			{Protocol: "tcp", PortRange: "80", Sources: &godo.Sources{Addresses: anywhere}},
			{Protocol: "icmp", Sources: &godo.Sources{Addresses: anywhere}},
		},
		OutboundRules: []godo.OutboundRule{
			{Protocol: "tcp", PortRange: "0", Destinations: &godo.Destinations{Addresses: anywhere}},
			{Protocol: "udp", PortRange: "0", Destinations: &godo.Destinations{Addresses: anywhere}},
		},
		Tags: []string{tag},
	}
}

func TestFirewallIsWaitingThenSucceeded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	dr := e.createActive(t, chapterDropletRequest("my.example.org", "chapterctl:abc123"))
	fw, resp, err := e.do.Firewalls.Create(e.ctx, cloudronFirewall("chapterctl:abc123"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusAccepted || fw.Status != "waiting" || len(fw.PendingChanges) != 1 || fw.PendingChanges[0].DropletID != dr.ID {
		t.Fatalf("create: %d, status %q, pending %+v", resp.StatusCode, fw.Status, fw.PendingChanges)
	}
	if fw.InboundRules[2].PortRange != "0" {
		t.Errorf("an ICMP rule shows ports %q, want \"0\"", fw.InboundRules[2].PortRange)
	}
	eventually(t, "the firewall to settle", func() bool {
		got, _, err := e.do.Firewalls.Get(e.ctx, fw.ID)
		return err == nil && got.Status == "succeeded" && len(got.PendingChanges) == 0
	})
	byDroplet, _, err := e.do.Firewalls.ListByDroplet(e.ctx, dr.ID, nil)
	if err != nil || len(byDroplet) != 1 || byDroplet[0].ID != fw.ID {
		t.Errorf("firewalls of the droplet (by its tag): %v %v", byDroplet, err)
	}
}

func TestFirewallValidationTexts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(d *world.Data) { d.DigitalOcean.Tags = []string{"chapterctl:abc123"} })
	cases := []struct {
		name   string
		change func(*godo.FirewallRequest)
		want   string
	}{
		{"underscore in name", func(r *godo.FirewallRequest) { r.Name = "chapter_fw" }, msgBadFirewallName},
		{"no rules", func(r *godo.FirewallRequest) { r.InboundRules, r.OutboundRules = nil, nil }, msgNoRules},
		{"ports all", func(r *godo.FirewallRequest) { r.InboundRules[0].PortRange = "all" }, msgBadPorts},
		{"tcp without ports", func(r *godo.FirewallRequest) { r.InboundRules[0].PortRange = "" }, msgBadPorts},
		{"bad address", func(r *godo.FirewallRequest) { r.InboundRules[0].Sources.Addresses = []string{"300.1.1.1"} }, msgBadAddress},
		{"unknown tag", func(r *godo.FirewallRequest) { r.Tags = []string{"nope"} }, "tag nope does not exist: tags must exist before a firewall names them"},
		{"too many tags", func(r *godo.FirewallRequest) { r.Tags = []string{"a", "b", "c", "d", "e", "f"} }, msgTooManyTags},
		{"too many droplets", func(r *godo.FirewallRequest) { r.DropletIDs = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11} }, msgTooManyDroplets},
	}
	for _, c := range cases {
		req := cloudronFirewall("chapterctl:abc123")
		c.change(req)
		_, _, err := e.do.Firewalls.Create(e.ctx, req)
		t.Run(c.name, func(t *testing.T) { wantAPIError(t, err, http.StatusUnprocessableEntity, c.want) })
	}
	// sources must be an object: an array is its own 422.
	resp, body := e.raw(t, "POST", "/v2/firewalls",
		`{"name":"fw","inbound_rules":[{"protocol":"tcp","ports":"22","sources":[{"addresses":["0.0.0.0/0"]}]}]}`)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msgBadSourcesType) {
		t.Errorf("sources as an array: %d %s", resp.StatusCode, body)
	}
}

func TestFirewallPutReplacesAndPartsAddAndRemove(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	dr := e.createActive(t, chapterDropletRequest("my.example.org", "chapterctl:abc123"))
	fw, _, err := e.do.Firewalls.Create(e.ctx, cloudronFirewall("chapterctl:abc123"))
	if err != nil {
		t.Fatal(err)
	}
	// PUT without tags resets the tags: the droplet is no longer covered.
	replacement := cloudronFirewall("chapterctl:abc123")
	replacement.Tags, replacement.InboundRules = nil, replacement.InboundRules[:1]
	updated, resp, err := e.do.Firewalls.Update(e.ctx, fw.ID, replacement)
	if err != nil || resp.StatusCode != http.StatusOK || len(updated.Tags) != 0 || len(updated.InboundRules) != 1 {
		t.Fatalf("put: %+v %v", updated, err)
	}
	if !slices.ContainsFunc(updated.PendingChanges, func(p godo.PendingChange) bool { return p.DropletID == dr.ID && p.Removing }) {
		t.Errorf("the uncovered droplet is not pending removal: %+v", updated.PendingChanges)
	}
	calls := []func() (*godo.Response, error){
		func() (*godo.Response, error) { return e.do.Firewalls.AddDroplets(e.ctx, fw.ID, dr.ID) },
		func() (*godo.Response, error) { return e.do.Firewalls.AddTags(e.ctx, fw.ID, "chapterctl:abc123") },
		func() (*godo.Response, error) {
			return e.do.Firewalls.AddRules(e.ctx, fw.ID, &godo.FirewallRulesRequest{InboundRules: []godo.InboundRule{
				{Protocol: "tcp", PortRange: "443", Sources: &godo.Sources{Addresses: []string{"0.0.0.0/0"}}}}})
		},
		func() (*godo.Response, error) { return e.do.Firewalls.RemoveTags(e.ctx, fw.ID, "chapterctl:abc123") },
	}
	for i, call := range calls {
		if resp, err := call(); err != nil || resp.StatusCode != http.StatusNoContent {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	got, _, _ := e.do.Firewalls.Get(e.ctx, fw.ID)
	if !slices.Equal(got.DropletIDs, []int{dr.ID}) || len(got.Tags) != 0 || len(got.InboundRules) != 2 || got.InboundRules[1].PortRange != "443" {
		t.Errorf("after the part calls: droplets %v, tags %v, rules %+v", got.DropletIDs, got.Tags, got.InboundRules)
	}
	if resp, err := e.do.Firewalls.Delete(e.ctx, fw.ID); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v", err)
	}
	if list, _, _ := e.do.Firewalls.List(e.ctx, nil); len(list) != 0 {
		t.Errorf("%d firewalls left after delete", len(list))
	}
}
