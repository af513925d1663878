package digitalocean

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestEnsureKeyIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub := newAuthorizedKey(t, "chapterctl@redrockdsa.org")
	fingerprint, err := Fingerprint(pub)
	if err != nil {
		t.Fatal(err)
	}

	if _, found, err := e.c.KeyByFingerprint(e.ctx, fingerprint); err != nil || found {
		t.Fatalf("before: found %v, %v; want not found", found, err)
	}
	first, created, err := e.c.EnsureKey(e.ctx, "chapterctl redrockdsa.org", pub)
	if err != nil || !created {
		t.Fatalf("first EnsureKey: created %v, %v", created, err)
	}
	if first.Fingerprint != fingerprint || first.ID == 0 || first.Name != "chapterctl redrockdsa.org" {
		t.Errorf("first EnsureKey = %+v, want fingerprint %s", first, fingerprint)
	}
	again, created, err := e.c.EnsureKey(e.ctx, "another name", pub)
	if err != nil || created || again != first {
		t.Fatalf("second EnsureKey = %+v, created %v, %v; want %+v, not created", again, created, err, first)
	}
	if found, ok, err := e.c.KeyByFingerprint(e.ctx, fingerprint); err != nil || !ok || found != first {
		t.Errorf("KeyByFingerprint = %+v, %v, %v", found, ok, err)
	}
	if posts := len(e.requests(t, "POST", "/v2/account/keys")); posts != 1 {
		t.Errorf("%d key creates, want 1", posts)
	}
	if lists := len(e.requests(t, "GET", "/v2/account/keys")); lists != 0 {
		t.Errorf("the key list (10 reads a minute) was read %d times", lists)
	}
}

// TestEnsureKeyWhenAnotherRunAddsItFirst: the key appears between the
// look-up and the create, so the create is the API's 422 "already in use",
// which EnsureKey reads as "it exists".
func TestEnsureKeyWhenAnotherRunAddsItFirst(t *testing.T) {
	t.Parallel()
	pub := newAuthorizedKey(t, "chapterctl@redrockdsa.org")
	e := newEnv(t, wrapped(addKeyAfterFirstLookup("added by another run", pub)))

	k, created, err := e.c.EnsureKey(e.ctx, "chapterctl redrockdsa.org", pub)
	if err != nil || created {
		t.Fatalf("EnsureKey: created %v, %v; want the existing key", created, err)
	}
	if k.Name != "added by another run" {
		t.Errorf("EnsureKey = %+v, want the key the other run added", k)
	}
	if got := e.statuses(t, "POST", "/v2/account/keys"); len(got) != 2 || got[0] != http.StatusCreated || got[1] != http.StatusUnprocessableEntity {
		t.Errorf("key creates answered %v, want [201 (the other run) 422 (ours)]", got)
	}
	if got := e.statuses(t, "GET", "/v2/account/keys/"); len(got) != 2 || got[0] != http.StatusNotFound || got[1] != http.StatusOK {
		t.Errorf("key look-ups answered %v, want [404 200]", got)
	}
}

// addKeyAfterFirstLookup lets the first key look-up answer (404), and
// before that answer reaches the client registers pub as another client
// would.
func addKeyAfterFirstLookup(name, pub string) func(http.Handler) http.Handler {
	var once sync.Once
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			isLookup := r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v2/account/keys/")
			if !isLookup {
				next.ServeHTTP(rw, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			once.Do(func() {
				body := fmt.Sprintf(`{"name":%q,"public_key":%q}`, name, pub)
				create := httptest.NewRequest(http.MethodPost, "https://api.digitalocean.com/v2/account/keys", strings.NewReader(body))
				create.Header.Set("Authorization", "Bearer "+testToken)
				create.Header.Set("Content-Type", "application/json")
				next.ServeHTTP(httptest.NewRecorder(), create)
			})
			copyAnswer(rw, rec)
		})
	}
}

func copyAnswer(rw http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		rw.Header()[k] = v
	}
	rw.WriteHeader(rec.Code)
	rw.Write(rec.Body.Bytes())
}

func TestEnsureKeyRefusesWhatIsNotAPublicKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, _, err := e.c.EnsureKey(e.ctx, "chapter", "-----BEGIN OPENSSH PRIVATE KEY-----")
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "authorized_keys") {
		t.Errorf("EnsureKey of a non-key = %v, want ErrRefused naming authorized_keys", err)
	}
	if n := len(e.requests(t, "POST", "/v2/account/keys")) + len(e.requests(t, "GET", "/v2/account/keys/")); n != 0 {
		t.Errorf("%d requests were sent for a key that cannot be one", n)
	}
}
