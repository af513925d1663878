package checks

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/chapterctl/chapterctl/internal/netx"
)

// webAnswer is one HTTPS GET's answer, as the chat checks read it.
type webAnswer struct {
	status int
	header http.Header
	body   []byte
}

// maxWebBody bounds what is read of an answer (gomatrixserverlib reads
// at most 50 KB of a well-known document).
const maxWebBody = 1 << 20

// fetch GETs url over chapterctl's own transport, never following a
// redirect: Matrix federation does not follow them (a 308 breaks it), so
// the checks must see them.
func fetch(ctx context.Context, env *Env, url string) (webAnswer, error) {
	return shared(ctx, env, "http:"+url, httpLimit, func(ctx context.Context) (webAnswer, error) {
		client := &http.Client{Transport: netx.Transport(env.Dialer, env.Roots),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return webAnswer{}, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return webAnswer{}, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxWebBody))
		if err != nil {
			return webAnswer{}, fmt.Errorf("read %s: %w", url, err)
		}
		return webAnswer{status: resp.StatusCode, header: resp.Header, body: body}, nil
	})
}

// webUnknown: the request got no answer at all.
func webUnknown(url string, err error) Result {
	return unknown(fmt.Sprintf("no answer from %s: %v", url, err), `check the DNS and certificate lines above, then run "chapterctl doctor" again`)
}

func isMatrix(env *Env) bool {
	return env.Config == nil || env.Config.Chat == "" || env.Config.Chat == "matrix"
}

// matrixServerName is the part after the colon in user ids.
func matrixServerName(env *Env) string {
	if env.Config != nil && env.Config.MatrixServerName == "subdomain" {
		return "matrix." + env.Domain()
	}
	return env.Domain()
}

// synapseHost is the Synapse app's name.
func synapseHost(ctx context.Context, env *Env) (string, Result, bool) {
	a, found, err := appByStore(ctx, env, synapseStore)
	if err != nil {
		return "", cloudronUnknown(err), false
	}
	if !found {
		return "", Result{Status: Fail, Detail: "no Synapse app is installed", Fix: `run "chapterctl init" to install the chat`}, false
	}
	return a.FQDN, Result{}, true
}
