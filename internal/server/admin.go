package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/adminapi"
	"podcastgraph/internal/pipeline"
)

// maxAdminBody bounds one /admin/ingest request: room for the largest
// feed a document may be (ingest.MaxFeedSize, 64 MiB) in base64 and its
// JSON, not more; the body is decoded in memory (ingest --server sends
// batches of 8 MiB). At 256 MiB one request took the server's peak
// resident memory to 504 MB.
const maxAdminBody = (ingest.MaxFeedSize/3+1)*4 + 1<<20

// mountAdmin serves /admin/* when an admin token is configured; without
// one the paths do not exist.
func (a *app) mountAdmin(mux *http.ServeMux) {
	if a.cfg.AdminToken == "" {
		return
	}
	mux.Handle("POST /admin/ingest", a.authorized(http.HandlerFunc(a.adminIngest)))
	mux.Handle("GET /admin/backup", a.authorized(http.HandlerFunc(a.adminBackup)))
	if a.cfg.Cluster != nil {
		mux.Handle("/admin/cluster", a.authorized(a.clusterAdmin()))
		mux.Handle("/admin/cluster/", a.authorized(a.clusterAdmin()))
	}
}

// authorized checks the bearer token in constant time.
func (a *app) authorized(next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(a.cfg.AdminToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The scheme is case-insensitive (RFC 9110, 11.1).
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		ok = ok && strings.EqualFold(scheme, "Bearer")
		got := sha256.Sum256([]byte(token))
		if !ok || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="podcastgraph admin"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "missing or wrong admin token", "code": "UNAUTHENTICATED"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// adminBatch bounds the documents /admin/ingest commits in one transaction
// before it answers for them (--batch, if smaller, bounds it too).
const adminBatch = 256

// adminMaxURLs bounds the URLs of one /admin/ingest request: each may
// take up to --fetch-timeout, a few at a time.
const adminMaxURLs = 256

// adminReadProgress is how long the body of an admin request may go
// without a byte arriving; the body as a whole may take longer.
const adminReadProgress = 30 * time.Second

// jsonProblem describes what is wrong with a request body in the terms of
// its JSON, never of the Go types it is decoded into.
func jsonProblem(err error) string {
	var typ *json.UnmarshalTypeError
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &typ):
		want := "another kind of value"
		switch typ.Type.Kind() {
		case reflect.String:
			want = "a string"
		case reflect.Slice, reflect.Array:
			want = "a list"
		case reflect.Struct, reflect.Map:
			want = "an object"
		case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
			want = "a number"
		case reflect.Bool:
			want = "true or false"
		}
		at := "the body"
		if typ.Field != "" {
			at = typ.Field
		}
		return fmt.Sprintf("%s is %s where %s is expected", at, withArticle(typ.Value), want)
	case errors.As(err, &syntax):
		return fmt.Sprintf("not JSON at byte %d (%v)", syntax.Offset, syntax)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the body ends before the JSON does"
	}
	return "not JSON"
}

// withArticle names a JSON kind as json's errors give it ("array",
// "number") with its article.
func withArticle(kind string) string {
	switch kind {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "":
		return "a value"
	}
	return "a " + kind
}

// adminIngest takes pages and answers for each: with Accept:
// application/x-ndjson, one line per document as its batch is decided and a
// summary line last; otherwise one JSON answer at the end. Documents are
// committed in batches, and the write deadline is renewed as answers go
// out, so an ingest of any size is not cut off by --write-timeout. A store
// failure fails the documents not yet committed, each with its own line;
// the answer is never a 500 for the whole request.
func (a *app) adminIngest(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	body := &progressReader{r: http.MaxBytesReader(w, r.Body, maxAdminBody), before: func() {
		_ = rc.SetReadDeadline(time.Now().Add(adminReadProgress))
	}}
	var req adminapi.IngestRequest
	if err := json.NewDecoder(body).Decode(&req); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{
				"error": fmt.Sprintf("body over %d bytes: send the pages in smaller batches", tooLarge.Limit), "code": "PAYLOAD_TOO_LARGE"})
			return
		}
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON {\"documents\": [{\"name\", \"data\" (base64)}]}: " + jsonProblem(err), "code": "BAD_REQUEST"})
		return
	}
	if len(req.URLs) > adminMaxURLs {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{
			"error": fmt.Sprintf("%d URLs: send at most %d in one request", len(req.URLs), adminMaxURLs), "code": "PAYLOAD_TOO_LARGE"})
		return
	}
	// Reading to the end lets net/http notice a client that goes away (it
	// cancels r.Context()); from now on only writes have deadlines.
	_, _ = io.Copy(io.Discard, body)
	_ = rc.SetReadDeadline(time.Time{})
	pages := make([]pipeline.Page, len(req.Documents))
	for i, d := range req.Documents {
		pages[i] = pipeline.Page{Name: d.Name, Data: d.Data.Bytes}
		if d.Data.Bad != nil && pipeline.PrintableName(d.Name) {
			pages[i].Err = fmt.Errorf("document %d (%s): %w", i, d.Name, d.Data.Bad)
		}
		if d.Name == "" || d.Name != filepath.Base(d.Name) || strings.HasPrefix(d.Name, ".") || len(d.Name) > 255 ||
			strings.TrimSpace(d.Name) != d.Name || !pipeline.PrintableName(d.Name) {
			pages[i].Err = fmt.Errorf("document %d: name %q must be a plain file name (no control characters, no spaces at either end)", i, d.Name)
		}
	}
	extend := func() { _ = rc.SetWriteDeadline(time.Now().Add(a.cfg.writeTimeout())) }
	stream := strings.Contains(r.Header.Get("Accept"), adminapi.NDJSON)
	enc := json.NewEncoder(w)
	if stream {
		w.Header().Set("Content-Type", adminapi.NDJSON)
		w.WriteHeader(http.StatusOK)
		_ = rc.Flush()
	}
	id := ""
	if info := requestInfoFrom(r.Context()); info != nil {
		id = info.id
	}
	var sum pipeline.Summary
	results := make([]pipeline.Result, 0, len(pages)+len(req.URLs))
	var index uint64 // the last log index written, in a cluster
	emit := func(res pipeline.Result) {
		index = max(index, res.Index)
		sum.Add(res)
		a.log.Info("admin ingest", "document", res.Name, "status", res.Status, "error", res.Error)
		if stream {
			extend()
			_ = enc.Encode(adminapi.IngestLine{Result: &res})
		} else {
			results = append(results, res)
		}
	}
	var failed error
	step := min(max(a.cfg.Batch, 1), adminBatch)
	for start := 0; start < len(pages); start += step {
		part := pages[start:min(start+step, len(pages))]
		var res []pipeline.Result
		if failed == nil {
			if a.opts.AdminStep != nil {
				a.opts.AdminStep()
			}
			res, failed = a.ing.Apply(r.Context(), part)
			if failed != nil {
				a.log.ErrorContext(r.Context(), "admin ingest", "request_id", id, "documents_left", len(pages)-start, "err", failed)
			}
		}
		if failed != nil {
			res = make([]pipeline.Result, len(part))
			for i, p := range part {
				res[i] = pipeline.Result{Name: p.Name, Status: "failed", Warnings: []string{},
					Error: fmt.Sprintf("%s: not stored: the server could not write it (request %s; see the server's log)", p.Name, id)}
			}
		}
		for _, res := range res {
			emit(res)
		}
		if stream {
			_ = rc.Flush()
		}
	}
	if len(req.URLs) > 0 && failed == nil {
		// The server fetches them, through its address guard: the client
		// may be anywhere, and the feeds' validators are in this store.
		var n int
		_, failed = a.ing.URLs(r.Context(), req.URLs, pipeline.URLOptions{Fetcher: a.fetcher,
			Each: func(res pipeline.Result) {
				n++
				emit(res)
				if stream {
					_ = rc.Flush()
				}
			}})
		if failed != nil {
			a.log.ErrorContext(r.Context(), "admin ingest", "request_id", id, "urls_left", len(req.URLs)-n, "err", failed)
			for _, u := range req.URLs[n:] {
				emit(pipeline.Result{Name: u, Status: "failed", Warnings: []string{},
					Error: fmt.Sprintf("%s: not stored: the server could not fetch or write it (request %s; see the server's log)", u, id)})
			}
		}
	} else {
		for _, u := range req.URLs {
			emit(pipeline.Result{Name: u, Status: "failed", Warnings: []string{},
				Error: fmt.Sprintf("%s: not fetched: the server could not write (request %s; see the server's log)", u, id)})
		}
	}
	extend()
	if !stream {
		writeJSON(w, http.StatusOK, adminapi.IngestResponse{Results: results, Index: index})
		return
	}
	// Documents counts the answers, one per document sent and per URL (a
	// feed is one); the outcomes count documents (a feed's items each).
	_ = enc.Encode(adminapi.IngestLine{Summary: &adminapi.IngestSummary{Documents: len(pages) + len(req.URLs), Added: sum.Added,
		Updated: sum.Updated, Unchanged: sum.Unchanged, Failed: sum.Failed, Index: index}})
}

// adminBackup streams a snapshot. Each write gets --write-timeout anew, so
// a backup of any size goes through as long as the client keeps reading.
func (a *app) adminBackup(w http.ResponseWriter, r *http.Request) {
	gen, _ := a.store.Generation()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="podcast-%d.db"`, gen))
	rc := http.NewResponseController(w)
	// No read deadline: it would cancel r.Context() mid-stream.
	_ = rc.SetReadDeadline(time.Time{})
	pw := &progressWriter{w: w, before: func() {
		if a.opts.AdminStep != nil {
			a.opts.AdminStep()
		}
		_ = rc.SetWriteDeadline(time.Now().Add(a.cfg.writeTimeout()))
	}}
	_, err := a.store.WriteTo(r.Context(), pw, func(size int64) {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	})
	if err != nil {
		// Headers are gone; cutting the stream short makes the client see
		// a length mismatch rather than a truncated file it might trust.
		a.log.ErrorContext(r.Context(), "admin backup", "err", err)
		panic(http.ErrAbortHandler)
	}
}

// progressReader calls before ahead of every Read (to renew a deadline).
type progressReader struct {
	r      io.Reader
	before func()
}

func (p *progressReader) Read(b []byte) (int, error) {
	p.before()
	return p.r.Read(b)
}

// progressWriter calls before ahead of every Write (to renew a deadline).
type progressWriter struct {
	w      io.Writer
	before func()
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.before()
	return p.w.Write(b)
}
