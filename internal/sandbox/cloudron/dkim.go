package cloudron

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// dkimKey is a mail domain's DKIM key pair: the private key in PEM and
// the public key as the TXT record's p= tag carries it.
type dkimKey struct {
	private string
	public  string
}

// newDKIMKey makes a 2048-bit RSA key, as Cloudron does for each mail
// domain.
func newDKIMKey() (*dkimKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	return &dkimKey{private: string(priv), public: base64.StdEncoding.EncodeToString(pub)}, nil
}

// dkimSelector is "cloudron" for the dashboard's domain and
// "cloudron-<dashboard domain without dots>" for the others [v4].
func dkimSelector(domain, dashboardDomain string) string {
	if domain == dashboardDomain {
		return "cloudron"
	}
	return "cloudron-" + strings.ReplaceAll(dashboardDomain, ".", "")
}

// newMailDomain is a domain's mail configuration as setup leaves it:
// incoming mail off, outgoing through the built-in SMTP server.
func newMailDomain(domain, dashboardDomain string, key *dkimKey) *world.CloudronMail {
	return &world.CloudronMail{
		Domain:         domain,
		Relay:          world.CloudronRelay{Provider: "cloudron-smtp"},
		DKIMSelector:   dkimSelector(domain, dashboardDomain),
		DKIMPrivateKey: key.private,
		DKIMPublicKey:  key.public,
	}
}
