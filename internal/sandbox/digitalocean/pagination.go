package digitalocean

import (
	"net/http"
	"net/url"
	"strconv"
)

const (
	defaultPerPage = 20
	maxPerPage     = 200
)

// page is the slice of a list one request asks for.
type page struct {
	number, perPage int
}

// pageOf reads page and per_page. A per_page above 200 is clamped to 200
// (unverified, reference §2); a missing, unparsable or non-positive value
// falls back to the default (unverified: the API may refuse it instead).
func pageOf(r *http.Request) page {
	q := r.URL.Query()
	p := page{number: positiveOr(q.Get("page"), 1), perPage: positiveOr(q.Get("per_page"), defaultPerPage)}
	p.perPage = min(p.perPage, maxPerPage)
	return p
}

func positiveOr(s string, fallback int) int {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n
	}
	return fallback
}

// bounds are the indexes of the page's items in a list of total items.
func (p page) bounds(total int) (from, to int) {
	from = min((p.number-1)*p.perPage, total)
	to = min(from+p.perPage, total)
	return from, to
}

// listLinks is the "links" of a list answer. A list that fits on one page
// gets {} (the spec shows both {} and {"pages":{}}; with {} godo's
// CurrentPage says 1 rather than 0). Otherwise links.pages holds only the
// relations that make sense, as absolute URLs that keep the request's
// filters and carry page and per_page, so godo's Links helpers can walk
// them.
func listLinks(r *http.Request, p page, total int) map[string]any {
	last := max((total+p.perPage-1)/p.perPage, 1)
	if last == 1 && p.number == 1 {
		return map[string]any{}
	}
	pages := map[string]string{}
	if p.number > 1 {
		pages["first"] = pageURL(r, 1, p.perPage)
		pages["prev"] = pageURL(r, min(p.number-1, last), p.perPage)
	}
	if p.number < last {
		pages["next"] = pageURL(r, p.number+1, p.perPage)
		pages["last"] = pageURL(r, last, p.perPage)
	}
	return map[string]any{"pages": pages}
}

// pageURL is the request's own URL at another page. The host is the one
// the client asked for: api.digitalocean.com for the product, 127.0.0.1:P
// for a client of `sandbox serve`, so following a link never leaves the
// simulated world.
func pageURL(r *http.Request, number, perPage int) string {
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(number))
	q.Set("per_page", strconv.Itoa(perPage))
	u := url.URL{Scheme: schemeOf(r), Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

func schemeOf(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// paginated answers a list: the page's items under key, with links and
// meta.total.
func paginated[T any](rw http.ResponseWriter, r *http.Request, key string, items []T) {
	p := pageOf(r)
	from, to := p.bounds(len(items))
	body := map[string]any{
		key:     append([]T{}, items[from:to]...), // [] rather than null when empty
		"links": listLinks(r, p, len(items)),
		"meta":  map[string]int{"total": len(items)},
	}
	writeJSON(rw, http.StatusOK, body)
}
