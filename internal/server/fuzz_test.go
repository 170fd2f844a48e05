package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/graphhttp"
	"podcastgraph/internal/pipeline"
	"podcastgraph/store"
)

// seedsStore returns a store in a temporary directory holding the seeds,
// ingested as serve does.
func seedsStore(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "podcast.db"), store.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	files, _, err := pipeline.Expand([]string{"../../seeds"})
	if err != nil {
		tb.Fatal(err)
	}
	ing := &pipeline.Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: pipeline.DefaultBatch}
	if sum, err := ing.Files(context.Background(), files, io.Discard); err != nil || sum.Failed > 0 {
		tb.Fatalf("ingest seeds: %v, %+v", err, sum)
	}
	return st
}

// FuzzHandler feeds random requests (method, Content-Type, Accept, body or
// query string) to the real GraphQL handler over the seeds. Whatever comes
// in, the answer must be a GraphQL response in JSON, with a status the
// GraphQL-over-HTTP spec allows, every error carrying extensions.code and
// never an internal error. The seed corpus runs with every go test.
func FuzzHandler(f *testing.F) {
	st := seedsStore(f)
	// serve's defaults, with --rate 0 --cost-rate 0 --query-timeout 5s.
	cfg := &Config{QueryTimeout: 5 * time.Second, API: defaultAPI()}
	cfg.API.Rate, cfg.API.CostRate = 0, 0
	h := newGraphQL(st, nil, cfg, Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)

	const js, gr = "application/json", "application/graphql-response+json"
	seeds := []struct {
		method              uint8
		contentType, accept string
		body                string
	}{
		{1, js, "", `{"query":"{ episodes(first: 3) { nodes { code title guests { name } } } }"}`},
		{1, js, gr, `{"query":"query($n: Int!) { episode(number: $n) { title } }","variables":{"n":316}}`},
		{1, js, "", `{"query":"{ node(id: \"RXBpc29kZTox\") { id } }"}`},
		{1, js, gr, `{"query":"{"}`},
		{1, js, "", `{"query":"{ nope }"}`},
		{1, js, "", `[{"query":"{ __typename }"}]`},
		{1, js, "", `{"query": 1}`},
		{1, js, "", `{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`},
		{1, js, "", `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`},
		{1, js, "", `{"query":"query($f: EpisodeFilter) { episodes(filter: $f) { totalCount } }","variables":{"f":{"releasedAfter":"2025-13-45"}}}`},
		{1, js, "", `{"query":"{ episodes(first: 100) { nodes { guests { episodes(first: 100) { nodes { number } } } } } }"}`},
		{1, js, "", `{"query":"{ episodes(after: \"garbage\") { totalCount } }"}`},
		{1, js, "", "{\"query\":\"{ guest(slug: \\\"\xff\\\") { name } }\"}"},
		{1, "text/plain", "", `{"query":"{ __typename }"}`},
		{1, "application/x-www-form-urlencoded", "", `query=%7B__typename%7D`},
		{1, js, "text/html", `{"query":"{ __typename }"}`},
		{0, "", "", `query=%7B+show+%7B+title+%7D+%7D`},
		{0, "", gr, `query=mutation+%7B+x+%7D`},
		{0, "", "", `query=%7B&variables=%5B`},
		{0, "", "", `%zz`},
		{2, js, "", `{"query":"{ __typename }"}`},
		{3, "", "", ``},
	}
	for _, s := range seeds {
		f.Add(s.method, s.contentType, s.accept, []byte(s.body))
	}
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodOptions, http.MethodHead, http.MethodDelete}
	allowed := map[int]bool{200: true, 204: true, 304: true, 400: true, 405: true, 406: true, 413: true, 414: true, 415: true}
	f.Fuzz(func(t *testing.T, method uint8, contentType, accept string, body []byte) {
		m := methods[int(method)%len(methods)]
		r := httptest.NewRequest(m, "/graphql", bytes.NewReader(body))
		if m == http.MethodGet || m == http.MethodHead {
			r = httptest.NewRequest(m, "/graphql", nil)
			r.URL.RawQuery = string(body)
		}
		r.Header.Set("Content-Type", contentType)
		r.Header.Set("Accept", accept)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !allowed[w.Code] {
			t.Fatalf("%s %q %q %q: status %d: %s", m, contentType, accept, body, w.Code, w.Body.Bytes())
		}
		if w.Code == 204 || w.Code == 304 || m == http.MethodHead {
			return
		}
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, gr) {
			t.Fatalf("Content-Type %q", ct)
		}
		var resp struct {
			Data   *json.RawMessage `json:"data"`
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatalf("status %d: body %q is not JSON: %v", w.Code, w.Body.Bytes(), err)
		}
		if resp.Data == nil && len(resp.Errors) == 0 {
			t.Fatalf("status %d: neither data nor errors: %s", w.Code, w.Body.Bytes())
		}
		if w.Code != 200 && len(resp.Errors) == 0 {
			t.Fatalf("status %d without errors", w.Code)
		}
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			if code == "" || e.Message == "" {
				t.Fatalf("error without code or message: %s", w.Body.Bytes())
			}
			if code == "INTERNAL" {
				t.Fatalf("internal error for %s %q: %s", m, body, w.Body.Bytes())
			}
		}
	})
}

// defaultAPI is the endpoint's settings with serve's defaults (the flags'
// defaults in internal/cli).
func defaultAPI() APIConfig {
	d := graphhttp.Defaults()
	return APIConfig{Playground: true, Introspection: true, MaxBody: d.MaxBodyBytes, MaxTokens: d.MaxTokens,
		MaxDepth: d.MaxDepth, MaxAliases: d.MaxAliases, MaxDirectives: d.MaxDirectives, MaxDuplicates: d.MaxDuplicateFields,
		MaxCost: d.MaxCost, Rate: d.Rate, RateBurst: d.RateBurst, CostRate: d.CostRate, CostBurst: d.CostBurst,
		ResponseCache: d.ResponseCacheBytes, MaxConcurrent: d.MaxConcurrent, MaxResponse: d.MaxResponseBytes}
}
