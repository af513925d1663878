package world

// Cloudron is the Cloudron installed on a machine. Owned by
// internal/sandbox/cloudron.
type Cloudron struct {
	Version string `json:"version"`
	// TLS is the dashboard's certificate and key (PEM): self-signed until
	// setup, then one issued for my.<domain>. The product pins it after
	// reading it over SSH.
	TLSCert string `json:"tls_cert"`
	TLSKey  string `json:"tls_key"`
}

// NewCloudron is a freshly installed Cloudron of the given version, as the
// installer leaves it.
func NewCloudron(version string) *Cloudron {
	return &Cloudron{Version: version}
}
