package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"podcastgraph/internal/benchstore"
)

// The executor's hot paths, each through gqlgen with the loaders, the
// resolvers and JSON encoding, on a store of generated pages (the same as
// cmd/loadtest's), in process: what a request costs the server apart from
// HTTP. Run with
//
//	go test -run '^$' -bench . -benchmem ./graph ./store
const benchPages = 2000

var benchGuest string // the guest with the most episodes

func TestMain(m *testing.M) {
	code := m.Run()
	benchstore.Cleanup()
	os.Exit(code)
}

func benchHandler(b *testing.B) http.Handler {
	b.Helper()
	st, err := benchstore.Shared(benchPages)
	if err != nil {
		b.Fatal(err)
	}
	h := serverFor(st)
	if benchGuest == "" {
		var d struct {
			Data struct {
				Guests struct{ Nodes []struct{ Slug string } }
			}
		}
		post(b, h, `{ guests(first: 1, orderBy: {field: EPISODE_COUNT, direction: DESC}) { nodes { slug } } }`, nil, &d)
		benchGuest = d.Data.Guests.Nodes[0].Slug
	}
	return h
}

// post runs query through h, fails on an error or a status other than
// 200, decodes the answer into out (unless nil) and returns its size.
func post(tb testing.TB, h http.Handler, query string, vars map[string]any, out any) int {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
		tb.Fatalf("%s: %d %s", query, rec.Code, rec.Body.String())
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			tb.Fatal(err)
		}
	}
	return rec.Body.Len()
}

func benchQuery(b *testing.B, query string, vars func() map[string]any) {
	h := benchHandler(b)
	size := post(b, h, query, vars(), nil)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		post(b, h, query, vars(), nil)
	}
	b.ReportMetric(float64(size), "answer-bytes")
}

// The nested client query: 20 newest episodes → guests → each guest's 5
// latest episodes, plus topics.
func BenchmarkNestedQuery(b *testing.B) {
	benchQuery(b, `{ episodes(first: 20) { totalCount nodes { code title releaseDate guests { name role organization episodes(first: 5) { nodes { code title } } } topics { name } } } }`,
		func() map[string]any { return nil })
}

// A guest with 100 of their episodes.
func BenchmarkGuestWith100Episodes(b *testing.B) {
	benchHandler(b)
	benchQuery(b, `query($g: String!) { guest(slug: $g) { name role organization episodeCount episodes(first: 100) { nodes { code title releaseDate } } } }`,
		func() map[string]any { return map[string]any{"g": benchGuest} })
}

// One episode by number, varied, with its guests and topics.
func BenchmarkEpisodeByNumber(b *testing.B) {
	n := 0
	benchQuery(b, `query($n: Int!) { episode(number: $n) { code title releaseDate summary guests { name role organization } topics { name } } }`,
		func() map[string]any { n = n%benchPages + 1; return map[string]any{"n": n} })
}

// A topic's episodes in a date range, newest first, with totalCount.
func BenchmarkTopicDateRangePage(b *testing.B) {
	benchQuery(b, `{ episodes(first: 20, filter: {topic: "ai", releasedAfter: "2001-01-01"}, orderBy: {field: RELEASE_DATE, direction: DESC}) { totalCount nodes { code title } } }`,
		func() map[string]any { return nil })
}

// The nested client query on a different page each time: the page after
// each of the first pages' end cursors in turn (cmd/loadtest's rotating row).
func BenchmarkNestedQueryRotating(b *testing.B) {
	h := benchHandler(b)
	var cursors []any
	var after any
	for range benchPages / 20 {
		var d struct {
			Data struct {
				Episodes struct{ PageInfo struct{ EndCursor string } }
			}
		}
		post(b, h, `query($after: String) { episodes(first: 20, after: $after) { pageInfo { endCursor } } }`, map[string]any{"after": after}, &d)
		cursors = append(cursors, after)
		after = d.Data.Episodes.PageInfo.EndCursor
	}
	i := 0
	benchQuery(b, `query($after: String) { episodes(first: 20, after: $after) { totalCount nodes { code title releaseDate guests { name role organization episodes(first: 5) { nodes { code title } } } topics { name } } } }`,
		func() map[string]any { i++; return map[string]any{"after": cursors[i%len(cursors)]} })
}
