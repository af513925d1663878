package dnsq

import (
	"context"

	"github.com/miekg/dns"
)

// ResolveTXT asks the public resolvers for name's TXT records, each with
// its strings joined. A name without any (NXDOMAIN, NODATA) has none and
// no error; an error means no resolver could tell.
func (q *Querier) ResolveTXT(ctx context.Context, name string) ([]string, error) {
	ans, err := q.askResolvers(ctx, name, dns.TypeTXT)
	if err != nil {
		return nil, err
	}
	if ans.Kind != Found {
		return nil, nil
	}
	return ans.Values, nil
}
