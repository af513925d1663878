package chapter

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	full := Config{
		Domain:           "redrockdsa.org",
		Organizer:        Organizer{Username: "maria", Email: "maria@example.net", DisplayName: "Maria Lopez"},
		Region:           "nyc3",
		Size:             "s-2vcpu-4gb",
		Chat:             ChatMatrix,
		Federation:       FederationAllowlist,
		FederationAllow:  []string{"chicagodsa.org"},
		MatrixServerName: MatrixServerNameDomain,
		Mail: Mail{
			Enabled:     true,
			Mailboxes:   []string{"maria", "info"},
			Lists:       map[string][]string{"members": {"maria", "info"}},
			CatchAll:    []string{"maria"},
			Relay:       RelayMailgun,
			RelayRegion: RelayRegionEU,
		},
		Webmail: WebmailSOGo,
	}
	minimal := Default()
	minimal.Domain = "redrockdsa.org"
	minimal.Organizer = Organizer{Username: "Maria", Email: "maria@example.net"}
	minimal.Region, minimal.Size = "nyc3", "s-2vcpu-4gb"

	tests := []struct {
		name string
		yaml string
		want Config
	}{
		{"every field", validYAML, full},
		{"absent keys take the defaults", "domain: redrockdsa.org\norganizer: {username: Maria, email: maria@example.net}\nregion: nyc3\nsize: s-2vcpu-4gb\n", minimal},
		{"empty values mean absent", "domain: redrockdsa.org\norganizer: {username: Maria, email: maria@example.net}\nregion: nyc3\nsize: s-2vcpu-4gb\nchat:\nmail:\nfederation_allow: []\n", minimal},
		{"mail off turns the default webmail off", "domain: redrockdsa.org\norganizer: {username: Maria, email: maria@example.net}\nregion: nyc3\nsize: s-2vcpu-4gb\nmail: {enabled: false}\nwebmail:\n",
			func() Config { c := minimal; c.Mail.Enabled = false; c.Webmail = WebmailNone; return c }()},
		{"the organizer's username is a recipient", "domain: redrockdsa.org\norganizer: {username: Maria, email: maria@example.net}\nregion: nyc3\nsize: s-2vcpu-4gb\nmail:\n  mailboxes: [info]\n  lists: {board: [maria, info]}\n  catch_all: [maria]\n",
			func() Config {
				c := minimal
				c.Mail.Mailboxes, c.Mail.CatchAll = []string{"info"}, []string{"maria"}
				c.Mail.Lists = map[string][]string{"board": {"maria", "info"}}
				return c
			}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("chapter.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestDefault(t *testing.T) {
	d := Default()
	if d.Chat != ChatMatrix || d.Federation != FederationOpen || !d.Mail.Enabled ||
		d.Mail.Relay != RelayNone || d.Mail.RelayRegion != RelayRegionUS || d.Webmail != WebmailRoundcube {
		t.Errorf("Default() = %+v: a default is wrong", d)
	}
	if d.Domain != "" || d.Organizer != (Organizer{}) || d.Region != "" || d.Size != "" {
		t.Errorf("Default() = %+v: the organizer's own answers must stay empty", d)
	}
	d.Domain = "redrockdsa.org"
	if got := d.Hostname(); got != "my.redrockdsa.org" {
		t.Errorf("Hostname() = %q, want my.redrockdsa.org", got)
	}
}

// TestParseRefusesTheFile covers problems in the file's shape rather than its values.
func TestParseRefusesTheFile(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		field string
		line  int
		want  string // the whole message
	}{
		{"unknown top-level key", edit(t, validYAML, "webmail: sogo", "webmail: sogo\nregon: nyc3"), "regon", 20,
			`chapter.yaml line 20: unknown field "regon"; did you mean "region"?`},
		{"unknown organizer key", edit(t, validYAML, "  display_name:", "  display-name:"), "organizer.display-name", 5,
			`chapter.yaml line 5: unknown field "organizer.display-name"; did you mean "organizer.display_name"?`},
		{"unknown mail key", edit(t, validYAML, "  catch_all: [maria]", "  catch_all: [maria]\n  relya: none"), "mail.relya", 17,
			`chapter.yaml line 17: unknown field "mail.relya"; did you mean "mail.relay"?`},
		{"unknown key far from any", edit(t, validYAML, "webmail: sogo", "webmail: sogo\ncolour: red"), "colour", 20,
			`chapter.yaml line 20: unknown field "colour"; the fields are domain, organizer, region, size, chat, federation, federation_allow, matrix_server_name, mail, webmail`},
		{"unknown nested key far from any", edit(t, validYAML, "  enabled: true", "  enabled: true\n  spam_filter: high"), "mail.spam_filter", 14,
			`chapter.yaml line 14: unknown field "mail.spam_filter"; the fields in mail are enabled, mailboxes, lists, catch_all, relay, relay_region`},
		{"list instead of text", edit(t, validYAML, "domain: redrockdsa.org", "domain: [redrockdsa.org]"), "domain", 1,
			`chapter.yaml line 1: domain must be a single plain value, not a list`},
		{"number instead of list", edit(t, validYAML, "[maria, info]", "3"), "mail.mailboxes", 14,
			`chapter.yaml line 14: mail.mailboxes must be a list of plain values, like [maria, info], not "3"`},
		{"list inside a list", edit(t, validYAML, "[maria, info]", "\n    - maria\n    - [info]"), "mail.mailboxes", 16,
			`chapter.yaml line 16: mail.mailboxes must be a list of plain values, like [maria, info]`},
		{"word instead of boolean", edit(t, validYAML, "enabled: true", "enabled: maybe"), "mail.enabled", 13,
			`chapter.yaml line 13: mail.enabled must be true or false, not "maybe"`},
		{"text instead of mapping", edit(t, validYAML, "organizer:\n  username: maria\n  email: maria@example.net\n  display_name: Maria Lopez\n", "organizer: maria\n"), "organizer", 2,
			`chapter.yaml line 2: organizer must be a mapping with its fields indented under it, not "maria"`},
		{"list instead of lists mapping", edit(t, validYAML, "{members: [maria, info]}", "[maria]"), "mail.lists", 15,
			`chapter.yaml line 15: mail.lists must be a mapping of list names to members, like {members: [maria]}, not a list`},
		{"duplicate top-level key", edit(t, validYAML, "webmail: sogo", "webmail: sogo\nregion: fra1"), "region", 20,
			`chapter.yaml line 20: region is set twice (first on line 6); keep only one`},
		{"duplicate nested key", edit(t, validYAML, "  email: maria@example.net", "  email: maria@example.net\n  username: maria"), "organizer.username", 5,
			`chapter.yaml line 5: organizer.username is set twice (first on line 3); keep only one`},
		{"duplicate list name", edit(t, validYAML, "{members: [maria, info]}", "{members: [maria], members: [info]}"), "mail.lists.members", 15,
			`chapter.yaml line 15: mail.lists.members is set twice (first on line 15); keep only one`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("chapter.yaml", []byte(tt.yaml))
			if c != nil {
				t.Errorf("Parse returned a config along with errors")
			}
			// Exactly one error: a refused key or value must not also be reported as
			// missing or invalid by validation.
			errs := fieldErrors(t, err)
			if len(errs) != 1 {
				t.Fatalf("want exactly one error, got %d:\n%s", len(errs), list(errs))
			}
			if e := errs[0]; e.Field != tt.field || e.Line != tt.line || e.Error() != tt.want {
				t.Errorf("got field %q line %d %q\nwant field %q line %d %q", e.Field, e.Line, e.Error(), tt.field, tt.line, tt.want)
			}
		})
	}
}

func TestParseRefusesUnreadableFile(t *testing.T) {
	tests := []struct {
		name   string
		yaml   string
		line   int
		phrase string
	}{
		{"empty", "", 0, "the file is empty"},
		{"only comments", "# nothing yet\n", 0, "the file is empty"},
		{"only null", "~\n", 0, "the file is empty"},
		{"a list", "- domain: redrockdsa.org\n", 1, `must be a mapping of fields like "domain: example.org", not a list`},
		{"a scalar", "redrockdsa.org\n", 1, `not "redrockdsa.org"`},
		{"two documents", "domain: redrockdsa.org\n---\nregion: nyc3\n", 2, "more than one YAML document"},
		{"bad indentation", "domain: redrockdsa.org\norganizer:\n  username: maria\n    email: maria@example.net\n", 4, "not valid YAML: mapping values are not allowed"},
		{"unclosed list", "domain: redrockdsa.org\nmail:\n  mailboxes: [maria, info\nregion: nyc3\n", 3, "not valid YAML: did not find expected ',' or ']'"},
		{"unclosed list on the last line", "domain: redrockdsa.org\nfederation_allow: [a.org\n", 2, "not valid YAML"},
		{"key outdented", "domain: redrockdsa.org\norganizer:\n  username: maria\n email: maria@example.net\n", 4, "not valid YAML: did not find expected key"},
		{"key inside a list", "domain: redrockdsa.org\nfederation_allow:\n  - a.org\n  b.org: x\n", 3, "did not find expected '-' indicator"},
		{"tab indentation", "domain: redrockdsa.org\norganizer:\n\tusername: maria\n", 3, "not valid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("chapter.yaml", []byte(tt.yaml))
			errs := fieldErrors(t, err)
			if len(errs) != 1 {
				t.Fatalf("want exactly one error, got %d:\n%s", len(errs), list(errs))
			}
			e := errs[0]
			if e.Line != tt.line || e.Field != "" || !strings.Contains(e.Error(), tt.phrase) {
				t.Errorf("got line %d field %q %q, want line %d, no field, phrase %q", e.Line, e.Field, e.Error(), tt.line, tt.phrase)
			}
		})
	}
}

func TestParseReportsAllProblemsInLineOrder(t *testing.T) {
	yaml := edit(t, validYAML,
		"domain: redrockdsa.org\n", "",
		"username: maria", "username: root",
		"region: nyc3", "regon: nyc3",
		"webmail: sogo", "webmail: sogo\nwebmail: none")
	_, err := Parse("chapter.yaml", []byte(yaml))
	var first *FieldError
	if !errors.As(err, &first) || first.Field != "organizer.username" {
		t.Fatalf("errors.As gives %v, want the organizer.username error first", first)
	}
	var got []string
	for _, e := range fieldErrors(t, err) {
		got = append(got, e.Error())
	}
	want := []string{
		`chapter.yaml line 2: organizer.username "root" is reserved by Cloudron; choose another username`,
		`chapter.yaml line 5: unknown field "regon"; did you mean "region"?`,
		`chapter.yaml line 19: webmail is set twice (first on line 18); keep only one`,
		`chapter.yaml: domain is required; set it to the chapter's domain at Gandi, like redrockdsa.org`,
		`chapter.yaml: region is required; set a DigitalOcean region slug like nyc3`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	full, err := Parse("chapter.yaml", []byte(validYAML))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	quiet := Default()
	quiet.Domain = "redrockdsa.org"
	quiet.Organizer = Organizer{Username: "maria", Email: "maria+chapter@example.net", DisplayName: "María: \"the\" organizer"}
	quiet.Region, quiet.Size, quiet.Chat = "fra1", "s-2vcpu-4gb", ChatMattermost
	quiet.Mail = Mail{Enabled: false, Relay: RelayNone, RelayRegion: RelayRegionUS}
	quiet.Webmail = WebmailNone

	for _, c := range []*Config{full, &quiet} {
		data, err := c.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		text := string(data)
		if !strings.HasPrefix(text, "# ") || strings.Count(strings.SplitN(text, "\n", 2)[0], "\n") != 0 {
			t.Errorf("Marshal output does not start with a one-line comment:\n%s", text)
		}
		last := -1
		for _, key := range []string{"\ndomain:", "\norganizer:", "\nregion:", "\nsize:", "\nchat:", "\nfederation:", "\nfederation_allow:", "\nmatrix_server_name:", "\nmail:", "\nwebmail:"} {
			at := strings.Index(text, key)
			if at <= last {
				t.Errorf("%s is missing or out of order in:\n%s", key, text)
			}
			last = at
		}
		back, err := Parse("chapter.yaml", data)
		if err != nil {
			t.Fatalf("Parse(Marshal()): %v\n%s", err, text)
		}
		if !reflect.DeepEqual(back, c) {
			t.Errorf("round trip changed the config:\ngot  %+v\nwant %+v\n%s", back, c, text)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, FileName)
	if err := os.WriteFile(good, []byte(validYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(edit(t, validYAML, "region: nyc3", "region: NYC 3")), 0o644); err != nil {
		t.Fatal(err)
	}

	c, err := Load(good)
	if err != nil || c.Domain != "redrockdsa.org" {
		t.Errorf("Load(valid) = %+v, %v", c, err)
	}
	if _, err := Load(filepath.Join(dir, "missing", FileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) error %v does not wrap fs.ErrNotExist", err)
	}
	_, err = Load(bad)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.File != bad || !strings.HasPrefix(err.Error(), bad+" line 6: region") {
		t.Errorf("Load(invalid) error %v does not name the file, line and field", err)
	}
}

func TestFieldErrorText(t *testing.T) {
	tests := []struct {
		err  FieldError
		want string
	}{
		{FieldError{File: "chapter.yaml", Line: 4, Field: "size", Problem: "size is wrong"}, "chapter.yaml line 4: size is wrong"},
		{FieldError{File: "chapter.yaml", Field: "size", Problem: "size is required"}, "chapter.yaml: size is required"},
		{FieldError{Field: "size", Problem: "size is required"}, "size is required"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
