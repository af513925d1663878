package digitalocean

import (
	"context"
	"fmt"
	"net/http"
	"regexp"

	"github.com/digitalocean/godo"
)

var tagNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_\-:]+$`)

// checkTagName applies DigitalOcean's rule before asking, because the API's
// refusal of a bad tag has no message godo can read.
func checkTagName(tag string) error {
	if len(tag) == 0 || len(tag) > 255 || !tagNamePattern.MatchString(tag) {
		return fmt.Errorf("the tag %q is not a DigitalOcean tag name (letters, digits, _, - and :, at most 255)", tag)
	}
	return nil
}

// EnsureTag makes sure the account has tag, which a firewall can name only
// once it exists. It looks before it creates, so that a run with nothing
// to do writes nothing (a create of an existing tag would still count as a
// write).
func (c *Client) EnsureTag(ctx context.Context, tag string) error {
	op := "create the tag " + tag
	if err := checkTagName(tag); err != nil {
		return c.failure(op, ErrRefused, err.Error(), nil)
	}
	ctx, cancel := c.call(ctx)
	defer cancel()
	_, _, err := c.godo.Tags.Get(ctx, tag)
	if err == nil {
		return nil
	}
	if statusCode(err) != http.StatusNotFound {
		return c.fail("look up the tag "+tag, err)
	}
	// Creating a tag that exists (in another case, say) changes nothing.
	_, _, err = c.godo.Tags.Create(ctx, &godo.TagCreateRequest{Name: tag})
	if err != nil && statusCode(err) != http.StatusConflict {
		return c.fail(op, err)
	}
	return nil
}
