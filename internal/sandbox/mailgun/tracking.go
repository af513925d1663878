package mailgun

import (
	"net/http"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// The default unsubscribe footers, as the old docs show them. The
// simulator does not let them be changed.
const (
	unsubscribeHTMLFooter = "\n<br>\n<p><a href=\"%unsubscribe_url%\">unsubscribe</a></p>\n"
	unsubscribeTextFooter = "\n\nTo unsubscribe click: <%unsubscribe_url%>\n\n"
)

// GET /v3/domains/{name}/tracking
func (s *server) getTracking(rw http.ResponseWriter, r *http.Request) {
	var tracking map[string]any
	s.w.Read(func(d *world.Data) {
		if dom := domainIn(d, regionOf(r), r.PathValue("name")); dom != nil {
			tracking = map[string]any{
				"open":  map[string]any{"active": activeJSON(dom.Tracking.Open)},
				"click": map[string]any{"active": activeJSON(dom.Tracking.Click)},
				"unsubscribe": map[string]any{"active": activeJSON(dom.Tracking.Unsubscribe),
					"html_footer": unsubscribeHTMLFooter, "text_footer": unsubscribeTextFooter},
				"web_scheme": dom.WebScheme,
			}
		}
	})
	if tracking == nil {
		writeError(rw, errDomainNotFound)
		return
	}
	writeJSON(rw, http.StatusOK, map[string]any{"tracking": tracking})
}

// PUT /v3/domains/{name}/tracking/{open,click,unsubscribe} with active:
// true|false (the spec), yes|no (the old docs), htmlonly (click only).
// Without active nothing changes.
func (s *server) updateTracking(rw http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	if kind != "open" && kind != "click" && kind != "unsubscribe" {
		http.NotFound(rw, r)
		return
	}
	if err := parseForm(r); err != nil {
		writeError(rw, err)
		return
	}
	raw := r.FormValue("active")
	active, ok := trackingValue(kind, raw)
	if !ok {
		writeError(rw, badRequest("Invalid value %q for 'active'", raw))
		return
	}
	region, name := regionOf(r), r.PathValue("name")
	var now string
	err := s.w.Update(r.Context(), "mailgun.tracking.update", func(d *world.Data) error {
		dom := domainIn(d, region, name)
		if dom == nil {
			return errDomainNotFound
		}
		setting := map[string]*string{"open": &dom.Tracking.Open, "click": &dom.Tracking.Click,
			"unsubscribe": &dom.Tracking.Unsubscribe}[kind]
		if active != "" {
			*setting = active
		}
		now = *setting
		return nil
	})
	if err != nil {
		writeError(rw, err)
		return
	}
	writeJSON(rw, http.StatusOK, map[string]any{"message": "Domain tracking settings have been updated",
		kind: map[string]any{"active": activeJSON(now)}})
}

// trackingValue normalises an "active" parameter; "" means no change.
func trackingValue(kind, raw string) (string, bool) {
	switch strings.ToLower(raw) {
	case "":
		return "", true
	case "true", "yes":
		return "true", true
	case "false", "no":
		return "false", true
	case "htmlonly":
		return "htmlonly", kind == "click"
	}
	return "", false
}

// activeJSON shows a stored setting: a boolean, or the string "htmlonly".
func activeJSON(v string) any {
	switch v {
	case "true":
		return true
	case "htmlonly":
		return v
	}
	return false
}
