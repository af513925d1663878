package checks

import (
	"context"
	"errors"
	"strings"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/digitalocean"
	"github.com/chapterctl/chapterctl/internal/gandi"
)

// Tokens is chapterctl.tokens: the stored tokens are still accepted, so
// dns apply, mail enable and upgrade can work.
var Tokens = Def{Key: "chapterctl.tokens", Name: "The DigitalOcean, Gandi and Cloudron tokens still work", Area: AreaChapterctl,
	Limit: apiLimit,
	Look: func(ctx context.Context, env *Env) Result {
		var refused, unknowns, ok []string
		judge := func(name string, err error, unauthorized bool) {
			switch {
			case err == nil:
				ok = append(ok, name)
			case unauthorized:
				refused = append(refused, name)
			default:
				unknowns = append(unknowns, name+": "+err.Error())
			}
		}
		if env.DigitalOcean != nil {
			err := env.DigitalOcean.CheckToken(ctx)
			judge("DigitalOcean", err, errors.Is(err, digitalocean.ErrUnauthorized))
		}
		if env.Gandi != nil {
			err := env.Gandi.CheckToken(ctx, env.Domain())
			judge("Gandi", err, errors.Is(err, gandi.ErrUnauthorized))
		}
		if env.Cloudron != nil {
			_, err := profile(ctx, env)
			var api *cloudron.APIError
			judge("Cloudron", err, errors.As(err, &api) && api.Status == 401)
		}
		switch {
		case len(refused) > 0:
			return Result{Status: Fail, Detail: strings.Join(refused, ", ") + " refused the stored token",
				Fix: "make a new token at the provider, set it (DIGITALOCEAN_ACCESS_TOKEN, GANDI_BEARER_TOKEN), and run \"chapterctl init\" to store it"}
		case len(unknowns) > 0:
			return unknown("could not ask "+strings.Join(unknowns, "; "), "check the network, then run \"chapterctl doctor\" again")
		case len(ok) == 0:
			return skip("no tokens are stored; commands that change things will ask for them")
		}
		return pass(strings.Join(ok, ", ") + " accept their tokens")
	}}
