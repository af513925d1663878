package world

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"slices"
	"time"
)

// Cloudron is the Cloudron installed on a machine. Owned by
// internal/sandbox/cloudron. Progress (setup, tasks, installs) is stored as
// start times and deadlines and derived when someone looks, so a Cloudron
// left by a killed process carries on in the next one.
type Cloudron struct {
	Version string `json:"version"`
	// TLS is the dashboard's certificate and key (PEM): self-signed until
	// setup, then one issued for my.<domain>. The product pins it after
	// reading it over SSH.
	TLSCert string `json:"tls_cert"`
	TLSKey  string `json:"tls_key"`
	// SelfSigned is the installer's certificate: what nginx keeps serving
	// for the bare IP and for names it has no certificate for.
	SelfSignedCert string `json:"self_signed_cert"`
	SelfSignedKey  string `json:"self_signed_key"`

	Setup       *CloudronSetup    `json:"setup,omitempty"`
	Domains     []*CloudronDomain `json:"domains,omitempty"`
	Activated   bool              `json:"activated"`
	ActivatedAt time.Time         `json:"activated_at,omitzero"`
	Users       []*CloudronUser   `json:"users,omitempty"`
	Tokens      []*CloudronToken  `json:"tokens,omitempty"`
	Apps        []*CloudronApp    `json:"apps,omitempty"`
	Tasks       []*CloudronTask   `json:"tasks,omitempty"`
	// Mail is the mail configuration of each domain, by domain name.
	Mail    map[string]*CloudronMail `json:"mail,omitempty"`
	Backups []*CloudronBackup        `json:"backups,omitempty"`
	// Certs are the certificates the simulated Let's Encrypt issued, one
	// per host; Fallback is the domain's self-signed wildcard, served when
	// issuing failed.
	Certs    []*CloudronCert `json:"certs,omitempty"`
	Fallback *CertKeyPEM     `json:"fallback,omitempty"`
	Updates  CloudronUpdates `json:"updates"`
	// StoreVersions is the App Store's newest package version per store
	// id, where it differs from the simulator's catalogue.
	StoreVersions map[string]string `json:"store_versions,omitempty"`
	Options       CloudronOptions   `json:"options"`
	FaultState    CloudronFaults    `json:"fault_state"`
}

// CloudronOptions are the switches for behaviour the references could not
// settle; each defaults to the choice documented in the simulator.
type CloudronOptions struct {
	// AppLimit refuses an install beyond this many apps with 402, like the
	// App Store's free plan (0: no limit).
	AppLimit int `json:"app_limit,omitempty"`
	// ProvisionedStatus is what the provision routes answer after
	// activation (409 or 405); 0 follows the version.
	ProvisionedStatus int `json:"provisioned_status,omitempty"`
	// NoWellKnownRoute plays a box too old for the well-known API (404).
	NoWellKnownRoute bool `json:"no_wellknown_route,omitempty"`
	// Timings overrides the simulator's default delays.
	Timings CloudronTimings `json:"timings,omitzero"`
}

// CloudronTimings are the Cloudron simulator's delays, in simulated seconds
// at time scale 1. A zero field keeps the default of reference/timings.md §7.
type CloudronTimings struct {
	SetupCert  float64 `json:"setup_cert_s,omitempty"`  // my.<domain> served → setup done (30)
	Install    float64 `json:"install_s,omitempty"`     // every app install, instead of 60–300 by app
	MailEnable float64 `json:"mail_enable_s,omitempty"` // mail container restart after enable (45)
	Backup     float64 `json:"backup_s,omitempty"`      // backup task (60)
	BoxUpdate  float64 `json:"box_update_s,omitempty"`  // platform update after its backup (180)
	AppUpdate  float64 `json:"app_update_s,omitempty"`  // app update after its backup (60)
	DNSTimeout float64 `json:"dns_timeout_s,omitempty"` // app install's DNS wait before error (1200)
}

// CloudronFaults is the world state the simulator's doctor faults set.
type CloudronFaults struct {
	// CertVariant picks which of each app certificate's variants is
	// served: "" (the normal one), "expiring" or "expired".
	CertVariant string `json:"cert_variant,omitempty"`
	// Impostor is a second self-signed certificate the dashboard serves
	// instead of the one on disk (the cloudron-cert-changed fault).
	Impostor *CertKeyPEM `json:"impostor,omitempty"`
	// BackupsPaused stops the nightly backups; BackupShift is how far back
	// the backups were moved.
	BackupsPaused bool          `json:"backups_paused,omitempty"`
	BackupShift   time.Duration `json:"backup_shift,omitempty"`
	// Stash keeps what a fault removed, so that healing puts it back.
	Stash map[string]string `json:"stash,omitempty"`
}

// CloudronSetup is the first-time setup (POST /provision/setup) and its
// background progress.
type CloudronSetup struct {
	Domain      string    `json:"domain"`
	ZoneName    string    `json:"zone_name"`
	Provider    string    `json:"provider"`
	TLSProvider string    `json:"tls_provider"`
	StartedAt   time.Time `json:"started_at"`
	// DNSWaitFrom is when the wait for my.<domain> starts; DNSReadyAt when
	// the authoritative servers were seen to serve it (zero until then);
	// DNSLastMiss the last time they were seen not to.
	DNSWaitFrom time.Time `json:"dns_wait_from"`
	DNSReadyAt  time.Time `json:"dns_ready_at,omitzero"`
	DNSLastMiss time.Time `json:"dns_last_miss,omitzero"`
	DoneAt      time.Time `json:"done_at,omitzero"` // certificate obtained
	Finished    bool      `json:"finished"`
	Crash       bool      `json:"crash,omitempty"` // ends in error (cloudron-task-fails)
	Error       string    `json:"error,omitempty"`
}

// CloudronDomain is a domain added to Cloudron.
type CloudronDomain struct {
	Domain      string            `json:"domain"`
	ZoneName    string            `json:"zone_name"`
	Provider    string            `json:"provider"`
	Config      json.RawMessage   `json:"config,omitempty"`
	TLSProvider string            `json:"tls_provider"`
	WellKnown   map[string]string `json:"well_known,omitempty"`
}

// CloudronUser is a user of the Cloudron.
type CloudronUser struct {
	ID            string    `json:"id"`
	Username      string    `json:"username"`
	Email         string    `json:"email"`
	FallbackEmail string    `json:"fallback_email,omitempty"`
	DisplayName   string    `json:"display_name,omitempty"`
	Role          string    `json:"role"` // owner|admin|usermanager|mailmanager|user
	PasswordHash  string    `json:"password_hash,omitempty"`
	Active        bool      `json:"active"`
	CreatedAt     time.Time `json:"created_at"`
	// TwoFactorSecret is the base32 TOTP secret once one was generated;
	// TwoFactorEnabled once a code from it was confirmed.
	TwoFactorSecret  string `json:"two_factor_secret,omitempty"`
	TwoFactorEnabled bool   `json:"two_factor_enabled"`
}

// CloudronToken is an API token.
type CloudronToken struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	AccessToken string            `json:"access_token"`
	UserID      string            `json:"user_id"`
	ClientID    string            `json:"client_id"`
	Expires     int64             `json:"expires"` // epoch ms
	Scope       map[string]string `json:"scope"`
}

// CloudronApp is an installed (or installing) app.
type CloudronApp struct {
	ID                string          `json:"id"`
	AppStoreID        string          `json:"app_store_id"`
	Version           string          `json:"version"` // manifest version
	Subdomain         string          `json:"subdomain"`
	Domain            string          `json:"domain"`
	InstallationState string          `json:"installation_state"`
	RunState          string          `json:"run_state"`
	Error             *CloudronError  `json:"error,omitempty"`
	TaskID            string          `json:"task_id,omitempty"` // the running task
	AccessRestriction json.RawMessage `json:"access_restriction,omitempty"`
	Label             string          `json:"label,omitempty"`
	MemoryLimit       int64           `json:"memory_limit,omitempty"`
	SSO               bool            `json:"sso"`
	SkipDNSSetup      bool            `json:"skip_dns_setup,omitempty"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
	// InstalledAt is when the app first finished installing (its reverse
	// proxy exists from then on); HealthyAt when its health check first
	// passes.
	InstalledAt time.Time `json:"installed_at,omitzero"`
	HealthyAt   time.Time `json:"healthy_at,omitzero"`
	// Down is the app-down fault: stopped and unhealthy.
	Down bool `json:"down,omitempty"`
	// Synapse is what a Synapse app loaded from its homeserver.yaml when
	// it last (re)started: the file on the machine may say otherwise.
	Synapse *SynapseConfig `json:"synapse,omitempty"`
}

// SynapseConfig is a Synapse app's effective configuration, as far as
// chapterctl and doctor look at it. Owned by internal/sandbox/cloudron.
type SynapseConfig struct {
	ServerName string `json:"server_name,omitempty"`
	// Whitelist is federation_domain_whitelist when WhitelistSet: an empty
	// list refuses every server; unset allows all.
	Whitelist    []string `json:"federation_domain_whitelist,omitempty"`
	WhitelistSet bool     `json:"whitelist_set,omitempty"`
	// WhitelistEndpoint is federation_whitelist_endpoint_enabled.
	WhitelistEndpoint bool `json:"whitelist_endpoint,omitempty"`
	// TrustedKeyServers are the notaries' server names (Synapse's default,
	// matrix.org, when the key is absent).
	TrustedKeyServers []string `json:"trusted_key_servers,omitempty"`
	// Error is why Synapse refused to start (the file is not valid YAML,
	// or a value is wrong): the app is unhealthy until it is fixed and the
	// app restarted.
	Error    string    `json:"error,omitempty"`
	LoadedAt time.Time `json:"loaded_at"`
}

// FQDN is the app's host name.
func (a *CloudronApp) FQDN() string {
	if a.Subdomain == "" {
		return a.Domain
	}
	return a.Subdomain + "." + a.Domain
}

// CloudronError is an error as Cloudron reports it on a task or an app.
type CloudronError struct {
	Message string `json:"message"`
	Code    string `json:"code,omitempty"` // stopped|crashed|timeout
	// InstallationState is what the app was doing when it failed.
	InstallationState string `json:"installation_state,omitempty"`
}

// CloudronTask is a long-running task. Its steps carry the time each
// begins; steps after a DNS wait get their times once the wait ends.
type CloudronTask struct {
	ID        string             `json:"id"`
	Type      string             `json:"type"`   // app|backup|update
	Action    string             `json:"action"` // install|update|uninstall|restart|start|stop|backup|box_update
	AppID     string             `json:"app_id,omitempty"`
	Target    string             `json:"target,omitempty"` // the version an update installs
	CreatedAt time.Time          `json:"created_at"`
	Steps     []CloudronTaskStep `json:"steps"`
	// Wait is the step that waits for WaitHost's A record at the
	// authoritative servers (-1: none), until WaitDeadline.
	Wait         int       `json:"wait"`
	WaitHost     string    `json:"wait_host,omitempty"`
	WaitDeadline time.Time `json:"wait_deadline,omitzero"`
	WaitReadyAt  time.Time `json:"wait_ready_at,omitzero"`
	WaitLastMiss time.Time `json:"wait_last_miss,omitzero"`
	// RestartAt is when the box goes down for a platform update; it is
	// back at EndsAt.
	RestartAt  time.Time      `json:"restart_at,omitzero"`
	EndsAt     time.Time      `json:"ends_at,omitzero"` // zero while waiting
	Crash      bool           `json:"crash,omitempty"`  // ends crashed (cloudron-task-fails)
	Finished   bool           `json:"finished"`
	FinishedAt time.Time      `json:"finished_at,omitzero"`
	Error      *CloudronError `json:"error,omitempty"`
}

// CloudronTaskStep is one progress message of a task.
type CloudronTaskStep struct {
	Percent int       `json:"percent"`
	Message string    `json:"message"`
	At      time.Time `json:"at,omitzero"`
	// Length is the step's simulated duration, used to date the steps
	// that follow a wait.
	Length time.Duration `json:"length"`
}

// CloudronMail is the mail configuration of one domain.
type CloudronMail struct {
	Domain    string    `json:"domain"`
	Enabled   bool      `json:"enabled"`
	EnabledAt time.Time `json:"enabled_at,omitzero"`
	// ReadyAt is when the mail container has restarted with the change.
	ReadyAt   time.Time          `json:"ready_at,omitzero"`
	Relay     CloudronRelay      `json:"relay"`
	Mailboxes []*CloudronMailbox `json:"mailboxes,omitempty"`
	Lists     []*CloudronList    `json:"lists,omitempty"`
	CatchAll  []string           `json:"catch_all,omitempty"`
	// DKIM: the selector, the private key (PEM) and the public key as it
	// goes into the TXT record (base64 DER).
	DKIMSelector   string `json:"dkim_selector"`
	DKIMPrivateKey string `json:"dkim_private_key"`
	DKIMPublicKey  string `json:"dkim_public_key"`
}

// CloudronRelay is how a domain's outbound mail leaves the server.
type CloudronRelay struct {
	Provider              string `json:"provider"` // cloudron-smtp|noop|mailgun-smtp|…
	Host                  string `json:"host,omitempty"`
	Port                  int    `json:"port,omitempty"`
	Username              string `json:"username,omitempty"`
	Password              string `json:"password,omitempty"`
	AcceptSelfSignedCerts bool   `json:"accept_self_signed_certs,omitempty"`
	ForceFromAddress      bool   `json:"force_from_address,omitempty"`
}

// CloudronMailbox is a mailbox.
type CloudronMailbox struct {
	Name       string    `json:"name"`
	OwnerID    string    `json:"owner_id"`
	OwnerType  string    `json:"owner_type"`
	Active     bool      `json:"active"`
	EnablePop3 bool      `json:"enable_pop3"`
	CreatedAt  time.Time `json:"created_at"`
}

// CloudronList is a mailing list.
type CloudronList struct {
	Name        string    `json:"name"`
	Members     []string  `json:"members"`
	MembersOnly bool      `json:"members_only"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
}

// CloudronBackup is one backup (the box's, or one app's).
type CloudronBackup struct {
	ID             string    `json:"id"`
	RemotePath     string    `json:"remote_path"`
	Identifier     string    `json:"identifier"` // "box" or the app id
	Type           string    `json:"type"`       // box|app
	State          string    `json:"state"`      // normal|error
	PackageVersion string    `json:"package_version"`
	CreatedAt      time.Time `json:"created_at"`
	DependsOn      []string  `json:"depends_on,omitempty"`
}

// CloudronUpdates is the updater's cache: what the last check found.
type CloudronUpdates struct {
	CheckedAt time.Time `json:"checked_at,omitzero"`
	Box       string    `json:"box,omitempty"` // newer platform version, if any
	// Apps maps app ids to the newer package version found for them.
	Apps map[string]string `json:"apps,omitempty"`
}

// CloudronCert is the certificate the simulated Let's Encrypt issued for
// one host, with the variants the certificate faults serve.
type CloudronCert struct {
	Host     string     `json:"host"`
	App      bool       `json:"app"` // an app's host (not the dashboard)
	Normal   CertKeyPEM `json:"normal"`
	Expiring CertKeyPEM `json:"expiring"`
	Expired  CertKeyPEM `json:"expired"`
}

// CertKeyPEM is a certificate chain and its private key, in PEM.
type CertKeyPEM struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// NewCloudron is a freshly installed Cloudron of the given version, as the
// installer leaves it: with the self-signed dashboard certificate, valid
// for hosts (pass the droplet's public IP so that the certificate names
// it, as the real one is served for https://<ip>/).
func NewCloudron(version string, hosts ...string) *Cloudron {
	c := &Cloudron{Version: version}
	if pair, err := SelfSigned(append(slices.Clone(hosts), "localhost")...); err == nil {
		c.SelfSignedCert, c.SelfSignedKey = pair.Cert, pair.Key
		c.TLSCert, c.TLSKey = pair.Cert, pair.Key
	}
	return c
}

// SelfSigned makes a self-signed certificate for hosts (names or IPs),
// valid for ten years.
func SelfSigned(hosts ...string) (CertKeyPEM, error) {
	if len(hosts) == 0 {
		return CertKeyPEM{}, errors.New("self-signed certificate: no host names")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return CertKeyPEM{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return CertKeyPEM{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: hosts[0], Organization: []string{"Cloudron"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return CertKeyPEM{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return CertKeyPEM{}, err
	}
	return CertKeyPEM{
		Cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		Key:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
	}, nil
}
