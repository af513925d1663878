package digitalocean

import (
	"context"
	"errors"

	"github.com/digitalocean/godo"
)

// maxPages stops a list whose links never end (a server bug) from looping
// forever: 100 pages of 200 is far more than any chapter account holds.
const maxPages = 100

// listPage is one of godo's list calls.
type listPage[T any] func(ctx context.Context, opt *godo.ListOptions) ([]T, *godo.Response, error)

// allPages reads every page of a list, following links.pages until there is
// no next page.
func allPages[T any](ctx context.Context, perPage int, list listPage[T]) ([]T, error) {
	var all []T
	for page := 1; page <= maxPages; page++ {
		items, resp, err := list(ctx, &godo.ListOptions{Page: page, PerPage: perPage})
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if resp == nil || resp.Links == nil || resp.Links.IsLastPage() {
			return all, nil
		}
	}
	return nil, errEndlessList
}

var errEndlessList = errors.New("DigitalOcean's API sent a list that did not end after 100 pages: try again later")
