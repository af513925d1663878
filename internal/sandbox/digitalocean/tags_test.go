package digitalocean

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/digitalocean/godo"
)

func TestTagsPatternCaseStabilityAndAutoCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	tag, resp, err := e.do.Tags.Create(e.ctx, &godo.TagCreateRequest{Name: "chapterctl:abc123"})
	if err != nil || resp.StatusCode != http.StatusCreated || tag.Name != "chapterctl:abc123" {
		t.Fatalf("create: %v %v", tag, err)
	}
	// The first spelling is canonical; creating it again is a no-op.
	again, _, err := e.do.Tags.Create(e.ctx, &godo.TagCreateRequest{Name: "ChapterCtl:ABC123"})
	if err != nil || again.Name != "chapterctl:abc123" {
		t.Errorf("create in another case: %v %v", again, err)
	}
	_, _, err = e.do.Tags.Create(e.ctx, &godo.TagCreateRequest{Name: "chapter ctl"})
	if er := apiErrorOf(t, err); er.Response.StatusCode != http.StatusBadRequest {
		t.Errorf("bad tag name: %d, want 400", er.Response.StatusCode)
	}

	// Tags named by a droplet create are created with it.
	e.createActive(t, chapterDropletRequest("my.example.org", "chapterctl:new1"))
	got, _, err := e.do.Tags.Get(e.ctx, "chapterctl:new1")
	if err != nil || got.Resources.Count != 1 || got.Resources.Droplets.Count != 1 {
		t.Fatalf("auto-created tag: %+v %v", got, err)
	}
	if !strings.HasSuffix(got.Resources.Droplets.LastTaggedURI, "/v2/droplets/"+itoaID(t, e, "chapterctl:new1")) {
		t.Errorf("last_tagged_uri = %q", got.Resources.Droplets.LastTaggedURI)
	}
	all, _, err := e.do.Tags.List(e.ctx, nil)
	names := []string{}
	for _, tg := range all {
		names = append(names, tg.Name)
	}
	if err != nil || !slices.Equal(names, []string{"chapterctl:abc123", "chapterctl:new1"}) {
		t.Errorf("tags = %v, %v", names, err)
	}
}

// itoaID is the id of the one droplet carrying tag, as a string.
func itoaID(t *testing.T, e *env, tag string) string {
	t.Helper()
	list, _, err := e.do.Droplets.ListByTag(e.ctx, tag, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("ListByTag(%s): %d, %v", tag, len(list), err)
	}
	return strconv.Itoa(list[0].ID)
}

func TestPaginationWalkedWithGodosLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for i := range 45 {
		if _, _, err := e.do.Tags.Create(e.ctx, &godo.TagCreateRequest{Name: "t" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	opt := &godo.ListOptions{PerPage: 20}
	pages := 0
	for {
		tags, resp, err := e.do.Tags.List(e.ctx, opt)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tg := range tags {
			seen = append(seen, tg.Name)
		}
		if resp.Meta.Total != 45 {
			t.Errorf("meta.total = %d", resp.Meta.Total)
		}
		if resp.Links.IsLastPage() {
			break
		}
		page, err := resp.Links.CurrentPage()
		if err != nil {
			t.Fatal(err)
		}
		opt.Page = page + 1
	}
	if pages != 3 || len(seen) != 45 || seen[0] != "t0" || seen[44] != "t44" {
		t.Fatalf("walked %d pages, %d tags", pages, len(seen))
	}

	_, body := e.raw(t, "GET", "/v2/tags?page=2&per_page=20", "")
	for _, want := range []string{`"first":"https://api.digitalocean.com/v2/tags?page=1\u0026per_page=20"`, `"prev":`, `"next":`, `"last":`} {
		if !strings.Contains(body, want) {
			t.Errorf("page 2 links lack %s: %s", want, body[strings.Index(body, `"links"`):])
		}
	}
	// per_page above 200 is clamped.
	_, resp, _ := e.do.Tags.List(e.ctx, &godo.ListOptions{PerPage: 500})
	if !resp.Links.IsLastPage() {
		t.Errorf("per_page 500 did not fit 45 tags on one page")
	}
}
