package graphhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestAcceptEncoding(t *testing.T) {
	for _, tc := range []struct {
		name, header     string
		first, repeated  string // coding picked for an answer executed, and served again
		allowedBrAndGzip bool
	}{
		{"none", "", "", "", false},
		{"gzip", "gzip", "gzip", "gzip", false},
		{"x-gzip", "x-gzip", "gzip", "gzip", false},
		{"br only", "br", "br", "br", false},
		{"browser", "gzip, deflate, br, zstd", "gzip", "br", true},
		{"br preferred by q", "gzip;q=0.5, br", "br", "br", true},
		{"gzip preferred by q", "gzip, br;q=0.5", "gzip", "gzip", true},
		{"case and spaces", " GZip ;Q=0.5 , BR ; q=0.4", "gzip", "gzip", true},
		{"gzip refused", "gzip;q=0, br;q=0", "", "", false},
		{"refused with zeros", "gzip;q=0.000", "", "", false},
		{"star", "*", "gzip", "br", true},
		{"star refused", "*;q=0", "", "", false},
		{"gzip refused beats star", "gzip;q=0, *", "br", "br", false},
		{"identity preferred", "gzip;q=0.5, identity", "", "", false},
		{"identity tie", "gzip, identity", "gzip", "gzip", false},
		{"unreadable q", "gzip;q=high", "", "", false},
		{"unknown coding", "compress, deflate", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var values []string
			if tc.header != "" {
				values = []string{tc.header}
			}
			c := acceptEncoding(values)
			if got := c.pick(false); got != tc.first {
				t.Errorf("executed answer: %q, want %q", got, tc.first)
			}
			if got := c.pick(true); got != tc.repeated {
				t.Errorf("repeated answer: %q, want %q", got, tc.repeated)
			}
			if both := len(c.allowed()) == 2; both != tc.allowedBrAndGzip {
				t.Errorf("allowed %v", c.allowed())
			}
		})
	}
}

// largeData is the data of every answer of newLargeHandler: 4 KB of JSON.
var largeData = []byte(`{"episodes":[` + strings.Repeat(`{"title":"an episode with a long title"},`, 99) + `{"title":"the last"}]}`)

// compressions counts what a handler compressed, by coding.
type compressions struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *compressions) told(coding string, before, after int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[coding]++
}

func (c *compressions) count(coding string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[coding]
}

// newLargeHandler serves testSchema; every operation answers largeData, or
// tiny data for a query naming __typename. executed counts executions.
func newLargeHandler(t testing.TB, gen *atomic.Uint64, executed *atomic.Int64, comp *compressions, configure func(*Options)) http.Handler {
	t.Helper()
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return testSchema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			if executed != nil {
				executed.Add(1)
			}
			if strings.Contains(graphql.GetOperationContext(ctx).RawQuery, "__typename") {
				return graphql.OneShot(&graphql.Response{Data: []byte(`{"__typename":"Query"}`)})
			}
			return graphql.OneShot(&graphql.Response{Data: largeData})
		},
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) { return 0, false },
	})
	o := Defaults()
	o.Rate, o.CostRate = 0, 0
	if gen != nil {
		o.Generation = func() (uint64, error) { return gen.Load(), nil }
	}
	if comp != nil {
		o.Compressed = comp.told
	}
	if configure != nil {
		configure(&o)
	}
	return New(srv, o)
}

// decoded returns an answer's body without its content coding; it fails
// the test when the body does not decode or Content-Length is wrong.
func decoded(t *testing.T, w *httptest.ResponseRecorder) []byte {
	t.Helper()
	body := w.Body.Bytes()
	if cl := w.Header().Get("Content-Length"); cl != "" && cl != itoa(len(body)) {
		t.Fatalf("Content-Length %s, body %d bytes", cl, len(body))
	}
	var r io.Reader
	switch ce := w.Header().Get("Content-Encoding"); ce {
	case "":
		return body
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	default:
		t.Fatalf("Content-Encoding %q", ce)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", w.Header().Get("Content-Encoding"), err)
	}
	return out
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func record(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func varies(h http.Header, name string) bool {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return true
			}
		}
	}
	return false
}

// Answers are compressed as Accept-Encoding asks, with the same content
// once decoded; tiny answers and answers with errors go as they are; every
// answer says it varies with Accept-Encoding.
func TestCompressedAnswers(t *testing.T) {
	for _, cache := range []bool{false, true} {
		name := "executed"
		if cache {
			name = "cached"
		}
		t.Run(name, func(t *testing.T) {
			var gen atomic.Uint64
			h := newLargeHandler(t, &gen, nil, nil, func(o *Options) {
				if !cache {
					o.ResponseCacheBytes = 0
				}
			})
			identity := record(h, post(q(okQuery)))
			if identity.Code != 200 || identity.Header().Get("Content-Encoding") != "" || !varies(identity.Header(), "Accept-Encoding") {
				t.Fatalf("no Accept-Encoding: status %d, Content-Encoding %q, Vary %q", identity.Code, identity.Header().Get("Content-Encoding"), identity.Header().Values("Vary"))
			}
			want := decoded(t, identity)
			if !bytes.Contains(want, largeData) {
				t.Fatalf("identity body %.100q", want)
			}
			for _, tc := range []struct{ accept, coding string }{
				{"gzip", "gzip"},
				{"br", "br"},
				{"gzip;q=0.5, br", "br"},
				{"gzip;q=0, br;q=0", ""},
				{"*;q=0", ""},
				{"identity", ""},
			} {
				w := record(h, post(q(okQuery), "Accept-Encoding", tc.accept))
				if ce := w.Header().Get("Content-Encoding"); w.Code != 200 || ce != tc.coding {
					t.Errorf("Accept-Encoding %q: status %d, Content-Encoding %q, want %q", tc.accept, w.Code, ce, tc.coding)
					continue
				}
				if tc.coding != "" && w.Body.Len() >= len(want)/2 {
					t.Errorf("Accept-Encoding %q: %d bytes for %d", tc.accept, w.Body.Len(), len(want))
				}
				if got := decoded(t, w); !bytes.Equal(got, want) {
					t.Errorf("Accept-Encoding %q: decoded body differs:\n%.200q\n%.200q", tc.accept, got, want)
				}
				if !varies(w.Header(), "Accept-Encoding") {
					t.Errorf("Accept-Encoding %q: Vary %q", tc.accept, w.Header().Values("Vary"))
				}
			}
			tiny := record(h, post(q(`{ __typename }`), "Accept-Encoding", "gzip, br"))
			if tiny.Header().Get("Content-Encoding") != "" || !varies(tiny.Header(), "Accept-Encoding") || !strings.Contains(tiny.Body.String(), "Query") {
				t.Errorf("tiny answer: Content-Encoding %q, Vary %q, body %q", tiny.Header().Get("Content-Encoding"), tiny.Header().Values("Vary"), tiny.Body)
			}
			bad := record(h, post(q(`{ nope `+strings.Repeat(`nope `, 400)+`}`), "Accept-Encoding", "gzip"))
			if bad.Header().Get("Content-Encoding") != "" || !strings.Contains(bad.Body.String(), `"errors"`) {
				t.Errorf("error answer: Content-Encoding %q, body %.100q", bad.Header().Get("Content-Encoding"), bad.Body)
			}
		})
	}
}

// Each coding of a GET answer has its own ETag; a 304 is sent for the
// representation the client holds, if it still accepts its coding; HEAD
// sends the headers of the GET, the coded length included.
func TestCompressedETags(t *testing.T) {
	var gen atomic.Uint64
	gen.Store(3)
	h := newLargeHandler(t, &gen, nil, nil, nil)
	params := url.Values{"query": {okQuery}}
	tags := map[string]string{}
	for _, coding := range []string{"", "gzip", "br"} {
		w := record(h, get(params, "Accept-Encoding", coding))
		if w.Code != 200 || w.Header().Get("Content-Encoding") != coding || !varies(w.Header(), "Accept-Encoding") {
			t.Fatalf("GET in %q: status %d, Content-Encoding %q, Vary %q", coding, w.Code, w.Header().Get("Content-Encoding"), w.Header().Values("Vary"))
		}
		tags[coding] = w.Header().Get("ETag")
		if again := record(h, get(params, "Accept-Encoding", coding)); again.Header().Get("ETag") != tags[coding] {
			t.Errorf("in %q: ETag %q then %q", coding, tags[coding], again.Header().Get("ETag"))
		}
	}
	if tags[""] == tags["gzip"] || tags[""] == tags["br"] || tags["gzip"] == tags["br"] || !strings.HasPrefix(tags["gzip"], `W/"3-`) {
		t.Fatalf("ETags %q", tags)
	}
	for _, tc := range []struct {
		name, accept, inm string
		status            int
		etag              string
	}{
		{"gzip held, gzip accepted", "gzip", tags["gzip"], 304, tags["gzip"]},
		{"gzip held, strong form", "gzip, br", strings.TrimPrefix(tags["gzip"], "W/"), 304, tags["gzip"]},
		{"br held, br accepted", "gzip, br", tags["br"], 304, tags["br"]},
		{"identity held, gzip accepted", "gzip", tags[""], 304, tags[""]},
		{"gzip held, no longer accepted", "", tags["gzip"], 200, tags[""]},
		{"br held, only gzip accepted", "gzip", tags["br"], 200, tags["gzip"]},
		{"several held", "br", tags["gzip"] + ", " + tags["br"], 304, tags["br"]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := record(h, get(params, "Accept-Encoding", tc.accept, "If-None-Match", tc.inm))
			if w.Code != tc.status || w.Header().Get("ETag") != tc.etag || !varies(w.Header(), "Accept-Encoding") {
				t.Errorf("status %d ETag %q Vary %q, want %d %q", w.Code, w.Header().Get("ETag"), w.Header().Values("Vary"), tc.status, tc.etag)
			}
			if tc.status == 304 && w.Body.Len() != 0 {
				t.Errorf("304 with a body of %d bytes", w.Body.Len())
			}
		})
	}
	gz := record(h, get(params, "Accept-Encoding", "gzip"))
	hr := get(params, "Accept-Encoding", "gzip")
	hr.Method = http.MethodHead
	head := record(h, hr)
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Encoding") != "gzip" ||
		head.Header().Get("Content-Length") != itoa(gz.Body.Len()) || head.Header().Get("ETag") != tags["gzip"] {
		t.Errorf("HEAD: status %d, %d bytes, Content-Encoding %q, Content-Length %q (GET sends %d), ETag %q",
			head.Code, head.Body.Len(), head.Header().Get("Content-Encoding"), head.Header().Get("Content-Length"), gz.Body.Len(), head.Header().Get("ETag"))
	}
	gen.Store(4)
	if w := record(h, get(params, "Accept-Encoding", "gzip", "If-None-Match", tags["gzip"])); w.Code != 200 || w.Header().Get("ETag") == tags["gzip"] {
		t.Errorf("after a store change: status %d ETag %q", w.Code, w.Header().Get("ETag"))
	}
}

// The response cache keeps each coding's bytes once made: a repeated
// answer is neither executed nor compressed again. Brotli is made for an
// answer served again, gzip for one just executed.
func TestCompressedBytesCached(t *testing.T) {
	var gen atomic.Uint64
	var executed atomic.Int64
	var comp compressions
	h := newLargeHandler(t, &gen, &executed, &comp, nil)
	var want []byte
	for i, tc := range []struct {
		accept, coding string
		gzip, br       int // compressions so far
	}{
		{"gzip, br", "gzip", 1, 0}, // executed: the cheap coding
		{"gzip", "gzip", 1, 0},
		{"gzip, br", "br", 1, 1}, // served again: brotli pays
		{"gzip, br", "br", 1, 1},
		{"br", "br", 1, 1},
		{"gzip", "gzip", 1, 1},
		{"", "", 1, 1},
	} {
		w := record(h, post(q(okQuery), "Accept-Encoding", tc.accept))
		if w.Header().Get("Content-Encoding") != tc.coding || comp.count("gzip") != tc.gzip || comp.count("br") != tc.br {
			t.Fatalf("request %d (%q): Content-Encoding %q, compressed gzip %d br %d times; want %q, %d, %d",
				i, tc.accept, w.Header().Get("Content-Encoding"), comp.count("gzip"), comp.count("br"), tc.coding, tc.gzip, tc.br)
		}
		got := decoded(t, w)
		if want == nil {
			want = got
		} else if !bytes.Equal(got, want) {
			t.Fatalf("request %d: decoded body differs", i)
		}
	}
	if executed.Load() != 1 {
		t.Errorf("executed %d times", executed.Load())
	}
	gen.Store(1) // new data: a new answer, compressed anew
	if w := record(h, post(q(okQuery), "Accept-Encoding", "gzip")); w.Header().Get("Content-Encoding") != "gzip" || comp.count("gzip") != 2 || executed.Load() != 2 {
		t.Errorf("after a store change: Content-Encoding %q, gzip %d, executed %d", w.Header().Get("Content-Encoding"), comp.count("gzip"), executed.Load())
	}
}

// A body that carries the client's budget is made for that request: it is
// compressed each time, from the budget left then, and never kept.
func TestCompressedBudget(t *testing.T) {
	var gen atomic.Uint64
	var comp compressions
	h := newLargeHandler(t, &gen, nil, &comp, func(o *Options) {
		o.CostRate, o.CostBurst, o.MaxCost = 0.001, 100, 100
	})
	left := func(w *httptest.ResponseRecorder) any {
		var a answer
		if err := json.Unmarshal(decoded(t, w), &a); err != nil {
			t.Fatal(err)
		}
		return throttle(&a)["currentlyAvailable"]
	}
	var seen []any
	for i := range 3 {
		r := post(q(okQuery), "Accept-Encoding", "gzip, br")
		r.RemoteAddr = "198.51.100.7:1"
		w := record(h, r)
		if w.Code != 200 || w.Header().Get("Content-Encoding") == "" {
			t.Fatalf("request %d: status %d Content-Encoding %q", i, w.Code, w.Header().Get("Content-Encoding"))
		}
		seen = append(seen, left(w))
	}
	if seen[0] != 99.0 || seen[1] != 98.0 || seen[2] != 97.0 {
		t.Errorf("budget left in the bodies: %v, want 99 98 97", seen)
	}
	if n := comp.count("gzip") + comp.count("br"); n != 3 {
		t.Errorf("%d compressions for 3 personal answers", n)
	}
}

// BenchmarkCachedAnswer measures a repeated request answered from the
// response cache (the 4 KB answer of newLargeHandler), as it is and
// gzipped: what the endpoint does around the bytes it sends.
func BenchmarkCachedAnswer(b *testing.B) {
	for _, accept := range []string{"", "gzip"} {
		b.Run("accept="+accept, func(b *testing.B) {
			var gen atomic.Uint64
			h := newLargeHandler(b, &gen, nil, nil, func(o *Options) {
				o.RateExempt = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
			})
			body := []byte(q(okQuery))
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				if accept != "" {
					r.Header.Set("Accept-Encoding", accept)
				}
				r.RemoteAddr = "127.0.0.1:1234"
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatal(w.Code, w.Body.String())
				}
			}
		})
	}
}

// Prepare gives a request that executes its context, and ends it once the
// answer is written; answers from the response cache and 304s skip it.
func TestPrepareOnlyWhenExecuting(t *testing.T) {
	type key struct{}
	var gen atomic.Uint64
	var prepared, ended atomic.Int64
	var sawValue atomic.Bool
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return testSchema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			sawValue.Store(ctx.Value(key{}) != nil)
			return graphql.OneShot(&graphql.Response{Data: []byte(`{"episode":null}`)})
		},
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) { return 0, false },
	})
	o := Defaults()
	o.Rate, o.CostRate = 0, 0
	o.Generation = func() (uint64, error) { return gen.Load(), nil }
	o.Prepare = func(ctx context.Context) (context.Context, func()) {
		prepared.Add(1)
		return context.WithValue(ctx, key{}, true), func() { ended.Add(1) }
	}
	h := New(srv, o)
	for i := range 2 {
		if w := record(h, post(q(okQuery))); w.Code != 200 || prepared.Load() != 1 || ended.Load() != 1 || !sawValue.Load() {
			t.Fatalf("request %d: status %d, prepared %d, ended %d, executed with the context: %t", i, w.Code, prepared.Load(), ended.Load(), sawValue.Load())
		}
	}
	params := url.Values{"query": {okQuery}}
	etag := record(h, get(params)).Header().Get("ETag")
	if w := record(h, get(params, "If-None-Match", etag)); w.Code != 304 || prepared.Load() != 2 {
		t.Errorf("304: status %d, prepared %d times in all", w.Code, prepared.Load())
	}
}
