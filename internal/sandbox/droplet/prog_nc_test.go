package droplet

import (
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// nc's connection test follows the account's port-25 block, as on a real
// droplet: the SYN to a mail server's port 25 goes unanswered, the relay's
// 587 does not.
func TestNCConnectionTestFollowsTheSMTPBlock(t *testing.T) {
	t.Parallel()
	cases := []struct {
		blocked    bool
		command    string
		wantStatus int
		wantStderr string
	}{
		{false, "nc -z -v -w 5 smtp.gmail.com 25", 0, "Connection to smtp.gmail.com 25 port [tcp/smtp] succeeded!\n"},
		{false, "nc -z -w 5 smtp.gmail.com 25", 0, ""},
		{true, "nc -z -v -w 5 smtp.gmail.com 25", 1, "nc: connect to smtp.gmail.com port 25 (tcp) timed out: Operation now in progress\n"},
		{true, "nc -z -v -w 5 smtp.mailgun.org 587", 0, "Connection to smtp.mailgun.org 587 port [tcp/submission] succeeded!\n"},
		{false, "nc -z -w 5 smtp.gmail.com 2525", 1, "nc: connect to smtp.gmail.com port 2525 (tcp) failed: No route to host\n"},
		{false, "nc smtp.gmail.com 25", 1, "nc: only the connection test (nc -z [-v] [-w secs] host port) is available here\n"},
	}
	for _, blocked := range []bool{false, true} {
		c := newTestDroplet(t, func(d *world.Data, _ *world.Droplet) { d.DigitalOcean.SMTPBlocked = blocked }).client(t)
		for _, tc := range cases {
			if tc.blocked != blocked {
				continue
			}
			got := run(t, c, tc.command, "")
			if got.status != tc.wantStatus || got.stderr != tc.wantStderr {
				t.Errorf("blocked=%v %q: status %d stderr %q, want %d %q", blocked, tc.command, got.status, got.stderr, tc.wantStatus, tc.wantStderr)
			}
		}
	}
}
