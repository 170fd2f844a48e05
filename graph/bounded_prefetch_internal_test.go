package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"podcastgraph/ingest"
	"podcastgraph/store"
)

// TestPrefetchStopsAtFirst checks that the look-ahead of a list bounded
// by first reads the records of the items the list returns, not of every
// item the relation holds, and still reads each level in one batch.
func TestPrefetchStopsAtFirst(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "p.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// 40 episodes, each with three guests of a pool of 12: every guest has
	// many co-guests.
	var docs []*ingest.Document
	for i := 1; i <= 40; i++ {
		doc := &ingest.Document{Name: fmt.Sprintf("p%02d.txt", i), SHA256: fmt.Sprint(i),
			Show:    ingest.ShowFacts{Slug: "show", Title: "Show", Code: "SH"},
			Episode: ingest.EpisodeFacts{Number: i, Own: true, Title: "t", Summary: "s", Topics: []string{"dns"}}}
		for _, g := range []int{i % 12, (i + 4) % 12, (i + 7) % 12} {
			name := fmt.Sprintf("Guest Number%d", g)
			doc.Guests = append(doc.Guests, ingest.GuestFacts{Slug: fmt.Sprintf("guest-number%d", g), Name: name, Evidence: name + "."})
		}
		docs = append(docs, doc)
	}
	if _, err := st.Apply(ctx, docs, store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{}}))
	srv.AddTransport(transport.POST{})
	run := func(query string) (string, *Loaders, int64) {
		lctx, done := WithLoaders(ctx, st)
		defer done()
		before, _ := st.Stats()
		body, _ := json.Marshal(map[string]any{"query": query})
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(lctx)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		after, _ := st.Stats()
		if strings.Contains(rec.Body.String(), `"errors"`) {
			t.Fatalf("%s", rec.Body)
		}
		return rec.Body.String(), loadersFrom(lctx), after.Reads - before.Reads
	}
	all, _, _ := run(`{ guest(slug: "guest-number0") { coGuests(first: 100) { slug } } }`)
	if n := strings.Count(all, `"slug"`); n < 6 {
		t.Fatalf("guest-number0 has %d co-guests: too few to tell", n)
	}
	answer, l, reads := run(`{ guest(slug: "guest-number0") { coGuests(first: 2) { slug coGuests(first: 1) { slug } } } }`)
	returned := map[string]bool{"guest-number0": true}
	for _, part := range strings.Split(answer, `"slug":"`)[1:] {
		returned[part[:strings.IndexByte(part, '"')]] = true
	}
	l.Guests.mu.Lock()
	cached := len(l.Guests.cache)
	l.Guests.mu.Unlock()
	if cached > len(returned) {
		t.Errorf("read %d guest records for an answer with %d guests: %s", cached, len(returned), answer)
	}
	// One batched read per level and kind, however many items a level has.
	_, _, readsMore := run(`{ guest(slug: "guest-number0") { coGuests(first: 8) { slug coGuests(first: 8) { slug } } } }`)
	if readsMore != reads {
		t.Errorf("batched reads grew with first: %d for first: 2, %d for first: 8", reads, readsMore)
	}
}
