package droplet

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// nc (netcat-openbsd, on Ubuntu by default), for its connection test:
// nc -z [-v] [-w SECS] HOST PORT. The simulated internet's mail servers
// answer on port 25 unless the DigitalOcean account blocks outbound 25
// (world smtp_blocked), when the connect times out after -w seconds as it
// does on a real droplet; Mailgun's relay answers on its submission ports;
// nothing else is reachable.

func init() {
	register("/usr/bin", runNC, "nc", "netcat")
}

// mailgunSubmission are the relay's hosts and the ports they take.
var mailgunSubmission = map[string][]string{
	"smtp.mailgun.org":    {"25", "465", "587", "2525"},
	"smtp.eu.mailgun.org": {"25", "465", "587", "2525"},
}

func runNC(p *proc) int {
	o, err := optSpec{short: "zvnw:46"}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	if !o.has("z") || len(o.args) != 2 {
		// Only the connection test is simulated: nothing here would
		// answer a conversation.
		return p.errorf(1, "only the connection test (nc -z [-v] [-w secs] host port) is available here")
	}
	host, port := strings.ToLower(o.args[0]), o.args[1]
	wait := 0
	if w := o.value("w", ""); w != "" {
		if wait, err = strconv.Atoi(w); err != nil || wait < 0 {
			return p.errorf(1, "timeout invalid: %s", w)
		}
	}
	var blocked bool
	p.s.fs.w.Read(func(d *world.Data) { blocked = d.DigitalOcean.SMTPBlocked })
	switch {
	case port == "25" && blocked && mailgunSubmission[host] == nil:
		// DigitalOcean drops the SYN: no answer until nc gives up (or,
		// without -w, until the kernel does, about two minutes).
		limit := time.Duration(wait) * time.Second
		if wait == 0 {
			limit = 127 * time.Second
		}
		if err := p.sleep(limit); err != nil {
			return 1
		}
		fmt.Fprintf(p.stderr, "nc: connect to %s port %s (tcp) timed out: Operation now in progress\n", host, port)
		return 1
	case port == "25" && strings.Contains(host, "."), slices.Contains(mailgunSubmission[host], port):
		if o.has("v") {
			fmt.Fprintf(p.stderr, "Connection to %s %s port [tcp/%s] succeeded!\n", host, port, serviceName(port))
		}
		return 0
	}
	fmt.Fprintf(p.stderr, "nc: connect to %s port %s (tcp) failed: No route to host\n", host, port)
	return 1
}

func serviceName(port string) string {
	if name, ok := map[string]string{"25": "smtp", "465": "submissions", "587": "submission"}[port]; ok {
		return name
	}
	return "*"
}
