package sandbox

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sync"

	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
	"github.com/chapterctl/chapterctl/internal/sandbox/gandi"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"github.com/chapterctl/chapterctl/internal/workdir"
)

// The providers' API hosts, as the real clients address them.
const (
	DigitalOceanHost = "api.digitalocean.com"
	GandiHost        = "api.gandi.net"
	MailgunHost      = "api.mailgun.net"
	MailgunEUHost    = "api.eu.mailgun.net"
)

// PublicResolvers are the addresses the product asks as "public resolvers";
// in the sandbox each is a stand-in with its own cache.
var PublicResolvers = []string{"1.1.1.1", "8.8.8.8", "9.9.9.9"}

// Sandbox is a running simulated world.
type Sandbox struct {
	World *world.World
	Net   *simnet.Net
	CA    *simnet.CA

	dir       workdir.Dir
	journal   *world.Journal
	endpoints Endpoints

	mu       sync.Mutex
	stops    []func()
	droplets map[int]*dropletFront
}

// Endpoints is where each simulator listens: the line `sandbox serve --json`
// prints (DESIGN.md's shape), so that dig, ssh or curl can be pointed at it.
type Endpoints struct {
	DigitalOcean string            `json:"digitalocean"`
	Gandi        string            `json:"gandi"`
	Mailgun      string            `json:"mailgun"`
	Cloudron     map[string]string `json:"cloudron"`
	SSH          map[string]string `json:"ssh"`
	DNS          DNSEndpoints      `json:"dns"`
	CAFile       string            `json:"ca_file"`
}

// DNSEndpoints are the DNS listeners.
type DNSEndpoints struct {
	Authoritative string   `json:"authoritative"`
	Resolvers     []string `json:"resolvers"`
	DNSBL         string   `json:"dnsbl"`
}

// Start loads the folder's world and starts every simulator on 127.0.0.1.
func Start(ctx context.Context, dir workdir.Dir) (*Sandbox, error) {
	data, err := Load(dir)
	if err != nil {
		return nil, err
	}
	journal, err := world.OpenJournal(journalPath(dir))
	if err != nil {
		return nil, fmt.Errorf("open the sandbox journal: %w", err)
	}
	ca, err := simnet.LoadOrCreateCA(dir.SandboxDir())
	if err != nil {
		journal.Close()
		return nil, fmt.Errorf("sandbox certificate authority: %w", err)
	}
	s := &Sandbox{
		World: world.New(data, worldPath(dir), world.Options{Journal: journal}),
		Net:   simnet.NewNet(), CA: ca, dir: dir, journal: journal,
		droplets: map[int]*dropletFront{},
		endpoints: Endpoints{Cloudron: map[string]string{}, SSH: map[string]string{},
			CAFile: filepath.Join(dir.SandboxDir(), "ca.pem")},
	}
	s.Net.Lookup = func(_ context.Context, host string) ([]string, error) {
		return dnssim.LookupHost(s.World, host)
	}
	s.Net.Dynamic = s.dropletRoute
	if err := s.startAll(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Sandbox) startAll() error {
	if err := s.serveHTTPS(digitalocean.New(s.World), &s.endpoints.DigitalOcean, "/", DigitalOceanHost); err != nil {
		return err
	}
	if err := s.serveHTTPS(gandi.New(s.World), &s.endpoints.Gandi, "/v5/livedns/", GandiHost); err != nil {
		return err
	}
	// RDAP (doctor's domain expiry): IANA's bootstrap and the registry.
	var rdap string
	if err := s.serveHTTPS(gandi.RDAP(s.World), &rdap, "/", gandi.IANABootstrapHost, gandi.RDAPHost); err != nil {
		return err
	}
	if err := s.startMail(); err != nil {
		return err
	}
	return s.startDNS()
}

// serveHTTPS starts an API simulator and routes its host names to it.
func (s *Sandbox) serveHTTPS(h http.Handler, endpoint *string, path string, hosts ...string) error {
	addr, stop, err := simnet.HTTPS(s.CA, h, hosts...)
	if err != nil {
		return err
	}
	s.addStop(stop)
	for _, host := range hosts {
		s.Net.Route("tcp", host+":443", addr)
	}
	*endpoint = "https://" + addr + path
	return nil
}

// Dialer is the network the product must use in this sandbox.
func (s *Sandbox) Dialer() netx.Dialer { return s.Net }

// RootCAs is what the product must trust in this sandbox instead of the
// system's roots.
func (s *Sandbox) RootCAs() *x509.CertPool { return s.CA.Pool() }

// Endpoints reports where every simulator listens now.
func (s *Sandbox) Endpoints() Endpoints {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.endpoints
	e.Cloudron, e.SSH = copyMap(s.endpoints.Cloudron), copyMap(s.endpoints.SSH)
	return e
}

func (s *Sandbox) addStop(stop func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stops = append(s.stops, stop)
}

// Close stops every simulator and saves the world.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	stops := s.stops
	s.stops = nil
	s.mu.Unlock()
	for i := len(stops) - 1; i >= 0; i-- {
		stops[i]()
	}
	err := s.World.Save()
	return errors.Join(err, s.journal.Close())
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// listen opens a loopback TCP listener.
func listen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// StartDropletFronts starts the SSH and web listeners of every droplet that
// has an address now, so that Endpoints lists them (sandbox serve); the
// product's own connections start them on demand.
func (s *Sandbox) StartDropletFronts() {
	var ips []string
	s.World.Read(func(d *world.Data) {
		for _, dr := range d.DigitalOcean.Droplets {
			ips = append(ips, dr.PublicIPv4)
		}
	})
	for _, ip := range ips {
		s.dropletRoute("tcp", net.JoinHostPort(ip, "22"))
		s.dropletRoute("tcp", net.JoinHostPort(ip, "443"))
	}
}
