package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"podcastgraph/internal/server"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/introspection"
)

// abuseHooks is the test-only field middleware of the abuse suite: a
// request with header X-Abuse: panic makes Query.show panic with a message
// no client may see, and X-Abuse: slow makes it sleep past the operation's
// deadline without watching its context, then resolve as usual.
func abuseHooks(sleep time.Duration) server.Options {
	return server.Options{FieldMiddleware: func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		if fc == nil || fc.Object != "Query" || fc.Field.Name != "show" {
			return next(ctx)
		}
		switch graphql.GetOperationContext(ctx).Headers.Get("X-Abuse") {
		case "panic":
			panic("secret internal detail: /var/lib/podcast.db is corrupt")
		case "slow":
			time.Sleep(sleep)
		}
		return next(ctx)
	}}
}

// abuseCase is one hostile request and the answer a careful server gives.
type abuseCase struct {
	name   string
	method string            // POST when empty
	query  string            // sent as {"query": ...} (POST) or ?query= (GET)
	vars   map[string]any    // POST variables
	body   string            // a raw POST body instead of query and vars
	header map[string]string // added to Content-Type: application/json (POST)
	status int
	code   string // extensions.code of the first error; "" for none
	check  func(t *testing.T, a *abuseAnswer)
}

type abuseAnswer struct {
	gqlResponse
	raw []byte
}

func (c abuseCase) request(t *testing.T, base string) *http.Request {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader
	target := base + "/graphql"
	switch {
	case method == http.MethodGet:
		target += "?" + url.Values{"query": {c.query}}.Encode()
	case c.body != "":
		body = strings.NewReader(c.body)
	default:
		b, _ := json.Marshal(map[string]any{"query": c.query, "variables": c.vars})
		body = bytes.NewReader(b)
	}
	r, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
	return r
}

func sendAbuse(t *testing.T, r *http.Request) *abuseAnswer {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL.Path, err)
	}
	defer resp.Body.Close()
	a := &abuseAnswer{}
	a.raw, _ = io.ReadAll(resp.Body)
	a.status, a.header = resp.StatusCode, resp.Header
	if err := json.Unmarshal(a.raw, &a.gqlResponse); err != nil {
		t.Fatalf("status %d, body %.300q is not JSON: %v", resp.StatusCode, a.raw, err)
	}
	return a
}

// chunked hides a body's length, so the server cannot refuse it by its
// Content-Length.
type chunked struct{ io.Reader }

// nested returns n levels of the fields in path, each selecting the next,
// around leaf: nested("a { b", "c", 2) is "a { b { a { b { c } } } }".
func nested(path, leaf string, n int) string {
	levels := strings.Count(path, "{") + 1
	return strings.Repeat(path+" { ", n) + leaf + strings.Repeat(" }", n*levels)
}

// repeat writes format n times, with the count as %[1]d.
func repeat(format string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

// heapInuse returns the heap in use after a full collection.
func heapInuse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestAbuse sends a running server, with the default limits, what a hostile
// client would, and checks each request gets a cheap, clear refusal (or a
// harmless answer). Afterwards the server still answers a normal query and
// its heap is back near where it started.
func TestAbuse(t *testing.T) {
	opts := abuseHooks(600 * time.Millisecond)
	// A reverse proxy on this host forwards the "rate limit" case's client
	// (--trusted-proxies); the suite's own requests come from loopback,
	// exempt as an operator exempts local tools.
	s := startServerWith(t, opts, filepath.Join(t.TempDir(), "podcast.db"), "--seeds", "seeds", "--query-timeout", "300ms",
		"--trusted-proxies", "127.0.0.1", "--rate-exempt", "127.0.0.1")
	// Connections dialled for the concurrent requests but never used would
	// hold up the server's graceful shutdown for 5 s.
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	normal := func(t *testing.T) {
		t.Helper()
		var d struct{ Episodes struct{ TotalCount int } }
		s.query(t, `{ episodes(first: 5) { totalCount nodes { title guests { name } } } }`, nil).must(t, &d)
		if d.Episodes.TotalCount != 12 {
			t.Fatalf("totalCount %d", d.Episodes.TotalCount)
		}
	}
	normal(t)
	before := heapInuse()

	unknownDirectives := `{ __typename ` + strings.Repeat("@a ", 600) + `}`
	// Each fragment spreads the next twice: 2^40 spreads once expanded.
	fragmentBomb := "{ ...F0 }\n"
	for i := range 40 {
		fragmentBomb += fmt.Sprintf("fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	cyclicBomb := fragmentBomb + "fragment F40 on Query { ...F0 }\n"
	fragmentBomb += "fragment F40 on Query { __typename }\n"
	noLeak := func(t *testing.T, a *abuseAnswer) {
		for _, bad := range []string{"secret", "/var/lib", "goroutine", ".go:", "runtime."} {
			if bytes.Contains(a.raw, []byte(bad)) {
				t.Errorf("answer leaks %q: %s", bad, a.raw)
			}
		}
	}
	small := func(t *testing.T, a *abuseAnswer) {
		if len(a.raw) > 16<<10 {
			t.Errorf("refusal is %d bytes", len(a.raw))
		}
	}
	cases := []abuseCase{
		{name: "introspection", query: `{ __schema { types { name fields { name } } } }`, status: 200},
		{name: "circular introspection", query: `{ __schema { types { ` + nested("fields { type", "name", 8) + ` } } }`,
			status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "field suggestion (introspection on)", query: `{ episodes { nodez { title } } }`, status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "alias overloading", query: "{ " + repeat("a%[1]d: show { t%[1]d: title } ", 200) + "}", status: 200, code: "MAX_ALIASES_EXCEEDED", check: small},
		{name: "alias overloading, graphql-response+json", query: "{ " + repeat("a%[1]d: __typename b%[1]d: __typename ", 100) + "}",
			header: map[string]string{"Accept": "application/graphql-response+json"}, status: 400, code: "MAX_ALIASES_EXCEEDED"},
		{name: "directive overloading", query: `{ __typename ` + strings.Repeat("@include(if: true) ", 200) + `}`, status: 200, code: "MAX_DIRECTIVES_EXCEEDED", check: small},
		{name: "unknown directives", query: unknownDirectives, status: 200, code: "MAX_DIRECTIVES_EXCEEDED", check: small},
		{name: "field duplication", query: `{ show { ` + strings.Repeat("title ", 1500) + `} }`, status: 200, code: "MAX_DUPLICATE_FIELDS_EXCEEDED", check: small},
		{name: "conflicting duplicates", query: `{ ` + repeat("episode(number: %d) { title } ", 150) + `}`, status: 200, code: "MAX_DUPLICATE_FIELDS_EXCEEDED", check: small},
		{name: "token flood", query: `{ ` + strings.Repeat("__typename ", 5000) + `}`, status: 200, code: "MAX_TOKENS_EXCEEDED", check: small},
		{name: "fragment bomb", query: fragmentBomb, status: 200, code: "MAX_DUPLICATE_FIELDS_EXCEEDED", check: small},
		{name: "cyclic fragment bomb", query: cyclicBomb, status: 200, code: "MAX_FIELDS_EXCEEDED", check: small},
		{name: "depth bomb", query: `{ guest(slug: "avery-pennarun") { ` + nested("episodes { nodes { guests", "name", 15) + ` } }`,
			status: 200, code: "MAX_DEPTH_EXCEEDED"},
		{name: "first: 100 three deep", query: `{ episodes(first: 100) { nodes { guests { episodes(first: 100) { nodes { guests { episodes(first: 100) { nodes { number } } } } } } } } }`,
			status: 200, code: "MAX_COST_EXCEEDED", check: func(t *testing.T, a *abuseAnswer) {
				c, _ := a.Extensions["cost"].(map[string]any)
				if c["requestedQueryCost"].(float64) < 1e6 || c["maxQueryCost"].(float64) != 10000 {
					t.Errorf("extensions.cost = %v", a.Extensions["cost"])
				}
			}},
		{name: "first: 100 through variables", query: `query($n: Int) { episodes(first: $n) { nodes { show { episodes(first: $n) { nodes { show { episodes(first: $n) { nodes { number } } } } } } } } }`,
			vars: map[string]any{"n": 100}, status: 200, code: "MAX_COST_EXCEEDED"},
		// Each ranking reads hundreds of episodes whatever it returns:
		// its @cost(weight: 200) prices that work, once per episode.
		{name: "a ranking per episode of a long page", query: `{ episodes(first: 100) { nodes { related(first: 1) { totalCount } } } }`,
			status: 200, code: "MAX_COST_EXCEEDED", check: func(t *testing.T, a *abuseAnswer) {
				c, _ := a.Extensions["cost"].(map[string]any)
				if c["requestedQueryCost"].(float64) < 100*200 {
					t.Errorf("extensions.cost = %v", a.Extensions["cost"])
				}
			}},
		{name: "huge body", body: `{"query": "{ __typename }", "pad": "` + strings.Repeat("x", 4<<20) + `"}`, status: 413, code: "PAYLOAD_TOO_LARGE"},
		{name: "huge string literal", query: `{ guest(slug: "` + strings.Repeat("a", 200<<10) + `") { name } }`, status: 200, check: noLeak},
		{name: "huge string literal over the limit", query: `{ guest(slug: "` + strings.Repeat("a", 300<<10) + `") { name } }`, status: 413, code: "PAYLOAD_TOO_LARGE"},
		{name: "batched array", body: `[{"query": "{ __typename }"}, {"query": "{ __typename }"}]`, status: 400, code: "BATCHING_NOT_SUPPORTED"},
		{name: "GET mutation", method: http.MethodGet, query: `mutation { ingest }`, status: 405, code: "METHOD_NOT_ALLOWED"},
		{name: "form-encoded POST", body: `query=%7B__typename%7D`, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "multipart POST", body: "--b\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n{ __typename }\r\n--b--\r\n",
			header: map[string]string{"Content-Type": "multipart/form-data; boundary=b"}, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "text/plain (CSRF-style simple request)", body: `{"query": "{ __typename }"}`, header: map[string]string{"Content-Type": "text/plain"}, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "application/graphql", body: `{ __typename }`, header: map[string]string{"Content-Type": "application/graphql"}, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "no Content-Type", query: `{ __typename }`, header: map[string]string{"Content-Type": ""}, status: 415, code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "Accept nothing JSON", query: `{ __typename }`, header: map[string]string{"Accept": "text/html"}, status: 406, code: "NOT_ACCEPTABLE"},
		{name: "PUT", method: http.MethodPut, body: `{"query": "{ __typename }"}`, status: 405, code: "METHOD_NOT_ALLOWED"},
		{name: "malformed JSON", body: `{"query": "{ __typename }`, status: 400, code: "BAD_REQUEST"},
		{name: "JSON of the wrong shape", body: `{"query": ["{ __typename }"]}`, status: 400, code: "BAD_REQUEST"},
		{name: "empty body", body: ` `, status: 400, code: "BAD_REQUEST"},
		{name: "invalid UTF-8", body: "{\"query\": \"{ guest(slug: \\\"\xc3\x28\xff\\\") { name } }\"}", status: 400, code: "BAD_REQUEST"},
		{name: "NUL in the document", query: "{ __typename \x00 }", status: 200, code: "GRAPHQL_PARSE_FAILED"},
		{name: "deeply nested variables", body: `{"query": "query($f: EpisodeFilter) { episodes(filter: $f) { totalCount } }", "variables": {"f": ` +
			strings.Repeat(`{"show": `, 5000) + `"x"` + strings.Repeat("}", 5000) + `}}`, status: 400, code: "BAD_REQUEST"},
		{name: "nested variables of the wrong type", query: `query($f: EpisodeFilter) { episodes(filter: $f) { totalCount } }`,
			vars: map[string]any{"f": map[string]any{"show": map[string]any{"show": map[string]any{"show": "x"}}}}, status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "deeply nested list literal", query: `{ nodes(ids: ` + strings.Repeat("[", 500) + `"x"` + strings.Repeat("]", 500) + `) { id } }`,
			status: 200, code: "GRAPHQL_VALIDATION_FAILED", check: small},
		{name: "huge field name", query: `{ ` + strings.Repeat("z", 100<<10) + ` }`, status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "resolver panic", query: `{ show { title } }`, header: map[string]string{"X-Abuse": "panic"}, status: 200, code: "INTERNAL", check: noLeak},
		{name: "slow operation hits its deadline", query: `{ show { title } }`, header: map[string]string{"X-Abuse": "slow"}, status: 200, code: "TIMEOUT", check: noLeak},
		{name: "subscription", query: `subscription { episodes { totalCount } }`, status: 200, code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "out-of-range page", query: `{ episodes(first: 1000000) { totalCount } }`, status: 200, code: "BAD_USER_INPUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := sendAbuse(t, c.request(t, s.URL))
			if a.status != c.status || a.code() != c.code {
				t.Errorf("status %d code %q, want %d %q; body %.400s", a.status, a.code(), c.status, c.code, a.raw)
			}
			for _, e := range a.Errors {
				if e.Extensions["code"] == nil {
					t.Errorf("error without extensions.code: %+v", e)
				}
			}
			if c.check != nil {
				c.check(t, a)
			}
		})
	}

	t.Run("chunked huge body", func(t *testing.T) {
		r, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql",
			chunked{io.MultiReader(strings.NewReader(`{"query": "{ __typename }", "pad": "`), bytes.NewReader(bytes.Repeat([]byte("x"), 8<<20)))})
		r.Header.Set("Content-Type", "application/json")
		if a := sendAbuse(t, r); a.status != 413 || a.code() != "PAYLOAD_TOO_LARGE" {
			t.Errorf("status %d code %q", a.status, a.code())
		}
	})
	t.Run("many concurrent slow operations all end", func(t *testing.T) {
		errs := make(chan string, 20)
		for range cap(errs) {
			go func() {
				r := abuseCase{query: `{ show { title } }`, header: map[string]string{"X-Abuse": "slow"}}.request(t, s.URL)
				resp, err := http.DefaultClient.Do(r)
				if err != nil {
					errs <- err.Error()
					return
				}
				defer resp.Body.Close()
				var g gqlResponse
				_ = json.NewDecoder(resp.Body).Decode(&g)
				errs <- g.code()
			}()
		}
		for range cap(errs) {
			if code := <-errs; code != "TIMEOUT" {
				t.Errorf("slow operation ended with %q", code)
			}
		}
	})
	t.Run("rate limit", func(t *testing.T) {
		// Loopback is a trusted proxy here: X-Forwarded-For names the
		// client. Exhaust one client's burst of 100 at once.
		const n = 300
		codes := make(chan string, n)
		for range n {
			go func() {
				r := abuseCase{query: `{ __typename }`, header: map[string]string{"X-Forwarded-For": "203.0.113.50"}}.request(t, s.URL)
				resp, err := http.DefaultClient.Do(r)
				if err != nil {
					codes <- err.Error()
					return
				}
				defer resp.Body.Close()
				var g gqlResponse
				_ = json.NewDecoder(resp.Body).Decode(&g)
				if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
					codes <- "no Retry-After"
					return
				}
				codes <- fmt.Sprint(resp.StatusCode, " ", g.code())
			}()
		}
		seen := map[string]int{}
		for range n {
			seen[<-codes]++
		}
		if seen["429 THROTTLED"] == 0 || seen["200 "] < 100 || seen["200 "]+seen["429 THROTTLED"] != n {
			t.Errorf("answers: %v", seen)
		}
		normal(t) // other clients (here: loopback itself, exempt) are not affected
	})

	normal(t)
	after := heapInuse()
	t.Logf("heap in use: %.1f MB before the abuse suite, %.1f MB after", float64(before)/(1<<20), float64(after)/(1<<20))
	if after > 2*before+16<<20 {
		t.Errorf("heap grew from %d to %d bytes", before, after)
	}
}

// TestProductionSettings checks the documented production flags: no
// introspection, no field suggestions, no playground.
func TestProductionSettings(t *testing.T) {
	s := startServer(t, "--introspection=false", "--playground=false")
	for _, q := range []string{`{ __schema { queryType { name } } }`, `{ __type(name: "Episode") { name } }`,
		`query { ...F } fragment F on Query { __schema { types { name } } }`} {
		if r := s.query(t, q, nil); r.code() != "INTROSPECTION_DISABLED" {
			t.Errorf("%s: code %q", q, r.code())
		}
	}
	for _, q := range []string{`{ episodes { nodez { title } } }`, `{ episodes(frist: 5) { totalCount } }`,
		`{ episodes(orderBy: {field: NUMBR, direction: ASC}) { totalCount } }`, `{ gueest(slug: "x") { name } }`} {
		r := s.query(t, q, nil)
		if len(r.Errors) == 0 {
			t.Fatalf("%s: no error", q)
		}
		for _, e := range r.Errors {
			if strings.Contains(e.Message, "Did you mean") {
				t.Errorf("%s: suggestion in %q", q, e.Message)
			}
		}
	}
	var d struct{ Show struct{ Title string } }
	s.query(t, `{ __typename show { title } }`, nil).must(t, &d)
	resp, err := http.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET / with --playground=false: %d", resp.StatusCode)
	}

	// With the defaults, errors do suggest (introspection would tell anyway).
	s = startServer(t)
	if r := s.query(t, `{ episodes { nodez { title } } }`, nil); len(r.Errors) == 0 || !strings.Contains(r.Errors[0].Message, "Did you mean") {
		t.Errorf("default server: %+v", r.Errors)
	}
}

// TestGETCaching checks the ETag and Cache-Control of GET answers on a real
// store: a changed store changes the ETag.
func TestGETCaching(t *testing.T) {
	s := startServer(t, "--cache-max-age", "30s", "--admin-token", testAdminToken)
	target := s.URL + "/graphql?" + url.Values{"query": {`{ episodes(first: 3) { nodes { number } } }`}}.Encode()
	get := func(header ...string) *http.Response {
		r, _ := http.NewRequest(http.MethodGet, target, nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	first := get()
	etag := first.Header.Get("ETag")
	if first.StatusCode != 200 || etag == "" || first.Header.Get("Cache-Control") != "public, max-age=30" {
		t.Fatalf("status %d ETag %q Cache-Control %q", first.StatusCode, etag, first.Header.Get("Cache-Control"))
	}
	if r := get("If-None-Match", etag); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.StatusCode)
	}
	// A new page changes the store, hence the ETag.
	if out, err := runCmd(t, "ingest", "--server", s.URL, "--token", testAdminToken, genPages(t, 5000, 1)); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	if r := get("If-None-Match", etag); r.StatusCode != 200 || r.Header.Get("ETag") == etag {
		t.Errorf("after a change: status %d ETag %q (was %q)", r.StatusCode, r.Header.Get("ETag"), etag)
	}
}

// TestGETIfNoneMatchAny: If-None-Match: * asks for an answer only if there
// is none. A valid query has one (304, naming it); a query that does not
// validate, or a mutation sent with GET, gets its error answer, never a 304.
func TestGETIfNoneMatchAny(t *testing.T) {
	s := startServer(t)
	get := func(query string) (*http.Response, string) {
		t.Helper()
		r, _ := http.NewRequest(http.MethodGet, s.URL+"/graphql?"+url.Values{"query": {query}}.Encode(), nil)
		r.Header.Set("If-None-Match", "*")
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	valid := `{ episodes(first: 2) { nodes { number } } }`
	if r, body := get(valid); r.StatusCode != http.StatusNotModified || r.Header.Get("ETag") == "" || body != "" {
		t.Errorf("valid query: status %d, ETag %q, body %q; want 304 naming the answer", r.StatusCode, r.Header.Get("ETag"), body)
	}
	for _, tc := range []struct{ name, query, message string }{
		{"unknown field", `{ episodes(first: 2) { nodes { numbr } } }`, `Cannot query field \"numbr\"`},
		{"syntax", `{ episodes(first: 2) { nodes { number } }`, "Expected Name"},
		{"mutation", `mutation { __typename }`, "cannot be sent with GET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, body := get(tc.query)
			if r.StatusCode == http.StatusNotModified || r.Header.Get("ETag") != "" || !strings.Contains(body, tc.message) {
				t.Errorf("status %d, ETag %q, body %s; want the error answer", r.StatusCode, r.Header.Get("ETag"), body)
			}
		})
	}
}

// TestRealisticQueriesWithinLimits checks that the default limits admit
// what client apps ask, with room to spare, and logs each one's cost.
func TestRealisticQueriesWithinLimits(t *testing.T) {
	s := startServer(t)
	queries := []struct{ name, query string }{
		{"playground's default query", server.DefaultQuery},
		{"introspection (GraphiQL's)", introspection.Query},
		{"20 episodes → guests → their 5 episodes + topics",
			`{ episodes(first: 20) { totalCount nodes { code title guests { name episodes(first: 5) { nodes { code title } } topics { name } } topics { name } } } }`},
		{"100 episodes and 100 guests, every field", `{
		  show { slug title code hosts { name } links { kind url } episodeCount }
		  episodes(first: 100) { totalCount nodes { number code title releaseDate summary summaryTruncated description
		    guests { slug } topics { slug } sources { name sha256 } } }
		  guests(first: 100) { totalCount nodes { slug name role organization bio links { kind url } episodes { nodes { number } } } } }`},
		{"guest page", `{ guest(slug: "avery-pennarun") { name role organization bio links { kind url label }
		  episodes(first: 20) { edges { cursor node { code title releaseDate topics { name } appearances { evidence } } } pageInfo { hasNextPage endCursor } }
		  coGuests { name } topics { name episodeCount } } }`},
	}
	for _, q := range queries {
		t.Run(q.name, func(t *testing.T) {
			r := s.query(t, q.query, nil)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			c, _ := r.Extensions["cost"].(map[string]any)
			t.Logf("cost %v of %v", c["requestedQueryCost"], c["maxQueryCost"])
		})
	}
}
