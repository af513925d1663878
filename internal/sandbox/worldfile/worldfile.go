// Package worldfile reads the YAML that seeds a sandbox world (`init
// --sandbox --world FILE`) and builds the world it describes. Each top-level
// section defaults on its own: without a gandi section the account holds the
// chapter's domain as Gandi creates it for a new registration.
package worldfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Spec is the world file.
type Spec struct {
	Gandi        *GandiSpec        `yaml:"gandi"`
	DigitalOcean *DigitalOceanSpec `yaml:"digitalocean"`
	DNSBL        *DNSBLSpec        `yaml:"dnsbl"`
	Cloudron     *CloudronSpec     `yaml:"cloudron"`
	TimeScale    *float64          `yaml:"time_scale"`
}

type GandiSpec struct {
	Domains []DomainSpec `yaml:"domains"`
}

type DomainSpec struct {
	FQDN        string        `yaml:"fqdn"`
	Nameservers []string      `yaml:"nameservers"`
	Expires     string        `yaml:"expires"` // YYYY-MM-DD
	Records     []world.RRSet `yaml:"records"`
}

type DigitalOceanSpec struct {
	DropletLimit *int          `yaml:"droplet_limit"`
	SMTPBlocked  *bool         `yaml:"smtp_blocked"`
	Droplets     []DropletSpec `yaml:"droplets"`
}

// DropletSpec is an existing droplet, with the API's field names.
type DropletSpec struct {
	ID       int      `yaml:"id"`
	Name     string   `yaml:"name"`
	Region   string   `yaml:"region"`
	SizeSlug string   `yaml:"size_slug"`
	Image    string   `yaml:"image"`
	Tags     []string `yaml:"tags"`
	Status   string   `yaml:"status"` // active (default) | off
	IP       string   `yaml:"ip"`     // public IPv4
}

type DNSBLSpec struct {
	Listed []string `yaml:"listed"`
}

type CloudronSpec struct {
	Version string `yaml:"version"`
	Latest  string `yaml:"latest"`
	// AppUpdates: package versions the App Store publishes after the
	// apps were installed (store id → version), which upgrade applies.
	AppUpdates map[string]string `yaml:"app_updates"`
}

// Read parses a world file strictly: an unknown key or a wrong type is an
// error naming the file, the line and the key.
func Read(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the world file: %w", err)
	}
	return Parse(path, data)
}

var releaseVersion = regexp.MustCompile(`^\d+\.\d+\.\d+$`)

func (c *CloudronSpec) validate(file string) error {
	if c == nil {
		return nil
	}
	for key, v := range map[string]string{"version": c.Version, "latest": c.Latest} {
		if v != "" && !releaseVersion.MatchString(v) {
			return fmt.Errorf("%s: cloudron %s %q is not a version like 9.0.15", file, key, v)
		}
	}
	for id, v := range c.AppUpdates {
		if !strings.Contains(id, ".") {
			return fmt.Errorf("%s: cloudron app_updates: %q is not an App Store id like org.matrix.synapse", file, id)
		}
		if !releaseVersion.MatchString(v) {
			return fmt.Errorf("%s: cloudron app_updates: %s: %q is not a version like 1.99.0", file, id, v)
		}
	}
	return nil
}

var typeErrorLine = regexp.MustCompile(`^line (\d+): (.*)$`)
var unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// Parse is Read for data already in memory; name is used in messages.
func Parse(name string, data []byte) (*Spec, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var spec Spec
	err := dec.Decode(&spec)
	if errors.Is(err, io.EOF) {
		return &spec, nil // an empty file: every section defaults
	}
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) {
		var problems []error
		for _, msg := range typeErr.Errors {
			problems = append(problems, describe(name, msg))
		}
		return nil, errors.Join(problems...)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if err := spec.validate(name); err != nil {
		return nil, err
	}
	return &spec, nil
}

// describe turns one of yaml's type error lines into the project's form.
func describe(file, msg string) error {
	m := typeErrorLine.FindStringSubmatch(msg)
	if m == nil {
		return fmt.Errorf("%s: %s", file, msg)
	}
	if f := unknownField.FindStringSubmatch(m[2]); f != nil {
		return fmt.Errorf("%s line %s: unknown key %q", file, m[1], f[1])
	}
	return fmt.Errorf("%s line %s: %s", file, m[1], m[2])
}

func (s *Spec) validate(file string) error {
	if s.TimeScale != nil && (*s.TimeScale < 0 || *s.TimeScale > 10) {
		return fmt.Errorf("%s: time_scale must be between 0 and 10 (1 is real time)", file)
	}
	if s.Gandi != nil {
		seen := map[string]bool{}
		for _, d := range s.Gandi.Domains {
			if d.FQDN == "" {
				return fmt.Errorf("%s: every gandi domain needs an fqdn", file)
			}
			if seen[d.FQDN] {
				return fmt.Errorf("%s: gandi domain %s is listed twice", file, d.FQDN)
			}
			seen[d.FQDN] = true
			if d.Expires != "" {
				if _, err := parseDate(d.Expires); err != nil {
					return fmt.Errorf("%s: gandi domain %s: expires %q is not a date like 2027-11-25", file, d.FQDN, d.Expires)
				}
			}
			for _, r := range d.Records {
				if r.Name == "" || r.Type == "" || len(r.Values) == 0 {
					return fmt.Errorf("%s: gandi domain %s: every record needs rrset_name, rrset_type and rrset_values", file, d.FQDN)
				}
			}
		}
	}
	if err := s.Cloudron.validate(file); err != nil {
		return err
	}
	if s.DigitalOcean != nil {
		for _, d := range s.DigitalOcean.Droplets {
			if d.Name == "" {
				return fmt.Errorf("%s: every existing droplet needs a name", file)
			}
			if d.Status != "" && d.Status != "active" && d.Status != "off" {
				return fmt.Errorf("%s: droplet %s: status must be active or off", file, d.Name)
			}
		}
	}
	return nil
}
