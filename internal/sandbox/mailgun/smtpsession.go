package mailgun

import (
	"context"
	"crypto/tls"
	"net"
	"net/textproto"
	"strings"
	"time"
)

// Mailgun's own wording where clients have quoted it (greeting, 235, 250
// after DATA, 221; all unverified beyond those reports); the rest is the
// usual Postfix-style text.
const (
	replyGreeting   = "220 Mailgun Influx ready"
	replyAuthOK     = "235 Accepted"
	replyQueued     = "250 Great success"
	replyBye        = "221 See you later. Yours truly, Mailgun"
	replyNeedTLS    = "530 5.7.0 Must issue a STARTTLS command first"
	replyNeedAuth   = "530 5.7.0 Authentication required"
	replyNeedHello  = "503 5.5.1 Error: send HELO/EHLO first"
	replyUnknownCmd = "500 5.5.2 Error: command not recognized"
)

// session is one SMTP connection.
type session struct {
	srv       *SMTPServer
	conn      net.Conn
	text      *textproto.Conn
	encrypted bool
	host      string // the relay played: decides the region of logins
	greeted   bool
	user      string // the login, once authenticated
	sender    bool   // MAIL FROM given
	rcpts     int
}

func newSession(srv *SMTPServer, conn net.Conn) *session {
	host := srv.Host
	if host == "" {
		host = SMTPHostUS
	}
	return &session{srv: srv, conn: conn, text: textproto.NewConn(conn), host: host}
}

func (s *session) run() {
	s.srv.w.InjectLatency(context.Background())
	s.reply(replyGreeting)
	for {
		s.conn.SetDeadline(time.Now().Add(sessionTimeout))
		line, err := s.text.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		if !s.handle(strings.ToUpper(verb), strings.TrimSpace(arg)) {
			return
		}
	}
}

// handle answers one command; false ends the session.
func (s *session) handle(verb, arg string) bool {
	switch verb {
	case "EHLO", "HELO":
		s.hello(verb, arg)
	case "STARTTLS":
		return s.startTLS()
	case "AUTH":
		s.auth(arg)
	case "MAIL", "RCPT", "DATA":
		return s.mail(verb)
	case "RSET":
		s.sender, s.rcpts = false, 0
		s.reply("250 2.0.0 OK")
	case "NOOP":
		s.reply("250 2.0.0 OK")
	case "QUIT":
		s.reply(replyBye)
		return false
	default:
		s.reply(replyUnknownCmd)
	}
	return true
}

func (s *session) hello(verb, arg string) {
	if arg == "" {
		s.reply("501 5.5.4 Syntax: " + verb + " hostname")
		return
	}
	s.greeted, s.sender, s.rcpts = true, false, 0
	if verb == "HELO" {
		s.reply("250 " + s.host)
		return
	}
	lines := []string{s.host, "SIZE 52428800", "8BITMIME", "ENHANCEDSTATUSCODES"}
	if s.srv.TLSConfig != nil && !s.encrypted {
		lines = append(lines, "STARTTLS")
	} else {
		lines = append(lines, "AUTH PLAIN LOGIN")
	}
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		s.text.PrintfLine("250%s%s", sep, l)
	}
}

func (s *session) startTLS() bool {
	switch {
	case s.srv.TLSConfig == nil:
		s.reply("502 5.5.1 Error: STARTTLS not available")
		return true
	case s.encrypted:
		s.reply("503 5.5.1 Error: TLS already active")
		return true
	}
	s.reply("220 2.0.0 Ready to start TLS")
	tlsConn := tls.Server(s.conn, s.srv.TLSConfig)
	if err := tlsConn.Handshake(); err != nil {
		return false
	}
	// RFC 3207: forget everything said before the handshake.
	s.conn, s.text, s.encrypted = tlsConn, textproto.NewConn(tlsConn), true
	s.greeted, s.user, s.sender, s.rcpts = false, "", false, 0
	if sni := tlsConn.ConnectionState().ServerName; s.srv.Host == "" && sni != "" {
		s.host = strings.ToLower(sni)
	}
	return true
}

// mail accepts a message from an authenticated client and drops it.
func (s *session) mail(verb string) bool {
	switch {
	case !s.greeted:
		s.reply(replyNeedHello)
	case s.user == "":
		s.reply(replyNeedAuth)
	case verb == "MAIL":
		s.sender, s.rcpts = true, 0
		s.reply("250 Sender address accepted")
	case !s.sender:
		s.reply("503 5.5.1 Error: need MAIL command")
	case verb == "RCPT":
		s.rcpts++
		s.reply("250 Recipient address accepted")
	case s.rcpts == 0:
		s.reply("503 5.5.1 Error: need RCPT command")
	default:
		s.reply("354 Continue")
		if _, err := s.text.ReadDotBytes(); err != nil {
			return false
		}
		s.sender, s.rcpts = false, 0
		s.reply(replyQueued)
	}
	return true
}

func (s *session) reply(line string) { s.text.PrintfLine("%s", line) }
