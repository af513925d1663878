package dnsplan

import (
	"fmt"
	"strings"
)

// MaxSPFLookups is RFC 7208 §4.6.4's limit on the DNS-querying terms one
// SPF evaluation may use; past it, receivers fail the check (permerror).
const MaxSPFLookups = 10

// IsSPF tells whether a TXT text is an SPF record.
func IsSPF(text string) bool {
	t := strings.ToLower(strings.TrimSpace(text))
	return t == "v=spf1" || strings.HasPrefix(t, "v=spf1 ")
}

// spfRecord is an SPF record taken apart: its mechanisms in order (the
// final "all" aside), its modifiers, and the "all" term.
type spfRecord struct {
	mechanisms []string
	modifiers  []string // redirect=…, exp=…
	all        string   // "-all", "~all", "?all", "+all" or ""
}

func parseSPF(text string) spfRecord {
	var r spfRecord
	for _, term := range strings.Fields(text)[1:] {
		lower := strings.ToLower(term)
		switch {
		case strings.TrimLeft(lower, "+-~?") == "all":
			r.all = qualifier(lower) + "all"
		case strings.Contains(lower, "=") && !strings.Contains(lower, ":"):
			r.modifiers = append(r.modifiers, term)
		default:
			r.mechanisms = append(r.mechanisms, term)
		}
	}
	return r
}

// qualifier is a term's qualifier, "+" when it has none.
func qualifier(term string) string {
	if term != "" && strings.ContainsRune("+-~?", rune(term[0])) {
		return term[:1]
	}
	return "+"
}

// strictness orders "all" qualifiers: fail, softfail, neutral, pass.
var strictness = map[string]int{"-all": 4, "~all": 3, "?all": 2, "+all": 1}

// MergeSPF makes one SPF record of the SPF records a name holds and the
// mechanisms chapterctl needs there: every mechanism of every record kept
// in order, the needed ones added after them, modifiers kept, and the
// strictest "all" of the existing records (the owner's policy) or, with
// none, wantAll. Two records (a permerror, RFC 7208 §4.5) become one. It
// fails when the result would make more than MaxSPFLookups lookups
// (includes followed through lookup, see SPFLookups) or when the records
// redirect to different places.
func MergeSPF(existing []string, need []string, wantAll string, lookup SPFLookup) (string, error) {
	var merged spfRecord
	seen := map[string]bool{}
	add := func(terms []string, to *[]string) {
		for _, t := range terms {
			if k := strings.ToLower(t); !seen[k] {
				seen[k] = true
				*to = append(*to, t)
			}
		}
	}
	redirect := ""
	for _, text := range existing {
		r := parseSPF(text)
		add(r.mechanisms, &merged.mechanisms)
		for _, m := range r.modifiers {
			if strings.HasPrefix(strings.ToLower(m), "redirect=") {
				if redirect != "" && !strings.EqualFold(redirect, m) {
					return "", fmt.Errorf("the SPF records redirect to different places (%s, %s): merge them by hand", redirect, m)
				}
				redirect = m
			}
		}
		add(r.modifiers, &merged.modifiers)
		if strictness[r.all] > strictness[merged.all] {
			merged.all = r.all
		}
	}
	for _, text := range need {
		r := parseSPF("v=spf1 " + text)
		add(r.mechanisms, &merged.mechanisms)
	}
	switch {
	case merged.all != "":
		// An "all" ends evaluation: a redirect next to it is never used.
	case redirect != "":
	default:
		merged.all = wantAll
	}
	terms := append([]string{"v=spf1"}, merged.mechanisms...)
	terms = append(terms, merged.modifiers...)
	if merged.all != "" {
		terms = append(terms, merged.all)
	}
	out := strings.Join(terms, " ")
	if n, _ := SPFLookups(out, lookup); n > MaxSPFLookups {
		return "", fmt.Errorf("the merged SPF record would need %d DNS lookups, more than the %d receivers allow: %q; "+
			"remove senders the chapter no longer uses from it", n, MaxSPFLookups, out)
	}
	return out, nil
}

// SPFLookup returns the SPF record a domain publishes; ok is false when
// it cannot tell (no record, no answer).
type SPFLookup func(domain string) (record string, ok bool)

// maxSPFDepth stops following includes that never end (a loop is also
// cut by never reading one domain twice).
const maxSPFDepth = 10

// SPFLookups counts the DNS-querying terms an evaluation of one SPF record
// uses (include, a, mx, ptr, exists, redirect; RFC 7208 §4.6.4), following
// include: and redirect= targets through lookup (nil: the record's own
// terms only). complete is false when a target could not be read: it then
// counts once, so the count is a lower bound.
func SPFLookups(text string, lookup SPFLookup) (n int, complete bool) {
	return countSPF(text, lookup, map[string]bool{}, 0)
}

func countSPF(text string, lookup SPFLookup, read map[string]bool, depth int) (n int, complete bool) {
	if !IsSPF(text) {
		return 0, true
	}
	complete = true
	for _, term := range strings.Fields(text)[1:] {
		t := strings.ToLower(strings.TrimLeft(term, "+-~?"))
		name, target, _ := strings.Cut(t, ":")
		name, _, _ = strings.Cut(name, "/")
		switch {
		case name == "a", name == "mx", name == "ptr", name == "exists":
			n++
			continue
		case name == "include":
		case strings.HasPrefix(t, "redirect="):
			target = strings.TrimPrefix(t, "redirect=")
		default:
			continue
		}
		n++
		switch {
		case lookup == nil:
			complete = false
		case read[target] || depth >= maxSPFDepth || strings.Contains(target, "%"):
			// Read already (a loop), too deep, or a macro only a receiver can expand.
		default:
			read[target] = true
			record, ok := lookup(target)
			if !ok {
				complete = false
				continue
			}
			sub, subComplete := countSPF(record, lookup, read, depth+1)
			n, complete = n+sub, complete && subComplete
		}
	}
	return n, complete
}

// spfNeeds is what an SPF record chapterctl is told to publish (Cloudron's
// expected value, Mailgun's) asks for: its mechanisms and its "all".
func spfNeeds(text string) (mechanisms []string, all string) {
	r := parseSPF(text)
	return r.mechanisms, r.all
}
