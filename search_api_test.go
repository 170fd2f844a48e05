package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/store"
)

type searchAnswer struct {
	Search struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   string
		}
		Facets struct {
			Kinds, Shows, Years, Topics []struct {
				Value string
				Count int
			}
		}
		Edges []struct {
			Cursor     string
			Score      float64
			Typos      int
			Highlights []struct{ Field, Snippet, Text string }
			Node       struct {
				Typename string `json:"__typename"`
				Code     string
				Title    string
				Name     string
				Slug     string
			}
		}
	}
}

const searchQuery = `query($q: String!, $first: Int, $after: String, $kinds: [SearchKind!], $filter: SearchFilter) {
  search(query: $q, first: $first, after: $after, kinds: $kinds, filter: $filter) {
    totalCount
    pageInfo { hasNextPage endCursor }
    facets { kinds { value count } shows { value count } years { value count } topics(first: 100) { value count } }
    edges { cursor score typos highlights { field snippet text }
      node { __typename ... on Episode { code title } ... on Guest { name slug } ... on Topic { name slug } ... on Show { showTitle: title slug } } }
  }
}`

func (s *testServer) search(t *testing.T, q string, vars map[string]any) searchAnswer {
	t.Helper()
	v := map[string]any{"q": q}
	for k, x := range vars {
		v[k] = x
	}
	var a searchAnswer
	s.query(t, searchQuery, v).must(t, &a)
	return a
}

func codes(a searchAnswer) []string {
	var out []string
	for _, e := range a.Search.Edges {
		out = append(out, e.Node.Code+e.Node.Slug)
	}
	return out
}

func ingestDocs(t *testing.T, url string, docs map[string][]byte) {
	t.Helper()
	var list []map[string]string
	for name, data := range docs {
		list = append(list, map[string]string{"name": name, "data": base64.StdEncoding.EncodeToString(data)})
	}
	body, _ := json.Marshal(map[string]any{"documents": list})
	req, _ := http.NewRequest(http.MethodPost, url+"/admin/ingest", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("admin ingest: %s", resp.Status)
	}
}

func TestSearchAPI(t *testing.T) {
	s := startServer(t, "--admin-token", testAdminToken, "--rate-exempt", "127.0.0.1")

	// Ranking, by hand: the episode with Tailscale in its title comes
	// first, its title highlighted.
	a := s.search(t, "tailscale", nil)
	if a.Search.TotalCount == 0 || a.Search.Edges[0].Node.Code != "DOP 316" {
		t.Fatalf("tailscale: %v", codes(a))
	}
	top := a.Search.Edges[0]
	if !slices.ContainsFunc(top.Highlights, func(h struct{ Field, Snippet, Text string }) bool {
		return h.Field == "title" && strings.Contains(h.Snippet, "<mark>Tailscale</mark>")
	}) {
		t.Errorf("no title highlight: %+v", top.Highlights)
	}
	// A typo finds the same, and says so.
	b := s.search(t, "tailscael", nil)
	if len(b.Search.Edges) == 0 || b.Search.Edges[0].Node.Code != "DOP 316" || b.Search.Edges[0].Typos != 1 {
		t.Errorf("tailscael: %v", codes(b))
	}
	// As you type: the last word is a prefix.
	if c := s.search(t, "tailsc", nil); len(c.Search.Edges) == 0 || c.Search.Edges[0].Node.Code != "DOP 316" {
		t.Errorf("tailsc: %v", codes(c))
	}
	// A phrase, and the same words out of order.
	if c := s.search(t, `"original internet vision"`, nil); !slices.Contains(codes(c), "DOP 316") {
		t.Errorf("phrase: %v", codes(c))
	}
	if c := s.search(t, `"vision internet original"`, nil); slices.Contains(codes(c), "DOP 316") {
		t.Errorf("phrase out of order matched: %v", codes(c))
	}
	// Exclusion takes away exactly what says the word.
	all := s.search(t, "dns", map[string]any{"first": 100})
	without := s.search(t, "dns -tailscale", map[string]any{"first": 100})
	if slices.Contains(codes(without), "DOP 316") || without.Search.TotalCount >= all.Search.TotalCount {
		t.Errorf("dns %v, dns -tailscale %v", codes(all), codes(without))
	}
	// Facets count the whole result set: kinds sum to the total, shows
	// to the episodes and shows, years to the dated episodes.
	sum := func(l []struct {
		Value string
		Count int
	}) (n int) {
		for _, v := range l {
			n += v.Count
		}
		return n
	}
	f := s.search(t, "the", map[string]any{"first": 1})
	if f.Search.TotalCount < 3 || sum(f.Search.Facets.Kinds) != f.Search.TotalCount {
		t.Errorf("kinds %+v, total %d", f.Search.Facets.Kinds, f.Search.TotalCount)
	}
	episodes := 0
	for _, k := range f.Search.Facets.Kinds {
		if k.Value == "EPISODE" || k.Value == "SHOW" {
			episodes += k.Count
		}
	}
	if sum(f.Search.Facets.Shows) != episodes || sum(f.Search.Facets.Years) == 0 {
		t.Errorf("shows %+v years %+v, episodes and shows %d", f.Search.Facets.Shows, f.Search.Facets.Years, episodes)
	}
	// Pages follow one another without gaps or repeats.
	whole := s.search(t, "the", map[string]any{"first": 6})
	var paged []string
	after := any(nil)
	for range 3 {
		p := s.search(t, "the", map[string]any{"first": 2, "after": after})
		paged = append(paged, codes(p)...)
		after = p.Search.PageInfo.EndCursor
	}
	if !slices.Equal(paged, codes(whole)) {
		t.Errorf("paged %v, whole %v", paged, codes(whole))
	}
	// Filters combine with the query.
	k := s.search(t, "the", map[string]any{"kinds": []string{"EPISODE"}, "filter": map[string]any{"releasedAfter": "2025-09-01"}})
	for _, e := range k.Search.Edges {
		if e.Node.Typename != "Episode" {
			t.Errorf("kind filter let through %s", e.Node.Typename)
		}
	}
	if k.Search.TotalCount == 0 || k.Search.TotalCount >= f.Search.TotalCount {
		t.Errorf("date filter: %d of %d", k.Search.TotalCount, f.Search.TotalCount)
	}
	// Suggest: as-you-type over names and titles.
	var sg struct {
		Suggest []struct {
			Kind, Text string
			Node       struct {
				Typename string `json:"__typename"`
			}
		}
	}
	s.query(t, `{ suggest(prefix: "tailsc", first: 5) { kind text node { __typename } } }`, nil).must(t, &sg)
	if len(sg.Suggest) == 0 || !strings.Contains(sg.Suggest[0].Text, "Tailscale") {
		t.Errorf("suggest: %+v", sg.Suggest)
	}

	// A changed page: its old title is gone from the index and the new
	// one is searchable as soon as the ingest is acknowledged.
	seed, err := os.ReadFile(filepath.Join("seeds", "000_3500f07eabefc183.txt"))
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Replace(seed, []byte("Bringing Back the Original Internet Vision Using Tailscale"), []byte("Zanzibarquux Flamingo Hour"), 1)
	ingestDocs(t, s.URL, map[string][]byte{"000_3500f07eabefc183.txt": changed})
	if c := s.search(t, "zanzibarquux", nil); !slices.Equal(codes(c), []string{"DOP 316"}) {
		t.Errorf("new title not found at once: %v", codes(c))
	}
	if c := s.search(t, `"original internet vision"`, nil); slices.Contains(codes(c), "DOP 316") {
		t.Errorf("old title still found: %v", codes(c))
	}
}

func TestSearchBadInput(t *testing.T) {
	s := startServer(t, "--rate-exempt", "127.0.0.1")
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		arg         string // "" means a sensible answer
	}{
		{"empty", searchQuery, map[string]any{"q": ""}, "query"},
		{"spaces", searchQuery, map[string]any{"q": "   \t "}, "query"},
		{"only operators", searchQuery, map[string]any{"q": `"" - -- "`}, "query"},
		{"10,000 characters", searchQuery, map[string]any{"q": strings.Repeat("kubernetes ", 910)}, "query"},
		{"control characters", searchQuery, map[string]any{"q": "\x00\x07\x1b"}, "query"},
		{"first too big", searchQuery, map[string]any{"q": "dns", "first": 101}, "first"},
		{"bad cursor", searchQuery, map[string]any{"q": "dns", "after": "bm90IGEgY3Vyc29y"}, "after"},
		{"suggest empty", `query($p: String!) { suggest(prefix: $p) { text } }`, map[string]any{"p": " "}, "prefix"},
		{"facet first", `{ search(query: "dns") { facets { shows(first: -1) { value } } } }`, nil, "first"},
		{"empty filter slug", searchQuery, map[string]any{"q": "dns", "filter": map[string]any{"guest": ""}}, "filter"},
		{"unbalanced quote", searchQuery, map[string]any{"q": `"original internet`}, ""},
		{"only stop words", searchQuery, map[string]any{"q": "the of and"}, ""},
		{"control inside words", searchQuery, map[string]any{"q": "dns\x00tailscale"}, ""},
		{"scripts", searchQuery, map[string]any{"q": "Ελληνικά русский العربية עברית हिन्दी 日本語 한국어 ไทย 🙂 ünïcödé"}, ""},
		{"suggest scripts", `query($p: String!) { suggest(prefix: $p) { text } }`, map[string]any{"p": "日本"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.query(t, tc.query, tc.vars)
			if r.status >= 500 {
				t.Fatalf("status %d", r.status)
			}
			if tc.arg == "" {
				if len(r.Errors) > 0 {
					t.Fatalf("errors: %+v", r.Errors)
				}
				return
			}
			if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, `"`+tc.arg+`"`) {
				t.Fatalf("want BAD_USER_INPUT naming %s, got %+v", tc.arg, r.Errors)
			}
		})
	}
	// Searches are priced like any other field.
	r := s.query(t, `{ search(query: "dns", first: 100) { edges { node { ... on Episode { guests { name } } } } } }`, nil)
	if cost, _ := r.Extensions["cost"].(map[string]any); cost == nil || cost["requestedQueryCost"].(float64) < 100 {
		t.Errorf("cost: %+v", r.Extensions)
	}
}

var searchReadyRE = regexp.MustCompile(`search index ready" loaded=(\w+) rebuilt=(\w+) replayed=(\d+)`)

// startInfo returns how the server's index came up: loaded, rebuilt, replayed.
func startInfo(t *testing.T, logs string) []string {
	t.Helper()
	m := searchReadyRE.FindStringSubmatch(logs)
	if m == nil {
		t.Fatalf("no 'search index ready' line in:\n%s", logs)
	}
	return m[1:]
}

func TestSearchIndexRestartAndRepair(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a process")
	}
	db := filepath.Join(t.TempDir(), "search.db")
	// First start: the index is built from the (seeded) store.
	s := startServerOn(t, db, "--seeds", "seeds", "--admin-token", testAdminToken)
	pages := map[string][]byte{}
	for i := range 30 {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 2, Seed: 11})
		pages[name] = data
	}
	ingestDocs(t, s.URL, pages)
	before := s.search(t, "the", map[string]any{"first": 100})
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	// A clean restart reads the saved index: no rebuild, nothing to replay.
	s = startServerOn(t, db, "--seeds", "seeds")
	if got := startInfo(t, s.logs.String()); !slices.Equal(got, []string{"true", "false", "0"}) {
		t.Errorf("restart: loaded, rebuilt, replayed = %v", got)
	}
	if after := s.search(t, "the", map[string]any{"first": 100}); !slices.Equal(codes(after), codes(before)) || after.Search.TotalCount != before.Search.TotalCount {
		t.Errorf("after restart %d hits, before %d", after.Search.TotalCount, before.Search.TotalCount)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	// The gap a crash leaves: the store commits a write the index never
	// sees (written here with no server running).
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	vocab := ingest.DefaultVocabulary()
	page := []byte(strings.Replace(string(pages["gen_000003.txt"]), "\n", " Quetzalcoatlus\n", 1))
	doc, err := ingest.Parse("gen_000003.txt", page, vocab)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(context.Background(), []*ingest.Document{doc}, store.ApplyOptions{Fingerprint: vocab.Fingerprint()}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	s = startServerOn(t, db, "--seeds", "seeds")
	if got := startInfo(t, s.logs.String()); !slices.Equal(got, []string{"true", "false", "1"}) {
		t.Errorf("repair: loaded, rebuilt, replayed = %v", got)
	}
	if c := s.search(t, "quetzalcoatlus", nil); c.Search.TotalCount != 1 {
		t.Errorf("the write the index missed is not found: %v", codes(c))
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	// A real kill: pages acknowledged by a server killed before it saved
	// its index are searchable after a restart, from the journal.
	cmd := child(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--seeds", "seeds", "--admin-token", testAdminToken)
	url := startChild(t, cmd)
	name, data := pagegen.Page(40, pagegen.Options{Shows: 2, Seed: 11})
	ingestDocs(t, url, map[string][]byte{name: []byte(strings.Replace(string(data), "\n", " Archaeopteryx\n", 1))})
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	s = startServerOn(t, db, "--seeds", "seeds")
	if got := startInfo(t, s.logs.String()); got[1] != "false" || got[2] == "0" {
		t.Errorf("after kill: loaded, rebuilt, replayed = %v", got)
	}
	if c := s.search(t, "archaeopteryx", nil); c.Search.TotalCount != 1 {
		t.Errorf("a page acknowledged before the kill is not found: %v", codes(c))
	}
}

// TestSearchFacetsAsSelected checks that a search counts the facets its
// selection asks for, however it asks (a fragment, aliases, a variable
// `first`, one facet alone), with the values a selection of every facet
// gets: the search leaves out the facets nobody selected, so this is
// where a wrong reading of the selection would show.
func TestSearchFacetsAsSelected(t *testing.T) {
	s := startServer(t, "--rate-exempt", "127.0.0.1")
	type values = []struct {
		Value string
		Count int
	}
	var all struct {
		Search struct {
			Facets struct{ Kinds, Shows, Topics, Guests, Years values }
		}
	}
	s.query(t, `{ search(query: "the") { facets { kinds { value count } shows(first: 100) { value count }
	  topics(first: 100) { value count } guests(first: 100) { value count } years(first: 100) { value count } } } }`, nil).must(t, &all)
	f := all.Search.Facets
	if len(f.Kinds) == 0 || len(f.Shows) == 0 || len(f.Topics) < 3 || len(f.Guests) < 3 || len(f.Years) == 0 {
		t.Fatalf("facets of everything: %+v", f)
	}

	var some struct {
		Search struct {
			Facets struct {
				Guests, Few, Many values
			}
			More struct{ Facets struct{ Years values } }
		}
	}
	s.query(t, `query($n: Int) { search(query: "the") { ...f } }
	fragment f on SearchConnection { facets { guests(first: $n) { value count } few: topics(first: 2) { value count } many: topics(first: 100) { value count } } }`,
		map[string]any{"n": 3}).must(t, &some)
	if !reflect.DeepEqual(some.Search.Facets.Guests, f.Guests[:3]) {
		t.Errorf("guests through a fragment, first from a variable: %+v, want %+v", some.Search.Facets.Guests, f.Guests[:3])
	}
	if !reflect.DeepEqual(some.Search.Facets.Few, f.Topics[:2]) || !reflect.DeepEqual(some.Search.Facets.Many, f.Topics) {
		t.Errorf("aliased topics: %+v and %+v, want %+v", some.Search.Facets.Few, some.Search.Facets.Many, f.Topics)
	}

	var one struct {
		Search struct{ Facets struct{ Years, Kinds values } }
	}
	s.query(t, `{ search(query: "the") { facets { years { value count } } } }`, nil).must(t, &one)
	if !reflect.DeepEqual(one.Search.Facets.Years, f.Years[:min(len(f.Years), 20)]) {
		t.Errorf("years alone: %+v, want %+v", one.Search.Facets.Years, f.Years)
	}
	s.query(t, `{ search(query: "the") { facets { kinds { value count } } } }`, nil).must(t, &one)
	if !reflect.DeepEqual(one.Search.Facets.Kinds, f.Kinds) {
		t.Errorf("kinds alone: %+v, want %+v", one.Search.Facets.Kinds, f.Kinds)
	}
}

// TestStartupIngestSearchableWhenReady: a start-up ingest of more pages
// than a batch is indexed once it is done (the index does not follow it
// batch by batch), and every page it ingested is searchable once the
// server is ready: the first page's episode and the last's. (A search
// waits for the index to reach its snapshot anyway; the server waits for
// it before it says it is ready, so that the first search does not.)
func TestStartupIngestSearchableWhenReady(t *testing.T) {
	dir := t.TempDir()
	const n = 150
	for i := range n {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 9})
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := startServerOn(t, filepath.Join(t.TempDir(), "p.db"), "--seeds", dir, "--batch", "16")
	var eps struct {
		First, Last struct {
			TotalCount int
			Nodes      []struct{ Code, Title string }
		}
	}
	s.query(t, `{ first: episodes(first: 1, orderBy: {field: NUMBER, direction: ASC}) { totalCount nodes { code title } }
		last: episodes(first: 1, orderBy: {field: NUMBER, direction: DESC}) { totalCount nodes { code title } } }`, nil).must(t, &eps)
	if eps.First.TotalCount != n || len(eps.First.Nodes) != 1 || len(eps.Last.Nodes) != 1 {
		t.Fatalf("episodes when ready: %+v", eps)
	}
	for _, e := range []struct{ Code, Title string }{eps.First.Nodes[0], eps.Last.Nodes[0]} {
		a := s.search(t, `"`+e.Title+`"`, map[string]any{"first": 100, "kinds": []string{"EPISODE"}})
		if !slices.Contains(codes(a), e.Code) {
			t.Errorf("when ready, searching %q does not find %s: %v", e.Title, e.Code, codes(a))
		}
	}
}

// TestSearchCacheFlag: --search-cache 0 (nothing kept between searches)
// and a small budget answer every search as the default does, scores
// and highlights included, through the real server.
func TestSearchCacheFlag(t *testing.T) {
	dir := t.TempDir()
	for i := range 300 {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 2, Seed: 4})
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	answers := func(args ...string) []searchAnswer {
		s := startServerOn(t, filepath.Join(t.TempDir(), "p.db"), append([]string{"--seeds", dir}, args...)...)
		var out []searchAnswer
		for _, q := range []string{"the", "kubernetes observability", `"platform engineering"`, "kubernets"} {
			out = append(out, s.search(t, q, map[string]any{"first": 20}))
		}
		return out
	}
	want := answers()
	if want[0].Search.TotalCount < 256 {
		t.Fatalf("%d hits for the commonest word: too few for any list to be kept", want[0].Search.TotalCount)
	}
	for _, args := range [][]string{{"--search-cache", "0"}, {"--search-cache", "4096"}} {
		if got := answers(args...); !reflect.DeepEqual(got, want) {
			t.Errorf("%v: answers differ from the default's:\n%+v\nwant\n%+v", args, got, want)
		}
	}
}
