package droplet

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"golang.org/x/crypto/ssh"
)

// sha256sum, base64 and ssh-keygen.

func init() {
	register("/usr/bin", runSha256sum, "sha256sum")
	register("/usr/bin", runBase64, "base64")
	register("/usr/bin", runSSHKeygen, "ssh-keygen")
}

func runSha256sum(p *proc) int {
	o, err := optSpec{short: "cb", long: []string{"check/c", "binary/b", "quiet", "status"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	if o.has("c") {
		return checkSums(p, o)
	}
	return p.eachInput(o.args, func(name, content string) {
		sum := sha256.Sum256([]byte(content))
		fmt.Fprintf(p.stdout, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	})
}

// checkSums is sha256sum -c: each "HASH  FILE" line checked.
func checkSums(p *proc, o opts) int {
	failed := 0
	status := p.eachInput(o.args, func(_, list string) {
		for _, l := range lines(list) {
			want, name, ok := strings.Cut(l, "  ")
			if !ok {
				continue
			}
			content, err := p.readInput(name)
			sum := sha256.Sum256([]byte(content))
			if err == nil && hex.EncodeToString(sum[:]) == want {
				if !o.has("quiet") && !o.has("status") {
					fmt.Fprintf(p.stdout, "%s: OK\n", name)
				}
				continue
			}
			failed++
			if !o.has("status") {
				fmt.Fprintf(p.stdout, "%s: FAILED\n", name)
			}
		}
	})
	if failed > 0 {
		noun := "checksum"
		if failed > 1 {
			noun = "checksums"
		}
		if !o.has("status") {
			p.errorf(1, "WARNING: %d computed %s did NOT match", failed, noun)
		}
		return 1
	}
	return status
}

func runBase64(p *proc) int {
	o, err := optSpec{short: "dw:i", long: []string{"decode/d", "wrap/w", "ignore-garbage/i"}}.parse(p.args)
	if err != nil {
		return p.usage(1, err)
	}
	name := "-"
	if len(o.args) > 0 {
		name = o.args[0]
	}
	input, err := p.readInput(name)
	if err != nil {
		return p.errorf(1, "%s: %s", name, errText(err))
	}
	if o.has("d") {
		out, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(input), ""))
		if err != nil {
			return p.errorf(1, "invalid input")
		}
		p.stdout.Write(out)
		return 0
	}
	encoded := base64.StdEncoding.EncodeToString([]byte(input))
	wrap := 76
	fmt.Sscan(o.value("w", "76"), &wrap)
	for wrap > 0 && len(encoded) > wrap {
		fmt.Fprintln(p.stdout, encoded[:wrap])
		encoded = encoded[wrap:]
	}
	fmt.Fprintln(p.stdout, encoded)
	return 0
}

var keygenSpec = optSpec{short: "t:f:N:qC:lE:yAb:R:"}

// runSSHKeygen makes key pairs (-t -f -N -C -q), prints fingerprints
// (-l -f [-E md5]) and public halves (-y -f), and makes missing host keys
// (-A).
func runSSHKeygen(p *proc) int {
	o, err := keygenSpec.parse(p.args)
	if err != nil {
		return p.errorf(1, "%v", err)
	}
	switch {
	case o.has("l"):
		return keygenFingerprint(p, o)
	case o.has("y"):
		return keygenPublic(p, o)
	case o.has("A"):
		return keygenHostKeys(p)
	}
	return keygenCreate(p, o)
}

func keygenFingerprint(p *proc, o opts) int {
	name := o.value("f", "")
	content, err := p.readInput(name)
	if err != nil {
		return p.errorf(1, "%s: %s", name, errText(err))
	}
	var keys []ssh.PublicKey
	var comments []string
	if signer, err := ssh.ParsePrivateKey([]byte(content)); err == nil {
		pub, _ := p.readInput(name + ".pub")
		_, comment, _, _, _ := ssh.ParseAuthorizedKey([]byte(pub))
		keys, comments = []ssh.PublicKey{signer.PublicKey()}, []string{comment}
	} else {
		rest := []byte(content)
		for len(rest) > 0 {
			key, comment, _, next, err := ssh.ParseAuthorizedKey(rest)
			if err != nil {
				break
			}
			keys, comments, rest = append(keys, key), append(comments, comment), next
		}
	}
	if len(keys) == 0 {
		return p.errorf(255, "%s is not a public key file.", name)
	}
	for i, k := range keys {
		fp := ssh.FingerprintSHA256(k)
		if o.value("E", "sha256") == "md5" {
			fp = "MD5:" + ssh.FingerprintLegacyMD5(k)
		}
		comment := comments[i]
		if comment == "" {
			comment = "no comment"
		}
		fmt.Fprintf(p.stdout, "%d %s %s (%s)\n", keyBits(k), fp, comment, keyTypeName(k))
	}
	return 0
}

func keygenPublic(p *proc, o opts) int {
	name := o.value("f", "")
	content, err := p.readInput(name)
	if err != nil {
		return p.errorf(255, "%s: %s", name, errText(err))
	}
	signer, err := ssh.ParsePrivateKey([]byte(content))
	if err != nil {
		return p.errorf(255, "Load key \"%s\": invalid format", name)
	}
	fmt.Fprint(p.stdout, authorizedLine(signer.PublicKey(), ""))
	return 0
}

// keygenCreate writes a new key pair without a passphrase (ssh-keygen -t
// TYPE -f FILE -N "").
func keygenCreate(p *proc, o opts) int {
	kind, file := o.value("t", "ed25519"), o.value("f", "/root/.ssh/id_"+o.value("t", "ed25519"))
	if !o.has("N") {
		return p.errorf(1, "passphrase prompts need a terminal; pass -N ''")
	}
	if o.value("N", "") != "" {
		return p.errorf(1, "keys with a passphrase are not simulated")
	}
	if _, err := p.s.fs.stat(p.path(file)); err == nil {
		fmt.Fprintf(p.stdout, "%s already exists.\nOverwrite (y/n)? ", file)
		answer := make([]byte, 1)
		if n, _ := p.stdin.Read(answer); n == 0 || (answer[0] != 'y' && answer[0] != 'Y') {
			return 1
		}
	}
	hostname := p.machine().hostname
	comment := o.value("C", "root@"+hostname)
	private, public, err := newKeyPair(kind, comment)
	if err != nil {
		return p.errorf(1, "%v", err)
	}
	full := p.path(file)
	err = p.s.fs.change(p.ctx, "droplet.file.write", func(m *world.Machine, t *tree) error {
		for _, path := range []string{full, full + ".pub"} {
			if err := writable(t, path); err != nil {
				return err
			}
		}
		putFile(m, t, full, private, 0o600)
		putFile(m, t, full+".pub", public, 0o644)
		return nil
	})
	if err != nil {
		return p.errorf(1, "saving key \"%s\" failed: %s", file, errText(err))
	}
	if !o.has("q") {
		pub, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(public))
		fmt.Fprintf(p.stdout, "Generating public/private %s key pair.\nYour identification has been saved in %s\n"+
			"Your public key has been saved in %s.pub\nThe key fingerprint is:\n%s %s\n",
			kind, file, file, ssh.FingerprintSHA256(pub), comment)
	}
	return 0
}

// keygenHostKeys is ssh-keygen -A: a host key of each type that has none.
func keygenHostKeys(p *proc) int {
	hostname := p.machine().hostname
	for _, kind := range []string{"ecdsa", "ed25519"} {
		path := "/etc/ssh/ssh_host_" + kind + "_key"
		if _, err := p.s.fs.stat(path); err == nil {
			continue
		}
		private, public, err := newKeyPair(kind, "root@"+hostname)
		if err != nil {
			return p.errorf(1, "%v", err)
		}
		p.s.fs.change(p.ctx, "droplet.file.write", func(m *world.Machine, t *tree) error {
			putFile(m, t, path, private, 0o600)
			putFile(m, t, path+".pub", public, 0o644)
			return nil
		})
	}
	return 0
}

// newKeyPair makes a key as ssh-keygen writes it (OpenSSH PEM, .pub line).
func newKeyPair(kind, comment string) (private, public string, err error) {
	var key crypto.Signer
	switch kind {
	case "ed25519":
		return newHostKey(comment)
	case "ecdsa":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "rsa":
		key, err = rsa.GenerateKey(rand.Reader, 3072)
	default:
		return "", "", fmt.Errorf("unknown key type %s", kind)
	}
	if err != nil {
		return "", "", err
	}
	block, err := ssh.MarshalPrivateKey(key, comment)
	if err != nil {
		return "", "", err
	}
	pub, err := ssh.NewPublicKey(key.Public())
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(block)), authorizedLine(pub, comment), nil
}

func keyTypeName(k ssh.PublicKey) string {
	switch k.Type() {
	case ssh.KeyAlgoED25519:
		return "ED25519"
	case ssh.KeyAlgoRSA:
		return "RSA"
	}
	return "ECDSA"
}

func keyBits(k ssh.PublicKey) int {
	if ck, ok := k.(ssh.CryptoPublicKey); ok {
		switch pk := ck.CryptoPublicKey().(type) {
		case *rsa.PublicKey:
			return pk.N.BitLen()
		case *ecdsa.PublicKey:
			return pk.Curve.Params().BitSize
		case ed25519.PublicKey:
			return 256
		}
	}
	return 256
}
