package droplet

import (
	"fmt"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/sandbox/dnssim"
)

// dig (bind9-dnsutils), asking the server's own resolver: Cloudron's
// unbound on 127.0.0.1, which caps cached answers at 300 s and absences
// at 30 s (its start script). Doctor asks DNS blocklists this way, from
// the server's address, as Spamhaus wants (doctor-checks.md §3). Other
// servers are not simulated: dig times out on them, as on a network that
// drops the packets.
func init() { register("/usr/bin", runDig, "dig") }

// unboundCaps are Cloudron's unbound cache limits.
var unboundCaps = dnssim.ResolverOptions{MaxTTL: 300 * time.Second, MaxNegativeTTL: 30 * time.Second}

func runDig(p *proc) int {
	short, server, name, qtype := false, "127.0.0.1", "", dns.TypeA
	for _, a := range p.args {
		switch {
		case a == "+short":
			short = true
		case strings.HasPrefix(a, "+"):
			// +time, +tries and display options change nothing here.
		case strings.HasPrefix(a, "@"):
			server = strings.TrimPrefix(a, "@")
		case dns.StringToType[strings.ToUpper(a)] != 0 && name != "":
			qtype = dns.StringToType[strings.ToUpper(a)]
		case name == "":
			name = a
		default:
			return p.errorf(1, "dig: extra argument %q", a)
		}
	}
	if name == "" {
		return p.errorf(1, "dig: a name to look up is needed here")
	}
	if server != "127.0.0.1" && server != "localhost" {
		fmt.Fprintf(p.stdout, ";; communications error to %s#53: timed out\n;; no servers could be reached\n", server)
		return 9
	}
	m := dnssim.NewResolver(p.s.fs.w, unboundCaps).Lookup(name, qtype)
	if short {
		for _, rr := range m.Answer {
			if rr.Header().Rrtype == qtype {
				fields := strings.SplitN(rr.String(), "\t", 5)
				fmt.Fprintln(p.stdout, fields[len(fields)-1])
			}
		}
		return 0
	}
	fmt.Fprintf(p.stdout, "\n; <<>> DiG 9.18.30-0ubuntu0.24.04.2-Ubuntu <<>> %s\n;; global options: +cmd\n;; Got answer:\n", strings.Join(p.args, " "))
	fmt.Fprintf(p.stdout, ";; ->>HEADER<<- opcode: QUERY, status: %s, id: %d\n", dns.RcodeToString[m.Rcode], m.Id)
	fmt.Fprintf(p.stdout, ";; flags: qr rd ra; QUERY: 1, ANSWER: %d, AUTHORITY: %d, ADDITIONAL: 1\n\n", len(m.Answer), len(m.Ns))
	fmt.Fprintf(p.stdout, ";; QUESTION SECTION:\n;%s\t\t\tIN\t%s\n", dns.Fqdn(name), dns.TypeToString[qtype])
	if len(m.Answer) > 0 {
		fmt.Fprint(p.stdout, "\n;; ANSWER SECTION:\n")
		for _, rr := range m.Answer {
			fmt.Fprintln(p.stdout, rr.String())
		}
	}
	if len(m.Ns) > 0 {
		fmt.Fprint(p.stdout, "\n;; AUTHORITY SECTION:\n")
		for _, rr := range m.Ns {
			fmt.Fprintln(p.stdout, rr.String())
		}
	}
	fmt.Fprintf(p.stdout, "\n;; Query time: 1 msec\n;; SERVER: 127.0.0.1#53(127.0.0.1) (UDP)\n;; WHEN: %s\n\n", p.now().UTC().Format("Mon Jan 02 15:04:05 UTC 2006"))
	return 0
}
