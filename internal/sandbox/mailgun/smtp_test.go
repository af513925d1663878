package mailgun

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/simnet"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// relay is the SMTP stub on loopback, reached as smtp.mailgun.org:587 and
// smtp.eu.mailgun.org:587 through the sandbox network.
type relay struct {
	net *simnet.Net
	ca  *simnet.CA
}

func startRelay(t *testing.T, w *world.World) *relay {
	t.Helper()
	ca, err := simnet.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(SMTPHostUS, SMTPHostEU)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewSMTP(w)
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	sim := simnet.NewNet()
	sim.Route("tcp", SMTPHostUS+":587", ln.Addr().String())
	sim.Route("tcp", SMTPHostEU+":587", ln.Addr().String())
	return &relay{net: sim, ca: ca}
}

// dial opens an SMTP session with host on port 587, as Cloudron's relay
// would: EHLO, then STARTTLS.
func (r *relay) dial(t *testing.T, host string) *smtp.Client {
	t.Helper()
	conn, err := r.net.DialContext(t.Context(), "tcp", host+":587")
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("my.redrockdsa.org"); err != nil {
		t.Fatal(err)
	}
	if err := c.StartTLS(&tls.Config{ServerName: host, RootCAs: r.ca.Pool()}); err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	return c
}

// loginAuth is AUTH LOGIN, which net/smtp lacks.
type loginAuth struct{ user, pass string }

func (a loginAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return "LOGIN", nil, nil }

func (a loginAuth) Next(prompt []byte, more bool) ([]byte, error) {
	switch {
	case !more:
		return nil, nil
	case string(prompt) == "Username:":
		return []byte(a.user), nil
	case string(prompt) == "Password:":
		return []byte(a.pass), nil
	}
	return nil, errors.New("unexpected prompt " + string(prompt))
}

// mailWorld has a US and an EU domain, each with a relay login.
func mailWorld(t *testing.T) *world.World {
	t.Helper()
	f := newFixture(t, nil, world.Options{})
	for _, d := range []struct{ host, name string }{{USHost, "mg.us.example.org"}, {EUHost, "mg.eu.example.org"}} {
		f.createDomain(t, d.host, d.name, url.Values{"smtp_password": {"postmaster-pw"}})
		got := f.send(t, http.MethodPost, d.host, "/v3/domains/"+d.name+"/credentials",
			url.Values{"login": {"cloudron@" + d.name}, "password": {"relay-password"}}, multipartF)
		if got.status != http.StatusOK {
			t.Fatalf("credentials: %d %s", got.status, got.body)
		}
	}
	return f.w
}

func TestSMTPAcceptsExactlyTheCreatedLogins(t *testing.T) {
	t.Parallel()
	relay := startRelay(t, mailWorld(t))
	tests := []struct {
		name, host, user, pass string
		login                  bool // AUTH LOGIN rather than PLAIN
		wantOK                 bool
	}{
		{"created login", SMTPHostUS, "cloudron@mg.us.example.org", "relay-password", false, true},
		{"created login, AUTH LOGIN", SMTPHostUS, "cloudron@mg.us.example.org", "relay-password", true, true},
		{"postmaster with smtp_password", SMTPHostUS, "postmaster@mg.us.example.org", "postmaster-pw", false, true},
		{"EU login on the EU host", SMTPHostEU, "cloudron@mg.eu.example.org", "relay-password", true, true},
		{"wrong password", SMTPHostUS, "cloudron@mg.us.example.org", "relay-passwort", false, false},
		{"unknown login", SMTPHostUS, "nobody@mg.us.example.org", "relay-password", true, false},
		{"EU login on the US host", SMTPHostUS, "cloudron@mg.eu.example.org", "relay-password", false, false},
		{"the API key is not a password", SMTPHostUS, "cloudron@mg.us.example.org", testKey, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := relay.dial(t, tt.host)
			var auth smtp.Auth = loginAuth{tt.user, tt.pass}
			if !tt.login {
				auth = smtp.PlainAuth("", tt.user, tt.pass, tt.host)
			}
			err := c.Auth(auth)
			if tt.wantOK {
				if err != nil {
					t.Fatalf("AUTH: %v", err)
				}
				if err := c.Quit(); err != nil {
					t.Errorf("QUIT: %v", err)
				}
				return
			}
			var reply *textproto.Error
			if !errors.As(err, &reply) || fmt.Sprintf("%d %s", reply.Code, reply.Msg) != AuthFailedReply {
				t.Errorf("AUTH: %v, want %q", err, AuthFailedReply)
			}
		})
	}
}

func TestSMTPWantsSTARTTLSBeforeAUTH(t *testing.T) {
	t.Parallel()
	relay := startRelay(t, mailWorld(t))
	conn, err := relay.net.DialContext(t.Context(), "tcp", SMTPHostUS+":587")
	if err != nil {
		t.Fatal(err)
	}
	text := textproto.NewConn(conn)
	defer text.Close()
	steps := []struct {
		send     string
		wantCode int
		wantText string
		notText  string
	}{
		{"", 220, "Mailgun", ""},
		{"EHLO my.redrockdsa.org", 250, "STARTTLS", "AUTH"}, // AUTH only once encrypted
		{"AUTH PLAIN AGNsb3Vkcm9uQG1nLnVzLmV4YW1wbGUub3JnAHJlbGF5LXBhc3N3b3Jk", 530, "STARTTLS", ""},
		{"MAIL FROM:<x@mg.us.example.org>", 530, "Authentication required", ""},
		{"QUIT", 221, "", ""},
	}
	for _, step := range steps {
		if step.send != "" {
			if err := text.PrintfLine("%s", step.send); err != nil {
				t.Fatal(err)
			}
		}
		_, msg, err := text.ReadResponse(step.wantCode)
		if err != nil || !strings.Contains(msg, step.wantText) || (step.notText != "" && strings.Contains(msg, step.notText)) {
			t.Errorf("%q: %v %q, want %d with %q", step.send, err, msg, step.wantCode, step.wantText)
		}
	}
}

func TestSMTPAcceptsMailOnceAuthenticated(t *testing.T) {
	t.Parallel()
	relay := startRelay(t, mailWorld(t))
	c := relay.dial(t, SMTPHostUS)
	if err := c.Auth(smtp.PlainAuth("", "cloudron@mg.us.example.org", "relay-password", SMTPHostUS)); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("maria@mg.us.example.org"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("someone@example.net"); err != nil {
		t.Fatal(err)
	}
	body, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	body.Write([]byte("Subject: test\r\n\r\nhello\r\n"))
	if err := body.Close(); err != nil {
		t.Errorf("end of DATA: %v", err)
	}
}

func TestCheckLogin(t *testing.T) {
	t.Parallel()
	w := mailWorld(t)
	tests := []struct {
		name, host, user, pass string
		want                   error // nil, ErrAuthFailed, or errNotMailgun
	}{
		{"US login", SMTPHostUS, "cloudron@mg.us.example.org", "relay-password", nil},
		{"host with port, any case", "SMTP.EU.mailgun.org:587", "Cloudron@mg.eu.example.org", "relay-password", nil},
		{"wrong region", SMTPHostEU, "cloudron@mg.us.example.org", "relay-password", ErrAuthFailed},
		{"wrong password", SMTPHostUS, "cloudron@mg.us.example.org", "nope", ErrAuthFailed},
		{"no domain part", SMTPHostUS, "cloudron", "relay-password", ErrAuthFailed},
		{"not a Mailgun host", "smtp.sendgrid.net", "cloudron@mg.us.example.org", "relay-password", errNotMailgun},
	}
	for _, tt := range tests {
		var err error
		w.Read(func(d *world.Data) { err = CheckLogin(d, tt.host, tt.user, tt.pass) })
		switch {
		case tt.want == errNotMailgun:
			if err == nil || errors.Is(err, ErrAuthFailed) {
				t.Errorf("%s: %v, want an error that is not a failed login", tt.name, err)
			}
		case !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil):
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

var errNotMailgun = errors.New("not a Mailgun host")
