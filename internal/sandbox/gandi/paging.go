package gandi

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// defaultPerPage is the page size when only ?page= is given (unverified).
const defaultPerPage = 100

// paging is a request for one page of a collection, as Gandi's APIs take
// it: ?page= (from 1) and ?per_page=.
type paging struct {
	on            bool
	page, perPage int
}

func parsePaging(r *http.Request) (paging, error) {
	q := r.URL.Query()
	if !q.Has("page") && !q.Has("per_page") {
		return paging{}, nil
	}
	p := paging{on: true, page: 1, perPage: defaultPerPage}
	for _, param := range []struct {
		name string
		into *int
	}{{"page", &p.page}, {"per_page", &p.perPage}} {
		if !q.Has(param.name) {
			continue
		}
		n, err := strconv.Atoi(q.Get(param.name))
		if err != nil || n < 1 {
			return paging{}, errValidation(param.name,
				fmt.Sprintf("'%s': must be a positive integer (param: %s)", q.Get(param.name), param.name))
		}
		*param.into = n
	}
	return p, nil
}

func (p paging) last(total int) int { return max(1, (total+p.perPage-1)/p.perPage) }

func (p paging) slice(records []world.RRSet) []world.RRSet {
	start := (p.page - 1) * p.perPage
	if start >= len(records) {
		return nil
	}
	return records[start:min(len(records), start+p.perPage)]
}

// link is the Link header: the next page while there is one, and the
// last, with the request's other parameters kept.
func (p paging) link(r *http.Request, base string, total int) string {
	pageURL := func(page int) string {
		q := url.Values{}
		for k, v := range r.URL.Query() {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(page))
		q.Set("per_page", strconv.Itoa(p.perPage))
		return base + "?" + q.Encode()
	}
	var links []string
	if p.page < p.last(total) {
		links = append(links, fmt.Sprintf(`<%s>; rel="next"`, pageURL(p.page+1)))
	}
	links = append(links, fmt.Sprintf(`<%s>; rel="last"`, pageURL(p.last(total))))
	return strings.Join(links, ", ")
}
