package contract

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"

	"github.com/digitalocean/godo"
	"golang.org/x/crypto/ssh"
)

func exerciseCatalogue(t *testing.T, ctx context.Context, do *godo.Client) {
	must[*godo.Account](t)(do.Account.Get(ctx))
	must[[]godo.Region](t)(do.Regions.List(ctx, &godo.ListOptions{PerPage: 5}))
	must[[]godo.Size](t)(do.Sizes.List(ctx, nil))
	must[[]godo.Image](t)(do.Images.ListDistribution(ctx, nil))
	must[*godo.Image](t)(do.Images.GetBySlug(ctx, "ubuntu-24-04-x64"))
	must[*godo.Tag](t)(do.Tags.Create(ctx, &godo.TagCreateRequest{Name: "chapterctl:abc123"}))
	must[*godo.Tag](t)(do.Tags.Get(ctx, "chapterctl:abc123"))
	must[[]godo.Tag](t)(do.Tags.List(ctx, nil))
}

// exerciseDroplets walks the droplet step: key, create, poll, actions,
// and a duplicate deleted by tag. It returns the droplet kept.
func exerciseDroplets(t *testing.T, ctx context.Context, do *godo.Client) *godo.Droplet {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, _ := ssh.NewPublicKey(pub)
	publicKey := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub)))
	key := must[*godo.Key](t)(do.Keys.Create(ctx, &godo.KeyCreateRequest{Name: "chapterctl", PublicKey: publicKey}))
	must[*godo.Key](t)(do.Keys.GetByFingerprint(ctx, key.Fingerprint))
	must[[]godo.Key](t)(do.Keys.List(ctx, nil))

	req := &godo.DropletCreateRequest{Name: "my.example.org", Region: "nyc3", Size: "s-2vcpu-4gb",
		Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"}, SSHKeys: []godo.DropletCreateSSHKey{{Fingerprint: key.Fingerprint}},
		IPv6: true, Monitoring: true, UserData: "#cloud-config\n", Tags: []string{"chapterctl:abc123"}}
	dr, resp, err := do.Droplets.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the create action", func() bool {
		action := must[*godo.Action](t)(do.Actions.Get(ctx, resp.Links.Actions[0].ID))
		return action.Status == godo.ActionCompleted
	})
	must[[]godo.Droplet](t)(do.Droplets.ListByTag(ctx, "chapterctl:abc123", nil))
	backups := *req
	backups.Name, backups.Backups, backups.Tags = "dup.example.org", true, []string{"chapterctl:dup"}
	must[*godo.Droplet](t)(do.Droplets.Create(ctx, &backups))

	rename := must[*godo.Action](t)(do.DropletActions.Rename(ctx, dr.ID, "my.example.org"))
	must[*godo.Action](t)(do.DropletActions.Get(ctx, dr.ID, rename.ID))
	must[[]godo.Action](t)(do.Droplets.Actions(ctx, dr.ID, nil))
	active := must[*godo.Droplet](t)(do.Droplets.Get(ctx, dr.ID))

	mustDo(t)(do.Droplets.DeleteByTag(ctx, "chapterctl:dup"))
	_, _, err = do.Droplets.Get(ctx, 1) // a 404
	wantAPIError(t, err)
	mustDo(t)(do.Keys.DeleteByFingerprint(ctx, key.Fingerprint))
	return active
}

func exerciseFirewalls(t *testing.T, ctx context.Context, do *godo.Client, dr *godo.Droplet) {
	anywhere := []string{"0.0.0.0/0", "::/0"}
	req := &godo.FirewallRequest{
		Name: "chapterctl-abc123",
		InboundRules: []godo.InboundRule{
			{Protocol: "tcp", PortRange: "22", Sources: &godo.Sources{Addresses: anywhere}},
			{Protocol: "icmp", Sources: &godo.Sources{Addresses: anywhere}},
		},
		OutboundRules: []godo.OutboundRule{{Protocol: "tcp", PortRange: "0", Destinations: &godo.Destinations{Addresses: anywhere}}},
		Tags:          []string{"chapterctl:abc123"},
	}
	fw := must[*godo.Firewall](t)(do.Firewalls.Create(ctx, req))
	must[*godo.Firewall](t)(do.Firewalls.Get(ctx, fw.ID))
	must[[]godo.Firewall](t)(do.Firewalls.List(ctx, nil))
	must[[]godo.Firewall](t)(do.Firewalls.ListByDroplet(ctx, dr.ID, nil))
	must[*godo.Firewall](t)(do.Firewalls.Update(ctx, fw.ID, req))
	mustDo(t)(do.Firewalls.AddDroplets(ctx, fw.ID, dr.ID))
	mustDo(t)(do.Firewalls.AddTags(ctx, fw.ID, "chapterctl:abc123"))
	rules := &godo.FirewallRulesRequest{InboundRules: []godo.InboundRule{{Protocol: "tcp", PortRange: "443", Sources: &godo.Sources{Addresses: anywhere}}}}
	mustDo(t)(do.Firewalls.AddRules(ctx, fw.ID, rules))
	mustDo(t)(do.Firewalls.RemoveRules(ctx, fw.ID, rules))
	waitFor(t, "the firewall to settle", func() bool {
		return must[*godo.Firewall](t)(do.Firewalls.Get(ctx, fw.ID)).Status == "succeeded"
	})
	mustDo(t)(do.Firewalls.Delete(ctx, fw.ID))
	mustDo(t)(do.Droplets.Delete(ctx, dr.ID))
}

// exerciseErrors produces the error answers: 400 (the tags' own shape),
// 401, 404 (above), 422, 429.
func exerciseErrors(t *testing.T, ctx context.Context, do *godo.Client, v http.RoundTripper) {
	_, _, err := do.Droplets.Create(ctx, &godo.DropletCreateRequest{Name: "bad_name", Size: "s-1vcpu-2gb",
		Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"}})
	wantAPIError(t, err)
	_, _, err = do.Tags.Create(ctx, &godo.TagCreateRequest{Name: "not a tag"})
	wantAPIError(t, err)

	req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.digitalocean.com/v2/account", nil)
	req.Header.Set("Authorization", "Bearer dop_v1_somebody_else")
	resp, err := v.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	// GET /v2/account/keys is limited to 10 a minute: the 11th is a 429.
	for range 11 {
		_, _, err = do.Keys.List(ctx, nil)
	}
	wantAPIError(t, err)
}
