package sshx

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/chapterctl/chapterctl/internal/atomicfile"
)

// ErrHostUnknown means a known_hosts file has no key for the host.
var ErrHostUnknown = errors.New("no pinned host key")

const knownHostsHeader = "# Written by chapterctl: the droplet's pinned SSH host key, for\n" +
	"# ssh -o UserKnownHostsFile=THIS_FILE root@HOST. chapterctl rewrites it when the key is rotated.\n"

// WriteKnownHosts replaces the file at path with one OpenSSH known_hosts
// line naming key for every host in hosts (names or IPs, with :port when
// not 22). The file is chapterctl's own, so it is rewritten whole,
// atomically, and stays readable (0644) as OpenSSH expects.
func WriteKnownHosts(path string, hosts []string, key ssh.PublicKey) error {
	if len(hosts) == 0 || key == nil {
		return fmt.Errorf("write %s: a host and a key are needed", path)
	}
	for _, h := range hosts {
		if h == "" || strings.ContainsAny(h, " \t\n,#") {
			return fmt.Errorf("write %s: %q is not a host name or address", path, h)
		}
	}
	// OpenSSH lowercases the host name it looks up; so does ReadKnownHosts.
	lower := make([]string, len(hosts))
	for i, h := range hosts {
		lower[i] = strings.ToLower(h)
	}
	content := knownHostsHeader + knownhosts.Line(lower, key) + "\n"
	if err := atomicfile.Write(path, []byte(content), 0o644); err != nil {
		return fmt.Errorf("write known hosts: %w", err)
	}
	return nil
}

// ReadKnownHosts returns the key a known_hosts file pins for host (a name
// or IP, with :port when not 22; case does not matter), read with the
// same matching rules OpenSSH and x/crypto use. When the file pins several keys for host (one
// per type), the ed25519 one is preferred. A host the file does not name
// is ErrHostUnknown.
func ReadKnownHosts(path, host string) (ssh.PublicKey, error) {
	check, err := knownhosts.New(path)
	if err != nil {
		return nil, fmt.Errorf("read known hosts: %w", err)
	}
	// knownhosts only answers "is this the key?": ask about a key no
	// server has, and its refusal lists the keys it knows for host.
	probe, err := ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))
	if err != nil {
		return nil, fmt.Errorf("read known hosts: %w", err)
	}
	err = check(withDefaultPort(strings.ToLower(host)), &net.TCPAddr{IP: net.IPv4zero, Port: 22}, probe)
	var keyErr *knownhosts.KeyError
	var revoked *knownhosts.RevokedError
	switch {
	case err == nil:
		return nil, fmt.Errorf("read known hosts %s: the key pinned for %s is not a usable key", path, host)
	case errors.As(err, &revoked):
		return nil, fmt.Errorf("read known hosts %s: the key for %s is marked revoked", path, host)
	case !errors.As(err, &keyErr):
		return nil, fmt.Errorf("read known hosts %s: %w", path, err)
	case len(keyErr.Want) == 0:
		return nil, fmt.Errorf("read known hosts %s: %w for %s", path, ErrHostUnknown, host)
	}
	for _, k := range keyErr.Want {
		if k.Key.Type() == ssh.KeyAlgoED25519 {
			return k.Key, nil
		}
	}
	return keyErr.Want[0].Key, nil
}
