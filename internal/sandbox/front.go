package sandbox

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/cloudron"
	"github.com/chapterctl/chapterctl/internal/sandbox/droplet"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// dropletFront is what answers at a droplet's public address: its SSH server
// on 22 and nginx (Cloudron's dashboard, its apps, well-known documents) on
// 443. Listeners start the first time someone connects.
type dropletFront struct {
	ssh     string // listener address, "" until started
	web     string
	dropSSH *droplet.Server
}

// dropletRoute plays the droplets' addresses: a connection to one that is
// not active, or to a port nothing listens on, is refused.
func (s *Sandbox) dropletRoute(network, address string) (string, bool) {
	host, port, err := net.SplitHostPort(address)
	if err != nil || !strings.HasPrefix(network, "tcp") {
		return "", false
	}
	id := 0
	now := s.World.Now()
	s.World.Read(func(d *world.Data) {
		if dr := d.DropletByIP(host); dr != nil && dr.StatusAt(now) == "active" {
			id = dr.ID
		}
	})
	if id == 0 {
		return "", false
	}
	switch port {
	case "22":
		addr, err := s.dropletSSH(id, host)
		return addr, err == nil
	case "443":
		if !s.hasCloudron(id) {
			return "", false // nginx only listens once the installer has run
		}
		addr, err := s.dropletWeb(id, host)
		return addr, err == nil
	}
	return "", false
}

func (s *Sandbox) front(id int) *dropletFront {
	f, ok := s.droplets[id]
	if !ok {
		f = &dropletFront{}
		s.droplets[id] = f
	}
	return f
}

func (s *Sandbox) dropletSSH(id int, ip string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.front(id)
	if f.ssh != "" {
		return f.ssh, nil
	}
	ln, err := listen()
	if err != nil {
		return "", err
	}
	f.dropSSH = droplet.NewServer(s.World, id)
	go f.dropSSH.Serve(ln)
	f.ssh = ln.Addr().String()
	s.endpoints.SSH[ip] = f.ssh
	s.stops = append(s.stops, func() { f.dropSSH.Close() })
	return f.ssh, nil
}

func (s *Sandbox) hasCloudron(id int) bool {
	droplet.Settle(s.World, id)
	has := false
	s.World.Read(func(d *world.Data) {
		m := d.MachineOf(id)
		has = m != nil && m.Cloudron != nil
	})
	return has
}

func (s *Sandbox) dropletWeb(id int, ip string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.front(id)
	if f.web != "" {
		return f.web, nil
	}
	config := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		host := hello.ServerName
		if host == "" {
			host = ip // a client dialing the bare address sends no SNI
		}
		return s.certificate(id, host)
	}}
	addr, stop, err := simnet.ServeTLS(s.nginx(id), config)
	if err != nil {
		return "", err
	}
	f.web = addr
	s.endpoints.Cloudron[ip] = "https://" + addr + "/"
	s.stops = append(s.stops, stop)
	return addr, nil
}

func (s *Sandbox) certificate(id int, host string) (*tls.Certificate, error) {
	var cert tls.Certificate
	err := errors.New("cloudron: not installed")
	s.World.Read(func(d *world.Data) {
		if m := d.MachineOf(id); m != nil && m.Cloudron != nil {
			cert, err = cloudron.Certificate(m.Cloudron, host)
		}
	})
	if err != nil {
		return nil, err
	}
	return &cert, nil
}

// nginx routes by host as Cloudron's nginx does: the well-known documents
// of a bare domain, and everything else to the box (its dashboard and API;
// and the apps' own endpoints that doctor probes).
func (s *Sandbox) nginx(id int) http.Handler {
	box := cloudron.New(s.World, id, &cloudronDeps{s: s, dropletID: id, dns: newWorldDNS(s.World)})
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/.well-known/") {
			var body string
			var ok bool
			s.World.Read(func(d *world.Data) {
				body, ok = cloudron.WellKnown(d, id, r.Host, strings.TrimPrefix(r.URL.Path, "/.well-known/"))
			})
			if ok {
				s.World.InjectLatency(r.Context())
				// Matrix clients fetch these cross-origin (spec: CORS on
				// /.well-known/matrix/*).
				rw.Header().Set("Content-Type", "application/json")
				rw.Header().Set("Access-Control-Allow-Origin", "*")
				fmt.Fprint(rw, body)
				return
			}
		}
		if s.serveApp(rw, r, id) {
			return
		}
		box.ServeHTTP(rw, r)
	})
}

// serveApp answers the apps' own endpoints (Synapse's federation key,
// Element's config…), with the latency fault as every simulator has it.
func (s *Sandbox) serveApp(rw http.ResponseWriter, r *http.Request, id int) bool {
	var resp cloudron.AppResponse
	var ok bool
	now := s.World.Now()
	s.World.Read(func(d *world.Data) { resp, ok = cloudron.AppWeb(d, id, r.Host, r.URL.Path, now) })
	if !ok {
		return false
	}
	s.World.InjectLatency(r.Context())
	rw.Header().Set("Content-Type", resp.ContentType)
	rw.WriteHeader(resp.Status)
	fmt.Fprint(rw, resp.Body)
	return true
}
