package digitalocean

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// Ids in the ranges of real ones, distinct from each other's.
const (
	dropletIDBase = 480_000_000
	actionIDBase  = 2_300_000_000
)

// The 422 texts of POST /v2/droplets (reference §3, seen in public reports
// unless marked).
const (
	msgBadHostname    = "Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)"
	msgBadSize        = "You specified an invalid size for Droplet creation."
	msgBadImage       = "You specified an invalid image for Droplet creation."
	msgBadRegion      = "You specified an invalid region for Droplet creation." // unverified, by analogy
	msgSizeNotInReg   = "Size is not available in this region."                 // unverified
	msgBadKeys        = "%s are invalid key identifiers for Droplet creation."
	msgDropletLimit   = "creating this/these droplet(s) will exceed your droplet limit"
	msgUserDataTooBig = "user_data is limited to 64 KiB"                                  // unverified
	msgIPv6NeedsPub   = "ipv6 can not be enabled when public_networking is false"         // unverified
	msgMultiCreate    = "the sandbox does not simulate creating several droplets at once" // a sandbox limit
)

const maxUserData = 64 << 10

var dropletNamePattern = regexp.MustCompile(`^[a-zA-Z0-9]?[a-z0-9A-Z.\-]*[a-z0-9A-Z]$`)

// createRequest is the body godo sends (reference §1): ssh_keys and tags
// may be null, image a slug or an id, ssh_keys fingerprints or ids.
type createRequest struct {
	Name             string            `json:"name"`
	Names            []string          `json:"names"`
	Region           string            `json:"region"`
	Size             string            `json:"size"`
	Image            json.RawMessage   `json:"image"`
	SSHKeys          []json.RawMessage `json:"ssh_keys"`
	Backups          bool              `json:"backups"`
	IPv6             bool              `json:"ipv6"`
	Monitoring       bool              `json:"monitoring"`
	UserData         string            `json:"user_data"`
	Tags             []string          `json:"tags"`
	PublicNetworking *bool             `json:"public_networking"`
}

// validCreate is a create request checked against the catalogue.
type validCreate struct {
	req    createRequest
	image  world.DOImage
	region string
}

// checkCreate applies the checks that need no world state.
func checkCreate(req createRequest) (validCreate, error) {
	if len(req.Names) > 0 {
		return validCreate{}, unprocessable(msgMultiCreate)
	}
	if len(req.Name) > 255 || !dropletNamePattern.MatchString(req.Name) {
		return validCreate{}, unprocessable(msgBadHostname)
	}
	size, ok := world.DOSizeBySlug(req.Size)
	if !ok || !size.Available {
		return validCreate{}, unprocessable(msgBadSize)
	}
	image, ok := imageOfRequest(req.Image)
	if !ok {
		return validCreate{}, unprocessable(msgBadImage)
	}
	region, err := pickRegion(req.Region, size)
	if err != nil {
		return validCreate{}, err
	}
	switch {
	case len(req.UserData) > maxUserData:
		return validCreate{}, unprocessable(msgUserDataTooBig)
	case req.PublicNetworking != nil && !*req.PublicNetworking && req.IPv6:
		return validCreate{}, unprocessable(msgIPv6NeedsPub)
	}
	for _, t := range req.Tags {
		if err := checkTagName(t); err != nil {
			return validCreate{}, unprocessablef("Error validating resource tag: %s", err)
		}
	}
	return validCreate{req: req, image: image, region: region}, nil
}

func imageOfRequest(raw json.RawMessage) (world.DOImage, bool) {
	var slug string
	if json.Unmarshal(raw, &slug) == nil {
		return world.DOImageBySlug(slug)
	}
	var id int
	if json.Unmarshal(raw, &id) == nil {
		return world.DOImageByID(id)
	}
	return world.DOImage{}, false
}

// pickRegion resolves the requested region: a slug, a prefix such as "nyc"
// meaning any nyc* region, or nothing meaning any region (the first that
// offers the size, in slug order).
func pickRegion(requested string, size world.Size) (string, error) {
	known := false
	for _, slug := range world.DORegionsOpen {
		if requested != "" && slug != requested && !isRegionPrefix(requested, slug) {
			continue
		}
		known = true
		if slices.Contains(size.Regions, slug) {
			return slug, nil
		}
	}
	if !known {
		return "", unprocessable(msgBadRegion)
	}
	return "", unprocessable(msgSizeNotInReg)
}

func isRegionPrefix(prefix, slug string) bool {
	_, err := strconv.Atoi(strings.TrimPrefix(slug, prefix))
	return strings.HasPrefix(slug, prefix) && err == nil
}

func (a *api) createDroplet(rw http.ResponseWriter, r *http.Request) error {
	var req createRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	valid, err := checkCreate(req)
	if err != nil {
		return err
	}
	now := a.w.Now()
	var created dropletJSON
	var actionID int
	var thenFail bool
	err = a.w.Update(r.Context(), "digitalocean.droplet.create", func(d *world.Data) error {
		forgetGone(d, now)
		dr, action, err := commitDroplet(d, clockOf(d, now), valid)
		if err != nil {
			return err
		}
		created, actionID = dropletOf(dr, now), action.ID
		thenFail = takeFault(d, FaultCreateCommitThen500)
		return nil
	})
	if err != nil {
		return err
	}
	if thenFail {
		return errServer // committed all the same: a retry would make a second droplet
	}
	href := url.URL{Scheme: schemeOf(r), Host: r.Host, Path: fmt.Sprintf("/v2/actions/%d", actionID)}
	writeJSON(rw, http.StatusAccepted, map[string]any{
		"droplet": created,
		"links":   map[string]any{"actions": []map[string]any{{"id": actionID, "rel": "create", "href": href.String()}}},
	})
	return nil
}

// commitDroplet checks what depends on the account (keys, droplet limit)
// and creates the droplet, its create action and its tags.
func commitDroplet(d *world.Data, clk clock, v validCreate) (*world.Droplet, *world.Action, error) {
	fingerprints, publicKeys, err := resolveKeys(d, v.req.SSHKeys)
	if err != nil {
		return nil, nil, err
	}
	if len(d.DigitalOcean.Droplets)+1 > dropletLimit(d.DigitalOcean.Account) {
		return nil, nil, unprocessable(msgDropletLimit)
	}
	addrs, err := allocateAddresses(d, v.req.IPv6)
	if err != nil {
		return nil, nil, err
	}
	timing := delaysOf(d.DigitalOcean.Timings)
	activeAt := clk.after(timing.createDuration())
	errored := takeFault(d, FaultCreateErrored)
	dr := &world.Droplet{
		ID: dropletIDBase + d.Next("digitalocean.droplet"), Name: v.req.Name, Region: v.region, Size: v.req.Size,
		Image: v.image.Slug, Tags: canonicalTags(d, v.req.Tags), SSHKeys: fingerprints, AuthorizedKeys: publicKeys,
		UserData: v.req.UserData, IPv6: v.req.IPv6, Monitoring: v.req.Monitoring, Backups: v.req.Backups,
		CreatedAt: clk.now, ListedAt: clk.after(timing.listed), ActiveAt: activeAt, Errored: errored,
		PublicIPv4: addrs.public, PrivateIP: addrs.private, PublicIPv6: addrs.v6,
	}
	action := &world.Action{
		ID: actionIDBase + d.Next("digitalocean.action"), Type: "create", DropletID: dr.ID, Region: dr.Region,
		StartedAt: clk.now, CompletesAt: activeAt, Errored: errored,
	}
	d.DigitalOcean.Droplets = append(d.DigitalOcean.Droplets, dr)
	d.DigitalOcean.Actions = append(d.DigitalOcean.Actions, action)
	return dr, action, nil
}

// resolveKeys finds the account keys a create names (by fingerprint or
// id); unknown ones are named in the 422 as the client wrote them.
func resolveKeys(d *world.Data, refs []json.RawMessage) (fingerprints, publicKeys []string, err error) {
	var unknown []string
	for _, raw := range refs {
		ref := strings.Trim(string(raw), `"`)
		k := keyByRef(d, ref)
		if k == nil {
			unknown = append(unknown, ref)
			continue
		}
		fingerprints = append(fingerprints, k.Fingerprint)
		publicKeys = append(publicKeys, k.PublicKey)
	}
	if len(unknown) > 0 {
		return nil, nil, unprocessablef(msgBadKeys, strings.Join(unknown, ", "))
	}
	return fingerprints, publicKeys, nil
}

type addresses struct{ public, private, v6 string }

// allocateAddresses gives a new droplet the next public address of
// 203.0.113.10, .11, … (creation order, never reused, skipping any a
// seeded droplet holds), a private one in the region's VPC, and an IPv6
// address whose last group echoes the IPv4's last byte.
func allocateAddresses(d *world.Data, ipv6 bool) (addresses, error) {
	for {
		n := d.Next("digitalocean.public_ipv4") - 1
		if n > 245 {
			return addresses{}, unprocessable("the sandbox has no public addresses left in 203.0.113.0/24")
		}
		public := fmt.Sprintf("203.0.113.%d", 10+n)
		if d.DropletByIP(public) != nil {
			continue
		}
		a := addresses{public: public, private: fmt.Sprintf("10.108.%d.%d", (n+2)/256, (n+2)%256)}
		if ipv6 {
			a.v6 = fmt.Sprintf("2001:db8::%d", 10+n)
		}
		return a, nil
	}
}

// canonicalTags creates the tags a droplet create names (tags are created
// on the fly) and returns them in their first spelling: tags are "case
// stable".
func canonicalTags(d *world.Data, tags []string) []string {
	out := []string{}
	for _, t := range tags {
		canon := ensureTag(d, t)
		if !slices.Contains(out, canon) {
			out = append(out, canon)
		}
	}
	return out
}
