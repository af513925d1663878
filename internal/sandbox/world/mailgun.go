package world

// Mailgun is the simulated Mailgun account. Owned by internal/sandbox/mailgun.
type Mailgun struct {
	Domains []*MailgunDomain `json:"domains"`
}

// MailgunDomain is one sending domain.
type MailgunDomain struct {
	Name   string `json:"name"`
	Region string `json:"region"` // us|eu
	State  string `json:"state"`  // unverified|active
}
