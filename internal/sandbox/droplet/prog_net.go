package droplet

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
)

// curl and wget. The machine reaches only what the world has: Cloudron's
// installer script, the box API on 127.0.0.1:3000 once it runs, the
// droplet metadata service, and the public-IP helper the installer asks.
// Any other address fails as a host with no route would.

func init() {
	register("/usr/bin", runCurl, "curl")
	register("/usr/bin", runWget, "wget")
}

// response is what fetching a URL gave.
type response struct {
	status int
	body   string
	// failure is a connection error: curl's exit code and message.
	failCode int
	failText string
	host     string
	port     string
}

// installerScript is what https://cloudron.io/cloudron-setup serves in the
// sandbox: a script that hands over to the simulated installer.
const installerScript = `#!/bin/bash

# cloudron-setup as the chapterctl sandbox serves it: running this script
# runs the sandbox's model of Cloudron's installer (its options, refusals,
# phases and log; see https://cloudron.io/cloudron-setup for the real one).

set -eu -o pipefail

exec ` + installerPath + ` "$0" "$@"
`

const installerPath = "/usr/lib/chapterctl-sandbox/cloudron-setup"

// fetch answers a GET for rawURL from the machine's point of view.
func (p *proc) fetch(rawURL string) response {
	if !strings.Contains(rawURL, "://") {
		rawURL = "http://" + rawURL // curl's and wget's default
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return response{failCode: 3, failText: "URL using bad/illegal format or missing URL"}
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	r := response{host: host, port: port}
	switch {
	case host == "cloudron.io" && u.Path == "/cloudron-setup":
		r.status, r.body = 200, installerScript
	case (host == "localhost" || host == "127.0.0.1") && port == "3000":
		return p.fetchBox(r, u.Path)
	case host == "169.254.169.254" && u.Scheme == "http":
		return p.fetchMetadata(r, u.Path)
	case host == "ipv4.api.cloudron.io" && u.Path == "/api/v1/helper/public_ip":
		r.status, r.body = 200, fmt.Sprintf("{\"ip\": %q}", p.machine().ipv4)
	default:
		r.failCode, r.failText = 7, fmt.Sprintf("Failed to connect to %s port %s after 0 ms: No route to host", host, port)
	}
	return r
}

// fetchBox is the box API on 127.0.0.1:3000, plain HTTP.
func (p *proc) fetchBox(r response, urlPath string) response {
	answering, version := false, ""
	now := p.now()
	Settle(p.s.fs.w, p.s.fs.id)
	p.s.fs.w.Read(func(d *world.Data) {
		if m := d.MachineOf(p.s.fs.id); m != nil && m.BoxAnswering(now) {
			answering, version = true, m.Cloudron.Version
		}
	})
	switch {
	case !answering:
		r.failCode, r.failText = 7, fmt.Sprintf("Failed to connect to %s port 3000 after 0 ms: Connection refused", r.host)
	case urlPath == "/api/v1/cloudron/status":
		r.status, r.body = 200, fmt.Sprintf("{\"version\":%q}", version)
	default:
		r.status, r.body = 404, `{"status":"Not Found","message":"No such route"}`
	}
	return r
}

// fetchMetadata is DigitalOcean's droplet metadata service.
func (p *proc) fetchMetadata(r response, urlPath string) response {
	var values map[string]string
	p.s.fs.w.Read(func(d *world.Data) {
		if dr := d.DropletByID(p.s.fs.id); dr != nil {
			values = map[string]string{
				"/metadata/v1/id": strconv.Itoa(dr.ID), "/metadata/v1/hostname": dr.Name,
				"/metadata/v1/user-data": dr.UserData, "/metadata/v1/region": dr.Region,
				"/metadata/v1/interfaces/public/0/ipv4/address": dr.PublicIPv4,
			}
		}
	})
	if v, ok := values[urlPath]; ok {
		r.status, r.body = 200, v
	} else {
		r.status, r.body = 404, "not found"
	}
	return r
}

var curlSpec = optSpec{short: "fsSLo:Ow:X:H:d:kIiv46m:A:u:G", long: []string{
	"fail/f", "fail-with-body", "silent/s", "show-error/S", "location/L", "output/o", "remote-name/O", "write-out/w",
	"request/X", "header/H", "data/d", "data-raw=", "insecure/k", "head/I", "include/i", "verbose/v",
	"connect-timeout=", "max-time/m", "retry=", "retry-delay=", "retry-max-time=", "retry-connrefused",
	"user-agent/A", "user/u", "get/G", "compressed", "cacert=", "proto=", "tlsv1.2", "ipv4/4", "ipv6/6"}}

func runCurl(p *proc) int {
	o, err := curlSpec.parse(p.args)
	if err != nil {
		fmt.Fprintf(p.stderr, "curl: %v\ncurl: try 'curl --help' or 'curl --manual' for more information\n", err)
		return 2
	}
	if len(o.args) == 0 {
		fmt.Fprintln(p.stderr, "curl: no URL specified!")
		return 2
	}
	silent, showErr := o.has("s"), o.has("S") || !o.has("s")
	status := 0
	for _, raw := range o.args {
		r := p.fetch(raw)
		if r.failCode != 0 {
			if showErr {
				fmt.Fprintf(p.stderr, "curl: (%d) %s\n", r.failCode, r.failText)
			}
			status = r.failCode
			continue
		}
		if (o.has("f") || o.has("fail-with-body")) && r.status >= 400 {
			if showErr {
				fmt.Fprintf(p.stderr, "curl: (22) The requested URL returned error: %d\n", r.status)
			}
			if !o.has("fail-with-body") {
				status = 22
				continue
			}
		}
		if code := curlOutput(p, o, raw, r, silent); code != 0 {
			status = code
		}
	}
	return status
}

// curlOutput writes a response where curl's options send it.
func curlOutput(p *proc, o opts, raw string, r response, silent bool) int {
	head := fmt.Sprintf("HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n",
		r.status, statusText(r.status), len(r.body))
	body := r.body
	switch {
	case o.has("I"):
		body = head
	case o.has("i"):
		body = head + body
	}
	var out io.Writer = p.stdout
	if name := o.value("o", ""); name != "" || o.has("O") {
		if o.has("O") {
			name = path.Base(raw)
		}
		if name != "-" {
			f, err := p.s.openFile(p.ctx, p.hc, p.path(name), writeFlags(false), 0o644)
			if err != nil {
				fmt.Fprintf(p.stderr, "curl: (23) Failure writing output to destination\n")
				return 23
			}
			out = f
		}
		if !silent {
			fmt.Fprintf(p.stderr, "  %% Total    %% Received %% Xferd  Average Speed   Time    Time     Time  Current\n"+
				"                                 Dload  Upload   Total   Spent    Left  Speed\n"+
				"100 %5d  100 %5d    0     0   100k      0 --:--:-- --:--:-- --:--:--  100k\n", len(r.body), len(r.body))
		}
	}
	io.WriteString(out, body)
	if w := o.value("w", ""); w != "" {
		w = strings.ReplaceAll(w, "%{http_code}", fmt.Sprintf("%03d", r.status))
		w = strings.ReplaceAll(w, "%{response_code}", fmt.Sprintf("%03d", r.status))
		w = strings.ReplaceAll(w, `\n`, "\n")
		io.WriteString(p.stdout, w)
	}
	return 0
}

func statusText(code int) string {
	return map[int]string{200: "OK", 404: "Not Found", 401: "Unauthorized", 500: "Internal Server Error"}[code]
}

func runWget(p *proc) int {
	o, err := optSpec{short: "O:qncT:t:", long: []string{"output-document/O", "quiet/q", "no-verbose/n",
		"no-clobber", "continue/c", "timeout/T", "tries/t", "no-check-certificate", "https-only"}}.parse(p.args)
	if err != nil {
		return p.usage(2, err)
	}
	if len(o.args) == 0 {
		fmt.Fprintf(p.stderr, "wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n")
		return 1
	}
	status := 0
	for _, raw := range o.args {
		if code := wgetOne(p, o, raw); code != 0 {
			status = code
		}
	}
	return status
}

func wgetOne(p *proc, o opts, raw string) int {
	quiet := o.has("q")
	stamp := p.now().UTC().Format("2006-01-02 15:04:05")
	log := func(format string, a ...any) {
		if !quiet {
			fmt.Fprintf(p.stderr, format, a...)
		}
	}
	log("--%s--  %s\n", stamp, raw)
	r := p.fetch(raw)
	if r.failCode != 0 {
		reason := r.failText[strings.LastIndex(r.failText, ": ")+2:]
		log("Connecting to %s (%s)|%s|:%s... failed: %s.\n", r.host, r.host, r.host, r.port, reason)
		return 4
	}
	log("Connecting to %s (%s)|%s|:%s... connected.\nHTTP request sent, awaiting response... %d %s\n",
		r.host, r.host, r.host, r.port, r.status, statusText(r.status))
	if r.status >= 400 {
		log("%s ERROR %d: %s.\n\n", stamp, r.status, statusText(r.status))
		return 8
	}
	name := o.value("O", "")
	if name == "-" {
		io.WriteString(p.stdout, r.body)
		return 0
	}
	if name == "" {
		name = wgetName(p, raw)
	}
	log("Length: %d [application/octet-stream]\nSaving to: ‘%s’\n\n", len(r.body), name)
	f, err := p.s.openFile(p.ctx, p.hc, p.path(name), writeFlags(false), 0o644)
	if err != nil {
		fmt.Fprintf(p.stderr, "%s: %s\n", name, errText(err))
		return 3
	}
	io.WriteString(f, r.body)
	log("%s (100 MB/s) - ‘%s’ saved [%d/%d]\n\n", stamp, name, len(r.body), len(r.body))
	return 0
}

// wgetName is where wget saves a URL: its last path element (index.html
// for none), with .1, .2… added when that file exists already.
func wgetName(p *proc, raw string) string {
	u, _ := url.Parse(raw)
	base := path.Base(u.Path)
	if base == "/" || base == "." || base == "" {
		base = "index.html"
	}
	name := base
	for i := 1; ; i++ {
		if _, err := p.s.fs.stat(p.path(name)); err != nil {
			return name
		}
		name = base + "." + strconv.Itoa(i)
	}
}
