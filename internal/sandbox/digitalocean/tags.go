package digitalocean

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

var tagNamePattern = regexp.MustCompile(`^[a-zA-Z0-9_\-:]+$`)

// checkTagName applies the spec's rule, with the wording of the spec's
// example error.
func checkTagName(name string) error {
	if len(name) == 0 || len(name) > 255 || !tagNamePattern.MatchString(name) {
		return fmt.Errorf(`"tag-name %q contains invalid characters"`, name)
	}
	return nil
}

// ensureTag returns the tag's canonical spelling, creating it if the
// account has no tag of that name in any case.
func ensureTag(d *world.Data, name string) string {
	for _, t := range d.DigitalOcean.Tags {
		if strings.EqualFold(t, name) {
			return t
		}
	}
	d.DigitalOcean.Tags = append(d.DigitalOcean.Tags, name)
	return name
}

func (a *api) tagRoutes() {
	a.handle("GET /v2/tags", a.listTags)
	a.handle("POST /v2/tags", a.createTag)
	a.handle("GET /v2/tags/{tag}", a.getTag)
}

type tagJSON struct {
	Name      string         `json:"name"`
	Resources map[string]any `json:"resources"`
}

// tagOf counts the droplets that carry the tag; the account has no other
// taggable resources.
func tagOf(d *world.Data, r *http.Request, name string, now time.Time) tagJSON {
	count, last := 0, ""
	for _, dr := range answered(d, now) {
		if slices.Contains(dr.Tags, name) {
			count++
			last = fmt.Sprintf("%s://%s/v2/droplets/%d", schemeOf(r), r.Host, dr.ID)
		}
	}
	droplets := map[string]any{"count": count}
	resources := map[string]any{"count": count, "droplets": droplets}
	if last != "" {
		droplets["last_tagged_uri"], resources["last_tagged_uri"] = last, last
	}
	for _, kind := range []string{"images", "volumes", "volume_snapshots", "databases"} {
		resources[kind] = map[string]any{"count": 0}
	}
	return tagJSON{Name: name, Resources: resources}
}

func (a *api) listTags(rw http.ResponseWriter, r *http.Request) error {
	now := a.w.Now()
	var tags []tagJSON
	a.w.Read(func(d *world.Data) {
		for _, t := range d.DigitalOcean.Tags {
			tags = append(tags, tagOf(d, r, t, now))
		}
	})
	paginated(rw, r, "tags", tags)
	return nil
}

// createTag answers 201 with the tag, whether it is new or already exists
// (in any case: the existing spelling wins). Tools use a create of an
// existing tag as a no-op; its real status is unverified.
func (a *api) createTag(rw http.ResponseWriter, r *http.Request) error {
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	if err := checkTagName(req.Name); err != nil {
		writeTagError(rw, err)
		return nil
	}
	now := a.w.Now()
	var tag tagJSON
	err := a.w.Update(r.Context(), "digitalocean.tag.create", func(d *world.Data) error {
		tag = tagOf(d, r, ensureTag(d, req.Name), now)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(rw, http.StatusCreated, map[string]any{"tag": tag})
	return nil
}

// writeTagError is the tags endpoint's own 400 shape (the spec's
// error_with_root_causes), not {"id","message"}: godo then reports an
// empty message, as it does against the real API.
func writeTagError(rw http.ResponseWriter, err error) {
	text := "Error validating resource tag: " + err.Error()
	writeJSON(rw, http.StatusBadRequest, map[string]any{
		"error": text, "messages": nil, "root_causes": []string{"rpc error: code = InvalidArgument desc = " + text},
	})
}

// getTag needs the canonical spelling, as tag URLs do.
func (a *api) getTag(rw http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("tag")
	now := a.w.Now()
	var found *tagJSON
	a.w.Read(func(d *world.Data) {
		if slices.Contains(d.DigitalOcean.Tags, name) {
			t := tagOf(d, r, name, now)
			found = &t
		}
	})
	if found == nil {
		return errNotFound
	}
	writeJSON(rw, http.StatusOK, map[string]any{"tag": found})
	return nil
}
