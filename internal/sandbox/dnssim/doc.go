// Package dnssim is the sandbox's DNS: the authoritative servers that serve
// the Gandi zones (and the reverse names of the droplets), stand-ins for the
// public resolvers with their caches, and the DNS blocklists. All of them
// answer from the world as it is at the moment of the query, over real DNS
// (miekg/dns, UDP and TCP on one loopback port) or in-process.
//
// Time is the world's: a Gandi write reaches the authoritative answers when
// its published version is due, and a resolver keeps what it cached for the
// answer's TTL in simulated seconds, so propagation takes as long, in
// simulated time, as it would for real.
package dnssim
