package checks

import (
	"context"
	"errors"
	"fmt"

	"github.com/miekg/dns"

	"github.com/chapterctl/chapterctl/internal/cloudron"
	"github.com/chapterctl/chapterctl/internal/dnsq"
)

// Answers the checks share: each asked once per doctor run.

// errNoCloudronClient: no Cloudron API token is stored.
var errNoCloudronClient = errors.New(`no Cloudron API token is stored in .chapterctl/secrets.json; run "chapterctl init" to finish the platform setup`)

// authoritative are the domain's authoritative servers, from its NS records.
func authoritative(ctx context.Context, env *Env) ([]string, error) {
	return shared(ctx, env, "dns:servers", dnsLimit, func(ctx context.Context) ([]string, error) {
		return env.DNS.Authoritative(ctx, env.Domain())
	})
}

// askAuthoritative asks the domain's authoritative servers about name
// until one answers: the zone as Gandi serves it.
func askAuthoritative(ctx context.Context, env *Env, name string, qtype uint16) (dnsq.Answer, error) {
	key := fmt.Sprintf("dns:auth:%s:%d", dns.CanonicalName(name), qtype)
	return shared(ctx, env, key, dnsLimit, func(ctx context.Context) (dnsq.Answer, error) {
		servers, err := authoritative(ctx, env)
		if err != nil {
			return dnsq.Answer{}, err
		}
		var last error
		for _, s := range servers {
			a, err := env.DNS.AskAuthoritative(ctx, s, name, qtype)
			if err == nil && a.Kind != dnsq.ServFail && a.Kind != dnsq.Refused {
				return a, nil
			}
			if err == nil {
				err = fmt.Errorf("%s answered %s", s, a.Kind)
			}
			last = err
		}
		if last == nil {
			last = errors.New("no authoritative server to ask")
		}
		return dnsq.Answer{}, last
	})
}

// askResolver asks the first public resolver that answers: the world's view.
func askResolver(ctx context.Context, env *Env, name string, qtype uint16) (dnsq.Answer, error) {
	key := fmt.Sprintf("dns:pub:%s:%d", dns.CanonicalName(name), qtype)
	return shared(ctx, env, key, dnsLimit, func(ctx context.Context) (dnsq.Answer, error) {
		var last error
		for _, r := range resolvers(env) {
			a, err := env.DNS.AskResolver(ctx, r, name, qtype)
			if err == nil && a.Kind != dnsq.ServFail && a.Kind != dnsq.Refused {
				return a, nil
			}
			if err == nil {
				err = fmt.Errorf("%s answered %s", r, a.Kind)
			}
			last = err
		}
		return dnsq.Answer{}, last
	})
}

func resolvers(env *Env) []string {
	if len(env.DNS.Resolvers) > 0 {
		return env.DNS.Resolvers
	}
	return dnsq.DefaultResolvers
}

func needCloudron(env *Env) error {
	if env.Cloudron == nil {
		return errNoCloudronClient
	}
	return nil
}

func apps(ctx context.Context, env *Env) ([]cloudron.App, error) {
	if err := needCloudron(env); err != nil {
		return nil, err
	}
	return shared(ctx, env, "cloudron:apps", apiLimit, env.Cloudron.Apps)
}

func mailStatus(ctx context.Context, env *Env) (cloudron.MailStatus, error) {
	if err := needCloudron(env); err != nil {
		return cloudron.MailStatus{}, err
	}
	return shared(ctx, env, "cloudron:mailstatus", mailStatusLimit, func(ctx context.Context) (cloudron.MailStatus, error) {
		return env.Cloudron.MailStatus(ctx, env.Domain())
	})
}

func profile(ctx context.Context, env *Env) (cloudron.User, error) {
	if err := needCloudron(env); err != nil {
		return cloudron.User{}, err
	}
	return shared(ctx, env, "cloudron:profile", apiLimit, env.Cloudron.Profile)
}

// appByStore is the first installed app of one of the store ids.
func appByStore(ctx context.Context, env *Env, storeIDs ...string) (cloudron.App, bool, error) {
	list, err := apps(ctx, env)
	if err != nil {
		return cloudron.App{}, false, err
	}
	for _, a := range list {
		for _, id := range storeIDs {
			if a.AppStoreID == id {
				return a, true, nil
			}
		}
	}
	return cloudron.App{}, false, nil
}

// Store ids of the apps the chat checks look at (cloudron.md §8).
const (
	synapseStore    = "org.matrix.synapse"
	elementStore    = "im.riot.cloudronapp"
	rocketChatStore = "chat.rocket.cloudronapp"
	mattermostStore = "org.mattermost.cloudronapp2"
)

// cloudronUnknown is the verdict when Cloudron's API could not be asked.
func cloudronUnknown(err error) Result {
	if errors.Is(err, errNoCloudronClient) {
		return unknown(err.Error(), `run "chapterctl init" to finish the platform setup`)
	}
	return unknown("Cloudron's API did not answer: "+err.Error(), `check the platform lines above, then run "chapterctl doctor" again`)
}

// dnsUnknown is the verdict when a DNS question got no answer.
func dnsUnknown(what string, err error) Result {
	return unknown(fmt.Sprintf("no answer about %s: %v", what, err), `check this computer's network connection, then run "chapterctl doctor" again`)
}
