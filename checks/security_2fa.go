package checks

import "context"

// Admin2FA is security.admin-2fa: the organizer's Cloudron account has a
// second factor (cloudron-operations.md §2: profile's
// twoFactorAuthenticationEnabled).
var Admin2FA = Def{Key: "security.admin-2fa", Name: "The admin account has two-factor login", Area: AreaPlatform,
	Impact: "one stolen password gives away every member's chat and email",
	Needs:  []string{"platform.status"}, Limit: apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		u, err := profile(ctx, env)
		if err != nil {
			return cloudronUnknown(err)
		}
		if !u.TwoFactor {
			return Result{Status: Fail, Detail: u.Username + " (" + u.Role + ") logs in with a password only",
				Fix: "run \"chapterctl init\" to enrol again (it shows the new secret once), or turn it on yourself: Cloudron → Profile → Two-factor authentication"}
		}
		return pass(u.Username + " has two-factor login")
	}}

// MailLogin2FA is security.mail-2fa: IMAP and SMTP logins take only the
// password, so 2FA does not protect mail. It warns while the admin has
// no second factor at all (then one password opens everything); with 2FA
// on, as init leaves it, it passes, saying what remains password-only: no
// setting can add a second factor to IMAP, so a warning there would never
// clear and would teach organizers to ignore warnings (docs/decisions.md).
var MailLogin2FA = Def{Key: "security.mail-2fa", Name: "Email logins and two-factor", Area: AreaMail,
	Needs: []string{"platform.status"}, Limit: apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		if !mailEnabled(env) {
			return skip("email is off in chapter.yaml")
		}
		u, err := profile(ctx, env)
		if err != nil {
			return cloudronUnknown(err)
		}
		if !u.TwoFactor {
			return Result{Status: Warn, Detail: "IMAP and SMTP take only the password, and the admin has no second factor either",
				Fix: "turn on two-factor login (Cloudron → Profile), and give mail apps app passwords (Cloudron → Profile → App passwords)"}
		}
		return pass("2FA protects the dashboard; IMAP and SMTP still take only the password, so use app passwords for mail apps")
	}}
