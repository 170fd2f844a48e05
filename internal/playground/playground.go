// Package playground serves GraphiQL, the in-browser GraphQL IDE, entirely
// from the binary: the page, GraphiQL, React and the explorer plugin are
// embedded, so the page works on a machine with no internet access.
//
// The JavaScript and CSS are npm packages' prebuilt bundles, copied unchanged
// into assets/ by fetch-assets.sh at the versions listed in assets/VERSIONS,
// with their licences beside them.
package playground

import (
	"net/http"
	"strings"
)

// AssetPrefix is the path under which Handler serves the embedded files.
// Each file's path holds its package's version (or, for this package's own
// files, a hash of their content), so the files are cached as immutable.
const AssetPrefix = "/playground/"

// Options configures the GraphiQL page.
type Options struct {
	// Title is the page title; "GraphiQL" when empty.
	Title string
	// Endpoint is the GraphQL endpoint the page sends queries to, normally a
	// path on the same origin; "/graphql" when empty. An absolute http(s) URL
	// is allowed and its origin is added to the page's connect-src.
	Endpoint string
	// DefaultQuery is the query shown in the editor when the browser has no
	// saved GraphiQL tabs, as on a first visit.
	DefaultQuery string
}

// Handler returns an http.Handler that serves the GraphiQL page at "/" and
// the embedded assets under AssetPrefix, and 404 Not Found for any other
// path; only GET and HEAD are allowed. Mount it at "/" (or at "/" and
// AssetPrefix) of the server's mux. The page refers to its assets by
// relative URLs, so it also works behind http.StripPrefix.
//
// Everything is prepared when Handler is called: the page is rendered once
// and the assets are gzip-compressed once. Handler panics only if the
// embedded files are broken, which the package's tests rule out.
func Handler(opts Options) http.Handler {
	if opts.Title == "" {
		opts.Title = "GraphiQL"
	}
	if opts.Endpoint == "" {
		opts.Endpoint = "/graphql"
	}
	assets, err := loadAssets()
	if err != nil {
		panic("playground: " + err.Error())
	}
	page, err := renderPage(opts, assets)
	if err != nil {
		panic("playground: " + err.Error())
	}
	return &handler{page: page, assets: assets}
}

// handler routes between the page and the assets.
type handler struct {
	page   *page
	assets *assetSet
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch {
	case r.URL.Path == "/":
		h.page.serve(w, r)
	case strings.HasPrefix(r.URL.Path, AssetPrefix):
		h.assets.serve(w, r, strings.TrimPrefix(r.URL.Path, AssetPrefix))
	default:
		http.NotFound(w, r)
	}
}
