package sandbox

import (
	"crypto/tls"
	"net"

	"github.com/chapterctl/chapterctl/internal/sandbox/mailgun"
)

// startMail starts Mailgun's API (both regions on one listener, told apart
// by Host) and its SMTP relay on port 587 of both SMTP host names.
func (s *Sandbox) startMail() error {
	if err := s.serveHTTPS(mailgun.New(s.World, newWorldDNS(s.World)), &s.endpoints.Mailgun, "/",
		mailgun.USHost, mailgun.EUHost); err != nil {
		return err
	}
	cert, err := s.CA.Issue(mailgun.SMTPHostUS, mailgun.SMTPHostEU, "127.0.0.1")
	if err != nil {
		return err
	}
	smtp := mailgun.NewSMTP(s.World)
	smtp.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	ln, err := listen()
	if err != nil {
		return err
	}
	go smtp.Serve(ln)
	s.addStop(func() { smtp.Close() })
	for _, host := range []string{mailgun.SMTPHostUS, mailgun.SMTPHostEU} {
		s.Net.Route("tcp", net.JoinHostPort(host, "587"), ln.Addr().String())
	}
	return nil
}
