package checks

import (
	"slices"
	"testing"
)

const digListed = `
; <<>> DiG 9.18.30-0ubuntu0.24.04.2-Ubuntu <<>> +time=2 +tries=1 10.113.0.203.zen.spamhaus.org. A @127.0.0.1
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242
;; flags: qr rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1

;; QUESTION SECTION:
;10.113.0.203.zen.spamhaus.org.	IN	A

;; ANSWER SECTION:
10.113.0.203.zen.spamhaus.org. 60 IN	A	127.0.0.2
10.113.0.203.zen.spamhaus.org. 60 IN	A	127.0.0.4

;; Query time: 1 msec
`

func TestParseDig(t *testing.T) {
	a := parseDig(digListed)
	if a.status != "NOERROR" || !slices.Equal(a.codes, []string{"127.0.0.2", "127.0.0.4"}) {
		t.Errorf("listed: %+v", a)
	}
	if a := parseDig(";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 1\n"); a.status != "NXDOMAIN" || len(a.codes) != 0 {
		t.Errorf("nxdomain: %+v", a)
	}
	if a := parseDig(";; communications error to 127.0.0.1#53: timed out\nstatus: TIMEOUT\n"); a.status != "TIMEOUT" {
		t.Errorf("timeout: %+v", a)
	}
}

func TestJudgeFromServer(t *testing.T) {
	qs := ipQuestions("203.0.113.10")
	major := map[string]bool{"zen.spamhaus.org": true, "bl.spamcop.net": true}
	alive := func() map[string]digAnswer {
		m := map[string]digAnswer{}
		for _, q := range qs {
			if q.probe {
				m[q.qname] = digAnswer{status: "NOERROR", codes: []string{"127.0.0.2"}}
			} else {
				m[q.qname] = digAnswer{status: "NXDOMAIN"}
			}
		}
		return m
	}
	verdict := func(answers map[string]digAnswer) Status {
		return judgeListings("203.0.113.10", judgeFromServer(qs, answers, major)).Status
	}
	if got := verdict(alive()); got != Pass {
		t.Errorf("clean: %s", got)
	}
	spamhaus := "10.113.0.203.zen.spamhaus.org."
	listed := alive()
	listed[spamhaus] = digAnswer{status: "NOERROR", codes: []string{"127.0.0.2"}}
	if got := verdict(listed); got != Fail {
		t.Errorf("SBL listing: %s", got)
	}
	pbl := alive()
	pbl[spamhaus] = digAnswer{status: "NOERROR", codes: []string{"127.0.0.11"}}
	if got := verdict(pbl); got != Warn {
		t.Errorf("PBL listing: %s, want a warning", got)
	}
	refused := alive()
	refused[spamhaus] = digAnswer{status: "NOERROR", codes: []string{"127.255.255.254"}}
	if got := verdict(refused); got != Unknown {
		t.Errorf("Spamhaus refusal: %s, want unknown", got)
	}
	dead := alive()
	dead["2.0.0.127.zen.spamhaus.org."] = digAnswer{status: "NXDOMAIN"}
	if got := verdict(dead); got != Unknown {
		t.Errorf("a list that does not answer its test entry: %s, want unknown", got)
	}
	servfail := alive()
	servfail[spamhaus] = digAnswer{status: "SERVFAIL"}
	if got := verdict(servfail); got != Unknown {
		t.Errorf("SERVFAIL: %s, want unknown", got)
	}
}
