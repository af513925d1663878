package steps

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// The record list verify checks is an output of the dns-records step
// (the contract between the parts): a JSON array of whole record sets.
const (
	expectedFromStep = "dns-records"
	expectedOutput   = "expected"
)

// ExpectedRecordSet is one entry of the dns-records step's "expected"
// output: the whole record set the zone must serve at Name (an FQDN,
// without the trailing dot), foreign values included. Values are plain
// text: TXT unquoted, CNAME and MX targets without the trailing dot.
type ExpectedRecordSet struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

// ErrNoExpected: nothing says yet what the zone must serve, so nothing
// can be verified; verify never passes on an empty list.
var ErrNoExpected = errors.New(`no record list to verify: the dns-records step has not recorded what the zone must serve; ` +
	`run "chapterctl dns apply" (or "chapterctl init") first`)

// ParseExpected reads the "expected" output into the questions to ask.
func ParseExpected(text string) ([]dnsq.Expectation, error) {
	if strings.TrimSpace(text) == "" {
		return nil, ErrNoExpected
	}
	var sets []ExpectedRecordSet
	if err := json.Unmarshal([]byte(text), &sets); err != nil {
		return nil, fmt.Errorf("the record list dns-records recorded is unreadable (%v); run \"chapterctl dns apply\" to record it again", err)
	}
	if len(sets) == 0 {
		return nil, ErrNoExpected
	}
	exps := make([]dnsq.Expectation, 0, len(sets))
	for _, set := range sets {
		qtype, ok := dns.StringToType[strings.ToUpper(set.Type)]
		if !ok || set.Name == "" || len(set.Values) == 0 {
			return nil, fmt.Errorf("the record list dns-records recorded has an unusable entry (%q %q with %d values); "+
				"run \"chapterctl dns apply\" to record it again", set.Name, set.Type, len(set.Values))
		}
		exps = append(exps, dnsq.Expectation{Name: set.Name, Type: qtype, Values: set.Values})
	}
	return exps, nil
}

// expectedDigest names one version of the record list: verify records the
// digest of the list it found served, and has nothing to do until the
// list changes.
func expectedDigest(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}
