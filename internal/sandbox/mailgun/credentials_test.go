package mailgun

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

const credDomain = "mg.example.org"

const credPath = "/v3/domains/" + credDomain + "/credentials"

// checkLogin asks the world whether user/pass log in at the US relay.
func checkLogin(f *fixture, user, pass string) error {
	var err error
	f.w.Read(func(d *world.Data) { err = CheckLogin(d, SMTPHostUS, user, pass) })
	return err
}

func TestCreateCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	f.createDomain(t, USHost, credDomain, nil)
	tests := []struct {
		name        string
		form        url.Values
		wantStatus  int
		wantMessage string
		wantLogin   string // a login that must work afterwards ("" none)
		password    string // its password; "" when Mailgun generated it
	}{
		{"with a password", url.Values{"login": {"cloudron@" + credDomain}, "password": {"s3cret-relay-pass"}},
			200, "Created 1 credentials pair(s)", "cloudron@" + credDomain, "s3cret-relay-pass"},
		{"generated password", url.Values{"login": {"gen@" + credDomain}},
			200, "Created 1 credentials pair(s)", "gen@" + credDomain, ""},
		{"bare local part", url.Values{"login": {"bob.bar"}, "password": {"bobs-password"}},
			200, "Created 1 credentials pair(s)", "bob.bar@" + credDomain, "bobs-password"},
		{"missing login", url.Values{"password": {"s3cret-relay-pass"}}, 400, "Parameter 'login' is missing", "", ""},
		{"password too long", url.Values{"login": {"long@" + credDomain}, "password": {strings.Repeat("p", 33)}}, 400, "", "", ""},
		{"password too short", url.Values{"login": {"short@" + credDomain}, "password": {"1234"}}, 400, "", "", ""},
		{"duplicate", url.Values{"login": {"cloudron@" + credDomain}, "password": {"another-pass"}}, 400, "", "", ""},
		{"other domain", url.Values{"login": {"x@elsewhere.org"}, "password": {"s3cret-relay-pass"}}, 400, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.send(t, http.MethodPost, USHost, credPath, tt.form, multipartF)
			if got.status != tt.wantStatus || got.message(t) == "" || (tt.wantMessage != "" && got.message(t) != tt.wantMessage) {
				t.Fatalf("got %d %s, want %d %q", got.status, got.body, tt.wantStatus, tt.wantMessage)
			}
			if tt.wantLogin == "" {
				return
			}
			password := tt.password
			if password == "" {
				generated, _ := got.json(t)["credentials"].(map[string]any)
				password, _ = generated[tt.wantLogin].(string)
				if len(password) < 5 || len(password) > 32 {
					t.Fatalf("generated password %q not shown once in %s", password, got.body)
				}
			}
			if err := checkLogin(f, tt.wantLogin, password); err != nil {
				t.Errorf("login %s after create: %v", tt.wantLogin, err)
			}
		})
	}
	// The duplicate did not change the first password.
	if err := checkLogin(f, "cloudron@"+credDomain, "s3cret-relay-pass"); err != nil {
		t.Errorf("first password after a refused duplicate: %v", err)
	}
}

func TestCredentialsListNeverShowsPasswords(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	f.createDomain(t, USHost, credDomain, url.Values{"smtp_password": {"postmaster-pass"}})
	f.send(t, http.MethodPost, USHost, credPath, url.Values{"login": {"cloudron@" + credDomain}, "password": {"s3cret-relay-pass"}}, urlencoded)

	got := f.send(t, http.MethodGet, USHost, credPath, nil, noBody)
	for _, secret := range []string{"password", "postmaster-pass", "s3cret-relay-pass"} {
		if got.status != http.StatusOK || strings.Contains(string(got.body), secret) {
			t.Fatalf("list: %d %s (must not hold %q)", got.status, got.body, secret)
		}
	}
	body := got.json(t)
	items := body["items"].([]any)
	if body["total_count"] != float64(2) || len(items) != 2 {
		t.Fatalf("list %v, want postmaster and cloudron", body)
	}
	for _, it := range items {
		item := it.(map[string]any)
		if item["login"] != item["mailbox"] || item["size_bytes"] != nil {
			t.Errorf("item %v", item)
		}
		if _, err := time.Parse("Mon, 02 Jan 2006 15:04:05 -0700", item["created_at"].(string)); err != nil {
			t.Errorf("created_at: %v", err)
		}
	}
	if page := f.send(t, http.MethodGet, USHost, credPath+"?skip=1&limit=1", nil, noBody).json(t); len(page["items"].([]any)) != 1 {
		t.Errorf("page of one: %v", page)
	}
	if got := f.send(t, http.MethodGet, USHost, credPath+"?limit=1001", nil, noBody); got.status != http.StatusBadRequest ||
		got.message(t) != "Limit parameter can't be larger than 1000" {
		t.Errorf("limit 1001: %d %s", got.status, got.body)
	}
}

func TestUpdateCredentialResetsThePassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	f.createDomain(t, USHost, credDomain, nil)
	login := "cloudron@" + credDomain
	f.send(t, http.MethodPost, USHost, credPath, url.Values{"login": {login}, "password": {"old-password"}}, multipartF)

	tests := []struct {
		name, login, password string
		wantStatus            int
		wantMessage           string
	}{
		{"unknown login", "nobody@" + credDomain, "new-password", 404, "Credentials not found"},
		{"full address", login, "new-password", 200, "Password changed"},
		{"local part", "cloudron", "newer-password", 200, "Password changed"},
		{"too short", login, "abc", 400, ""},
	}
	for _, tt := range tests {
		got := f.send(t, http.MethodPut, USHost, credPath+"/"+url.PathEscape(tt.login), url.Values{"password": {tt.password}}, multipartF)
		if got.status != tt.wantStatus || (tt.wantMessage != "" && got.message(t) != tt.wantMessage) {
			t.Errorf("%s: %d %s, want %d %q", tt.name, got.status, got.body, tt.wantStatus, tt.wantMessage)
		}
	}
	if err := checkLogin(f, login, "old-password"); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("old password: %v, want refused", err)
	}
	if err := checkLogin(f, login, "newer-password"); err != nil {
		t.Errorf("new password: %v", err)
	}
	// Without a password Mailgun makes one and shows it once.
	generated := f.send(t, http.MethodPut, USHost, credPath+"/"+login, nil, multipartF).json(t)
	password, _ := generated["credentials"].(map[string]any)[login].(string)
	if err := checkLogin(f, login, password); err != nil {
		t.Errorf("generated password %q: %v", password, err)
	}
}

func TestDeleteCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	f.createDomain(t, USHost, credDomain, url.Values{"smtp_password": {"postmaster-pass"}})
	for _, login := range []string{"a", "b", "c"} {
		f.send(t, http.MethodPost, USHost, credPath, url.Values{"login": {login + "@" + credDomain}, "password": {"password-" + login}}, multipartF)
	}
	tests := []struct {
		login       string
		wantStatus  int
		wantMessage string
	}{
		{"a@" + credDomain, 200, "Credentials have been deleted"},
		{"a@" + credDomain, 404, "Credentials not found"},
		{"postmaster@" + credDomain, 400, "Cannot delete system mailbox: postmaster@" + credDomain},
	}
	for _, tt := range tests {
		got := f.send(t, http.MethodDelete, USHost, credPath+"/"+tt.login, nil, noBody)
		if got.status != tt.wantStatus || got.message(t) != tt.wantMessage {
			t.Errorf("delete %s: %d %s, want %d %q", tt.login, got.status, got.body, tt.wantStatus, tt.wantMessage)
		}
		if got.status == 200 && got.json(t)["spec"] != tt.login {
			t.Errorf("delete %s: spec %v", tt.login, got.json(t)["spec"])
		}
	}
	if err := checkLogin(f, "a@"+credDomain, "password-a"); !errors.Is(err, ErrAuthFailed) {
		t.Errorf("deleted login still works: %v", err)
	}
	all := f.send(t, http.MethodDelete, USHost, credPath, nil, noBody).json(t)
	if all["message"] != "All domain credentials have been deleted" || all["count"] != float64(2) {
		t.Errorf("delete all: %v", all)
	}
	if err := checkLogin(f, "postmaster@"+credDomain, "postmaster-pass"); err != nil {
		t.Errorf("postmaster after delete all: %v", err)
	}
}
