package checks

import "github.com/chapterctl/chapterctl/internal/dnsq"

// All is doctor's list, in the order it shows them: chapterctl itself,
// DNS, the server, the platform, certificates, email, chat. exps is the
// record list dns-records recorded (dns.records judges it).
func All(exps []dnsq.Expectation) []Check {
	return []Check{
		StateReadable{}, SecretsPrivate{}, Tokens,
		Nameservers, ServerA, AppRecords, Records(exps), CAA, DomainExpiry,
		HostSSH, HostDisk, HostMemory, HostLoad, HostReboot, HostClock,
		PlatformStatus, PlatformUpdates, AppUpdates, Backups, Admin2FA,
		TLSValid, TLSExpiry,
		MX, SPF, SPFLookups, DKIM, DKIMKeySize, DMARC, PTR, FCrDNS, Port25Out, Relay, CloudronMail, DNSBL, DBL, MailLogin2FA,
		ChatApp, ChatInfo, WellKnownServer, WellKnownClient, Discovery, Federation, ElementConfig,
	}
}
