package digitalocean

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/digitalocean/godo"
)

// maxUserData is DigitalOcean's limit on cloud-init user data.
const maxUserData = 64 << 10

// Droplet is a droplet as chapterctl needs it.
type Droplet struct {
	ID         int
	Name       string
	Status     string // new, active, off or archive
	PublicIPv4 string // "" until the droplet is active
	PublicIPv6 string // "" without IPv6
	Tags       []string
	Region     string
	Size       string
	Image      string // slug
}

// DropletSpec is a droplet to create.
type DropletSpec struct {
	Name               string // my.<domain>: an FQDN, so reverse DNS is right
	Region             string
	Size               string
	Image              string // slug
	SSHKeyFingerprints []string
	UserData           string // cloud-init, at most 64 KiB
	Tags               []string
	IPv6               bool
	Monitoring         bool
}

// DropletsByTag lists every droplet carrying tag, across all pages. A
// droplet created a moment ago may be missing for a second or two.
func (c *Client) DropletsByTag(ctx context.Context, tag string) ([]Droplet, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	list, err := allPages(ctx, c.perPage, func(ctx context.Context, opt *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
		return c.godo.Droplets.ListByTag(ctx, tag, opt)
	})
	if err != nil {
		return nil, c.fail("list the droplets tagged "+tag, err)
	}
	droplets := make([]Droplet, 0, len(list))
	for i := range list {
		droplets = append(droplets, dropletOf(&list[i]))
	}
	return droplets, nil
}

// Droplet reads one droplet. One that no longer exists is ErrNotFound.
func (c *Client) Droplet(ctx context.Context, id int) (Droplet, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	return c.droplet(ctx, id)
}

func (c *Client) droplet(ctx context.Context, id int) (Droplet, error) {
	d, _, err := c.godo.Droplets.Get(ctx, id)
	if statusCode(err) == http.StatusNotFound {
		return Droplet{}, c.failure(fmt.Sprintf("read droplet %d", id), ErrNotFound,
			fmt.Sprintf("DigitalOcean has no droplet %d (404): it was deleted", id), err)
	}
	if err != nil {
		return Droplet{}, c.fail(fmt.Sprintf("read droplet %d", id), err)
	}
	return dropletOf(d), nil
}

// CreateDroplet sends one create and never a second: droplets are billed
// from creation, so a create whose answer was lost (a 5xx, a reset, a
// timeout) is ErrCreateUncertain, and the caller lists by tag before it
// creates again. A 4xx means nothing was created.
func (c *Client) CreateDroplet(ctx context.Context, spec DropletSpec) (Droplet, error) {
	op := "create the droplet " + spec.Name
	if err := c.checkSpec(op, spec); err != nil {
		return Droplet{}, err
	}
	req := &godo.DropletCreateRequest{
		Name: spec.Name, Region: spec.Region, Size: spec.Size, Image: godo.DropletCreateImage{Slug: spec.Image},
		UserData: spec.UserData, Tags: slices.Clone(spec.Tags), IPv6: spec.IPv6, Monitoring: spec.Monitoring,
	}
	for _, fp := range spec.SSHKeyFingerprints {
		req.SSHKeys = append(req.SSHKeys, godo.DropletCreateSSHKey{Fingerprint: fp})
	}
	ctx, cancel := c.call(ctx)
	defer cancel()
	d, _, err := c.godo.Droplets.Create(ctx, req)
	switch {
	case answerLost(err):
		return Droplet{}, c.failure(op, ErrCreateUncertain, fmt.Sprintf("DigitalOcean may have created it but its answer was lost (%s): "+
			"run chapterctl again; it looks for the droplet by its tag before creating another", lostDetail(err)), err)
	case err != nil:
		return Droplet{}, c.fail(op, err)
	}
	return dropletOf(d), nil
}

func (c *Client) checkSpec(op string, spec DropletSpec) error {
	if len(spec.UserData) > maxUserData {
		return c.failure(op, ErrRefused, fmt.Sprintf("its cloud-init user data is %d bytes; DigitalOcean takes at most %d", len(spec.UserData), maxUserData), nil)
	}
	for _, t := range spec.Tags {
		if err := checkTagName(t); err != nil {
			return c.failure(op, ErrRefused, err.Error(), nil)
		}
	}
	return nil
}

// DeleteDroplet destroys a droplet; one already gone is not an error.
func (c *Client) DeleteDroplet(ctx context.Context, id int) error {
	ctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.godo.Droplets.Delete(ctx, id)
	if err == nil || statusCode(err) == http.StatusNotFound {
		return nil
	}
	return c.fail(fmt.Sprintf("delete droplet %d", id), err)
}

// lostDetail says how the answer was lost: the status and request id, or
// what the network did.
func lostDetail(err error) string {
	switch er := errorResponse(err); {
	case er != nil:
		return apiDetail(er)
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer in time"
	}
	return innermost(err)
}

func dropletOf(d *godo.Droplet) Droplet {
	v4, _ := d.PublicIPv4()
	v6, _ := d.PublicIPv6()
	out := Droplet{ID: d.ID, Name: d.Name, Status: d.Status, PublicIPv4: v4, PublicIPv6: v6,
		Tags: slices.Clone(d.Tags), Size: d.SizeSlug}
	if d.Region != nil {
		out.Region = d.Region.Slug
	}
	if d.Image != nil {
		out.Image = d.Image.Slug
	}
	return out
}
