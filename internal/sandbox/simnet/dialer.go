package simnet

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
)

// documentation ranges (RFC 5737, RFC 3849): the world's droplets live here,
// so an address the sandbox does not know is still never a real host.
var documentation = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// Net maps the simulated world's names and addresses to loopback listeners.
// It implements netx.Dialer.
type Net struct {
	mu     sync.RWMutex
	routes map[string]string // "tcp api.gandi.net:443" → "127.0.0.1:PORT"
	// Lookup resolves a host name the routes do not know through the
	// simulated DNS (an app's name → the droplet's address), so a wrong
	// record in the world fails the way it would for real.
	Lookup func(ctx context.Context, host string) ([]string, error)
	// Dynamic finds a listener for an address that has no fixed route (a
	// droplet created during this run); false when nothing plays it.
	Dynamic func(network, address string) (string, bool)
	dialer  net.Dialer
}

// NewNet returns a network with no routes.
func NewNet() *Net { return &Net{routes: map[string]string{}} }

func routeKey(network, address string) string {
	switch {
	case strings.HasPrefix(network, "tcp"):
		network = "tcp"
	case strings.HasPrefix(network, "udp"):
		network = "udp"
	}
	return network + " " + strings.ToLower(address)
}

// Route sends connections for address (host:port) over network ("tcp" or
// "udp") to the loopback address to.
func (n *Net) Route(network, address, to string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.routes[routeKey(network, address)] = to
}

// Unroute removes a route (a rebooting droplet stops answering).
func (n *Net) Unroute(network, address string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.routes, routeKey(network, address))
}

func (n *Net) target(network, address string) (string, bool) {
	n.mu.RLock()
	to, ok := n.routes[routeKey(network, address)]
	dynamic := n.Dynamic
	n.mu.RUnlock()
	if !ok && dynamic != nil {
		to, ok = dynamic(network, address)
	}
	return to, ok
}

// DialContext connects to the listener that plays address, or refuses.
func (n *Net) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	if to, ok := n.target(network, address); ok {
		return n.dialer.DialContext(ctx, network, to)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return nil, n.unreachable(network, address, ip)
	}
	if n.Lookup == nil {
		return nil, refuse(network, address)
	}
	addrs, err := n.Lookup(ctx, host)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("sandbox: lookup %s: %w", host, err)}
	}
	var last error = refuse(network, address)
	for _, a := range addrs {
		hp := net.JoinHostPort(a, port)
		if to, ok := n.target(network, hp); ok {
			return n.dialer.DialContext(ctx, network, to)
		}
		if ip, err := netip.ParseAddr(a); err == nil {
			last = n.unreachable(network, hp, ip)
		}
	}
	return nil, last
}

// unreachable: a documentation address is part of the world but nothing
// listens there (a droplet that is off, a port not served): the connection
// is refused as it would be. Any other address is never dialed.
func (n *Net) unreachable(network, address string, ip netip.Addr) error {
	for _, p := range documentation {
		if p.Contains(ip) {
			// Wrap the real errno, so callers can tell "nothing listens"
			// with errors.Is(err, syscall.ECONNREFUSED) as on a real network.
			return &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("sandbox: %s: %w", address, syscall.ECONNREFUSED)}
		}
	}
	return refuse(network, address)
}

func refuse(network, address string) error {
	return &net.OpError{Op: "dial", Net: network,
		Err: fmt.Errorf("sandbox: refusing to connect to %s: it is not part of the simulated world", address)}
}
