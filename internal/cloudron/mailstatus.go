package cloudron

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// mailStatusTimeout: the status runs its DNS, blocklist and SMTP checks on
// the server (5 s each, some in sequence) before answering.
const mailStatusTimeout = 2 * time.Minute

// MailStatus is Cloudron's own view of a mail domain: the DNS records it
// expects, its outbound relay, and whether blocklists list the server.
type MailStatus struct {
	// Checks are the DNS checks the server made, in the order mx, spf,
	// dkim, dmarc, ptr (only those it made: MX and DMARC need incoming
	// mail on; PTR only with the built-in relay).
	Checks []MailCheck
	Relay  RelayStatus
	// Blocklists is reported only with the built-in relay.
	Blocklists BlocklistStatus
}

// MailCheck is one DNS record check.
type MailCheck struct {
	Name         string // mx, spf, dkim, dmarc, ptr
	FQDN         string // the name asked, e.g. cloudron._domainkey.example.org
	RecordName   string // the record's name in the zone: "@", "_dmarc", "cloudron._domainkey"; the IP for ptr
	Type         string // MX, TXT, PTR
	Value        string // what DNS answers now ("" when nothing)
	Expected     string // what Cloudron wants there
	OK           bool
	ErrorMessage string // a lookup that failed
}

// RelayStatus is the outbound check: the port-25 probe with the built-in
// relay, else a login to the configured relay.
type RelayStatus struct {
	Checked bool
	OK      bool
	Message string
}

// BlocklistStatus is the DNSBL check of the server's IP.
type BlocklistStatus struct {
	Checked bool
	OK      bool // listed nowhere
	IP      string
	Listed  []string // the blocklist zones that list it
}

// Check returns the named check (mx, spf, dkim, dmarc, ptr).
func (s MailStatus) Check(name string) (MailCheck, bool) {
	for _, c := range s.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return MailCheck{}, false
}

// mailCheckOrder is the order records are explained in: the MX first, as
// mail cannot arrive without it.
var mailCheckOrder = []string{"mx", "spf", "dkim", "dmarc", "ptr"}

type mailRecordJSON struct {
	Domain       string  `json:"domain"`
	Name         string  `json:"name"`
	Type         string  `json:"type"`
	Value        *string `json:"value"`
	Expected     string  `json:"expected"`
	Status       bool    `json:"status"`
	ErrorMessage string  `json:"errorMessage"`
}

type mailStatusJSON struct {
	DNS   map[string]mailRecordJSON `json:"dns"`
	Relay struct {
		Status *bool  `json:"status"`
		Value  string `json:"value"`
	} `json:"relay"`
	RBL struct {
		Status  *bool  `json:"status"`
		IP      string `json:"ip"`
		Servers []struct {
			DNS string `json:"dns"`
		} `json:"servers"`
	} `json:"rbl"`
}

// MailStatus asks Cloudron to check domain's mail setup now. The DKIM
// record chapterctl must write is Check("dkim")'s Expected.
func (c *Client) MailStatus(ctx context.Context, domain string) (MailStatus, error) {
	var body mailStatusJSON
	err := c.do(ctx, call{method: http.MethodGet, path: mailPath(domain, "/status"), out: &body, timeout: mailStatusTimeout})
	if err != nil {
		return MailStatus{}, fmt.Errorf("cloudron: read the mail status of %s: %w", domain, err)
	}
	var st MailStatus
	for _, name := range mailCheckOrder {
		r, ok := body.DNS[name]
		if !ok {
			continue
		}
		check := MailCheck{Name: name, FQDN: r.Domain, RecordName: r.Name, Type: r.Type, Expected: r.Expected, OK: r.Status,
			ErrorMessage: r.ErrorMessage}
		if r.Value != nil {
			check.Value = *r.Value
		}
		st.Checks = append(st.Checks, check)
	}
	if body.Relay.Status != nil {
		st.Relay = RelayStatus{Checked: true, OK: *body.Relay.Status, Message: c.redactor.Redact(body.Relay.Value)}
	}
	if body.RBL.Status != nil {
		st.Blocklists = BlocklistStatus{Checked: true, OK: *body.RBL.Status, IP: body.RBL.IP}
		for _, s := range body.RBL.Servers {
			st.Blocklists.Listed = append(st.Blocklists.Listed, s.DNS)
		}
	}
	return st, nil
}
