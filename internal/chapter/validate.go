package chapter

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Validate checks a Config built in code (the wizard's) with the same rules Parse
// applies to a file. The errors are *FieldError values without file or line.
func (c *Config) Validate() error {
	v := validator{}
	return joinErrors(v.check(c))
}

func joinErrors(fieldErrs []*FieldError) error {
	errs := make([]error, len(fieldErrs))
	for i, e := range fieldErrs {
		errs[i] = e
	}
	return errors.Join(errs...) // nil when there are none
}

// validator collects every problem rather than stopping at the first, so the organizer
// can fix the file in one pass.
type validator struct {
	file   string
	lineOf func(path string) int // nil for a Config built in code
	errs   []*FieldError
}

func (v *validator) line(path string) int {
	if v.lineOf == nil {
		return 0
	}
	return v.lineOf(path)
}

func (v *validator) add(line int, field, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{File: v.file, Line: line, Field: field, Problem: fmt.Sprintf(format, args...)})
}

func (v *validator) check(c *Config) []*FieldError {
	v.domain(c)
	v.organizer(c)
	v.placement(c)
	v.chat(c)
	v.mail(c)
	v.webmail(c)
	return v.errs
}

func (v *validator) domain(c *Config) {
	if c.Domain == "" {
		v.add(v.line("domain"), "domain", "domain is required; set it to the chapter's domain at Gandi, like redrockdsa.org")
	} else if problem := domainProblem(c.Domain); problem != "" {
		v.add(v.line("domain"), "domain", "domain %q %s", c.Domain, problem)
	}
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

// domainProblem says what is wrong with a domain name, or "" when it is a lowercase DNS
// name of at least two labels. The common slips (a pasted URL, a trailing dot, capitals)
// get the corrected form to copy.
func domainProblem(s string) string {
	fixed := strings.ToLower(s)
	if _, rest, found := strings.Cut(fixed, "://"); found {
		fixed = rest
	}
	fixed, _, _ = strings.Cut(fixed, "/")
	fixed = strings.TrimSuffix(fixed, ".")
	switch {
	case strings.Contains(s, "://"):
		return fmt.Sprintf("must be a bare domain without a scheme; use %q", fixed)
	case strings.HasSuffix(s, "."):
		return fmt.Sprintf("must not end with a dot; use %q", fixed)
	case strings.ToLower(s) != s:
		return fmt.Sprintf("must be lowercase; use %q", fixed)
	case len(s) > 253:
		return "is longer than 253 characters"
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return "needs at least two labels, like example.org"
	}
	for _, label := range labels {
		switch {
		case label == "":
			return "has an empty label (two dots in a row)"
		case len(label) > 63:
			return fmt.Sprintf("has a label longer than 63 characters (%q)", label)
		case !dnsLabel.MatchString(label):
			return fmt.Sprintf("has a label %q that is not letters, digits and inner hyphens", label)
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "ends in a number; use a domain name, not an IP address"
	}
	return ""
}

var username = regexp.MustCompile(`^[a-zA-Z0-9.-]+$`)

// cloudronReserved are usernames Cloudron refuses, compared case-insensitively.
var cloudronReserved = []string{"admin", "no-reply", "postmaster", "mailer-daemon", "root", "admins", "users"}

func (v *validator) organizer(c *Config) {
	o := c.Organizer
	line := v.line("organizer.username")
	switch {
	case o.Username == "":
		v.add(line, "organizer.username", "organizer.username is required; choose the organizer's Cloudron login, like maria")
	case len(o.Username) > 199:
		v.add(line, "organizer.username", "organizer.username is longer than 199 characters; choose a shorter one")
	case !username.MatchString(o.Username):
		v.add(line, "organizer.username", "organizer.username %q may only contain letters, digits, dots and hyphens", o.Username)
	case strings.Contains(strings.ToLower(o.Username), ".app"):
		v.add(line, "organizer.username", "organizer.username %q must not contain \".app\", which Cloudron reserves; choose another username", o.Username)
	case slices.Contains(cloudronReserved, strings.ToLower(o.Username)):
		v.add(line, "organizer.username", "organizer.username %q is reserved by Cloudron; choose another username", o.Username)
	}

	line = v.line("organizer.email")
	if o.Email == "" {
		v.add(line, "organizer.email", "organizer.email is required; give an address outside the chapter's domain, used to recover the admin account")
	} else if addr, err := mail.ParseAddress(o.Email); err != nil || addr.Name != "" || addr.Address != o.Email {
		v.add(line, "organizer.email", "organizer.email %q is not a plain email address; write it like maria@example.net", o.Email)
	} else if c.Domain != "" && inDomain(o.Email[strings.LastIndex(o.Email, "@")+1:], c.Domain) {
		v.add(line, "organizer.email", "organizer.email %q is inside the chapter's domain; use an address elsewhere, since it recovers the account when the server is down", o.Email)
	}

	line = v.line("organizer.display_name")
	if utf8.RuneCountInString(o.DisplayName) > 100 {
		v.add(line, "organizer.display_name", "organizer.display_name is longer than 100 characters; shorten it")
	} else if strings.ContainsAny(o.DisplayName, "\r\n") {
		v.add(line, "organizer.display_name", "organizer.display_name must be a single line; remove the line break")
	}
}

func inDomain(host, domain string) bool {
	host, domain = strings.ToLower(host), strings.ToLower(domain)
	return host == domain || strings.HasSuffix(host, "."+domain)
}

var (
	regionSlug = regexp.MustCompile(`^[a-z]+[0-9]+$`)
	sizeSlug   = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// placement checks only the form of the region and size slugs: whether they exist and
// the size has enough memory is asked of DigitalOcean later.
func (v *validator) placement(c *Config) {
	if c.Region == "" {
		v.add(v.line("region"), "region", "region is required; set a DigitalOcean region slug like nyc3")
	} else if !regionSlug.MatchString(c.Region) {
		v.add(v.line("region"), "region", "region %q is not a DigitalOcean region slug; use one like nyc3 or fra1", c.Region)
	}
	if c.Size == "" {
		v.add(v.line("size"), "size", "size is required; set a DigitalOcean size slug like s-2vcpu-4gb")
	} else if !sizeSlug.MatchString(c.Size) {
		v.add(v.line("size"), "size", "size %q is not a DigitalOcean size slug; use one like s-2vcpu-4gb", c.Size)
	}
}

func (v *validator) chat(c *Config) {
	chatKnown := slices.Contains([]string{ChatMatrix, ChatRocketChat, ChatMattermost}, c.Chat)
	if !chatKnown {
		v.add(v.line("chat"), "chat", "chat %q is not supported; use matrix, rocketchat or mattermost", c.Chat)
	}
	// Only a known chat other than Matrix makes the Matrix settings wrong; with an
	// unknown chat the organizer may well have meant matrix.
	notMatrix := chatKnown && c.Chat != ChatMatrix

	fedKnown := slices.Contains([]string{FederationOpen, FederationAllowlist, FederationClosed}, c.Federation)
	switch {
	case !fedKnown:
		v.add(v.line("federation"), "federation", "federation %q is not known; use open, allowlist or closed", c.Federation)
	case notMatrix && c.Federation != FederationOpen:
		v.add(v.line("federation"), "federation", "federation %q only applies to Matrix; remove it, or set chat: matrix", c.Federation)
	}

	switch {
	case notMatrix && len(c.FederationAllow) > 0:
		v.add(v.line("federation_allow"), "federation_allow", "federation_allow only applies to Matrix; remove it, or set chat: matrix")
	case c.Federation == FederationAllowlist && len(c.FederationAllow) == 0:
		line := v.line("federation_allow")
		if line == 0 {
			line = v.line("federation")
		}
		v.add(line, "federation_allow", "federation_allow is empty but federation is allowlist; list the servers to federate with, like [chicagodsa.org]")
	case fedKnown && c.Federation != FederationAllowlist && len(c.FederationAllow) > 0:
		v.add(v.line("federation_allow"), "federation_allow", "federation_allow is set but federation is %q; set federation: allowlist or remove federation_allow", c.Federation)
	case c.Federation == FederationAllowlist:
		v.federationAllow(c)
	}

	switch {
	case !slices.Contains([]string{MatrixServerNameUnset, MatrixServerNameDomain, MatrixServerNameSubdomain}, c.MatrixServerName):
		v.add(v.line("matrix_server_name"), "matrix_server_name", "matrix_server_name %q is not known; use domain (@maria:example.org) or subdomain (@maria:matrix.example.org)", c.MatrixServerName)
	case notMatrix && c.MatrixServerName != MatrixServerNameUnset:
		v.add(v.line("matrix_server_name"), "matrix_server_name", "matrix_server_name only applies to Matrix; remove it, or set chat: matrix")
	}
}

func (v *validator) federationAllow(c *Config) {
	seen := map[string]bool{}
	for i, server := range c.FederationAllow {
		line := v.line(fmt.Sprintf("federation_allow[%d]", i))
		switch {
		case domainProblem(server) != "":
			v.add(line, "federation_allow", "federation_allow %q %s", server, domainProblem(server))
		case server == c.Domain:
			v.add(line, "federation_allow", "federation_allow %q is the chapter's own domain; remove it", server)
		case seen[server]:
			v.add(line, "federation_allow", "federation_allow %q is listed twice; keep one", server)
		}
		seen[server] = true
	}
}

func (v *validator) webmail(c *Config) {
	switch {
	case !slices.Contains([]string{WebmailNone, WebmailRoundcube, WebmailSOGo}, c.Webmail):
		v.add(v.line("webmail"), "webmail", "webmail %q is not known; use none, roundcube or sogo", c.Webmail)
	case !c.Mail.Enabled && c.Webmail != WebmailNone:
		v.add(v.line("webmail"), "webmail", "webmail is %q but mail.enabled is false; set webmail: none, or mail.enabled: true", c.Webmail)
	}
}
