package sshx

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"
)

// HostKeyMismatchError is a server that did not prove it holds the pinned
// host key. It is never retried and never overridden: either someone is in
// the middle, or the server was re-keyed and the pin must be updated on
// purpose.
type HostKeyMismatchError struct {
	Addr    string // the address dialed, host:port
	KeyType string // the pinned key's type, e.g. ssh-ed25519
	Want    string // the pinned key's SHA256 fingerprint
	Got     string // the shown key's SHA256 fingerprint; "" when it had none of KeyType
}

func (e *HostKeyMismatchError) Error() string {
	shown := "showed " + e.Got
	if e.Got == "" {
		shown = "has no " + e.KeyType + " host key at all"
	}
	return fmt.Sprintf("ssh %s: host key mismatch: the server %s, but the pinned key is %s; "+
		"someone may be intercepting the connection (a man-in-the-middle attack), so chapterctl stopped before logging in; "+
		"unless you rebuilt or re-keyed this server yourself, do not continue: "+
		"compare with what \"ssh-keygen -lf %s\" prints in the Droplet Console (DigitalOcean's website: the droplet, then Access)",
		e.Addr, shown, e.Want, hostKeyFile(e.KeyType))
}

// hostKeyFile is where OpenSSH keeps the public host key of a type.
func hostKeyFile(keyType string) string {
	name := "ed25519"
	switch {
	case keyType == ssh.KeyAlgoRSA:
		name = "rsa"
	case strings.HasPrefix(keyType, "ecdsa-"):
		name = "ecdsa"
	}
	return "/etc/ssh/ssh_host_" + name + "_key.pub"
}

// pinnedHostKey accepts exactly want. Unlike ssh.FixedHostKey it says which
// key was shown, so the person can compare fingerprints.
func pinnedHostKey(want ssh.PublicKey) ssh.HostKeyCallback {
	wantBytes := want.Marshal()
	return func(hostname string, _ net.Addr, got ssh.PublicKey) error {
		if bytes.Equal(got.Marshal(), wantBytes) {
			return nil
		}
		return &HostKeyMismatchError{Addr: hostname, KeyType: want.Type(),
			Want: Fingerprint(want), Got: Fingerprint(got)}
	}
}

// hostKeyAlgorithms offers only the pinned key's algorithms, so a server
// that also has other host keys shows the pinned one rather than one we
// would have to refuse.
func hostKeyAlgorithms(key ssh.PublicKey) []string {
	if key.Type() == ssh.KeyAlgoRSA {
		// The key type names the SHA-1 signature, which OpenSSH no longer
		// accepts; the SHA-2 ones use the same key.
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}
	}
	return []string{key.Type()}
}

// noKeyOfType tells whether a handshake failed because the server has no
// host key of the pinned type: as much a mismatch as a wrong key.
func noKeyOfType(err error) bool {
	var negotiation *ssh.AlgorithmNegotiationError
	return errors.As(err, &negotiation) && negotiation.What == "host key"
}
