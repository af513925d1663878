package cmd

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"sort"

	"github.com/chapterctl/chapterctl/cmd/ui"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/gandi"
	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox"
	"github.com/chapterctl/chapterctl/internal/secrets"
)

// worldConn is how this run reaches the world: the real network, or the
// folder's sandbox. The product code is the same either way; only the dialer
// and the roots differ.
type worldConn struct {
	Dialer  netx.Dialer
	Roots   *x509.CertPool // nil: the system's roots
	Sandbox *sandbox.Sandbox
}

// connectWorld starts the folder's sandbox if it has one. It also points
// http.DefaultTransport at the same dialer and roots: libdns/gandi sends its
// requests with http.DefaultClient and cannot be given a transport, so in
// the sandbox this is the only way to keep it off the real network.
func connectWorld(ctx context.Context, f *Factory) (*worldConn, error) {
	conn := &worldConn{Dialer: netx.Direct()}
	if sandbox.Exists(f.Dir) {
		sb, err := sandbox.Start(ctx, f.Dir)
		if err != nil {
			return nil, fmt.Errorf("start the sandbox world: %w", err)
		}
		conn.Dialer, conn.Roots, conn.Sandbox = sb.Dialer(), sb.RootCAs(), sb
	}
	http.DefaultTransport = netx.Transport(conn.Dialer, conn.Roots)
	return conn, nil
}

// Close stops the sandbox, if any.
func (c *worldConn) Close() error {
	if c.Sandbox == nil {
		return nil
	}
	return c.Sandbox.Close()
}

// providerTokens reads the provider tokens: the environment first (the
// organizer's own), then secrets.json (what the sandbox issued, or what the
// organizer agreed to store).
func providerTokens(f *Factory) (do, gandiToken string, err error) {
	if f.tokens != nil {
		return f.tokens[secrets.DigitalOceanToken], f.tokens[secrets.GandiToken], nil
	}
	stored, err := secrets.Load(f.Dir.SecretsFile())
	if err != nil {
		return "", "", err
	}
	return knownToken(f, stored, "DIGITALOCEAN_ACCESS_TOKEN", secrets.DigitalOceanToken),
		knownToken(f, stored, "GANDI_BEARER_TOKEN", secrets.GandiToken), nil
}

// providerCatalogue answers the wizard from DigitalOcean and Gandi.
type providerCatalogue struct {
	do    *digitalocean.Client
	gandi *gandi.Client
}

func (p *providerCatalogue) CheckDomain(ctx context.Context, domain string) error {
	dom, err := p.gandi.Domain(ctx, domain)
	if err != nil {
		return err
	}
	if !dom.UsesLiveDNS {
		return fmt.Errorf("%s uses other nameservers (%v): switch it to Gandi's LiveDNS in Gandi's domain settings, so chapterctl can write its records", domain, dom.Nameservers)
	}
	return nil
}

func (p *providerCatalogue) Regions(ctx context.Context) ([]ui.Choice, error) {
	regions, err := p.do.Regions(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(regions, func(i, j int) bool { return regions[i].Slug < regions[j].Slug })
	var choices []ui.Choice
	for _, r := range regions {
		if r.Available {
			choices = append(choices, ui.Choice{Label: r.Name + " (" + r.Slug + ")", Value: r.Slug})
		}
	}
	return choices, nil
}

func (p *providerCatalogue) Sizes(ctx context.Context, region string, minMemoryMiB int) ([]sizeOption, error) {
	sizes, err := p.do.Sizes(ctx, region)
	if err != nil {
		return nil, err
	}
	var out []sizeOption
	for _, s := range sizes { // cheapest first
		if s.MemoryMiB >= minMemoryMiB {
			out = append(out, sizeOption{Slug: s.Slug, MemoryMiB: s.MemoryMiB, VCPUs: s.VCPUs, DiskGB: s.Disk, PriceMonthly: s.PriceMonthly})
		}
	}
	return out, nil
}
