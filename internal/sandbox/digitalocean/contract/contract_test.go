package contract

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"golang.org/x/oauth2"

	"github.com/chapterctl/chapterctl/internal/netx"
	"github.com/chapterctl/chapterctl/internal/sandbox/digitalocean"
	"github.com/chapterctl/chapterctl/internal/sandbox/simnet/simnettest"
	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// specPath is the filtered OpenAPI description the reference ships;
// DIGITALOCEAN_OPENAPI points elsewhere.
const specPath = "/work/shared/reference/digitalocean-openapi.yaml"

const token = "dop_v1_contract"

// loadSpec loads the description, or skips the test when it is absent.
// Examples are not validated: one upstream example is invalid
// (next_backup_window: null where the schema is not nullable).
func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	path := specPath
	if p := os.Getenv("DIGITALOCEAN_OPENAPI"); p != "" {
		path = p
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no OpenAPI description at %s: %v", path, err)
	}
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		t.Fatal(err)
	}
	tolerateKnownNullables(doc)
	return doc
}

// tolerateKnownNullables relaxes the spec exactly where the reference
// (digitalocean.md §7) says real answers break it: a droplet's
// next_backup_window is null without backups, but the schema wraps a
// nullable object in an allOf that kin-openapi reads as not nullable.
// Nothing else is relaxed.
func tolerateKnownNullables(doc *openapi3.T) {
	window := doc.Components.Schemas["droplet"].Value.Properties["next_backup_window"]
	window.Value.Nullable = true
}

// validator is a RoundTripper that checks every answer passing through it
// against the spec and records which operations were exercised.
type validator struct {
	t      *testing.T
	next   http.RoundTripper
	router routers.Router
	mu     sync.Mutex
	seen   map[string][]int // operationId → statuses answered
}

func (v *validator) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := v.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	v.check(req, resp, body)
	return resp, nil
}

func (v *validator) check(req *http.Request, resp *http.Response, body []byte) {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		v.t.Errorf("%s %s: not an operation of the spec: %v", req.Method, req.URL, err)
		return
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), input); err != nil {
		v.t.Errorf("%s %s → %d breaks the contract of %s: %v\nbody: %s",
			req.Method, req.URL, resp.StatusCode, route.Operation.OperationID, err, body)
	}
	v.mu.Lock()
	v.seen[route.Operation.OperationID] = append(v.seen[route.Operation.OperationID], resp.StatusCode)
	v.mu.Unlock()
}

// newClient serves a fresh simulator and returns godo on a transport that
// validates every answer.
func newClient(t *testing.T, doc *openapi3.T) (*godo.Client, *validator) {
	t.Helper()
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	w := world.New(&world.Data{
		Schema: world.SchemaVersion, TimeScale: 0.001, Tokens: world.Tokens{DigitalOcean: token},
		DigitalOcean: world.DigitalOcean{Account: world.DOAccount{DropletLimit: 10, Email: "organizer@example.net",
			UUID: "b6fr89dbf6d9156cace5f3c78dc9851d957381ef", Status: "active"}},
	}, "", world.Options{})
	n, ca := simnettest.Serve(t, digitalocean.New(w), "api.digitalocean.com")
	v := &validator{t: t, next: netx.Transport(n, ca.Pool()), router: router, seen: map[string][]int{}}
	hc := &http.Client{Transport: &oauth2.Transport{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}), Base: v}}
	client, err := godo.New(hc, godo.SetBaseURL("https://api.digitalocean.com/"))
	if err != nil {
		t.Fatal(err)
	}
	return client, v
}

// waitFor polls cond every 5 ms for a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for tick := time.NewTicker(5 * time.Millisecond); !cond(); <-tick.C {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func must[T any](t *testing.T) func(T, *godo.Response, error) T {
	return func(v T, _ *godo.Response, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// mustDo is must for calls that return no value.
func mustDo(t *testing.T) func(*godo.Response, error) {
	return func(_ *godo.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// wantAPIError fails unless err is an answer of the API (an error status),
// not a failure to get one.
func wantAPIError(t *testing.T, err error) {
	t.Helper()
	var er *godo.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("want an error answer, got %v", err)
	}
}

// operationsUsed are the operations chapterctl drives; each must be
// exercised below.
var operationsUsed = []string{
	"account_get", "sshKeys_list", "sshKeys_create", "sshKeys_get", "sshKeys_delete",
	"actions_get", "droplets_list", "droplets_create", "droplets_get", "droplets_destroy", "droplets_destroy_byTag",
	"dropletActions_post", "dropletActions_get", "dropletActions_list", "droplets_list_firewalls",
	"firewalls_list", "firewalls_create", "firewalls_get", "firewalls_update", "firewalls_delete",
	"firewalls_assign_droplets", "firewalls_add_tags", "firewalls_add_rules", "firewalls_delete_rules",
	"images_list", "images_get", "regions_list", "sizes_list", "tags_list", "tags_create", "tags_get",
}

func TestSimulatorAnswersMatchTheOpenAPIContract(t *testing.T) {
	doc := loadSpec(t)
	do, v := newClient(t, doc)
	ctx := context.Background()
	exerciseCatalogue(t, ctx, do)
	drop := exerciseDroplets(t, ctx, do)
	exerciseFirewalls(t, ctx, do, drop)
	exerciseErrors(t, ctx, do, v)

	var missing []string
	for _, op := range operationsUsed {
		if _, ok := v.seen[op]; !ok {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations not exercised: %s", strings.Join(missing, ", "))
	}
	if !slices.Contains(v.seen["droplets_get"], http.StatusNotFound) || !slices.Contains(v.seen["account_get"], http.StatusUnauthorized) ||
		!slices.Contains(v.seen["droplets_create"], http.StatusUnprocessableEntity) || !slices.Contains(v.seen["sshKeys_list"], http.StatusTooManyRequests) ||
		!slices.Contains(v.seen["tags_create"], http.StatusBadRequest) {
		t.Errorf("error answers not exercised: %v", v.seen)
	}
}
