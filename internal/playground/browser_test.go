package playground_test

import (
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"podcastgraph/internal/playground"
)

// browserQuery is the default query of the page under test; the fake
// endpoint answers it.
const browserQuery = `# Guests of the podcast
{
  guests {
    totalCount
    nodes {
      name
      slug
    }
  }
}
`

// TestBrowser opens the page in headless Chromium with e2e/playground.mjs,
// against a fake GraphQL endpoint, and checks that GraphiQL runs the default
// query offline. It runs when PODCAST_E2E=1 (as ./test.sh sets it) and then
// fails if node, e2e/node_modules or Chromium is missing. Set
// PODCAST_E2E_SCREENSHOT to keep the screenshot at that path.
func TestBrowser(t *testing.T) {
	if os.Getenv("PODCAST_E2E") != "1" {
		t.Skip("browser check: set PODCAST_E2E=1 (./test.sh does) to run it")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("PODCAST_E2E=1 but node is not on PATH: install Node.js (>= 20) or run ./test.sh")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "e2e", "playground.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", "playwright-core")); err != nil {
		t.Fatal("PODCAST_E2E=1 but e2e/node_modules/playwright-core is missing: run `npm ci --prefix e2e` (./test.sh does)")
	}
	chromium := os.Getenv("PODCAST_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("PODCAST_E2E=1 but %s is missing: apt-get install chromium (./test.sh does) or set PODCAST_CHROMIUM", chromium)
	}

	fake := &fakeGraphQL{}
	mux := http.NewServeMux()
	mux.Handle("/graphql", fake)
	mux.Handle("/", playground.Handler(playground.Options{
		Title:        "Podcast graph",
		Endpoint:     "/graphql",
		DefaultQuery: browserQuery,
	}))
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	t.Cleanup(srv.Close)

	shot := os.Getenv("PODCAST_E2E_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "playground.png")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, srv.URL+"/", shot, "Avery Pennarun", "Mathias Buus")
	cmd.Env = append(os.Environ(), "PODCAST_CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("node e2e/playground.mjs %s/ %s:\n%s", srv.URL, shot, out)
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("browser check failed (exit %d); see its output above", exit.ExitCode())
		}
		t.Fatalf("browser check: %v", err)
	}

	if got := fake.queries(); len(got) == 0 || strings.TrimSpace(got[len(got)-1]) != strings.TrimSpace(browserQuery) {
		t.Errorf("endpoint got queries %q, want the default query last", got)
	}

	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	if cfg.Width != 1400 || cfg.Height < 900 {
		t.Errorf("screenshot is %dx%d, want 1400 wide and at least 900 high", cfg.Width, cfg.Height)
	}
}

// fakeGraphQL stands in for the real endpoint: it answers GraphiQL's
// introspection query with a small schema and any other query with two
// guests, and records the queries it ran.
type fakeGraphQL struct {
	mu  sync.Mutex
	ran []string
}

func (f *fakeGraphQL) queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ran...)
}

func (f *fakeGraphQL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var req struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var data any
	if strings.Contains(req.Query, "__schema") {
		data = introspection()
	} else {
		f.mu.Lock()
		f.ran = append(f.ran, req.Query)
		f.mu.Unlock()
		data = map[string]any{"guests": map[string]any{
			"totalCount": 2,
			"nodes": []any{
				map[string]any{"name": "Avery Pennarun", "slug": "avery-pennarun"},
				map[string]any{"name": "Mathias Buus", "slug": "mathias-buus"},
			},
		}}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"data": data})
}

// introspection returns the introspection result of
//
//	type Query { guests: GuestConnection! }
//	type GuestConnection { totalCount: Int!  nodes: [Guest!]! }
//	type Guest { name: String!  slug: String! }
func introspection() map[string]any {
	named := func(kind, name string) map[string]any {
		return map[string]any{"kind": kind, "name": name, "ofType": nil}
	}
	nonNull := func(of map[string]any) map[string]any {
		return map[string]any{"kind": "NON_NULL", "name": nil, "ofType": of}
	}
	list := func(of map[string]any) map[string]any {
		return map[string]any{"kind": "LIST", "name": nil, "ofType": of}
	}
	field := func(name string, typ map[string]any) map[string]any {
		return map[string]any{
			"name": name, "description": nil, "args": []any{}, "type": typ,
			"isDeprecated": false, "deprecationReason": nil,
		}
	}
	object := func(name string, fields ...any) map[string]any {
		return map[string]any{
			"kind": "OBJECT", "name": name, "description": nil, "fields": fields,
			"inputFields": nil, "interfaces": []any{}, "enumValues": nil, "possibleTypes": nil,
		}
	}
	scalar := func(name string) map[string]any {
		return map[string]any{
			"kind": "SCALAR", "name": name, "description": nil, "specifiedByURL": nil, "fields": nil,
			"inputFields": nil, "interfaces": nil, "enumValues": nil, "possibleTypes": nil,
		}
	}
	return map[string]any{"__schema": map[string]any{
		"description":      nil,
		"queryType":        map[string]any{"name": "Query"},
		"mutationType":     nil,
		"subscriptionType": nil,
		"directives":       []any{},
		"types": []any{
			object("Query", field("guests", nonNull(named("OBJECT", "GuestConnection")))),
			object("GuestConnection",
				field("totalCount", nonNull(named("SCALAR", "Int"))),
				field("nodes", nonNull(list(nonNull(named("OBJECT", "Guest"))))),
			),
			object("Guest",
				field("name", nonNull(named("SCALAR", "String"))),
				field("slug", nonNull(named("SCALAR", "String"))),
			),
			scalar("String"),
			scalar("Int"),
			scalar("Boolean"),
		},
	}}
}
