package cloudron

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// installSteps are an install task's steps and messages [v4 apptask.js],
// spread over the app's install duration. Step 85 waits for the app's A
// record at the authoritative servers; what follows it runs once the
// record is served.
func installSteps(total time.Duration) []step {
	part := func(percent int) time.Duration { return total * time.Duration(percent) / 100 }
	return []step{
		{10, "Cleaning up old install", part(2)},
		{20, "Downloading icon", part(3)},
		{30, "Registering subdomain", part(5)},
		{40, "Downloading image", part(35)},
		{50, "Creating app data directory", part(5)},
		{60, "Setting up addons", part(15)},
		{70, "Creating container", part(15)},
		{85, "Waiting for DNS propagation", 0},
		{95, "Configuring reverse proxy", part(20)},
	}
}

// installWaitStep is the index of installSteps' DNS wait.
const installWaitStep = 7

// installRequest is POST /apps (8.2+) or /apps/install (older), checked.
type installRequest struct {
	store             storeApp
	subdomain, domain string
	accessRestriction json.RawMessage
	label             string
	memoryLimit       int64
	sso, skipDNS      bool
}

func parseInstall(b body) (installRequest, error) {
	var req installRequest
	id, ok := b.str("appStoreId")
	if !ok || id == "" {
		if b.has("manifest") {
			return req, fail(http.StatusBadRequest, "the sandbox installs App Store apps only: appStoreId is required")
		}
		return req, fail(http.StatusBadRequest, "appStoreId or manifest is required")
	}
	if req.subdomain, ok = b.str("subdomain"); !ok {
		return req, fail(http.StatusBadRequest, "subdomain is required")
	}
	if req.domain, ok = b.str("domain"); !ok || req.domain == "" {
		return req, fail(http.StatusBadRequest, "domain is required")
	}
	if v, present := b["accessRestriction"]; present && v != nil {
		if _, ok := v.(map[string]any); !ok {
			return req, fail(http.StatusBadRequest, "accessRestriction must be an object")
		}
	}
	err := b.optional(fieldCheck{"label", "string"}, fieldCheck{"memoryLimit", "number"}, fieldCheck{"sso", "boolean"},
		fieldCheck{"enableBackup", "boolean"}, fieldCheck{"enableAutomaticUpdate", "boolean"}, fieldCheck{"skipDnsSetup", "boolean"},
		fieldCheck{"overwriteDns", "boolean"}, fieldCheck{"env", "object"}, fieldCheck{"ports", "object"})
	if err != nil {
		return req, err
	}
	if req.store, ok = storeAppByID(id); !ok {
		// The App Store's answer for an unknown id is (unverified).
		return req, fail(http.StatusNotFound, "No such app in the App Store: %s", id)
	}
	req.subdomain, req.domain = strings.ToLower(req.subdomain), strings.ToLower(req.domain)
	req.accessRestriction = b.raw("accessRestriction")
	req.label, _ = b.str("label")
	mem, _ := b.number("memoryLimit")
	req.memoryLimit = int64(mem)
	req.sso = true
	if sso, ok := b.boolean("sso"); ok {
		req.sso = sso
	}
	// skipDnsSetup skips registering and waiting for the app's record
	// (unverified that it skips the wait too).
	req.skipDNS, _ = b.boolean("skipDnsSetup")
	return req, validateSubdomain(req.subdomain, req.domain)
}

// installApp starts an install: 202 {id, taskId}. The app stays in
// pending_install until its task ends; the task blocks at 85 % until the
// app's A record is served by the authoritative servers, and fails after
// the DNS timeout.
func (s *server) installApp(rw http.ResponseWriter, r *http.Request, _ caller) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	req, err := parseInstall(b)
	if err != nil {
		return err
	}
	now := s.w.Now()
	app := &world.CloudronApp{ID: uuid4(), AppStoreID: req.store.id, Subdomain: req.subdomain, Domain: req.domain,
		InstallationState: "pending_install", RunState: "running", AccessRestriction: req.accessRestriction,
		Label: req.label, MemoryLimit: req.memoryLimit, SSO: req.sso, SkipDNSSetup: req.skipDNS, CreatedAt: now, UpdatedAt: now}
	err = s.update(r.Context(), "cloudron.app.install", func(c *world.Cloudron, d *world.Data) error {
		if domainByName(c, req.domain) == nil {
			return fail(http.StatusNotFound, "No such domain")
		}
		if err := inUse(c, app.FQDN()); err != nil {
			return err
		}
		if err := planLimit(c); err != nil {
			return err
		}
		app.Version = storeVersion(c, req.store.id)
		spec := taskSpec{typ: "app", action: "install", appID: app.ID, wait: installWaitStep, waitHost: app.FQDN(),
			steps:      installSteps(installDuration(c, req.store)),
			dnsTimeout: knob(c.Options.Timings.DNSTimeout, dnsTimeoutDefault)}
		if req.skipDNS {
			spec.wait = -1
		}
		app.TaskID = startTask(c, d, now, spec).ID
		c.Apps = append(c.Apps, app)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusAccepted, map[string]string{"id": app.ID, "taskId": app.TaskID})
	return nil
}

// planLimit plays the App Store's subscription limit. The free plan's
// two-app limit is a third-party statement (unverified), and chapterctl's
// own stack (chat, its web client, webmail, a landing page) is more than
// two apps, so enforcing it by default would fail every sandbox init on a
// rule no source confirms: it is off unless world data sets a limit.
func planLimit(c *world.Cloudron) error {
	if c.Options.AppLimit > 0 && len(c.Apps) >= c.Options.AppLimit {
		return fail(http.StatusPaymentRequired, "Plan limit reached")
	}
	return nil
}
