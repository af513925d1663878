package sandbox

import "github.com/chapterctl/chapterctl/internal/sandbox/world"

// CloudronView is the Cloudron part of `sandbox world --json`.
type CloudronView struct {
	Version   string                      `json:"version"`
	Activated bool                        `json:"activated"`
	Apps      []CloudronAppView           `json:"apps"`
	Mail      map[string]CloudronMailView `json:"mail"`
}

type CloudronAppView struct {
	ID                string `json:"id"`
	AppStoreID        string `json:"appStoreId"`
	Subdomain         string `json:"subdomain"`
	InstallationState string `json:"installationState"`
	Version           string `json:"version"`
	// Synapse: what a Synapse app runs with (its homeserver.yaml as of
	// its last start).
	Synapse *SynapseView `json:"synapse,omitempty"`
}

type SynapseView struct {
	ServerName string `json:"server_name"`
	// Whitelist is null when federation is open, [] when closed.
	Whitelist *[]string `json:"federation_domain_whitelist"`
	Error     string    `json:"error,omitempty"`
}

type CloudronMailView struct {
	Enabled   bool     `json:"enabled"`
	Mailboxes []string `json:"mailboxes"`
	Lists     []string `json:"lists"`
	Relay     string   `json:"relay"`
}

// cloudronView describes the Cloudron of the world's first machine that has
// one (a chapter has one server); nil when none is installed.
func cloudronView(d *world.Data) *CloudronView {
	var c *world.Cloudron
	for _, dr := range d.DigitalOcean.Droplets {
		if m := d.MachineOf(dr.ID); m != nil && m.Cloudron != nil {
			c = m.Cloudron
			break
		}
	}
	if c == nil {
		return nil
	}
	v := &CloudronView{Version: c.Version, Activated: c.Activated, Apps: []CloudronAppView{}, Mail: map[string]CloudronMailView{}}
	for _, a := range c.Apps {
		av := CloudronAppView{ID: a.ID, AppStoreID: a.AppStoreID, Subdomain: a.Subdomain,
			InstallationState: a.InstallationState, Version: a.Version}
		if s := a.Synapse; s != nil {
			av.Synapse = &SynapseView{ServerName: s.ServerName, Error: s.Error}
			if s.WhitelistSet {
				list := append([]string{}, s.Whitelist...)
				av.Synapse.Whitelist = &list
			}
		}
		v.Apps = append(v.Apps, av)
	}
	for domain, m := range c.Mail {
		mv := CloudronMailView{Enabled: m.Enabled, Mailboxes: []string{}, Lists: []string{}, Relay: m.Relay.Provider}
		for _, box := range m.Mailboxes {
			mv.Mailboxes = append(mv.Mailboxes, box.Name)
		}
		for _, list := range m.Lists {
			mv.Lists = append(mv.Lists, list.Name)
		}
		v.Mail[domain] = mv
	}
	return v
}
