package steps

// Outline names a step without building it: enough for status, which must
// work without a chapter.yaml or any provider.
type Outline struct{ ID, Title string }

// Order is the contract's list of init steps (DESIGN.md, "Steps").
var Order = []Outline{
	{"ssh-key", "Chapter SSH key, registered at DigitalOcean"},
	{"droplet", "Server droplet at DigitalOcean"},
	{"firewall", "Cloud firewall for the droplet"},
	{"dns-host", "DNS records for the server and app names"},
	{"platform", "Cloudron installed on the droplet"},
	{"platform-setup", "Cloudron first-time setup and admin"},
	{"chat", "Chat server apps"},
	{"mail", "Email for the domain"},
	{"dns-records", "DNS records Cloudron expects"},
	{"verify", "Records and certificates verified"},
}
