package playground

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// vendored holds the npm packages' files (see assets/VERSIONS). Their paths
// under assets/ hold the package versions and are served as they are.
//
//go:embed assets
var vendored embed.FS

// own holds this package's JavaScript and CSS; they are served under a
// directory named after a hash of their content.
//
//go:embed web/boot.js web/page.css
var own embed.FS

// The files the page loads, as paths under AssetPrefix. Styles load in this
// order, then scripts in this order; boot.js needs all the others' globals
// (React, ReactDOM, GraphiQL, GraphiQLPluginExplorer).
const (
	graphiqlCSS = "graphiql-4.1.2/graphiql.min.css"
	explorerCSS = "graphiql-plugin-explorer-4.0.6/style.css"
	reactJS     = "react-18.2.0/react.production.min.js"
	reactDOMJS  = "react-dom-18.2.0/react-dom.production.min.js"
	graphiqlJS  = "graphiql-4.1.2/graphiql.min.js"
	explorerJS  = "graphiql-plugin-explorer-4.0.6/index.umd.js"
	ownCSS      = "page.css" // under ownDir
	ownJS       = "boot.js"  // under ownDir
)

// asset is one embedded file ready to serve.
type asset struct {
	contentType string
	body        []byte
	etag        string
	gzBody      []byte // nil when compression does not pay
	gzEtag      string
}

// assetSet is every file served under AssetPrefix, by path under it.
type assetSet struct {
	files  map[string]*asset
	ownDir string // "app-" and a hash of own's files
}

// loadAssets reads, hashes and compresses the embedded files. It fails if a
// file cannot be read or one the page loads is missing.
func loadAssets() (*assetSet, error) {
	s := &assetSet{files: make(map[string]*asset)}
	err := fs.WalkDir(vendored, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := vendored.ReadFile(p)
		if err != nil {
			return err
		}
		s.files[strings.TrimPrefix(p, "assets/")] = newAsset(p, body)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load assets: %w", err)
	}

	names := []string{ownCSS, ownJS}
	bodies := make([][]byte, len(names))
	h := sha256.New()
	for i, name := range names {
		body, err := own.ReadFile("web/" + name)
		if err != nil {
			return nil, fmt.Errorf("load assets: %w", err)
		}
		bodies[i] = body
		fmt.Fprintf(h, "%s %d\n", name, len(body))
		h.Write(body)
	}
	s.ownDir = "app-" + hex.EncodeToString(h.Sum(nil))[:12]
	for i, name := range names {
		s.files[s.ownDir+"/"+name] = newAsset(name, bodies[i])
	}

	for _, name := range s.pageFiles() {
		if s.files[name] == nil {
			return nil, fmt.Errorf("load assets: %s is not embedded", name)
		}
	}
	return s, nil
}

// pageStyles returns the stylesheets the page loads, in order.
func (s *assetSet) pageStyles() []string {
	return []string{graphiqlCSS, explorerCSS, s.ownDir + "/" + ownCSS}
}

// pageScripts returns the scripts the page loads, in order.
func (s *assetSet) pageScripts() []string {
	return []string{reactJS, reactDOMJS, graphiqlJS, explorerJS, s.ownDir + "/" + ownJS}
}

// pageFiles returns every file the page loads.
func (s *assetSet) pageFiles() []string {
	return append(s.pageStyles(), s.pageScripts()...)
}

// newAsset hashes body and, for text, keeps a gzip-compressed copy if it is
// at least a tenth smaller.
func newAsset(name string, body []byte) *asset {
	sum := sha256.Sum256(body)
	tag := base64.RawURLEncoding.EncodeToString(sum[:])[:22]
	a := &asset{
		contentType: contentType(name),
		body:        body,
		etag:        strconv.Quote(tag),
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	zw.Write(body)                                           // writes to a bytes.Buffer do not fail
	zw.Close()
	if buf.Len() < len(body)-len(body)/10 {
		a.gzBody = buf.Bytes()
		a.gzEtag = strconv.Quote(tag + "-gz")
	}
	return a
}

// contentType returns the media type served for a file name. It does not use
// mime.TypeByExtension, whose answer depends on the machine's MIME tables.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".html":
		return "text/html; charset=utf-8"
	default: // LICENSE, VERSIONS, THIRD_PARTY_LICENSES, *.txt
		return "text/plain; charset=utf-8"
	}
}

// serve writes the asset at name (a path under AssetPrefix), or 404.
func (s *assetSet) serve(w http.ResponseWriter, r *http.Request, name string) {
	a := s.files[name]
	if a == nil {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", a.contentType)
	hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cross-Origin-Resource-Policy", "same-origin")
	body, etag := a.body, a.etag
	if a.gzBody != nil {
		hdr.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			body, etag = a.gzBody, a.gzEtag
			hdr.Set("Content-Encoding", "gzip")
		}
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether Accept-Encoding header values allow gzip: it
// is listed, or "*" is and gzip is not, with a nonzero quality.
func acceptsGzip(values []string) bool {
	gzipQ, starQ := -1.0, -1.0
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
					if err != nil {
						f = 0
					}
					q = f
				}
			}
			switch strings.ToLower(strings.TrimSpace(coding)) {
			case "gzip", "x-gzip":
				gzipQ = q
			case "*":
				starQ = q
			}
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}
