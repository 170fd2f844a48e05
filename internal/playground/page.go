package playground

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// pageHTML is the GraphiQL page, modelled on gqlgen's playground.Handler
// page but with no inline script (boot.js reads its settings from the JSON
// block) so that the Content-Security-Policy can allow scripts from 'self'
// only. Asset URLs are relative to the page.
const pageHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="icon" href="data:,">
{{- range .Styles}}
<link rel="stylesheet" href="{{.}}">
{{- end}}
{{- range .Scripts}}
<script defer src="{{.}}"></script>
{{- end}}
<script type="application/json" id="graphiql-config">{{.Config}}</script>
</head>
<body>
<div id="graphiql"><div class="loading">Loading…</div></div>
<noscript>GraphiQL needs JavaScript.</noscript>
</body>
</html>
`

// pageConfig is what boot.js reads from the page.
type pageConfig struct {
	Endpoint     string `json:"endpoint"`
	DefaultQuery string `json:"defaultQuery"`
}

// page is the rendered GraphiQL page and its response headers.
type page struct {
	body []byte
	etag string
	csp  string
}

// renderPage renders the page for opts. It fails only if the template is
// broken.
func renderPage(opts Options, assets *assetSet) (*page, error) {
	rel := func(names []string) []string {
		urls := make([]string, len(names))
		for i, name := range names {
			urls[i] = strings.TrimPrefix(AssetPrefix, "/") + name
		}
		return urls
	}
	tmpl, err := template.New("page").Parse(pageHTML)
	if err != nil {
		return nil, fmt.Errorf("parse page template: %w", err)
	}
	var buf bytes.Buffer
	err = tmpl.Execute(&buf, struct {
		Title           string
		Styles, Scripts []string
		Config          pageConfig
	}{
		Title:   opts.Title,
		Styles:  rel(assets.pageStyles()),
		Scripts: rel(assets.pageScripts()),
		Config:  pageConfig{Endpoint: opts.Endpoint, DefaultQuery: opts.DefaultQuery},
	})
	if err != nil {
		return nil, fmt.Errorf("render page: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return &page{
		body: buf.Bytes(),
		etag: strconv.Quote(base64.RawURLEncoding.EncodeToString(sum[:])[:22]),
		csp:  contentSecurityPolicy(opts.Endpoint),
	}, nil
}

// contentSecurityPolicy returns the page's policy: everything from 'self',
// nothing inline but styles (GraphiQL's dialogs and menus add <style>
// elements at run time), data: URLs for the fonts and images GraphiQL's CSS
// inlines, and queries to the endpoint's origin when it is another one.
func contentSecurityPolicy(endpoint string) string {
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		connect += " " + u.Scheme + "://" + u.Host
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:",
		"font-src 'self' data:",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

// serve writes the page with its security headers. The page is small and
// changes with the configuration, so it is revalidated on every load.
func (p *page) serve(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("Content-Security-Policy", p.csp)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("X-Frame-Options", "DENY")
	hdr.Set("Referrer-Policy", "no-referrer")
	hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
	hdr.Set("ETag", p.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(p.body))
}
