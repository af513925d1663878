package chapter

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

func (v *validator) mail(c *Config) {
	m := c.Mail
	if !slices.Contains([]string{RelayNone, RelayMailgun}, m.Relay) {
		v.add(v.line("mail.relay"), "mail.relay", "mail.relay %q is not known; use none or mailgun", m.Relay)
	}
	if !slices.Contains([]string{RelayRegionUS, RelayRegionEU}, m.RelayRegion) {
		v.add(v.line("mail.relay_region"), "mail.relay_region", "mail.relay_region %q is not known; use us or eu", m.RelayRegion)
	}
	if !m.Enabled {
		v.mailDisabled(m)
		return
	}

	// Mailboxes and lists share one address space on the domain.
	addresses := map[string]bool{}
	for i, box := range m.Mailboxes {
		line := v.line(fmt.Sprintf("mail.mailboxes[%d]", i))
		if problem := localPartProblem(box); problem != "" {
			v.add(line, "mail.mailboxes", "mail.mailboxes %q %s", box, problem)
		} else if addresses[box] {
			v.add(line, "mail.mailboxes", "mail.mailboxes %q is listed twice; keep one", box)
		}
		addresses[box] = true
	}
	recipients := map[string]bool{}
	if c.Organizer.Username != "" {
		recipients[strings.ToLower(c.Organizer.Username)] = true
	}
	for _, box := range m.Mailboxes {
		recipients[box] = true
	}

	names := make([]string, 0, len(m.Lists))
	for name := range m.Lists {
		names = append(names, name)
	}
	slices.Sort(names) // map order is random; the messages should not be
	for _, name := range names {
		path := "mail.lists." + name
		if problem := localPartProblem(name); problem != "" {
			v.add(v.line(path), "mail.lists", "mail.lists name %q %s", name, problem)
		} else if addresses[name] {
			v.add(v.line(path), "mail.lists", "mail.lists name %q is also a mailbox; rename the list or the mailbox", name)
		}
		if len(m.Lists[name]) == 0 {
			v.add(v.line(path), path, "%s has no members; add at least one mailbox or remove the list", path)
		}
		v.listMembers(path, m.Lists[name], recipients)
	}
	v.recipients("mail.catch_all", m.CatchAll, recipients)
}

// recipients checks that each entry delivers to a mailbox the chapter has: a list
// member or catch-all pointing nowhere would lose mail silently.
func (v *validator) recipients(path string, entries []string, known map[string]bool) {
	seen := map[string]bool{}
	for i, entry := range entries {
		line := v.line(fmt.Sprintf("%s[%d]", path, i))
		switch {
		case strings.Contains(entry, "@") && path != "mail.catch_all":
			// an outside address, checked by listMembers
		case !known[entry]:
			v.add(line, path, "%s %q is not a mailbox; add it to mail.mailboxes or use the organizer's username", path, entry)
		case seen[entry]:
			v.add(line, path, "%s %q is listed twice; keep one", path, entry)
		}
		seen[entry] = true
	}
}

// listMembers checks a list's members: the chapter's mailboxes, or
// addresses outside the domain (Cloudron lists take any full address,
// cloudron.md §9). The catch-all takes mailboxes only.
func (v *validator) listMembers(path string, entries []string, known map[string]bool) {
	for i, entry := range entries {
		if !strings.Contains(entry, "@") {
			continue
		}
		user, host, _ := strings.Cut(entry, "@")
		if user == "" || !strings.Contains(host, ".") || strings.ContainsAny(entry, " ,<>\"") || strings.Count(entry, "@") > 1 {
			v.add(v.line(fmt.Sprintf("%s[%d]", path, i)), path, "%s %q is not an email address; use a mailbox name or name@example.net", path, entry)
		}
	}
	v.recipients(path, entries, known)
}

// mailDisabled refuses mail settings that would do nothing with mail off, so turning
// mail off is a visible choice rather than a silent loss of mailboxes.
func (v *validator) mailDisabled(m Mail) {
	const fix = "remove it, or set mail.enabled: true"
	if len(m.Mailboxes) > 0 {
		v.add(v.line("mail.mailboxes"), "mail.mailboxes", "mail.mailboxes is set but mail.enabled is false; %s", fix)
	}
	if len(m.Lists) > 0 {
		v.add(v.line("mail.lists"), "mail.lists", "mail.lists is set but mail.enabled is false; %s", fix)
	}
	if len(m.CatchAll) > 0 {
		v.add(v.line("mail.catch_all"), "mail.catch_all", "mail.catch_all is set but mail.enabled is false; %s", fix)
	}
	if m.Relay == RelayMailgun {
		v.add(v.line("mail.relay"), "mail.relay", "mail.relay is mailgun but mail.enabled is false; set mail.relay: none, or mail.enabled: true")
	}
}

var localPart = regexp.MustCompile(`^[a-z0-9._-]+$`)

// localPartProblem says what is wrong with a mailbox or list name (the part before
// the @), or "" when Cloudron will accept it.
func localPartProblem(s string) string {
	switch {
	case s == "":
		return "is empty; give a name like info"
	case slices.Contains(cloudronReserved, s):
		return "is reserved by Cloudron; choose another name"
	case len(s) > 64:
		return "is longer than 64 characters"
	case strings.ToLower(s) != s:
		return fmt.Sprintf("must be lowercase; use %q", strings.ToLower(s))
	case !localPart.MatchString(s):
		return "may only contain lowercase letters, digits, dots, hyphens and underscores"
	case strings.HasPrefix(s, ".") || strings.HasSuffix(s, "."):
		return "must not start or end with a dot"
	case strings.Contains(s, ".."):
		return "must not contain two dots in a row"
	}
	return ""
}
