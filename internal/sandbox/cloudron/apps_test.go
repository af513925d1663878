package cloudron

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func installBody(storeID, subdomain string) map[string]any {
	return map[string]any{"appStoreId": storeID, "subdomain": subdomain, "domain": testDomain, "accessRestriction": nil}
}

func TestInstallWaitsForItsRecordThenBecomesHealthy(t *testing.T) {
	t.Parallel()
	b := ready(t)
	a := b.call("POST", "/apps", installBody("org.matrix.synapse", "matrix")).want(t, 202)
	id, taskID := a.str("id"), a.str("taskId")
	if id == "" || taskID == "" {
		t.Fatalf("install answer = %s", a.raw)
	}
	if _, isString := a.at("taskId").(string); !isString {
		t.Errorf("taskId is not a string: %s", a.raw)
	}
	app := b.call("GET", "/apps/"+id, nil)
	if app.str("installationState") != "pending_install" || app.at("health") != nil || app.str("taskId") != taskID {
		t.Errorf("installing app = %s", app.raw)
	}

	b.advance(10 * time.Minute) // far past Synapse's 3 minutes: the wait holds it
	task := b.call("GET", "/tasks/"+taskID, nil).want(t, 200)
	if task.at("percent") != 85.0 || task.str("message") != "Waiting for DNS propagation" || task.at("active") != true {
		t.Fatalf("task without the record = %s", task.raw)
	}
	b.deps.serve("matrix."+testDomain, "A", testIP)
	task = b.call("GET", "/apps/"+id+"/task", nil).want(t, 200)
	if task.at("percent") != 95.0 || task.str("message") != "Configuring reverse proxy" {
		t.Fatalf("task once the record is served = %s", task.raw)
	}

	b.advance(36 * time.Second) // the 20 % after the wait
	app = b.call("GET", "/apps/"+id, nil)
	if app.str("installationState") != "installed" || app.str("runState") != "running" || app.at("health") != nil || app.at("taskId") != nil {
		t.Fatalf("just installed = %s", app.raw)
	}
	task = b.call("GET", "/tasks/"+taskID, nil)
	if task.at("active") != false || task.at("pending") != false || task.at("success") != true || task.at("error") != nil {
		t.Errorf("finished task = %s", task.raw)
	}
	b.advance(appStartHealthy)
	if h := b.call("GET", "/apps/"+id, nil).str("health"); h != "healthy" {
		t.Errorf("health after start = %q", h)
	}
	b.call("GET", "/apps/"+id+"/task", nil).want(t, 400)
}

func TestInstallFailsAfterTheDNSTimeout(t *testing.T) {
	t.Parallel()
	b := ready(t)
	a := b.call("POST", "/apps", installBody("im.riot.cloudronapp", "chat")).want(t, 202)
	b.advance(time.Minute) // reaches the wait
	b.call("GET", "/apps/"+a.str("id"), nil)
	b.advance(dnsTimeoutDefault)
	task := b.call("GET", "/tasks/"+a.str("taskId"), nil)
	if task.at("active") != false || task.at("success") != false || task.str("error.code") != "timeout" {
		t.Fatalf("timed-out task = %s", task.raw)
	}
	app := b.call("GET", "/apps/"+a.str("id"), nil)
	if app.str("installationState") != "error" || app.str("error.installationState") != "pending_install" {
		t.Errorf("app after the timeout = %s", app.raw)
	}
}

func TestInstallRefusals(t *testing.T) {
	t.Parallel()
	b := ready(t)
	busy := b.call("POST", "/apps", installBody("org.matrix.synapse", "matrix")).want(t, 202)
	cases := []struct {
		name    string
		body    map[string]any
		status  int
		message string
	}{
		{"taken subdomain", installBody("im.riot.cloudronapp", "matrix"), 409, "Domain 'matrix.example.org' is in use"},
		{"reserved my", installBody("im.riot.cloudronapp", "my"), 400, "Bad location: my is reserved"},
		{"reserved smtp", installBody("im.riot.cloudronapp", "smtp"), 400, "Bad location: smtp is reserved"},
		{"reserved imap", installBody("im.riot.cloudronapp", "imap"), 400, "Bad location: imap is reserved"},
		{"unknown domain", map[string]any{"appStoreId": "im.riot.cloudronapp", "subdomain": "chat", "domain": "other.example"}, 404, "No such domain"},
		{"no app", map[string]any{"subdomain": "chat", "domain": testDomain}, 400, "appStoreId or manifest is required"},
	}
	for _, c := range cases {
		if a := b.call("POST", "/apps", c.body).want(t, c.status); a.message() != c.message {
			t.Errorf("%s: %q, want %q", c.name, a.message(), c.message)
		}
	}
	a := b.call("POST", "/apps/"+busy.str("id")+"/restart", nil).want(t, 409)
	if want := "Locked by task " + busy.str("taskId") + " : pending_install / running"; a.message() != want {
		t.Errorf("busy app: %q", a.message())
	}
}

// The free plan's two-app limit is unverified, so it is off unless world
// data turns it on.
func TestPlanLimitIsAWorldSwitch(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{0, 2} {
		b := ready(t, func(d *world.Data) { d.Machines["1"].Cloudron.Options.AppLimit = limit })
		b.call("POST", "/apps", installBody("org.matrix.synapse", "matrix")).want(t, 202)
		b.call("POST", "/apps", installBody("im.riot.cloudronapp", "")).want(t, 202)
		third := b.call("POST", "/apps", installBody("net.roundcube.cloudronapp", "webmail"))
		if want := map[int]int{0: 202, 2: 402}[limit]; third.status != want {
			t.Errorf("limit %d: third install %d, want %d", limit, third.status, want)
		}
	}
}

func TestAppVerbsRunTasks(t *testing.T) {
	t.Parallel()
	b := ready(t)
	id := b.install("org.matrix.synapse", "matrix")
	steps := []struct {
		verb, pending, runState string
	}{
		{"stop", "pending_stop", "stopped"},
		{"start", "pending_start", "running"},
		{"restart", "pending_restart", "running"},
	}
	for _, s := range steps {
		a := b.call("POST", "/apps/"+id+"/"+s.verb, nil).want(t, 202)
		if got := b.call("GET", "/apps/"+id, nil).str("installationState"); got != s.pending {
			t.Errorf("%s: state %q while running", s.verb, got)
		}
		b.waitTask(a.str("taskId"))
		if app := b.call("GET", "/apps/"+id, nil); app.str("installationState") != "installed" || app.str("runState") != s.runState {
			t.Errorf("after %s: %s", s.verb, app.raw)
		}
	}
	b.waitTask(b.call("POST", "/apps/"+id+"/uninstall", nil).want(t, 202).str("taskId"))
	b.call("GET", "/apps/"+id, nil).want(t, 404)
	if n := len(b.call("GET", "/apps", nil).at("apps").([]any)); n != 0 {
		t.Errorf("%d apps left after uninstall", n)
	}
}

func TestAppUpdateTakesTheStoreVersion(t *testing.T) {
	t.Parallel()
	b := ready(t)
	id := b.install("org.matrix.synapse", "matrix")
	if u := b.call("POST", "/apps/"+id+"/check_for_updates", nil).want(t, 200); len(u.at("updates").(map[string]any)) != 0 {
		t.Errorf("updates with none offered = %s", u.raw)
	}
	b.change(func(d *world.Data) {
		d.Machines["1"].Cloudron.StoreVersions = map[string]string{"org.matrix.synapse": "1.99.0"}
	})
	u := b.call("POST", "/apps/"+id+"/check_for_updates", nil).want(t, 200)
	if got := u.str("updates." + id + ".manifest.version"); got != "1.99.0" {
		t.Fatalf("offered update = %s", u.raw)
	}
	b.waitTask(b.call("POST", "/apps/"+id+"/update", map[string]any{"appStoreId": "org.matrix.synapse"}).want(t, 202).str("taskId"))
	if got := b.call("GET", "/apps/"+id, nil).str("manifest.version"); got != "1.99.0" {
		t.Errorf("version after update = %q", got)
	}
}

func TestTaskStopAndLogs(t *testing.T) {
	t.Parallel()
	b := ready(t)
	a := b.call("POST", "/apps", installBody("org.matrix.synapse", "matrix")).want(t, 202)
	b.advance(time.Minute)
	logs := b.call("GET", "/tasks/"+a.str("taskId")+"/logs", nil).want(t, 200)
	if len(logs.raw) == 0 || logs.json != nil {
		t.Errorf("logs are not plain text: %q", logs.raw)
	}
	b.call("POST", "/tasks/"+a.str("taskId")+"/stop", nil).want(t, 204)
	task := b.call("GET", "/tasks/"+a.str("taskId"), nil)
	if task.at("active") != false || task.str("error.code") != "stopped" {
		t.Errorf("stopped task = %s", task.raw)
	}
	b.call("POST", "/tasks/"+a.str("taskId")+"/stop", nil).want(t, 409)
}

func TestTaskFailsFaultCrashesTheNextTask(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.change(func(d *world.Data) { d.Faults[FaultTaskFails] = "" })
	b.deps.serve("matrix."+testDomain, "A", testIP)
	a := b.call("POST", "/apps", installBody("org.matrix.synapse", "matrix")).want(t, 202)
	task := b.waitTask(a.str("taskId"))
	if task.at("success") != false || task.str("error.code") != "crashed" || task.str("error.message") == "" {
		t.Errorf("crashed task = %s", task.raw)
	}
	if got := b.call("GET", "/apps/"+a.str("id"), nil).str("installationState"); got != "error" {
		t.Errorf("app state = %q", got)
	}
	// The fault was spent: the next task succeeds.
	id := b.install("im.riot.cloudronapp", "chat")
	if got := b.call("GET", "/apps/"+id, nil).str("installationState"); got != "installed" {
		t.Errorf("next install = %q", got)
	}
}

// Progress lives in the world as times, so an install started by a
// process that was killed carries on in the next one, from world.json.
func TestAnInstallCarriesOnInTheNextProcess(t *testing.T) {
	t.Parallel()
	b := ready(t)
	b.deps.serve("matrix."+testDomain, "A", testIP)
	id := b.call("POST", "/apps", installBody("org.matrix.synapse", "matrix")).want(t, 202).str("id")
	var saved []byte
	b.w.Read(func(d *world.Data) { saved, _ = json.Marshal(d) })
	path := filepath.Join(t.TempDir(), "world.json")
	if err := os.WriteFile(path, saved, 0o600); err != nil {
		t.Fatal(err)
	}

	data, err := world.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	next := New(world.New(data, path, world.Options{Clock: b.clock}), 1, b.deps)
	b.advance(10 * time.Minute)
	req := httptest.NewRequest("GET", "/api/v1/apps/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+b.token)
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, req)
	var app map[string]any
	json.Unmarshal(rec.Body.Bytes(), &app)
	if app["installationState"] != "installed" {
		t.Errorf("in the next process: %d %s", rec.Code, rec.Body)
	}
}
