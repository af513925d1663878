package sshx

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/crypto/ssh"
)

// keyComment marks chapterctl's keys in authorized_keys files and in the
// DigitalOcean account, so a person knows where a key came from.
const keyComment = "chapterctl"

// GenerateKey makes an ed25519 key: the chapter's login key, or a droplet's
// host key for cloud-init. privatePEM is in OpenSSH's format (what
// ssh-keygen writes, unencrypted), authorizedKey the public half as one
// authorized_keys line without a newline.
func GenerateKey() (signer ssh.Signer, privatePEM []byte, authorizedKey string, err error) {
	public, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, "", fmt.Errorf("generate ssh key: %w", err)
	}
	signer, err = ssh.NewSignerFromKey(private)
	if err != nil {
		return nil, nil, "", fmt.Errorf("generate ssh key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(private, keyComment)
	if err != nil {
		return nil, nil, "", fmt.Errorf("generate ssh key: %w", err)
	}
	sshPublic, err := ssh.NewPublicKey(public)
	if err != nil {
		return nil, nil, "", fmt.Errorf("generate ssh key: %w", err)
	}
	authorizedKey = strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPublic))) + " " + keyComment
	return signer, pem.EncodeToMemory(block), authorizedKey, nil
}

// LoadKey reads a private key file (OpenSSH or PEM format, unencrypted).
// Like OpenSSH, it refuses a key others can read: that key opens the
// server as root.
func LoadKey(path string) (ssh.Signer, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read ssh key: %w", err)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("ssh key %s can be read by other users (mode %04o): run \"chmod 600 %s\"",
			path, info.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read ssh key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(data)
	var passphrase *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &passphrase):
		return nil, fmt.Errorf("ssh key %s is protected by a passphrase; chapterctl needs the unencrypted key it generated", path)
	case err != nil:
		return nil, fmt.Errorf("ssh key %s is not a private key chapterctl can read: %w", path, err)
	}
	return signer, nil
}

// Fingerprint is key's SHA256 fingerprint as OpenSSH prints it
// (SHA256:base64, no padding).
func Fingerprint(key ssh.PublicKey) string {
	return ssh.FingerprintSHA256(key)
}
