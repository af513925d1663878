package droplet

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/ssh"
)

// cloudConfig is the part of #cloud-config user data the simulated
// cloud-init acts on: cc_ssh's host keys and root's authorized keys.
// Everything else in it (packages, runcmd, write_files) is not simulated.
type cloudConfig struct {
	SSHDeleteKeys     *bool             `yaml:"ssh_deletekeys"`
	SSHGenKeyTypes    []string          `yaml:"ssh_genkeytypes"`
	SSHKeys           map[string]string `yaml:"ssh_keys"`
	SSHAuthorizedKeys []string          `yaml:"ssh_authorized_keys"`
}

// parseCloudConfig reads user data. Anything that is not a #cloud-config
// document (a shell script, broken YAML) gives the zero config: cloud-init
// logs the problem and carries on with its defaults.
func parseCloudConfig(userData string) cloudConfig {
	var cfg cloudConfig
	if !strings.HasPrefix(userData, "#cloud-config") {
		return cfg
	}
	if err := yaml.Unmarshal([]byte(userData), &cfg); err != nil {
		return cloudConfig{}
	}
	return cfg
}

// bootFile is a file cloud-init writes on the first boot.
type bootFile struct {
	content string
	mode    uint32
}

// sshHostKeyFiles is what cc_ssh leaves in /etc/ssh, following
// canonical/cloud-init cloudinit/config/cc_ssh.py: with ssh_keys, exactly
// the keys given (a missing public half derived from the private one);
// without, a fresh key of each ssh_genkeytypes type that is not already
// there. Only ed25519 keys are made or served by the simulation (sshd
// here speaks ed25519 only); other types given in ssh_keys are written.
// A stock image's own keys count as "already there" when ssh_deletekeys
// is false.
func sshHostKeyFiles(cfg cloudConfig, hostname string) (map[string]bootFile, error) {
	files := map[string]bootFile{}
	deleteStock := cfg.SSHDeleteKeys == nil || *cfg.SSHDeleteKeys
	const keyPath = "/etc/ssh/ssh_host_ed25519_key"
	if cfg.SSHKeys != nil {
		for name, value := range cfg.SSHKeys {
			if path, ok := cloudInitKeyPath(name); ok {
				files[path] = bootFile{content: value, mode: 0o600}
			}
		}
		if private, ok := cfg.SSHKeys["ed25519_private"]; ok {
			if _, given := cfg.SSHKeys["ed25519_public"]; !given {
				// cc_ssh's KEY_GEN_TPL: ssh-keygen -yf, then " root@localhost".
				if signer, err := ssh.ParsePrivateKey([]byte(private)); err == nil {
					files[keyPath+".pub"] = bootFile{content: authorizedLine(signer.PublicKey(), "root@localhost"), mode: 0o600}
				}
			}
			return files, nil
		}
		if deleteStock {
			return files, nil
		}
	} else if deleteStock && cfg.SSHGenKeyTypes != nil && !slices.Contains(cfg.SSHGenKeyTypes, "ed25519") {
		return files, nil
	}
	private, public, err := newHostKey("root@" + hostname)
	if err != nil {
		return nil, err
	}
	files[keyPath] = bootFile{content: private, mode: 0o600}
	files[keyPath+".pub"] = bootFile{content: public, mode: 0o644}
	return files, nil
}

// cloudInitKeyPath maps an ssh_keys entry to its file, as cc_ssh's
// CONFIG_KEY_TO_FILE does.
func cloudInitKeyPath(name string) (string, bool) {
	for _, kind := range []string{"rsa", "dsa", "ecdsa", "ed25519"} {
		base := "/etc/ssh/ssh_host_" + kind + "_key"
		switch name {
		case kind + "_private":
			return base, true
		case kind + "_public":
			return base + ".pub", true
		case kind + "_certificate":
			return base + "-cert.pub", true
		}
	}
	return "", false
}

// newHostKey makes an ed25519 key pair as ssh-keygen writes it: the private
// key in OpenSSH PEM, the public key as one authorized_keys line.
func newHostKey(comment string) (private, public string, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		return "", "", err
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(block)), authorizedLine(sshPub, comment), nil
}

// authorizedLine is a public key as an authorized_keys or .pub line.
func authorizedLine(key ssh.PublicKey, comment string) string {
	line := strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(key)), "\n")
	if comment != "" {
		line += " " + comment
	}
	return line + "\n"
}

// parseHostKey reads the host key file sshd loads.
func parseHostKey(pemText string) (ssh.Signer, error) {
	if strings.TrimSpace(pemText) == "" {
		return nil, fmt.Errorf("no host key")
	}
	return ssh.ParsePrivateKey([]byte(pemText))
}
