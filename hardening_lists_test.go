package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/server"
)

// listPages writes n generated pages of one show: 300 pages have a pool of
// 50 guests, so the show, its topics and its busiest guests relate to more
// than 20 of everything.
func listPages(t testing.TB, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 11})
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// countObjects counts the JSON objects in an answer's data, the data
// object itself not counted: what the cost model counts.
func countObjects(t testing.TB, data json.RawMessage) int {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("data: %v", err)
		}
		if d, ok := tok.(json.Delim); ok && d == '{' {
			n++
		}
	}
	return n - 1
}

func requestedCost(t testing.TB, r *gqlResponse) int {
	t.Helper()
	c, _ := r.Extensions["cost"].(map[string]any)
	v, ok := c["requestedQueryCost"].(float64)
	if !ok {
		t.Fatalf("no extensions.cost: %+v", r.Extensions)
	}
	return int(v)
}

// TestAmplificationIsPriced sends, with the default limits, queries that
// nest and alias lists that can grow, over a store whose show has 50
// guests. Every list is priced by what it can return: each query is
// either refused for its cost or answered with no more objects than its
// cost said. (Lists without paging were priced at 10 items and returned
// everything: `show { guests { coGuests { coGuests } } }`, aliased, passed
// the limit and built answers of hundreds of megabytes.)
func TestAmplificationIsPriced(t *testing.T) {
	s := startServerOn(t, filepath.Join(t.TempDir(), "podcast.db"), "--seeds", listPages(t, 300), "--rate", "0")
	aliased := func(n int, q string) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range n {
			fmt.Fprintf(&b, "a%d: %s ", i, q)
		}
		return b.String() + "}"
	}
	queries := []struct {
		name  string
		query string
	}{
		{"show's guests", `{ show { guests { name } } }`},
		{"co-guests of co-guests", `{ show { guests { coGuests { coGuests { name } } } } }`},
		{"co-guests of co-guests, aliased", aliased(8, `show { guests { coGuests { coGuests { name } } } }`)},
		{"topics' guests' topics", `{ show { guests { topics { guests { topics { name } } } } } }`},
		{"related topics", `{ topics(first: 5) { nodes { related { related { guests { name } } } } } }`},
		{"first: 100 everywhere", `{ show { guests(first: 100) { coGuests(first: 100) { name } } } }`},
		{"within the limit", `{ show { guests(first: 30) { coGuests(first: 10) { topics(first: 3) { name } } } } }`},
	}
	answered := 0
	for _, q := range queries {
		t.Run(q.name, func(t *testing.T) {
			r := s.query(t, q.query, nil)
			cost := requestedCost(t, r)
			if r.code() == "MAX_COST_EXCEEDED" {
				if cost <= 10000 {
					t.Errorf("refused at cost %d", cost)
				}
				return
			}
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			answered++
			if n := countObjects(t, r.Data); n > cost {
				t.Errorf("answer has %d objects, %d bytes, priced at %d", n, len(r.Data), cost)
			}
		})
	}
	if answered < 2 {
		t.Errorf("only %d queries answered: the test no longer checks answers against their price", answered)
	}
}

// listField is a list field with a first argument, asked of one object.
type listField struct {
	name  string // Type.field
	query string // a query with $first, its list at data.<path>
	path  []string
}

// TestListFirst checks `first` on every list field that can grow, through
// the server: absent it returns the first 20 items, 0..100 returns that
// many from the start of the same list, anything else is BAD_USER_INPUT
// naming the argument, as connections answer.
func TestListFirst(t *testing.T) {
	s := startServerOn(t, filepath.Join(t.TempDir(), "podcast.db"), "--seeds", listPages(t, 300), "--rate", "0")
	var top struct {
		Guests struct{ Nodes []struct{ Slug string } }
		Topics struct{ Nodes []struct{ Slug string } }
	}
	s.query(t, `{ guests(first: 1, orderBy: {field: EPISODE_COUNT, direction: DESC}) { nodes { slug } }
		topics(first: 1, orderBy: {field: EPISODE_COUNT, direction: DESC}) { nodes { slug } } }`, nil).must(t, &top)
	guest, topic := top.Guests.Nodes[0].Slug, top.Topics.Nodes[0].Slug
	ep := `episode(number: 150)`
	fields := []listField{
		{"Show.guests", `query($first: Int) { show { list: guests(first: $first) { slug } } }`, []string{"show"}},
		{"Show.hosts", `query($first: Int) { show { list: hosts(first: $first) { name } } }`, []string{"show"}},
		{"Show.links", `query($first: Int) { show { list: links(first: $first) { url } } }`, []string{"show"}},
		{"Episode.guests", `query($first: Int) { ` + ep + ` { list: guests(first: $first) { slug } } }`, []string{"episode"}},
		{"Episode.appearances", `query($first: Int) { ` + ep + ` { list: appearances(first: $first) { evidence } } }`, []string{"episode"}},
		{"Episode.hosts", `query($first: Int) { ` + ep + ` { list: hosts(first: $first) { name } } }`, []string{"episode"}},
		{"Episode.topics", `query($first: Int) { ` + ep + ` { list: topics(first: $first) { slug } } }`, []string{"episode"}},
		{"Episode.links", `query($first: Int) { ` + ep + ` { list: links(first: $first) { url } } }`, []string{"episode"}},
		{"Episode.sources", `query($first: Int) { ` + ep + ` { list: sources(first: $first) { name } } }`, []string{"episode"}},
		{"Source.warnings", `query($first: Int) { ` + ep + ` { sources(first: 1) { list: warnings(first: $first) } } }`, []string{"episode", "sources"}},
		{"Guest.links", `query($first: Int) { guest(slug: "` + guest + `") { list: links(first: $first) { url } } }`, []string{"guest"}},
		{"Guest.topics", `query($first: Int) { guest(slug: "` + guest + `") { list: topics(first: $first) { slug } } }`, []string{"guest"}},
		{"Guest.coGuests", `query($first: Int) { guest(slug: "` + guest + `") { list: coGuests(first: $first) { slug } } }`, []string{"guest"}},
		{"Topic.aliases", `query($first: Int) { topic(slug: "` + topic + `") { list: aliases(first: $first) } }`, []string{"topic"}},
		{"Topic.guests", `query($first: Int) { topic(slug: "` + topic + `") { list: guests(first: $first) { slug } } }`, []string{"topic"}},
		{"Topic.related", `query($first: Int) { topic(slug: "` + topic + `") { list: related(first: $first) { slug } } }`, []string{"topic"}},
	}
	list := func(t *testing.T, f listField, first any) []json.RawMessage {
		t.Helper()
		r := s.query(t, f.query, map[string]any{"first": first})
		var v any
		r.must(t, &v)
		for _, p := range f.path {
			v = v.(map[string]any)[p]
			if l, ok := v.([]any); ok { // a list on the way (sources): its first item
				if len(l) == 0 {
					t.Fatalf("%s: no %s", f.name, p)
				}
				v = l[0]
			}
		}
		items, _ := v.(map[string]any)["list"].([]any)
		out := make([]json.RawMessage, len(items))
		for i, it := range items {
			out[i], _ = json.Marshal(it)
		}
		return out
	}
	long := map[string]bool{}
	for _, f := range fields {
		t.Run(f.name, func(t *testing.T) {
			all := list(t, f, 100)
			if len(all) > 20 {
				long[f.name] = true
			}
			for _, n := range []any{nil, 0, 1, 5, 20, 100} {
				got := list(t, f, n)
				want := 20
				if n != nil {
					want = n.(int)
				}
				want = min(want, len(all))
				if len(got) != want {
					t.Errorf("first: %v: %d items of %d, want %d", n, len(got), len(all), want)
					continue
				}
				for i := range got {
					if !bytes.Equal(got[i], all[i]) {
						t.Errorf("first: %v: item %d is %s, the full list's is %s", n, i, got[i], all[i])
						break
					}
				}
			}
			for _, bad := range []int{-1, 101, 1 << 30} {
				r := s.query(t, f.query, map[string]any{"first": bad})
				if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["argument"] != "first" ||
					!strings.Contains(r.Errors[0].Message, `"first"`) {
					t.Errorf("first: %d: %+v", bad, r.Errors)
				}
			}
		})
	}
	// The default bound must have been exercised.
	for _, name := range []string{"Show.guests", "Topic.guests", "Topic.related"} {
		if !long[name] {
			t.Errorf("%s has at most 20 items in this store: the default bound was not exercised", name)
		}
	}
}

// longDescriptionPage is a generated page whose description has a
// paragraph of n bytes.
func longDescriptionPage(t testing.TB, dir string, n int) {
	t.Helper()
	name, data := pagegen.Page(0, pagegen.Options{Shows: 1, Seed: 3})
	para := strings.Repeat("Long text about distributed systems and what teams get wrong. ", n/62+1)[:n]
	i := bytes.Index(data, []byte("'s contact information:"))
	if i < 0 {
		t.Fatal("generated page has no contact section")
	}
	i = bytes.LastIndexByte(data[:i], '\n')
	page := append(append(append([]byte{}, data[:i+1]...), para+"\n"...), data[i+1:]...)
	if err := os.WriteFile(filepath.Join(dir, name), page, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestNodesPricedByText repeats one episode with a 20 KiB description
// through nodes(ids:) and aliases: the cost counts the text each time, so
// 15 x 100 copies (30 MB) are refused, where they once cost 1,500.
func TestNodesPricedByText(t *testing.T) {
	dir := t.TempDir()
	longDescriptionPage(t, dir, 20<<10)
	s := startServerOn(t, filepath.Join(t.TempDir(), "podcast.db"), "--seeds", dir, "--rate", "0")
	var d struct {
		Episodes struct {
			Nodes []struct {
				ID          string
				Description string
			}
		}
	}
	s.query(t, `{ episodes(first: 1) { nodes { id description } } }`, nil).must(t, &d)
	if len(d.Episodes.Nodes) == 0 || len(d.Episodes.Nodes[0].Description) < 20<<10 {
		t.Fatalf("the page's description was not stored whole: %+v", d)
	}
	id := d.Episodes.Nodes[0].ID
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = id
	}
	one := s.query(t, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Episode { description } } }`, map[string]any{"ids": ids[:1]})
	if len(one.Errors) > 0 {
		t.Fatalf("one copy: %+v", one.Errors)
	}
	if c := requestedCost(t, one); c < 1+20 {
		t.Errorf("one copy of a 20 KiB description costs %d", c)
	}
	var q strings.Builder
	q.WriteString("query($ids: [ID!]!) { ")
	for i := range 15 {
		fmt.Fprintf(&q, "a%d: nodes(ids: $ids) { ... on Episode { description } } ", i)
	}
	q.WriteString("}")
	r := s.query(t, q.String(), map[string]any{"ids": ids})
	if r.code() != "MAX_COST_EXCEEDED" {
		t.Fatalf("15 x 100 copies: code %q, %d bytes of data", r.code(), len(r.Data))
	}
	if c := requestedCost(t, r); c < 15*100*20 {
		t.Errorf("15 x 100 copies of 20 KiB priced at %d", c)
	}
}

// TestDeadlineDuringExecution checks that an operation past its deadline
// stops while it builds the answer in memory, where no store read notices
// the deadline, and is answered with TIMEOUT and no data.
func TestDeadlineDuringExecution(t *testing.T) {
	// X-Stall: a guest's co-guests take longer than the deadline, once;
	// everything after them was prefetched and is served from memory.
	var once sync.Map
	hooks := server.Options{FieldMiddleware: func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		oc := graphql.GetOperationContext(ctx)
		if fc != nil && fc.Field.Name == "coGuests" && oc.Headers.Get("X-Stall") != "" {
			if _, done := once.LoadOrStore(oc, true); !done {
				time.Sleep(600 * time.Millisecond)
			}
		}
		return next(ctx)
	}}
	opts := hooks
	s := startServerWith(t, opts, filepath.Join(t.TempDir(), "podcast.db"), "--seeds", listPages(t, 300),
		"--rate", "0", "--cost-rate", "0", "--query-timeout", "300ms", "--max-cost", "0", "--response-cache", "0")
	client := &http.Client{Timeout: 2 * time.Minute} // a hang fails, not a slow machine
	t.Cleanup(client.CloseIdleConnections)
	post := func(t *testing.T, query string, stall bool, accept string) (*gqlResponse, []byte) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query})
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if stall {
			req.Header.Set("X-Stall", "1")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		var r gqlResponse
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("answer %.200s: %v", raw, err)
		}
		r.status = resp.StatusCode
		return &r, raw
	}
	timedOut := func(t *testing.T, r *gqlResponse, raw []byte, status int) {
		t.Helper()
		if r.code() != "TIMEOUT" || len(r.Errors) != 1 {
			t.Errorf("answer: %d errors, first %q, %d bytes of data", len(r.Errors), r.code(), len(r.Data))
		}
		if len(r.Data) > 0 {
			t.Errorf("a stopped operation answered data: %.200s", r.Data)
		}
		if r.status != status {
			t.Errorf("status %d, want %d", r.status, status)
		}
		if len(raw) > 4<<10 {
			t.Errorf("answer is %d bytes", len(raw))
		}
	}
	stalled := `{ show { guests { coGuests { coGuests { name } } } } }`
	t.Run("stalled, then served from memory", func(t *testing.T) {
		r, raw := post(t, stalled, true, "")
		timedOut(t, r, raw, http.StatusOK)
	})
	t.Run("graphql-response+json", func(t *testing.T) {
		r, raw := post(t, stalled, true, "application/graphql-response+json")
		timedOut(t, r, raw, http.StatusGatewayTimeout)
	})
	t.Run("in-memory amplification", func(t *testing.T) {
		// Tens of millions of objects, all from a few hundred records the
		// look-ahead reads at once.
		r, raw := post(t, `{ show { guests(first: 100) { coGuests(first: 100) { coGuests(first: 100) {
			topics(first: 100) { guests(first: 100) { name } } } } } } }`, false, "")
		timedOut(t, r, raw, http.StatusOK)
	})
	t.Run("an operation within its deadline is answered", func(t *testing.T) {
		r, _ := post(t, `{ show { guests(first: 3) { coGuests(first: 3) { name } } } }`, false, "")
		if len(r.Errors) > 0 || len(r.Data) == 0 {
			t.Errorf("errors %+v", r.Errors)
		}
	})
}

// A filter's slug given empty is a BAD_USER_INPUT error naming the
// argument and the field (it had matched everything); a slug nothing has
// matches nothing, as the schema says.
func TestEmptyFilterSlugs(t *testing.T) {
	s := startServer(t, "--rate-exempt", "127.0.0.1")
	for _, q := range []struct{ query, field string }{
		{`{ episodes(filter: {show: ""}) { nodes { code } } }`, "show"},
		{`{ episodes(filter: {guest: ""}) { nodes { code } } }`, "guest"},
		{`{ episodes(filter: {topic: "", releasedAfter: "2020-01-01"}) { nodes { code } } }`, "topic"},
		{`{ guests(filter: {show: ""}) { nodes { slug } } }`, "show"},
		{`{ guests(filter: {topic: ""}) { nodes { slug } } }`, "topic"},
		{`{ shows { nodes { episodes(filter: {topic: ""}) { nodes { code } } } } }`, "topic"},
	} {
		r := s.query(t, q.query, nil)
		if r.status >= 500 || r.code() != "BAD_USER_INPUT" || len(r.Errors) == 0 ||
			!strings.Contains(r.Errors[0].Message, `"filter"`) || !strings.Contains(r.Errors[0].Message, q.field+" is empty") {
			t.Errorf("%s: status %d, errors %+v; want BAD_USER_INPUT naming filter and %s", q.query, r.status, r.Errors, q.field)
		}
	}
	for _, q := range []string{
		`{ episodes(filter: {show: "no-such-show"}) { nodes { code } } }`,
		`{ guests(filter: {topic: "no-such-topic"}) { nodes { slug } } }`,
	} {
		var got map[string]struct{ Nodes []any }
		s.query(t, q, nil).must(t, &got)
		for field, c := range got {
			if len(c.Nodes) != 0 {
				t.Errorf("%s: %s has %d nodes, want none", q, field, len(c.Nodes))
			}
		}
	}
}
