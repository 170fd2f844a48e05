package graphhttp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/ast"
)

// newTestHandler serves testSchema; every operation answers
// {"episode":null}. The store generation is *gen.
func newTestHandler(t *testing.T, gen *atomic.Uint64, configure func(*Options)) http.Handler {
	t.Helper()
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return testSchema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			return graphql.OneShot(&graphql.Response{Data: []byte(`{"episode":null}`)})
		},
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) { return 0, false },
	})
	o := Defaults()
	o.Rate, o.CostRate = 0, 0
	if gen != nil {
		o.Generation = func() (uint64, error) { return gen.Load(), nil }
	}
	if configure != nil {
		configure(&o)
	}
	return New(srv, o)
}

type answer struct {
	status int
	header http.Header
	body   []byte
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Extensions map[string]any `json:"extensions"`
}

func (a *answer) code() string {
	if len(a.Errors) == 0 {
		return ""
	}
	c, _ := a.Errors[0].Extensions["code"].(string)
	return c
}

func serve(t *testing.T, h http.Handler, r *http.Request) *answer {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	a := &answer{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
	if len(a.body) > 0 && r.Method != http.MethodHead {
		if err := json.Unmarshal(a.body, a); err != nil {
			t.Fatalf("status %d, body %q is not JSON: %v", w.Code, a.body, err)
		}
	}
	return a
}

func post(body string, header ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			r.Header.Del(header[i])
		} else {
			r.Header.Set(header[i], header[i+1])
		}
	}
	return r
}

func get(params url.Values, header ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/graphql?"+params.Encode(), nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return r
}

func q(query string) string { return jsonString(map[string]any{"query": query}) }

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

const (
	okQuery = `{ episode(number: 1) { title } }`
	gr      = "application/graphql-response+json"
)

func TestProtocol(t *testing.T) {
	h := newTestHandler(t, nil, func(o *Options) {
		o.MaxBodyBytes = 4096
		o.MaxDepth = 3
		o.MaxAliases = 2
		o.MaxDirectives = 2
		o.MaxDuplicateFields = 3
		o.MaxTokens = 100
		o.MaxCost = 50
	})
	deep := `{"query":"{ __typename }","variables":{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}}`
	tests := []struct {
		name       string
		req        *http.Request
		status     int
		code       string
		data       bool   // the answer has a data entry
		media      string // the Content-Type's media type; "" for application/json
		headerName string
		headerWant string
	}{
		{"query", post(q(okQuery)), 200, "", true, "", "", ""},
		{"graphql-response+json", post(q(okQuery), "Accept", gr), 200, "", true, gr, "", ""},
		{"preferred media type", post(q(okQuery), "Accept", gr+", application/json;q=0.9"), 200, "", true, gr, "", ""},
		{"wildcard", post(q(okQuery), "Accept", "*/*"), 200, "", true, "", "", ""},
		{"charset", post(q(okQuery), "Content-Type", "application/json; charset=UTF-8"), 200, "", true, "", "", ""},
		{"null parameters", post(`{"query":"{ __typename }","variables":null,"operationName":null,"extensions":null}`), 200, "", true, "", "", ""},
		{"operation name", post(`{"query":"query A { __typename } query B { __typename }","operationName":"B"}`), 200, "", true, "", "", ""},

		{"parse error json", post(q(`{`)), 200, "GRAPHQL_PARSE_FAILED", false, "", "", ""},
		{"parse error graphql-response", post(q(`{`), "Accept", gr), 400, "GRAPHQL_PARSE_FAILED", false, gr, "", ""},
		{"validation error json", post(q(`{ nope }`)), 200, "GRAPHQL_VALIDATION_FAILED", false, "", "", ""},
		{"validation error graphql-response", post(q(`{ nope }`), "Accept", gr), 400, "GRAPHQL_VALIDATION_FAILED", false, gr, "", ""},
		{"variable coercion json", post(`{"query":"query($n: Int!) { episode(number: $n) { title } }","variables":{"n":null}}`), 200, "GRAPHQL_VALIDATION_FAILED", false, "", "", ""},
		{"variable coercion graphql-response", post(`{"query":"query($n: Int!) { episode(number: $n) { title } }","variables":{"n":"x"}}`, "Accept", gr), 400, "GRAPHQL_VALIDATION_FAILED", false, gr, "", ""},
		{"unknown operation name", post(`{"query":"query A { __typename }","operationName":"B"}`), 200, "GRAPHQL_VALIDATION_FAILED", false, "", "", ""},

		{"missing query", post(`{"notquery":"{ __typename }"}`), 400, CodeBadRequest, false, "", "", ""},
		{"empty body", post(``), 400, CodeBadRequest, false, "", "", ""},
		{"query not a string", post(`{"query":{"a":1}}`), 400, CodeBadRequest, false, "", "", ""},
		{"operationName not a string", post(`{"query":"{ __typename }","operationName":false}`), 400, CodeBadRequest, false, "", "", ""},
		{"variables a string", post(`{"query":"{ __typename }","variables":"{}"}`), 400, CodeBadRequest, false, "", "", ""},
		{"extensions an array", post(`{"query":"{ __typename }","extensions":[]}`), 400, CodeBadRequest, false, "", "", ""},
		{"malformed JSON", post(`{"query": "{ __typename }`), 400, CodeBadRequest, false, "", "", ""},
		{"malformed JSON graphql-response", post(`{ "not a JSON`, "Accept", gr), 400, CodeBadRequest, false, gr, "", ""},
		{"trailing garbage", post(`{"query":"{ __typename }"} x`), 400, CodeBadRequest, false, "", "", ""},
		{"not an object", post(`"{ __typename }"`), 400, CodeBadRequest, false, "", "", ""},
		{"invalid UTF-8", post("{\"query\":\"{ __typename \xff}\"}"), 400, CodeBadRequest, false, "", "", ""},
		{"deeply nested variables", post(deep), 400, CodeBadRequest, false, "", "", ""},
		{"batch", post(`[{"query":"{ __typename }"},{"query":"{ __typename }"}]`), 400, CodeBatching, false, "", "", ""},

		{"no content type", post(q(okQuery), "Content-Type", ""), 415, CodeUnsupportedMedia, false, "", "", ""},
		{"text/plain", post(q(okQuery), "Content-Type", "text/plain"), 415, CodeUnsupportedMedia, false, "", "", ""},
		{"form", post("query=%7B__typename%7D", "Content-Type", "application/x-www-form-urlencoded"), 415, CodeUnsupportedMedia, false, "", "", ""},
		{"multipart", post("--x--", "Content-Type", "multipart/form-data; boundary=x"), 415, CodeUnsupportedMedia, false, "", "", ""},
		{"application/graphql", post("{ __typename }", "Content-Type", "application/graphql"), 415, CodeUnsupportedMedia, false, "", "", ""},
		{"latin-1", post(q(okQuery), "Content-Type", "application/json; charset=latin1"), 415, CodeUnsupportedMedia, false, "", "", ""},
		{"not acceptable", post(q(okQuery), "Accept", "text/html"), 406, CodeNotAcceptable, false, "", "", ""},
		{"PUT", httptest.NewRequest(http.MethodPut, "/graphql", strings.NewReader(q(okQuery))), 405, CodeMethodNotAllowed, false, "", "Allow", "GET, POST, OPTIONS"},
		{"too large", post(q(okQuery + strings.Repeat(" ", 5000))), 413, CodePayloadTooLarge, false, "", "", ""},
		{"too large graphql-response", post(q(okQuery+strings.Repeat(" ", 5000)), "Accept", gr), 413, CodePayloadTooLarge, false, gr, "", ""},

		{"GET", get(url.Values{"query": {okQuery}}), 200, "", true, "", "", ""},
		{"GET variables", get(url.Values{"query": {`query($n: Int!) { episode(number: $n) { title } }`}, "variables": {`{"n":1}`}}), 200, "", true, "", "", ""},
		{"GET mutation", get(url.Values{"query": {`mutation { x }`}}), 405, CodeMethodNotAllowed, false, "", "Allow", "POST"},
		{"GET mutation graphql-response", get(url.Values{"query": {`mutation M { x } query Q { __typename }`}, "operationName": {"M"}}, "Accept", gr), 405, CodeMethodNotAllowed, false, gr, "", ""},
		{"GET no query", get(url.Values{}), 400, CodeBadRequest, false, "", "", ""},
		{"GET bad variables", get(url.Values{"query": {okQuery}, "variables": {`[1]`}}), 400, CodeBadRequest, false, "", "", ""},
		{"GET repeated parameter", get(url.Values{"query": {okQuery, okQuery}}), 400, CodeBadRequest, false, "", "", ""},
		{"GET too long", get(url.Values{"query": {okQuery + strings.Repeat(" ", 5000)}}), 414, CodeURITooLong, false, "", "", ""},

		{"depth", post(q(`{ episode(number: 1) { show { episodes { nodes { title } } } } }`)), 200, CodeMaxDepth, false, "", "", ""},
		{"depth graphql-response", post(q(`{ episode(number: 1) { show { episodes { nodes { title } } } } }`), "Accept", gr), 400, CodeMaxDepth, false, gr, "", ""},
		{"aliases", post(q(`{ a: episode(number: 1) { t: title } b: episode(number: 2) { title } }`)), 200, CodeMaxAliases, false, "", "", ""},
		{"directives", post(q(`{ episode(number: 1) @skip(if: false) { title @skip(if: false) id @include(if: true) } }`)), 200, CodeMaxDirectives, false, "", "", ""},
		{"duplicates", post(q(`{ episode(number: 1) { title title title title } }`)), 200, CodeMaxDuplicates, false, "", "", ""},
		{"tokens", post(q(`{ episode(number: 1) { ` + strings.Repeat("id title ", 60) + `} }`)), 200, CodeMaxTokens, false, "", "", ""},
		{"cost", post(q(`{ episodes(first: 60) { nodes { title } } }`)), 200, CodeMaxCost, false, "", "", ""},
		{"cost with variables", post(`{"query":"query($n: Int) { episodes(first: $n) { nodes { title } } }","variables":{"n":60}}`, "Accept", gr), 400, CodeMaxCost, false, gr, "", ""},
		{"cost within", post(`{"query":"query($n: Int) { episodes(first: $n) { nodes { title } } }","variables":{"n":40}}`), 200, "", true, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := serve(t, h, tt.req)
			if a.status != tt.status || a.code() != tt.code {
				t.Errorf("status %d code %q, want %d %q; body %s", a.status, a.code(), tt.status, tt.code, a.body)
			}
			if got := a.Data != nil; got != tt.data {
				t.Errorf("data entry present = %v, want %v; body %s", got, tt.data, a.body)
			}
			media := tt.media
			if media == "" {
				media = "application/json"
			}
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, media) {
				t.Errorf("Content-Type %q, want %s", ct, media)
			}
			if tt.headerName != "" && a.header.Get(tt.headerName) != tt.headerWant {
				t.Errorf("%s: %q, want %q", tt.headerName, a.header.Get(tt.headerName), tt.headerWant)
			}
			for _, e := range a.Errors {
				if e.Extensions["code"] == nil {
					t.Errorf("error without code: %+v", e)
				}
			}
		})
	}
}

func TestCostExtension(t *testing.T) {
	h := newTestHandler(t, nil, nil)
	a := serve(t, h, post(q(`{ episodes(first: 5) { nodes { guests { name } } } }`)))
	want := map[string]any{"requestedQueryCost": float64(56), "maxQueryCost": float64(10000)}
	if got, _ := a.Extensions["cost"].(map[string]any); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("extensions.cost = %v, want %v", a.Extensions["cost"], want)
	}
	a = serve(t, h, post(q(`{ episodes(first: 100) { nodes { show { episodes(first: 100) { nodes { title } } } } } }`)))
	if a.code() != CodeMaxCost {
		t.Fatalf("code %q, want %s", a.code(), CodeMaxCost)
	}
	if c, _ := a.Errors[0].Extensions["cost"].(map[string]any); c["requestedQueryCost"] != float64(1+100*(1+1+1+100)) {
		t.Errorf("error's cost = %v", a.Errors[0].Extensions["cost"])
	}
	if a.Extensions["cost"] == nil {
		t.Errorf("refused answer has no extensions.cost: %s", a.body)
	}
}

func TestIntrospectionOff(t *testing.T) {
	h := newTestHandler(t, nil, func(o *Options) { o.Introspection = false })
	for _, query := range []string{`{ __schema { types { name } } }`, `{ __type(name: "Episode") { name } }`,
		`{ ...F } fragment F on Query { __schema { queryType { name } } }`} {
		if a := serve(t, h, post(q(query))); a.code() != CodeIntrospection {
			t.Errorf("%s: status %d code %q, want %s", query, a.status, a.code(), CodeIntrospection)
		}
	}
	if a := serve(t, h, post(q(`{ __typename }`))); a.status != 200 || a.code() != "" {
		t.Errorf("__typename: status %d code %q", a.status, a.code())
	}
}

func TestWithoutSuggestions(t *testing.T) {
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return testSchema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			return graphql.OneShot(&graphql.Response{Data: []byte(`{}`)})
		},
	})
	srv.SetErrorPresenter(WithoutSuggestions(graphql.DefaultErrorPresenter))
	o := Defaults()
	o.Introspection = false
	h := New(srv, o)
	for _, query := range []string{`{ episode(number: 1) { titl } }`, `{ episodes(frist: 1) { totalCount } }`,
		`query($n: Itn) { episodes(first: $n) { totalCount } }`, `{ episode(number: 1) }`} {
		a := serve(t, h, post(q(query)))
		if len(a.Errors) == 0 {
			t.Fatalf("%s: no error", query)
		}
		for _, e := range a.Errors {
			if strings.Contains(e.Message, "Did you mean") {
				t.Errorf("%s: %q suggests", query, e.Message)
			}
		}
	}
}

func TestHTTPCaching(t *testing.T) {
	var gen atomic.Uint64
	gen.Store(7)
	h := newTestHandler(t, &gen, func(o *Options) { o.CORSOrigins = []string{"https://app.example"} })
	params := url.Values{"query": {okQuery}}
	a := serve(t, h, get(params))
	etag := a.header.Get("ETag")
	if a.status != 200 || !strings.HasPrefix(etag, `W/"7-`) {
		t.Fatalf("status %d ETag %q", a.status, etag)
	}
	if cc := a.header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q", cc)
	}
	if v := a.header.Values("Vary"); !strings.Contains(strings.Join(v, ","), "Accept") || !strings.Contains(strings.Join(v, ","), "Origin") {
		t.Errorf("Vary %q", v)
	}
	if again := serve(t, h, get(params)); again.header.Get("ETag") != etag {
		t.Errorf("same request, ETag %q then %q", etag, again.header.Get("ETag"))
	}
	if other := serve(t, h, get(params, "Accept", gr)); other.header.Get("ETag") == etag {
		t.Errorf("another media type has the same ETag")
	}
	if other := serve(t, h, get(url.Values{"query": {`{ __typename }`}})); other.header.Get("ETag") == etag {
		t.Errorf("another query has the same ETag")
	}
	nm := serve(t, h, get(params, "If-None-Match", etag))
	if nm.status != http.StatusNotModified || len(nm.body) != 0 || nm.header.Get("ETag") != etag {
		t.Errorf("If-None-Match: status %d, body %q, ETag %q", nm.status, nm.body, nm.header.Get("ETag"))
	}
	gen.Store(8)
	changed := serve(t, h, get(params, "If-None-Match", etag))
	if changed.status != 200 || changed.header.Get("ETag") == etag {
		t.Errorf("after a store change: status %d ETag %q", changed.status, changed.header.Get("ETag"))
	}
	if e := serve(t, h, get(url.Values{"query": {`{ nope }`}})); e.header.Get("ETag") != "" || e.header.Get("Cache-Control") != "no-store" {
		t.Errorf("error answer: ETag %q Cache-Control %q", e.header.Get("ETag"), e.header.Get("Cache-Control"))
	}
	if p := serve(t, h, post(q(okQuery))); p.header.Get("ETag") != "" {
		t.Errorf("POST answer has an ETag")
	}

	h = newTestHandler(t, &gen, func(o *Options) { o.CacheMaxAge = 90e9 })
	if a := serve(t, h, get(params)); a.header.Get("Cache-Control") != "public, max-age=90" {
		t.Errorf("Cache-Control %q with a max age", a.header.Get("Cache-Control"))
	}
}

func TestPersistedQueries(t *testing.T) {
	var gen atomic.Uint64
	h := newTestHandler(t, &gen, nil)
	sum := sha256.Sum256([]byte(okQuery))
	hash := hex.EncodeToString(sum[:])
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}

	a := serve(t, h, post(jsonString(map[string]any{"extensions": ext})))
	if a.status != 200 || a.code() != CodePersistedNotFound {
		t.Fatalf("unknown hash: status %d code %q", a.status, a.code())
	}
	if a := serve(t, h, post(jsonString(map[string]any{"extensions": ext}), "Accept", gr)); a.status != 400 || a.code() != CodePersistedNotFound {
		t.Errorf("unknown hash, graphql-response: status %d code %q", a.status, a.code())
	}
	if a := serve(t, h, post(jsonString(map[string]any{"query": okQuery, "extensions": ext}))); a.status != 200 || a.code() != "" {
		t.Fatalf("register: status %d code %q", a.status, a.code())
	}
	if a := serve(t, h, post(jsonString(map[string]any{"extensions": ext}))); a.status != 200 || a.code() != "" || a.Data == nil {
		t.Errorf("by hash: status %d code %q", a.status, a.code())
	}
	if a := serve(t, h, get(url.Values{"extensions": {jsonString(ext)}})); a.status != 200 || a.header.Get("ETag") == "" {
		t.Errorf("by hash over GET: status %d ETag %q", a.status, a.header.Get("ETag"))
	}
	bad := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": strings.Repeat("0", 64)}}
	if a := serve(t, h, post(jsonString(map[string]any{"query": okQuery, "extensions": bad}))); a.status != 400 || a.code() != CodeBadRequest {
		t.Errorf("wrong hash: status %d code %q", a.status, a.code())
	}
	if a := serve(t, h, post(jsonString(map[string]any{"query": okQuery, "extensions": map[string]any{"persistedQuery": "x"}}))); a.status != 400 || a.code() != CodeBadRequest {
		t.Errorf("bad extension: status %d code %q", a.status, a.code())
	}
	// A hash that is not a SHA-256 in hex, or none, is bad data, not an
	// unknown hash the client should answer by sending the query.
	for _, pq := range []map[string]any{{"version": 1, "sha256Hash": 5}, {"version": 1}, {"version": 1, "sha256Hash": "abc"}, {"version": 1, "sha256Hash": strings.Repeat("g", 64)}} {
		if a := serve(t, h, post(jsonString(map[string]any{"extensions": map[string]any{"persistedQuery": pq}}))); a.status != 400 || a.code() != CodeBadRequest {
			t.Errorf("persistedQuery %v: status %d code %q, want 400 BAD_REQUEST", pq, a.status, a.code())
		}
	}
}

func TestRateLimit(t *testing.T) {
	h := newTestHandler(t, nil, func(o *Options) {
		o.Rate, o.RateBurst = 1, 2
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	})
	from := func(addr string, header ...string) *http.Request {
		r := post(q(okQuery), header...)
		r.RemoteAddr = addr
		return r
	}
	for i := range 2 {
		if a := serve(t, h, from("198.51.100.1:1000")); a.status != 200 {
			t.Fatalf("request %d: status %d", i, a.status)
		}
	}
	a := serve(t, h, from("198.51.100.1:2000"))
	if a.status != 429 || a.code() != CodeThrottled || a.header.Get("Retry-After") != "1" {
		t.Fatalf("over the burst: status %d code %q Retry-After %q", a.status, a.code(), a.header.Get("Retry-After"))
	}
	if a := serve(t, h, from("198.51.100.2:1000")); a.status != 200 {
		t.Errorf("another client: status %d", a.status)
	}
	// IPv6 clients share a bucket per /64.
	serve(t, h, from("[2001:db8::1]:1"))
	serve(t, h, from("[2001:db8::2]:1"))
	if a := serve(t, h, from("[2001:db8::3]:1")); a.status != 429 {
		t.Errorf("third address of one /64: status %d", a.status)
	}
	// Loopback, here a trusted proxy, is limited like any client when it
	// forwards nobody; its X-Forwarded-For names the client.
	serve(t, h, from("127.0.0.1:1"))
	serve(t, h, from("127.0.0.1:1"))
	if a := serve(t, h, from("127.0.0.1:1")); a.status != 429 {
		t.Errorf("loopback, third request: status %d", a.status)
	}
	serve(t, h, from("127.0.0.1:1", "X-Forwarded-For", "203.0.113.9"))
	serve(t, h, from("127.0.0.1:1", "X-Forwarded-For", "198.51.100.7, 203.0.113.9"))
	if a := serve(t, h, from("[::1]:1", "X-Forwarded-For", "203.0.113.9")); a.status != 429 {
		t.Errorf("third request forwarded for one client: status %d", a.status)
	}
	if a := serve(t, h, from("127.0.0.1:1", "X-Forwarded-For", "203.0.113.10")); a.status != 200 {
		t.Errorf("forwarded for another client: status %d", a.status)
	}
	// A client's own X-Forwarded-For is not trusted.
	serve(t, h, from("198.51.100.3:1", "X-Forwarded-For", "203.0.113.20"))
	serve(t, h, from("198.51.100.3:1", "X-Forwarded-For", "203.0.113.21"))
	if a := serve(t, h, from("198.51.100.3:1", "X-Forwarded-For", "203.0.113.22")); a.status != 429 {
		t.Errorf("spoofed X-Forwarded-For escaped the limit: status %d", a.status)
	}
}

func TestCORS(t *testing.T) {
	h := newTestHandler(t, nil, func(o *Options) { o.CORSOrigins = []string{"https://app.example"} })
	with := func(r *http.Request, origin string) *http.Request {
		r.Header.Set("Origin", origin)
		return r
	}
	if a := serve(t, h, with(post(q(okQuery)), "https://app.example")); a.header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("allowed origin: ACAO %q", a.header.Get("Access-Control-Allow-Origin"))
	}
	if a := serve(t, h, with(post(q(okQuery)), "https://evil.example")); a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin: ACAO %q", a.header.Get("Access-Control-Allow-Origin"))
	}
	pre := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
	pre.Header.Set("Origin", "https://app.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "content-type")
	a := serve(t, h, pre)
	if a.status != 204 || a.header.Get("Access-Control-Allow-Methods") != "GET, POST" ||
		a.header.Get("Access-Control-Allow-Headers") != "content-type" || a.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight: status %d headers %v", a.status, a.header)
	}

	h = newTestHandler(t, nil, nil)
	if a := serve(t, h, with(post(q(okQuery)), "https://app.example")); a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("default: ACAO %q", a.header.Get("Access-Control-Allow-Origin"))
	}
	pre.Header.Set("Origin", "https://app.example")
	if a := serve(t, h, pre); a.status != 204 || a.header.Get("Access-Control-Allow-Origin") != "" || a.header.Get("Allow") == "" {
		t.Errorf("default preflight: status %d headers %v", a.status, a.header)
	}
	h = newTestHandler(t, nil, func(o *Options) { o.CORSOrigins = []string{"*"} })
	if a := serve(t, h, with(post(q(okQuery)), "https://any.example")); a.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("*: ACAO %q", a.header.Get("Access-Control-Allow-Origin"))
	}
}

func TestTooManyErrors(t *testing.T) {
	h := newTestHandler(t, nil, func(o *Options) { o.MaxErrors = 5; o.MaxAliases = 0 })
	var b strings.Builder
	b.WriteString("{")
	for i := range 30 {
		fmt.Fprintf(&b, " f%d: nope%d", i, i)
	}
	b.WriteString(" }")
	a := serve(t, h, post(q(b.String())))
	if len(a.Errors) != 6 {
		t.Fatalf("%d errors, want 5 and a summary", len(a.Errors))
	}
	if c, _ := a.Errors[5].Extensions["code"].(string); c != CodeTooManyErrors || !strings.HasPrefix(a.Errors[5].Message, "25 more") {
		t.Errorf("last error %+v", a.Errors[5])
	}
}

func TestNegotiate(t *testing.T) {
	tests := map[string]string{
		"":                                  "application/json",
		"application/json":                  "application/json",
		"*/*":                               "application/json",
		"application/*":                     "application/json",
		"text/html, */*;q=0.8":              "application/json",
		gr:                                  gr,
		gr + ", application/json":           gr,
		"application/json, " + gr + ";q=.5": "application/json",
		gr + ";q=0, application/json":       "application/json",
		"text/html":                         "",
		"application/json;q=0":              "",
		"APPLICATION/JSON; charset=utf-8":   "application/json",
		// The most specific range decides a type's quality (RFC 9110).
		"application/json;q=0, */*":               gr,
		"*/*;q=0.5, application/json;q=0.1":       gr,
		"application/json;q=0, application/*":     gr,
		gr + ";q=0, */*":                          "application/json",
		"*/*;q=0":                                 "",
		"application/*;q=0.2, " + gr + ";q=0.1":   "application/json",
		"application/json;q=0.5, " + gr + ";q=.5": gr,
	}
	for accept, want := range tests {
		if got := negotiate(accept); got != want {
			t.Errorf("negotiate(%q) = %q, want %q", accept, got, want)
		}
	}
}

func TestSizedLRU(t *testing.T) {
	c := newSizedLRU(100, func(k string, v string) int64 { return int64(len(k) + len(v)) })
	ctx := context.Background()
	c.Add(ctx, "a", strings.Repeat("x", 9)) // 10
	c.Add(ctx, "b", strings.Repeat("x", 9)) // 10
	c.Add(ctx, "big", strings.Repeat("x", 50))
	if _, ok := c.Get(ctx, "big"); ok {
		t.Errorf("an entry over an eighth of the budget was kept")
	}
	c.Get(ctx, "a")
	for i := range 9 {
		c.Add(ctx, fmt.Sprint("k", i), strings.Repeat("x", 8)) // 10 each
	}
	if n, w := c.stats(); w > 100 || n != 10 {
		t.Errorf("%d entries weighing %d", n, w)
	}
	if _, ok := c.Get(ctx, "b"); ok {
		t.Errorf("least recently used entry kept")
	}
	if _, ok := c.Get(ctx, "a"); !ok {
		t.Errorf("recently used entry evicted")
	}
}

// The handler answers on a closed body reader, too.
func TestBrokenBody(t *testing.T) {
	h := newTestHandler(t, nil, nil)
	r := httptest.NewRequest(http.MethodPost, "/graphql", io.NopCloser(errReader{}))
	r.Header.Set("Content-Type", "application/json")
	if a := serve(t, h, r); a.status != 400 || a.code() != CodeBadRequest {
		t.Errorf("status %d code %q", a.status, a.code())
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

// BenchmarkOverhead measures what graphhttp adds to a request (transport,
// limits, cost, response writing) over a schema whose execution is free.
func BenchmarkOverhead(b *testing.B) {
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return testSchema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			return graphql.OneShot(&graphql.Response{Data: []byte(`{"episodes":null}`)})
		},
	})
	o := Defaults()
	o.RateExempt = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} // a load test, as an operator would exempt it
	h := New(srv, o)
	body := []byte(q(`{ episodes(first: 20) { totalCount nodes { title guests { name episodes(first: 5) { nodes { title } } } show { title } } } }`))
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = "127.0.0.1:1234"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
