package mailgun

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// lookupTimeout bounds the DNS questions of one verification.
const lookupTimeout = 10 * time.Second

// PUT /v4/domains/{name}/verify: Mailgun asks DNS now, records what it
// found for each record, and sets the domain's state from it.
func (s *server) verifyDomain(rw http.ResponseWriter, r *http.Request) {
	region, name := regionOf(r), r.PathValue("name")
	var sending, receiving []world.MailgunRecord
	s.w.Read(func(d *world.Data) {
		if dom := domainIn(d, region, name); dom != nil {
			name = dom.Name
			sending = append([]world.MailgunRecord(nil), dom.SendingRecords...)
			receiving = append([]world.MailgunRecord(nil), dom.ReceivingRecords...)
		}
	})
	if sending == nil {
		writeError(rw, errDomainNotFound)
		return
	}
	// DNS is asked outside the world's lock: the simulated DNS reads the
	// world too.
	ctx, cancel := context.WithTimeout(r.Context(), lookupTimeout)
	defer cancel()
	_, fails := s.w.Fault(FaultVerifyFails)
	ask := newAsker(s.dns, fails)
	sending, receiving = ask.checkAll(ctx, name, sending), ask.checkAll(ctx, name, receiving)

	var reply domainReply
	err := s.w.Update(r.Context(), "mailgun.domain.verify", func(d *world.Data) error {
		dom := domainIn(d, region, name)
		if dom == nil {
			return errDomainNotFound // deleted while DNS was asked
		}
		dom.SendingRecords, dom.ReceivingRecords = sending, receiving
		dom.VerifiedAt = s.w.Now().UTC()
		// The reference's rule (Mailgun's exact one is unverified): SPF
		// and DKIM decide; MX and the tracking CNAME do not. A domain that
		// fails goes back to unverified, as the old docs say verify
		// "places the domain in an unverified state" first.
		dom.State = "unverified"
		if passes(sending) {
			dom.State = "active"
		}
		reply = replyOf("Domain DNS records have been updated", dom)
		return nil
	})
	if err != nil {
		writeError(rw, err)
		return
	}
	writeJSON(rw, http.StatusOK, reply)
}

func passes(sending []world.MailgunRecord) bool {
	for _, r := range sending {
		if (r.Purpose == purposeSPF || r.Purpose == purposeDKIM) && r.Valid != "valid" {
			return false
		}
	}
	return true
}

// asker asks DNS once per name and type during one verification.
type asker struct {
	dns     Deps
	blind   bool // the mailgun-verify-fails fault: every answer is empty
	answers map[string]answer
}

type answer struct {
	values []string // as Mailgun shows them in "cached"
	err    error
}

func newAsker(dns Deps, blind bool) *asker {
	return &asker{dns: dns, blind: blind, answers: map[string]answer{}}
}

// checkAll checks the records of domain; one without a name (the
// receiving MX records) is at the domain itself.
func (a *asker) checkAll(ctx context.Context, domain string, records []world.MailgunRecord) []world.MailgunRecord {
	out := make([]world.MailgunRecord, len(records))
	for i, r := range records {
		name := r.Name
		if name == "" {
			name = domain
		}
		out[i] = a.check(ctx, name, r)
	}
	return out
}

// check fills in what DNS returned at name for r and whether it matches. A record
// whose lookup failed stays "unknown" (unverified: Mailgun may say
// "invalid"); the simulator does not claim to know what it could not ask.
func (a *asker) check(ctx context.Context, name string, r world.MailgunRecord) world.MailgunRecord {
	got := a.ask(ctx, r.RecordType, name)
	r.Cached, r.Valid = got.values, "invalid"
	if got.err != nil {
		r.Cached, r.Valid = []string{}, "unknown"
	} else if matches(r, got.values) {
		r.Valid = "valid"
	}
	r.IsActive = r.Valid == "valid"
	return r
}

func (a *asker) ask(ctx context.Context, recordType, name string) answer {
	key := recordType + " " + name
	if got, ok := a.answers[key]; ok {
		return got
	}
	got := answer{values: []string{}}
	if !a.blind {
		got = a.lookup(ctx, recordType, name)
	}
	a.answers[key] = got
	return got
}

func (a *asker) lookup(ctx context.Context, recordType, name string) answer {
	if a.dns == nil {
		return answer{err: errors.New("no DNS")}
	}
	got := answer{values: []string{}}
	switch recordType {
	case "TXT":
		txt, err := a.dns.LookupTXT(ctx, name)
		got.values, got.err = append(got.values, txt...), err
	case "CNAME":
		target, err := a.dns.LookupCNAME(ctx, name)
		if target = strings.TrimSuffix(target, "."); target != "" {
			got.values = append(got.values, target)
		}
		got.err = err
	case "MX":
		mxs, err := a.dns.LookupMX(ctx, name)
		for _, mx := range mxs {
			got.values = append(got.values, fmt.Sprintf("%d %s", mx.Pref, strings.TrimSuffix(mx.Host, ".")))
		}
		got.err = err
	default:
		got.err = fmt.Errorf("record type %s not checked", recordType)
	}
	return got
}

// matches tells whether DNS's answer satisfies the record Mailgun asks for.
func matches(r world.MailgunRecord, values []string) bool {
	switch r.Purpose {
	case purposeSPF:
		return spfIncludesMailgun(values)
	case purposeMX:
		for _, v := range values {
			if _, host, _ := strings.Cut(v, " "); strings.EqualFold(host, r.Value) {
				return true
			}
		}
		return false
	}
	for _, v := range values {
		// DKIM TXT: the joined strings equal exactly. CNAMEs: names
		// compare without case.
		if v == r.Value || (r.RecordType == "CNAME" && strings.EqualFold(v, r.Value)) {
			return true
		}
	}
	return false
}

// spfIncludesMailgun: exactly one v=spf1 record at the name (two are a
// permerror, RFC 7208 §4.5) and it includes mailgun.org.
func spfIncludesMailgun(values []string) bool {
	var spf []string
	for _, v := range values {
		if f := strings.Fields(strings.ToLower(v)); len(f) > 0 && f[0] == "v=spf1" {
			spf = append(spf, v)
		}
	}
	if len(spf) != 1 {
		return false
	}
	for _, term := range strings.Fields(strings.ToLower(spf[0])) {
		if strings.TrimPrefix(term, "+") == "include:mailgun.org" {
			return true
		}
	}
	return false
}
