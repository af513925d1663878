package checks

import (
	"context"
	"crypto/x509"
	"slices"
	"sync"
)

// tlsHost is one HTTPS name's verified certificate, or why there is none.
type tlsHost struct {
	host   string
	leaf   *x509.Certificate
	result Result
}

// httpsHosts are the dashboard's name and every installed app's.
func httpsHosts(ctx context.Context, env *Env) ([]string, error) {
	hosts := []string{env.ServerHost()}
	list, err := apps(ctx, env)
	if err != nil {
		return hosts, err
	}
	for _, a := range list {
		if a.InstallationState == "installed" && a.FQDN != "" && !slices.Contains(hosts, a.FQDN) {
			hosts = append(hosts, a.FQDN)
		}
	}
	return hosts, nil
}

// certificates connects to every HTTPS name once per run.
func certificates(ctx context.Context, env *Env) ([]tlsHost, error) {
	return shared(ctx, env, "tls:hosts", apiLimit, func(ctx context.Context) ([]tlsHost, error) {
		hosts, err := httpsHosts(ctx, env)
		if err != nil {
			return nil, err
		}
		out := make([]tlsHost, len(hosts))
		var wg sync.WaitGroup
		for i, h := range hosts {
			wg.Go(func() {
				leaf, r := VerifiedLeaf(ctx, env.Dialer, env.Roots, h, env.now())
				out[i] = tlsHost{host: h, leaf: leaf, result: r}
			})
		}
		wg.Wait()
		return out, nil
	})
}
