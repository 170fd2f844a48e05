package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"podcastgraph/graph"
	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// newStore fills a store with n episodes, each with two guests drawn from a
// pool of 10 (so guests have many episodes) and two topics.
func newStore(t *testing.T, n int) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "n1.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	topics := []string{"ai", "dns", "vpn", "kubernetes", "security"}
	var docs []*ingest.Document
	for i := 1; i <= n; i++ {
		d := podcast.Date{Year: 2020 + i%5, Month: time.Month(1 + i%12), Day: 1 + i%28}
		doc := &ingest.Document{
			Name: fmt.Sprintf("p%03d.txt", i), SHA256: fmt.Sprint(i),
			Show:    ingest.ShowFacts{Slug: "show", Title: "Show", Code: "SH"},
			Episode: ingest.EpisodeFacts{Number: i, Own: true, Title: "t", ReleaseDate: &d, Summary: "s", Topics: []string{topics[i%5], topics[(i+1)%5]}},
		}
		for _, g := range []int{i % 10, (i + 3) % 10} {
			name := fmt.Sprintf("Guest Number%d", g)
			doc.Guests = append(doc.Guests, ingest.GuestFacts{Slug: fmt.Sprintf("guest-number%d", g), Name: name, Evidence: name + "."})
		}
		docs = append(docs, doc)
	}
	if err := st.SetVocabulary(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(context.Background(), docs, store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	return st
}

func serverFor(st *store.Store) http.Handler {
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: (&graph.Resolver{}).Root()}))
	srv.AddTransport(transport.POST{})
	srv.SetErrorPresenter(graph.ErrorPresenter(slog.Default()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, done := graph.WithLoaders(r.Context(), st)
		defer done()
		srv.ServeHTTP(w, r.WithContext(ctx))
	})
}

const nested = `query($n: Int) { episodes(first: $n) { nodes { number
  guests { name episodeCount episodes(first: 5) { nodes { number topics { name } } } }
  topics { name episodeCount } } } }`

// reads runs the nested query for n episodes and returns the read
// transactions and batched store reads it took, and the number of guest
// episodes it returned.
func reads(t *testing.T, st *store.Store, h http.Handler, n int) (txs, batches int64, items int) {
	t.Helper()
	before, _ := st.Stats()
	body, _ := json.Marshal(map[string]any{"query": nested, "variables": map[string]any{"n": n}})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	var resp struct {
		Data struct {
			Episodes struct {
				Nodes []struct {
					Guests []struct {
						Episodes struct {
							Nodes []struct{ Topics []struct{ Name string } }
						}
					}
				}
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
		t.Fatalf("%v %s", err, rec.Body.String())
	}
	for _, e := range resp.Data.Episodes.Nodes {
		for _, g := range e.Guests {
			items += len(g.Episodes.Nodes)
		}
	}
	after, _ := st.Stats()
	return after.ReadTxs - before.ReadTxs, after.Reads - before.Reads, items
}

// readsOf runs query with vars and returns the batched store reads it took
// and its answer; it fails the test on any error.
func readsOf(t *testing.T, st *store.Store, h http.Handler, query string, vars map[string]any) (int64, string) {
	t.Helper()
	before, _ := st.Stats()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	after, _ := st.Stats()
	return after.Reads - before.Reads, rec.Body.String()
}

func TestNestedQueryReadsPerLevelNotPerItem(t *testing.T) {
	st := newStore(t, 60)
	h := serverFor(st)
	smallTxs, small, smallItems := reads(t, st, h, 2)
	largeTxs, large, largeItems := reads(t, st, h, 20)
	if largeItems < 5*smallItems || largeItems < 100 {
		t.Fatalf("query returned too little to tell: %d vs %d guest episodes", smallItems, largeItems)
	}
	// One snapshot (read transaction) per request, and within it one
	// batched read per level and kind, whatever the item count.
	if smallTxs != 1 || largeTxs != 1 {
		t.Errorf("read transactions: %d and %d, want 1 per request", smallTxs, largeTxs)
	}
	if large != small {
		t.Errorf("batched reads grew with items: %d for 2 episodes, %d for 20", small, large)
	}
	if large > 8 {
		t.Errorf("%d batched reads for a 4-level query; want one per level and kind", large)
	}
	t.Logf("batched reads: %d (2 episodes, %d items) and %d (20 episodes, %d items), each in 1 transaction", small, smallItems, large, largeItems)
}

// TestEveryLookAheadReadsPerLevel runs queries through each kind of
// look-ahead step (connections through nodes and edges, relations,
// appearances, neighbours, shows, sources, arguments given as variables)
// for a few objects and for many: the batched reads must not grow with
// the objects.
func TestEveryLookAheadReadsPerLevel(t *testing.T) {
	st := newStore(t, 60)
	h := serverFor(st)
	for _, tc := range []struct{ name, query string }{
		{"appearances", `query($n: Int) { episodes(first: $n) { nodes { appearances { evidence
			guest { name episodeCount episodes(first: 3) { totalCount nodes { number topics { name } } } } } } } }`},
		{"show and neighbours", `query($n: Int) { episodes(first: $n) { edges { node {
			show { title episodeCount } previous { title topics { name } } next { number guests { name } } sources { name } } } } }`},
		{"texts", `query($n: Int) { episodes(first: $n) { nodes { summary description links { url }
			guests { episodes(first: 2) { nodes { description previous { summary } } } } } } }`},
		{"guest relations", `query($n: Int) { guests(first: $n) { nodes {
			coGuests(first: 3) { name topics(first: 2) { name episodeCount } } } } }`},
		{"topic relations", `query($n: Int) { topics(first: $n) { nodes { related { name guests(first: 2) { name } }
			episodes(first: 2, orderBy: {field: RELEASE_DATE, direction: ASC}) { nodes { guests { name } } } } } }`},
		{"variables", `query($n: Int, $f: EpisodeFilter, $o: EpisodeOrder) { shows { nodes { guests(first: $n) { name
			episodes(first: $n, orderBy: $o) { nodes { appearances(first: 1) { guest { episodeCount } } } } }
			episodes(first: $n, filter: $f) { edges { node { guests(first: $n) { episodeCount } } } } } } }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := func(n int) map[string]any {
				return map[string]any{"n": n, "f": map[string]any{"releasedAfter": "2020-06-01"},
					"o": map[string]any{"field": "RELEASE_DATE", "direction": "DESC"}}
			}
			few, small := readsOf(t, st, h, tc.query, vars(2))
			many, large := readsOf(t, st, h, tc.query, vars(20))
			if len(large) < 2*len(small) {
				t.Fatalf("query returned too little to tell: %d bytes for 2, %d for 20", len(small), len(large))
			}
			// Many objects may share records read once (fewer reads), but
			// no level may read per object.
			if many > few {
				t.Errorf("batched reads grew with items: %d for 2, %d for 20", few, many)
			}
			t.Logf("batched reads: %d for 2, %d for 20", few, many)
		})
	}
}
