package mailgun

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Base64 prompts of AUTH LOGIN: "Username:" and "Password:".
const (
	promptUsername = "334 VXNlcm5hbWU6"
	promptPassword = "334 UGFzc3dvcmQ6"
)

// auth runs AUTH PLAIN or AUTH LOGIN (RFC 4954), with or without an
// initial response.
func (s *session) auth(arg string) {
	mechanism, initial, _ := strings.Cut(arg, " ")
	switch {
	case !s.greeted:
		s.reply(replyNeedHello)
		return
	case s.user != "":
		s.reply("503 5.5.1 Error: already authenticated")
		return
	case s.srv.TLSConfig != nil && !s.encrypted:
		s.reply(replyNeedTLS)
		return
	}
	var user, pass string
	var ok bool
	switch strings.ToUpper(mechanism) {
	case "PLAIN":
		user, pass, ok = s.authPlain(initial)
	case "LOGIN":
		user, pass, ok = s.authLogin(initial)
	default:
		s.reply("504 5.5.4 Unrecognized authentication type")
		return
	}
	if !ok {
		return // the exchange already answered
	}
	var err error
	s.srv.w.Read(func(d *world.Data) { err = CheckLogin(d, s.host, user, pass) })
	status := 235
	if err != nil {
		status = 535
		s.reply(AuthFailedReply)
	} else {
		s.user = user
		s.reply(replyAuthOK)
	}
	s.journal(user, status)
}

// authPlain reads "authzid NUL authcid NUL password".
func (s *session) authPlain(initial string) (user, pass string, ok bool) {
	raw, ok := s.response(initial, "334 ")
	if !ok {
		return "", "", false
	}
	parts := strings.Split(raw, "\x00")
	if len(parts) != 3 {
		s.reply("501 5.5.2 Error: invalid PLAIN response")
		return "", "", false
	}
	return parts[1], parts[2], true
}

func (s *session) authLogin(initial string) (user, pass string, ok bool) {
	if user, ok = s.response(initial, promptUsername); !ok {
		return "", "", false
	}
	if pass, ok = s.response("", promptPassword); !ok {
		return "", "", false
	}
	return user, pass, true
}

// response returns the decoded client response: the initial one given on
// the AUTH line, or the next line after prompt.
func (s *session) response(initial, prompt string) (string, bool) {
	encoded := initial
	if encoded == "" {
		s.reply(prompt)
		line, err := s.text.ReadLine()
		if err != nil {
			return "", false
		}
		encoded = strings.TrimSpace(line)
	}
	if encoded == "*" {
		s.reply("501 5.7.0 Authentication cancelled")
		return "", false
	}
	if encoded == "=" { // RFC 4954: an empty initial response
		return "", true
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		s.reply("501 5.5.2 Error: cannot decode response")
		return "", false
	}
	return string(raw), true
}

// journal records the login attempt as a line of the sandbox journal: the
// relay host and the login, and 235 or 535.
func (s *session) journal(user string, status int) {
	_, rec := world.WithRequest(context.Background(), "mailgun", "SMTP AUTH", s.host+"/"+user)
	s.srv.w.Finish(rec, status)
}
