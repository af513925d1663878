package chapter

import (
	"errors"
	"strings"
	"testing"
)

// validYAML sets every field; the line numbers in the tests refer to it:
// 1 domain, 2 organizer, 3 username, 4 email, 5 display_name, 6 region, 7 size, 8 chat,
// 9 federation, 10 federation_allow, 11 matrix_server_name, 12 mail, 13 enabled,
// 14 mailboxes, 15 lists, 16 catch_all, 17 relay, 18 relay_region, 19 webmail.
const validYAML = `domain: redrockdsa.org
organizer:
  username: maria
  email: maria@example.net
  display_name: Maria Lopez
region: nyc3
size: s-2vcpu-4gb
chat: matrix
federation: allowlist
federation_allow: [chicagodsa.org]
matrix_server_name: domain
mail:
  enabled: true
  mailboxes: [maria, info]
  lists: {members: [maria, info]}
  catch_all: [maria]
  relay: mailgun
  relay_region: eu
webmail: sogo
`

// edit applies old→new replacement pairs to base, failing the test if an old text is
// missing so that a case never silently tests the unedited file.
func edit(t *testing.T, base string, pairs ...string) string {
	t.Helper()
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(base, pairs[i]) {
			t.Fatalf("edit: %q not found in the base file", pairs[i])
		}
		base = strings.Replace(base, pairs[i], pairs[i+1], 1)
	}
	return base
}

// fieldErrors unpacks the errors Parse or Validate joined, failing on anything that is
// not a *FieldError.
func fieldErrors(t *testing.T, err error) []*FieldError {
	t.Helper()
	if err == nil {
		return nil
	}
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	out := make([]*FieldError, 0, len(errs))
	for _, e := range errs {
		var fe *FieldError
		if !errors.As(e, &fe) {
			t.Fatalf("error %q is not a *FieldError", e)
		}
		out = append(out, fe)
	}
	return out
}

// errorFor returns the one problem reported for field, failing if there is not exactly one.
func errorFor(t *testing.T, errs []*FieldError, field string) *FieldError {
	t.Helper()
	var found []*FieldError
	for _, e := range errs {
		if e.Field == field {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one error for %q, got %d in:\n%s", field, len(found), list(errs))
	}
	return found[0]
}

func list(errs []*FieldError) string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
