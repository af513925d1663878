package chapter

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseRefusesEachBrokenRule(t *testing.T) {
	// mailOff turns mail off cleanly; cases on it add back one thing that needs mail.
	// Its lines: 12 mail, 13 enabled, 14 webmail.
	mailOff := edit(t, validYAML,
		"  enabled: true\n  mailboxes: [maria, info]\n  lists: {members: [maria, info]}\n  catch_all: [maria]\n  relay: mailgun\n  relay_region: eu\n",
		"  enabled: false\n",
		"webmail: sogo", "webmail: none")
	// nonMatrix switches to Rocket.Chat with every Matrix setting removed.
	nonMatrix := edit(t, validYAML,
		"chat: matrix", "chat: rocketchat",
		"federation: allowlist\nfederation_allow: [chicagodsa.org]\nmatrix_server_name: domain\n", "")

	tests := []struct {
		name   string
		base   string // validYAML when empty
		edits  []string
		field  string
		line   int // 0: the key is absent, so the error has no line
		phrase string
	}{
		{"domain missing", "", []string{"domain: redrockdsa.org\n", ""}, "domain", 0, "domain is required"},
		{"domain uppercase", "", []string{"domain: redrockdsa.org", "domain: RedRockDSA.org"}, "domain", 1, `must be lowercase; use "redrockdsa.org"`},
		{"domain with scheme", "", []string{"domain: redrockdsa.org", "domain: https://redrockdsa.org/"}, "domain", 1, `without a scheme; use "redrockdsa.org"`},
		{"domain trailing dot", "", []string{"domain: redrockdsa.org", "domain: redrockdsa.org."}, "domain", 1, `must not end with a dot; use "redrockdsa.org"`},
		{"domain one label", "", []string{"domain: redrockdsa.org", "domain: redrockdsa"}, "domain", 1, "at least two labels"},
		{"domain label hyphen", "", []string{"domain: redrockdsa.org", "domain: -redrock.org"}, "domain", 1, `label "-redrock"`},
		{"domain label underscore", "", []string{"domain: redrockdsa.org", "domain: red_rock.org"}, "domain", 1, `label "red_rock"`},
		{"domain empty label", "", []string{"domain: redrockdsa.org", "domain: red..org"}, "domain", 1, "empty label"},
		{"domain label too long", "", []string{"domain: redrockdsa.org", "domain: " + strings.Repeat("a", 64) + ".org"}, "domain", 1, "longer than 63"},
		{"domain too long", "", []string{"domain: redrockdsa.org", "domain: " + strings.Repeat(strings.Repeat("a", 63)+".", 4) + "org"}, "domain", 1, "longer than 253"},
		{"domain numeric tld", "", []string{"domain: redrockdsa.org", "domain: 10.0.0.1"}, "domain", 1, "not an IP address"},

		{"username missing", "", []string{"  username: maria\n", ""}, "organizer.username", 2, "organizer.username is required"},
		{"username characters", "", []string{"username: maria", "username: maria_lopez"}, "organizer.username", 3, "letters, digits, dots and hyphens"},
		{"username too long", "", []string{"username: maria", "username: " + strings.Repeat("m", 200)}, "organizer.username", 3, "longer than 199"},
		{"username .app", "", []string{"username: maria", "username: maria.apps"}, "organizer.username", 3, `must not contain ".app"`},
		{"username reserved", "", []string{"username: maria", "username: admin"}, "organizer.username", 3, `organizer.username "admin" is reserved by Cloudron; choose another username`},
		{"username reserved any case", "", []string{"username: maria", "username: PostMaster"}, "organizer.username", 3, "reserved by Cloudron"},
		{"email missing", "", []string{"  email: maria@example.net\n", ""}, "organizer.email", 2, "organizer.email is required"},
		{"email not an address", "", []string{"email: maria@example.net", "email: maria"}, "organizer.email", 4, "not a plain email address"},
		{"email with display name", "", []string{"email: maria@example.net", `email: "Maria <maria@example.net>"`}, "organizer.email", 4, "not a plain email address"},
		{"email on the domain", "", []string{"email: maria@example.net", "email: maria@redrockdsa.org"}, "organizer.email", 4, "inside the chapter's domain"},
		{"email on a subdomain", "", []string{"email: maria@example.net", "email: maria@Lists.RedRockDSA.org"}, "organizer.email", 4, "inside the chapter's domain"},
		{"display name too long", "", []string{"display_name: Maria Lopez", "display_name: " + strings.Repeat("é", 101)}, "organizer.display_name", 5, "longer than 100"},
		{"display name newline", "", []string{"display_name: Maria Lopez", `display_name: "Maria\nLopez"`}, "organizer.display_name", 5, "single line"},

		{"region missing", "", []string{"region: nyc3\n", ""}, "region", 0, "region is required"},
		{"region form", "", []string{"region: nyc3", "region: NYC3"}, "region", 6, "not a DigitalOcean region slug"},
		{"size missing", "", []string{"size: s-2vcpu-4gb\n", ""}, "size", 0, "size is required"},
		{"size form", "", []string{"size: s-2vcpu-4gb", "size: s_2vcpu_4gb"}, "size", 7, "not a DigitalOcean size slug"},

		{"chat unknown", "", []string{"chat: matrix", "chat: slack"}, "chat", 8, "use matrix, rocketchat or mattermost"},
		{"federation unknown", "", []string{"federation: allowlist", "federation: semi"}, "federation", 9, "use open, allowlist or closed"},
		{"federation without matrix", nonMatrix, []string{"chat: rocketchat\n", "chat: rocketchat\nfederation: closed\n"}, "federation", 9, "only applies to Matrix"},
		{"allowlist empty", "", []string{"federation_allow: [chicagodsa.org]", "federation_allow: []"}, "federation_allow", 10, "federation_allow is empty"},
		{"allowlist absent", "", []string{"federation_allow: [chicagodsa.org]\n", ""}, "federation_allow", 9, "federation_allow is empty"},
		{"allowlist bad domain", "", []string{"[chicagodsa.org]", "[chicagodsa.org, ChicagoDSA.org]"}, "federation_allow", 10, `use "chicagodsa.org"`},
		{"allowlist duplicate", "", []string{"[chicagodsa.org]", "[chicagodsa.org, chicagodsa.org]"}, "federation_allow", 10, "listed twice"},
		{"allowlist own domain", "", []string{"[chicagodsa.org]", "[redrockdsa.org]"}, "federation_allow", 10, "own domain"},
		{"allowlist without allowlist", "", []string{"federation: allowlist", "federation: open"}, "federation_allow", 10, "set federation: allowlist or remove federation_allow"},
		{"allowlist without matrix", nonMatrix, []string{"chat: rocketchat\n", "chat: rocketchat\nfederation_allow: [chicagodsa.org]\n"}, "federation_allow", 9, "only applies to Matrix"},
		{"server name unknown", "", []string{"matrix_server_name: domain", "matrix_server_name: user"}, "matrix_server_name", 11, "use domain"},
		{"server name without matrix", nonMatrix, []string{"chat: rocketchat\n", "chat: rocketchat\nmatrix_server_name: subdomain\n"}, "matrix_server_name", 9, "only applies to Matrix"},

		{"mailbox uppercase", "", []string{"[maria, info]", "[maria, info, Help]"}, "mail.mailboxes", 14, `"Help" must be lowercase; use "help"`},
		{"mailbox dot at the end", "", []string{"[maria, info]", "[maria, info, help.]"}, "mail.mailboxes", 14, "start or end with a dot"},
		{"mailbox characters", "", []string{"[maria, info]", "[maria, info, in+fo]"}, "mail.mailboxes", 14, "lowercase letters, digits"},
		{"mailbox too long", "", []string{"[maria, info]", "[maria, info, " + strings.Repeat("x", 65) + "]"}, "mail.mailboxes", 14, "longer than 64"},
		{"mailbox twice", "", []string{"[maria, info]", "[maria, info, info]"}, "mail.mailboxes", 14, "listed twice"},
		{"list named like a mailbox", "", []string{"{members: [maria, info]}", "{info: [maria]}"}, "mail.lists", 15, "also a mailbox"},
		{"list name uppercase", "", []string{"{members: [maria, info]}", "{Members: [maria]}"}, "mail.lists", 15, `use "members"`},
		{"list without members", "", []string{"{members: [maria, info]}", "{members: []}"}, "mail.lists.members", 15, "has no members"},
		{"list member unknown", "", []string{"{members: [maria, info]}", "{members: [maria, bob]}"}, "mail.lists.members", 15, `"bob" is not a mailbox`},
		{"list member twice", "", []string{"{members: [maria, info]}", "{members: [maria, maria]}"}, "mail.lists.members", 15, "listed twice"},
		{"catch-all unknown", "", []string{"catch_all: [maria]", "catch_all: [bob]"}, "mail.catch_all", 16, `"bob" is not a mailbox`},
		{"relay unknown", "", []string{"relay: mailgun", "relay: sendgrid"}, "mail.relay", 17, "use none or mailgun"},
		{"relay region unknown", "", []string{"relay_region: eu", "relay_region: asia"}, "mail.relay_region", 18, "use us or eu"},
		{"mailboxes with mail off", mailOff, []string{"enabled: false\n", "enabled: false\n  mailboxes: [info]\n"}, "mail.mailboxes", 14, "mail.enabled is false"},
		{"lists with mail off", mailOff, []string{"enabled: false\n", "enabled: false\n  lists: {members: [maria]}\n"}, "mail.lists", 14, "mail.enabled is false"},
		{"catch-all with mail off", mailOff, []string{"enabled: false\n", "enabled: false\n  catch_all: [maria]\n"}, "mail.catch_all", 14, "mail.enabled is false"},
		{"relay with mail off", mailOff, []string{"enabled: false\n", "enabled: false\n  relay: mailgun\n"}, "mail.relay", 14, "mail.enabled is false"},
		{"webmail with mail off", mailOff, []string{"webmail: none", "webmail: roundcube"}, "webmail", 14, "mail.enabled is false"},
		{"webmail unknown", "", []string{"webmail: sogo", "webmail: gmail"}, "webmail", 19, "use none, roundcube or sogo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := tt.base
			if base == "" {
				base = validYAML
			}
			c, err := Parse("chapter.yaml", []byte(edit(t, base, tt.edits...)))
			if c != nil {
				t.Errorf("Parse returned a config along with errors")
			}
			errs := fieldErrors(t, err)
			if len(errs) != 1 {
				t.Fatalf("want exactly one error, got %d:\n%s", len(errs), list(errs))
			}
			got := errorFor(t, errs, tt.field)
			if got.Line != tt.line {
				t.Errorf("line = %d, want %d (%s)", got.Line, tt.line, got)
			}
			where := "chapter.yaml: "
			if tt.line > 0 {
				where = fmt.Sprintf("chapter.yaml line %d: ", tt.line)
			}
			msg := got.Error()
			if !strings.HasPrefix(msg, where) || !strings.Contains(msg, tt.field) || !strings.Contains(msg, tt.phrase) {
				t.Errorf("error %q: want prefix %q, field %q and phrase %q", msg, where, tt.field, tt.phrase)
			}
		})
	}
}

func TestValidateConfigBuiltInCode(t *testing.T) {
	good := Default()
	good.Domain = "redrockdsa.org"
	good.Organizer = Organizer{Username: "maria", Email: "maria@example.net"}
	good.Region, good.Size = "nyc3", "s-2vcpu-4gb"
	good.Mail.Mailboxes = []string{"maria", "info"}
	good.Mail.Lists = map[string][]string{"members": {"maria", "info"}}

	reserved := good
	reserved.Organizer.Username = "Admin"

	mailOff := good
	mailOff.Mail = Mail{Enabled: false, Relay: RelayNone, RelayRegion: RelayRegionUS}

	tests := []struct {
		name   string
		config Config
		want   []string // each error's full text, in order
	}{
		{"valid", good, nil},
		{"defaults only", Default(), []string{
			"domain is required; set it to the chapter's domain at Gandi, like redrockdsa.org",
			"organizer.username is required; choose the organizer's Cloudron login, like maria",
			"organizer.email is required; give an address outside the chapter's domain, used to recover the admin account",
			"region is required; set a DigitalOcean region slug like nyc3",
			"size is required; set a DigitalOcean size slug like s-2vcpu-4gb",
		}},
		{"reserved username", reserved, []string{
			`organizer.username "Admin" is reserved by Cloudron; choose another username`,
		}},
		{"webmail kept with mail off", mailOff, []string{
			`webmail is "roundcube" but mail.enabled is false; set webmail: none, or mail.enabled: true`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := fieldErrors(t, tt.config.Validate())
			var got []string
			for _, e := range errs {
				if e.File != "" || e.Line != 0 {
					t.Errorf("error from code has a location: %q", e)
				}
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestMailNamesAndListMembers(t *testing.T) {
	base := func() Config {
		c := Default()
		c.Domain, c.Region, c.Size = "redrockdsa.org", "nyc3", "s-2vcpu-4gb"
		c.Organizer = Organizer{Username: "maria", Email: "maria@example.net", DisplayName: "Maria"}
		c.MatrixServerName = MatrixServerNameDomain
		c.Mail.Mailboxes = []string{"info"}
		return c
	}
	tests := []struct {
		name string
		edit func(c *Config)
		want string // "" when valid
	}{
		{"outside member", func(c *Config) { c.Mail.Lists = map[string][]string{"board": {"maria", "t@example.net"}} }, ""},
		{"bad outside member", func(c *Config) { c.Mail.Lists = map[string][]string{"board": {"t@nowhere"}} }, "is not an email address"},
		{"unknown mailbox member", func(c *Config) { c.Mail.Lists = map[string][]string{"board": {"bob"}} }, "is not a mailbox"},
		{"reserved mailbox", func(c *Config) { c.Mail.Mailboxes = []string{"postmaster"} }, "reserved by Cloudron"},
		{"reserved list", func(c *Config) { c.Mail.Lists = map[string][]string{"admin": {"maria"}} }, "reserved by Cloudron"},
		{"outside catch-all", func(c *Config) { c.Mail.CatchAll = []string{"t@example.net"} }, "is not a mailbox"},
	}
	for _, tt := range tests {
		c := base()
		tt.edit(&c)
		err := c.Validate()
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
