package mailgun

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

func TestTrackingCanBeTurnedOff(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, world.Options{})
	const name = "mg.example.org"
	f.createDomain(t, USHost, name, nil)
	trackingOf := func() map[string]any {
		return f.send(t, http.MethodGet, USHost, "/v3/domains/"+name+"/tracking", nil, noBody).json(t)["tracking"].(map[string]any)
	}
	if open := trackingOf()["open"].(map[string]any)["active"]; open != true {
		t.Fatalf("open tracking starts %v, want true", open)
	}
	tests := []struct {
		kind, active string
		wantStatus   int
		wantActive   any
	}{
		{"open", "false", 200, false},
		{"click", "no", 200, false}, // the old docs' spelling
		{"click", "htmlonly", 200, "htmlonly"},
		{"open", "htmlonly", 400, nil},
		{"open", "", 200, false}, // no active: no change
	}
	for _, tt := range tests {
		got := f.send(t, http.MethodPut, USHost, "/v3/domains/"+name+"/tracking/"+tt.kind, url.Values{"active": {tt.active}}, multipartF)
		if got.status != tt.wantStatus {
			t.Errorf("%s=%q: %d %s", tt.kind, tt.active, got.status, got.body)
			continue
		}
		if got.status != 200 {
			continue
		}
		body := got.json(t)
		if body["message"] != "Domain tracking settings have been updated" || body[tt.kind].(map[string]any)["active"] != tt.wantActive {
			t.Errorf("%s=%q: %v", tt.kind, tt.active, body)
		}
		if now := trackingOf()[tt.kind].(map[string]any)["active"]; now != tt.wantActive {
			t.Errorf("%s=%q: GET shows %v, want %v", tt.kind, tt.active, now, tt.wantActive)
		}
	}
}
