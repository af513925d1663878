package digitalocean

// The ports Cloudron answers on (reference/cloudron-operations.md §1). A
// port must pass both this firewall and Cloudron's own iptables, so
// opening one Cloudron does not serve exposes nothing; leaving out one it
// needs breaks a feature.
var cloudronTCP = []string{
	"22",   // SSH, for chapterctl and the organizer
	"80",   // HTTP → HTTPS, Let's Encrypt HTTP-01
	"443",  // dashboard, apps, Matrix federation (the package uses 443, not 8448)
	"25",   // inbound mail
	"587",  // mail submission (STARTTLS)
	"993",  // IMAPS
	"4190", // ManageSieve: mail filters and vacation replies
	"3478", // TURN/STUN for voice and video calls
	"5349", // TURN over TLS
}

var cloudronUDP = []string{
	"3478",        // TURN/STUN
	"5349",        // TURN over DTLS
	"50000-51000", // TURN relay range
}

// CloudronFirewall is the cloud firewall a Cloudron droplet tagged tag
// needs: Cloudron's ports and ping from anywhere, and all outbound traffic
// (a DigitalOcean firewall with no outbound rules lets nothing out, and
// Cloudron needs DNS from the roots, apt, registries, ACME, NTP, relays).
func CloudronFirewall(name, tag string) FirewallSpec {
	spec := FirewallSpec{Name: name, Tags: []string{tag}}
	for _, port := range cloudronTCP {
		spec.Inbound = append(spec.Inbound, Rule{Protocol: "tcp", Ports: port, Addresses: everywhere()})
	}
	for _, port := range cloudronUDP {
		spec.Inbound = append(spec.Inbound, Rule{Protocol: "udp", Ports: port, Addresses: everywhere()})
	}
	spec.Inbound = append(spec.Inbound, Rule{Protocol: "icmp", Addresses: everywhere()})
	spec.Outbound = []Rule{
		{Protocol: "tcp", Ports: "0", Addresses: everywhere()},
		{Protocol: "udp", Ports: "0", Addresses: everywhere()},
		{Protocol: "icmp", Addresses: everywhere()},
	}
	return spec
}
