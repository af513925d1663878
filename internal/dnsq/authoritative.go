package dnsq

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// Authoritative finds the servers (host:port) that answer for zone: its NS
// names, asked of the public resolvers, then each name's address.
func (q *Querier) Authoritative(ctx context.Context, zone string) ([]string, error) {
	zone = dns.CanonicalName(strings.TrimSpace(zone))
	ans, err := q.askResolvers(ctx, zone, dns.TypeNS)
	switch {
	case err != nil:
		return nil, fmt.Errorf("find the nameservers of %s: %w", strings.TrimSuffix(zone, "."), err)
	case ans.Kind == NXDomain:
		return nil, fmt.Errorf("%s does not exist in DNS: check the domain's spelling and that its registration is active", strings.TrimSuffix(zone, "."))
	case ans.Kind != Found || len(ans.Values) == 0:
		return nil, fmt.Errorf("%s has no nameservers (the resolver %s answered %s): check the domain's nameservers at the registrar",
			strings.TrimSuffix(zone, "."), ans.Server, ans.Kind)
	}
	return q.NameserverAddresses(ctx, ans.Values)
}

// NameserverAddresses turns nameserver host names (from an NS query, or
// from Gandi's API) into the servers to ask, host:port. Each host gives one
// address, IPv4 unless it has none: the names of one provider's anycast
// servers are enough to tell its versions apart, and many home networks
// cannot reach IPv6. Hosts sharing an address are asked once. A host that
// does not resolve is left out; it is an error only when none resolves.
func (q *Querier) NameserverAddresses(ctx context.Context, hosts []string) ([]string, error) {
	found := make([]string, len(hosts))
	errs := make([]error, len(hosts))
	var wg sync.WaitGroup
	for i, host := range hosts {
		wg.Go(func() { found[i], errs[i] = q.nameserverAddress(ctx, host) })
	}
	wg.Wait()
	var servers []string
	seen := map[string]bool{}
	for _, s := range found {
		if s != "" && !seen[s] {
			seen[s] = true
			servers = append(servers, s)
		}
	}
	if len(servers) == 0 {
		return nil, fmt.Errorf("none of the nameservers %s could be found in DNS: %w", strings.Join(hosts, ", "), errors.Join(errs...))
	}
	return servers, nil
}

func (q *Querier) nameserverAddress(ctx context.Context, host string) (string, error) {
	host = strings.TrimSpace(host)
	if addr, err := netip.ParseAddr(host); err == nil {
		return net.JoinHostPort(addr.String(), "53"), nil
	}
	var last error
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		ans, err := q.askResolvers(ctx, host, qtype)
		if err != nil {
			last = err
			continue
		}
		if len(ans.Values) > 0 {
			return net.JoinHostPort(ans.Values[0], "53"), nil
		}
	}
	if last == nil {
		last = fmt.Errorf("the nameserver %s has no address in DNS", strings.TrimSuffix(host, "."))
	}
	return "", last
}

// askResolvers asks the resolvers in turn until one gives a verdict
// (found, NXDOMAIN or NODATA); the last failure otherwise.
func (q *Querier) askResolvers(ctx context.Context, name string, qtype uint16) (Answer, error) {
	var ans Answer
	var err error
	for _, resolver := range q.resolvers() {
		ans, err = q.AskResolver(ctx, resolver, name, qtype)
		if err == nil && (ans.Kind == Found || ans.Kind == NXDomain || ans.Kind == NoData) {
			return ans, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	if err == nil {
		err = fmt.Errorf("no public resolver could answer %s %s (the last, %s, said %s): check this computer's network connection",
			strings.TrimSuffix(dns.Fqdn(name), "."), typeName(qtype), ans.Server, ans.Kind)
	}
	return ans, err
}
