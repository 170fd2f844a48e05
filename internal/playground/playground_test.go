package playground_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"podcastgraph/internal/playground"
)

// defaultQuery has characters that must survive HTML and JSON escaping.
const defaultQuery = "# Guests & their shows </script><b>\n{\n  guests { nodes { name } }\n}\n"

func newHandler() http.Handler {
	return playground.Handler(playground.Options{
		Title:        "Podcast graph <test>",
		Endpoint:     "/graphql",
		DefaultQuery: defaultQuery,
	})
}

// get serves one request and returns the response.
func get(t *testing.T, h http.Handler, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func readBody(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	attrURL    = regexp.MustCompile(`(?i)\b(?:src|href)\s*=\s*"([^"]*)"`)
	scriptTag  = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	configJSON = regexp.MustCompile(`(?s)<script type="application/json" id="graphiql-config">(.*?)</script>`)
)

// pageAssets returns the URLs the page refers to, failing on any that is not
// a relative URL of this server.
func pageAssets(t *testing.T, html string) []string {
	t.Helper()
	var urls []string
	for _, m := range attrURL.FindAllStringSubmatch(html, -1) {
		u := m[1]
		if u == "data:," { // the empty favicon, so the browser asks for none
			continue
		}
		if strings.Contains(u, ":") || strings.HasPrefix(u, "//") {
			t.Errorf("page refers to %q, want a relative URL", u)
			continue
		}
		urls = append(urls, "/"+strings.TrimPrefix(u, "/"))
	}
	return urls
}

func TestPage(t *testing.T) {
	h := newHandler()
	res := get(t, h, http.MethodGet, "/", nil)
	body := string(readBody(t, res))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", res.StatusCode)
	}

	t.Run("headers", func(t *testing.T) {
		want := map[string]string{
			"Content-Type":           "text/html; charset=utf-8",
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
			"Cache-Control":          "no-cache",
		}
		for k, v := range want {
			if got := res.Header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		csp := res.Header.Get("Content-Security-Policy")
		for _, d := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self';", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, d) {
				t.Errorf("Content-Security-Policy %q lacks %q", csp, d)
			}
		}
		if strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
			t.Errorf("Content-Security-Policy %q allows eval or inline scripts", csp)
		}
	})

	t.Run("no remote URLs", func(t *testing.T) {
		for _, s := range []string{"https://", "http://", "//cdn", "jsdelivr", "unpkg"} {
			if strings.Contains(body, s) {
				t.Errorf("page contains %q:\n%s", s, body)
			}
		}
	})

	t.Run("no inline script", func(t *testing.T) {
		for _, m := range scriptTag.FindAllStringSubmatch(body, -1) {
			attrs, text := m[1], m[2]
			if strings.Contains(attrs, `type="application/json"`) {
				continue
			}
			if !strings.Contains(attrs, "src=") || strings.TrimSpace(text) != "" {
				t.Errorf("inline script, which the Content-Security-Policy blocks: %s", m[0])
			}
		}
	})

	t.Run("title and config", func(t *testing.T) {
		if !strings.Contains(body, "<title>Podcast graph &lt;test&gt;</title>") {
			t.Errorf("page lacks the escaped title:\n%s", body)
		}
		m := configJSON.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("page lacks the graphiql-config block:\n%s", body)
		}
		if strings.Contains(m[1], "</script") {
			t.Errorf("config block is not escaped: %s", m[1])
		}
		var cfg struct{ Endpoint, DefaultQuery string }
		if err := json.Unmarshal([]byte(m[1]), &cfg); err != nil {
			t.Fatalf("config block: %v", err)
		}
		if cfg.Endpoint != "/graphql" || cfg.DefaultQuery != defaultQuery {
			t.Errorf("config = %+v, want endpoint /graphql and the default query", cfg)
		}
	})

	t.Run("assets", func(t *testing.T) {
		assets := pageAssets(t, body)
		if len(assets) < 5 {
			t.Fatalf("page refers to %d assets, want the stylesheets and scripts: %v", len(assets), assets)
		}
		for _, u := range assets {
			t.Run(u, func(t *testing.T) {
				res := get(t, h, http.MethodGet, u, nil)
				b := readBody(t, res)
				if res.StatusCode != http.StatusOK || len(b) == 0 {
					t.Fatalf("GET %s = %d with %d bytes, want 200 and a body", u, res.StatusCode, len(b))
				}
				wantType := map[string]string{
					".js":  "text/javascript; charset=utf-8",
					".css": "text/css; charset=utf-8",
				}[path.Ext(u)]
				if got := res.Header.Get("Content-Type"); got != wantType {
					t.Errorf("Content-Type = %q, want %q", got, wantType)
				}
				if got := res.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
					t.Errorf("Cache-Control = %q", got)
				}
				if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
					t.Errorf("X-Content-Type-Options = %q", got)
				}
			})
		}
	})
}

func TestPageDefaults(t *testing.T) {
	h := playground.Handler(playground.Options{})
	body := string(readBody(t, get(t, h, http.MethodGet, "/", nil)))
	if !strings.Contains(body, "<title>GraphiQL</title>") || !strings.Contains(body, `"endpoint":"/graphql"`) {
		t.Errorf("page with zero Options lacks the default title or endpoint:\n%s", body)
	}
}

func TestAbsoluteEndpoint(t *testing.T) {
	h := playground.Handler(playground.Options{Endpoint: "http://127.0.0.1:9999/graphql"})
	csp := get(t, h, http.MethodGet, "/", nil).Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "connect-src 'self' http://127.0.0.1:9999;") {
		t.Errorf("Content-Security-Policy %q does not allow the endpoint's origin", csp)
	}
}

// versionsEntry is one line of assets/VERSIONS.
type versionsEntry struct {
	pkg, source, name, sri string
}

func readVersions(t *testing.T, h http.Handler) []versionsEntry {
	t.Helper()
	res := get(t, h, http.MethodGet, "/playground/VERSIONS", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /playground/VERSIONS = %d", res.StatusCode)
	}
	var entries []versionsEntry
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			t.Fatalf("VERSIONS line %q: want 4 tab-separated fields", line)
		}
		entries = append(entries, versionsEntry{f[0], f[1], f[2], f[3]})
	}
	if len(entries) == 0 {
		t.Fatal("VERSIONS lists no files")
	}
	return entries
}

func TestVendoredFiles(t *testing.T) {
	h := newHandler()
	entries := readVersions(t, h)

	t.Run("match VERSIONS", func(t *testing.T) {
		for _, e := range entries {
			res := get(t, h, http.MethodGet, "/playground/"+e.name, nil)
			b := readBody(t, res)
			if res.StatusCode != http.StatusOK || len(b) == 0 {
				t.Errorf("%s (%s): GET = %d with %d bytes", e.name, e.pkg, res.StatusCode, len(b))
				continue
			}
			if e.sri == "-" {
				continue
			}
			sum := sha256.Sum256(b)
			if got := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); got != e.sri {
				t.Errorf("%s: sha256 %s, VERSIONS says %s (from %s %s)", e.name, got, e.sri, e.pkg, e.source)
			}
		}
	})

	t.Run("licences", func(t *testing.T) {
		html := string(readBody(t, get(t, h, http.MethodGet, "/", nil)))
		dirs := map[string]bool{}
		for _, u := range pageAssets(t, html) {
			dir := path.Dir(strings.TrimPrefix(u, "/playground/"))
			if !strings.HasPrefix(dir, "app-") { // this package's own files
				dirs[dir] = true
			}
		}
		if len(dirs) < 4 {
			t.Fatalf("page loads files from %d npm packages, want graphiql, react, react-dom and the explorer", len(dirs))
		}
		for dir := range dirs {
			res := get(t, h, http.MethodGet, "/playground/"+dir+"/LICENSE", nil)
			b := readBody(t, res)
			if res.StatusCode != http.StatusOK || !bytes.Contains(b, []byte("Permission is hereby granted")) {
				t.Errorf("%s/LICENSE: GET = %d, %d bytes; want the MIT licence text", dir, res.StatusCode, len(b))
			}
		}
		for _, name := range []string{"graphiql-4.1.2/THIRD_PARTY_LICENSES", "graphiql-plugin-explorer-4.0.6/LICENSE.graphiql-explorer"} {
			res := get(t, h, http.MethodGet, "/playground/"+name, nil)
			if b := readBody(t, res); res.StatusCode != http.StatusOK || len(b) < 500 {
				t.Errorf("%s: GET = %d, %d bytes", name, res.StatusCode, len(b))
			}
		}
	})
}

func TestGzip(t *testing.T) {
	h := newHandler()
	const name = "/playground/graphiql-4.1.2/graphiql.min.js"
	plain := get(t, h, http.MethodGet, name, nil)
	plainBody := readBody(t, plain)

	zipped := get(t, h, http.MethodGet, name, http.Header{"Accept-Encoding": {"br, gzip;q=0.8"}})
	if got := zipped.Header.Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding = %q, want gzip", got)
	}
	if got := zipped.Header.Get("Vary"); got != "Accept-Encoding" {
		t.Errorf("Vary = %q, want Accept-Encoding", got)
	}
	if zipped.Header.Get("ETag") == plain.Header.Get("ETag") {
		t.Errorf("gzip and identity bodies share the ETag %s", plain.Header.Get("ETag"))
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unzipped, plainBody) {
		t.Errorf("gunzipped body (%d bytes) differs from the identity body (%d bytes)", len(unzipped), len(plainBody))
	}

	refused := get(t, h, http.MethodGet, name, http.Header{"Accept-Encoding": {"gzip;q=0, *"}})
	if got := refused.Header.Get("Content-Encoding"); got != "" {
		t.Errorf("with gzip;q=0, Content-Encoding = %q, want none", got)
	}
}

func TestConditionalGet(t *testing.T) {
	h := newHandler()
	for _, target := range []string{"/", "/playground/react-18.2.0/react.production.min.js"} {
		t.Run(target, func(t *testing.T) {
			etag := get(t, h, http.MethodGet, target, nil).Header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			res := get(t, h, http.MethodGet, target, http.Header{"If-None-Match": {etag}})
			if res.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match %s: status %d, want 304", etag, res.StatusCode)
			}
		})
	}
}

func TestRouting(t *testing.T) {
	h := newHandler()
	tests := []struct {
		name, method, target string
		want                 int
	}{
		{"page", http.MethodGet, "/", http.StatusOK},
		{"page HEAD", http.MethodHead, "/", http.StatusOK},
		{"asset HEAD", http.MethodHead, "/playground/react-18.2.0/react.production.min.js", http.StatusOK},
		{"VERSIONS", http.MethodGet, "/playground/VERSIONS", http.StatusOK},
		{"other path", http.MethodGet, "/graphql", http.StatusNotFound},
		{"index.html", http.MethodGet, "/index.html", http.StatusNotFound},
		{"asset dir", http.MethodGet, "/playground/", http.StatusNotFound},
		{"unknown asset", http.MethodGet, "/playground/graphiql-4.1.2/nope.js", http.StatusNotFound},
		{"dot-dot", http.MethodGet, "/playground/../playground/VERSIONS", http.StatusNotFound},
		{"POST page", http.MethodPost, "/", http.StatusMethodNotAllowed},
		{"DELETE asset", http.MethodDelete, "/playground/VERSIONS", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := get(t, h, tt.method, tt.target, nil)
			if res.StatusCode != tt.want {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.target, res.StatusCode, tt.want)
			}
			if tt.method == http.MethodHead && len(readBody(t, res)) != 0 {
				t.Errorf("HEAD %s has a body", tt.target)
			}
			if tt.want == http.StatusMethodNotAllowed && res.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q", res.Header.Get("Allow"))
			}
		})
	}
}

func TestStripPrefix(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/ui/", http.StripPrefix("/ui", newHandler()))
	html := string(readBody(t, get(t, mux, http.MethodGet, "/ui/", nil)))
	for _, u := range pageAssets(t, html) {
		// Relative URLs resolve against the page at /ui/.
		if res := get(t, mux, http.MethodGet, "/ui"+u, nil); res.StatusCode != http.StatusOK {
			t.Errorf("GET /ui%s = %d, want 200", u, res.StatusCode)
		}
	}
}
