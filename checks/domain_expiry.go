package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DomainExpiry is domain.expiry: the registration does not lapse soon,
// read over RDAP (RFC 9083; the TLD's server from IANA's bootstrap, RFC
// 9224). 45 days or less warns, 15 or less fails (YunoHost's tiers).
var DomainExpiry = Def{Key: "domain.expiry", Name: "The domain's registration does not lapse soon", Area: AreaDNS,
	Impact: "if the domain lapses, chat and email stop for everyone",
	Limit:  rdapLimit,
	Look: func(ctx context.Context, env *Env) Result {
		domain := env.Domain()
		boot := env.RDAPBootstrap
		if boot == "" {
			boot = DefaultRDAPBootstrap
		}
		ans, err := fetch(ctx, env, boot)
		if err != nil {
			return unknown("IANA's RDAP bootstrap did not answer: "+err.Error(), "run \"chapterctl doctor\" again later")
		}
		base := rdapBase(ans.body, domain[strings.LastIndex(domain, ".")+1:])
		if base == "" {
			return unknown("the domain's registry has no RDAP service", "check the expiry date in Gandi → Domains")
		}
		url := strings.TrimSuffix(base, "/") + "/domain/" + domain
		d, err := fetch(ctx, env, url)
		if err != nil || d.status != 200 {
			return unknown(fmt.Sprintf("the registry's RDAP server did not answer for %s", domain), "check the expiry date in Gandi → Domains")
		}
		var doc struct {
			Events []struct {
				Action string    `json:"eventAction"`
				Date   time.Time `json:"eventDate"`
			} `json:"events"`
		}
		if json.Unmarshal(d.body, &doc) != nil {
			return unknown("the registry's RDAP answer could not be read", "check the expiry date in Gandi → Domains")
		}
		for _, e := range doc.Events {
			if e.Action != "expiration" {
				continue
			}
			left := e.Date.Sub(env.now())
			detail := fmt.Sprintf("%s expires on %s (%s left)", domain, e.Date.Local().Format("Jan 2 2006"), days(left))
			fix := "renew " + domain + " at Gandi now (Domains → Renew), and turn on automatic renewal"
			switch {
			case left <= 15*24*time.Hour:
				return Result{Status: Fail, Detail: detail, Fix: fix}
			case left <= 45*24*time.Hour:
				return Result{Status: Warn, Detail: detail, Fix: fix}
			}
			return pass(detail)
		}
		return unknown("the registry does not say when "+domain+" expires", "check the expiry date in Gandi → Domains")
	}}

// rdapBase finds tld's RDAP base URL in IANA's bootstrap file.
func rdapBase(bootstrap []byte, tld string) string {
	var file struct {
		Services [][][]string `json:"services"`
	}
	if json.Unmarshal(bootstrap, &file) != nil {
		return ""
	}
	for _, s := range file.Services {
		if len(s) < 2 || len(s[1]) == 0 {
			continue
		}
		for _, t := range s[0] {
			if strings.EqualFold(t, tld) {
				for _, u := range s[1] {
					if strings.HasPrefix(u, "https://") {
						return u
					}
				}
			}
		}
	}
	return ""
}
