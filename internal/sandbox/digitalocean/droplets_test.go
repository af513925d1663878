package digitalocean

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestCreateAnswersANewDropletAndItsCreateAction(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	// nil tags and ssh_keys go out as null, and the image as a numeric id.
	req := &godo.DropletCreateRequest{Name: "my.example.org", Region: "nyc3", Size: "s-1vcpu-2gb",
		Image: godo.DropletCreateImage{ID: 129211873}}
	dr, resp, err := e.do.Droplets.Create(e.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusAccepted || dr.Status != "new" || dr.Locked {
		t.Fatalf("create: %d, status %q, locked %v", resp.StatusCode, dr.Status, dr.Locked)
	}
	if len(dr.Networks.V4) != 0 || len(dr.Networks.V6) != 0 {
		t.Errorf("a new droplet has addresses: %+v", dr.Networks)
	}
	if dr.Image.Slug != "ubuntu-22-04-x64" || dr.Memory != 2048 || dr.Disk != 50 || dr.Region.Slug != "nyc3" {
		t.Errorf("droplet = image %q, %d MiB, %d GB, region %q", dr.Image.Slug, dr.Memory, dr.Disk, dr.Region.Slug)
	}
	links := resp.Links.Actions
	if len(links) != 1 || links[0].Rel != "create" || links[0].HREF != "https://api.digitalocean.com/v2/actions/"+strconv.Itoa(links[0].ID) {
		t.Fatalf("action links = %+v", links)
	}
	action, _, err := e.do.Actions.Get(e.ctx, links[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if action.Status != godo.ActionInProgress || action.Type != "create" || action.ResourceID != dr.ID || action.CompletedAt != nil {
		t.Errorf("create action = %+v", action)
	}
}

func TestCreateThenPollTheActionUntilActiveWithAddresses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	first, resp, err := e.do.Droplets.Create(e.ctx, &godo.DropletCreateRequest{
		Name: "my.example.org", Region: "nyc3", Size: "s-2vcpu-4gb", Image: godo.DropletCreateImage{Slug: "ubuntu-24-04-x64"}, IPv6: true})
	if err != nil {
		t.Fatal(err)
	}
	// doctl's --wait: poll the create link's href until completed.
	href := resp.Links.Actions[0].HREF
	eventually(t, "the create action to complete", func() bool {
		action, _, err := e.do.DropletActions.GetByURI(e.ctx, href)
		if err != nil {
			t.Fatal(err)
		}
		return action.Status == godo.ActionCompleted
	})
	dr, _, err := e.do.Droplets.Get(e.ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	public, _ := dr.PublicIPv4()
	private, _ := dr.PrivateIPv4()
	v6, _ := dr.PublicIPv6()
	if dr.Status != "active" || public != "203.0.113.10" || !strings.HasPrefix(private, "10.") || !strings.HasPrefix(v6, "2001:db8::") {
		t.Fatalf("active droplet: status %q, public %q, private %q, v6 %q", dr.Status, public, private, v6)
	}
	if dr.Networks.V4[0].Type != "private" {
		t.Errorf("the private address should come first, as on the real API")
	}
	second := e.createActive(t, chapterDropletRequest("second.example.org"))
	if ip, _ := second.PublicIPv4(); ip != "203.0.113.11" {
		t.Errorf("second droplet's address = %q, want 203.0.113.11", ip)
	}
}

func TestCreateValidationAnswersTheReal422Texts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(d *world.Data) { d.DigitalOcean.Account.DropletLimit = 1 })
	base := func(change func(*godo.DropletCreateRequest)) *godo.DropletCreateRequest {
		req := chapterDropletRequest("my.example.org")
		change(req)
		return req
	}
	cases := []struct {
		name string
		req  *godo.DropletCreateRequest
		want string
	}{
		{"underscore in name", base(func(r *godo.DropletCreateRequest) { r.Name = "my_chapter" }), msgBadHostname},
		{"unknown size", base(func(r *godo.DropletCreateRequest) { r.Size = "s-64vcpu-1tb" }), msgBadSize},
		{"unknown image", base(func(r *godo.DropletCreateRequest) { r.Image.Slug = "ubuntu-12-04-x64" }), msgBadImage},
		{"unknown region", base(func(r *godo.DropletCreateRequest) { r.Region = "mars1" }), msgBadRegion},
		{"size not in region", base(func(r *godo.DropletCreateRequest) { r.Size, r.Region = "c-2", "syd1" }), msgSizeNotInReg},
		{"unknown ssh key", base(func(r *godo.DropletCreateRequest) {
			r.SSHKeys = []godo.DropletCreateSSHKey{{Fingerprint: "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa"}}
		}), "3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa are invalid key identifiers for Droplet creation."},
		{"user data over 64 KiB", base(func(r *godo.DropletCreateRequest) { r.UserData = strings.Repeat("#", 64<<10+1) }), msgUserDataTooBig},
	}
	for _, c := range cases {
		_, _, err := e.do.Droplets.Create(e.ctx, c.req)
		t.Run(c.name, func(t *testing.T) { wantAPIError(t, err, http.StatusUnprocessableEntity, c.want) })
	}
	if _, _, err := e.do.Droplets.Create(e.ctx, base(func(*godo.DropletCreateRequest) {})); err != nil {
		t.Fatalf("a valid create failed: %v", err)
	}
	_, _, err := e.do.Droplets.Create(e.ctx, base(func(*godo.DropletCreateRequest) {}))
	wantAPIError(t, err, http.StatusUnprocessableEntity, msgDropletLimit)
}

func TestListFiltersByColonTagAndByName(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.createActive(t, chapterDropletRequest("my.example.org", "chapterctl:abc123"))
	e.createActive(t, chapterDropletRequest("other.example.org", "chapterctl:zzz999"))

	// Without options godo sends ?tag_name=chapterctl:abc123 raw; with
	// options it re-encodes it as chapterctl%3Aabc123.
	for _, opt := range []*godo.ListOptions{nil, {PerPage: 200}} {
		list, _, err := e.do.Droplets.ListByTag(e.ctx, "chapterctl:abc123", opt)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Name != "my.example.org" {
			t.Errorf("ListByTag(opt %v) = %d droplets", opt, len(list))
		}
	}
	byName, _, err := e.do.Droplets.ListByName(e.ctx, "MY.Example.ORG", nil)
	if err != nil || len(byName) != 1 {
		t.Errorf("ListByName is exact and case-insensitive: %d droplets, %v", len(byName), err)
	}
	resp, _ := e.raw(t, "GET", "/v2/droplets?tag_name=chapterctl:abc123&name=my.example.org", "")
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("tag_name with name: %d, want 422", resp.StatusCode)
	}
}

func TestNewDropletIsListedOnlyAfterTheListCatchesUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(d *world.Data) { d.DigitalOcean.Timings.Listed = 3600 }) // an hour: never, in this test
	dr, _, err := e.do.Droplets.Create(e.ctx, chapterDropletRequest("my.example.org", "chapterctl:abc123"))
	if err != nil {
		t.Fatal(err)
	}
	list, _, _ := e.do.Droplets.ListByTag(e.ctx, "chapterctl:abc123", nil)
	if _, _, err := e.do.Droplets.Get(e.ctx, dr.ID); err != nil || len(list) != 0 {
		t.Fatalf("right after the 202: GET by id %v, list has %d (want found, and 0 listed)", err, len(list))
	}
}

func TestDeleteByIDAndByTagThenGone(t *testing.T) {
	t.Parallel()
	// A fifth of a real second between a DELETE and the 404, long enough
	// to look in between on a busy machine.
	e := newEnv(t, func(d *world.Data) { d.DigitalOcean.Timings.Destroy = 200 })
	one := e.createActive(t, chapterDropletRequest("one.example.org"))
	e.createActive(t, chapterDropletRequest("two.example.org", "chapterctl:old"))
	e.createActive(t, chapterDropletRequest("three.example.org", "chapterctl:old"))

	resp, err := e.do.Droplets.Delete(e.ctx, one.ID)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %v %v", resp, err)
	}
	if resp, err := e.do.Droplets.DeleteByTag(e.ctx, "chapterctl:old"); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete by tag: %v", err)
	}
	e.w.Read(func(d *world.Data) {
		if d.DropletByIP("203.0.113.10") != nil {
			t.Errorf("a destroyed droplet's machine is still found by its address")
		}
	})
	if list, _, _ := e.do.Droplets.List(e.ctx, nil); len(list) != 3 {
		t.Errorf("right after the deletes the API lists %d droplets, want the 3 it still answers for", len(list))
	}
	eventually(t, "the destroyed droplets to be gone", func() bool {
		list, _, err := e.do.Droplets.List(e.ctx, nil)
		return err == nil && len(list) == 0
	})
	_, _, err = e.do.Droplets.Get(e.ctx, one.ID)
	wantAPIError(t, err, http.StatusNotFound, "The resource you requested could not be found.")
}

func TestAccountShowsTheWorldsDropletLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(d *world.Data) { d.DigitalOcean.Account.DropletLimit = 25 })
	acct, _, err := e.do.Account.Get(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if acct.DropletLimit != 25 || acct.Email != "organizer@example.net" || acct.Status != "active" {
		t.Errorf("account = %+v", acct)
	}
}
