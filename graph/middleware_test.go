package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"podcastgraph/graph"
)

// TestFieldMiddlewareSeesResolverFields: a field middleware (tracing,
// complexity or audit hooks) sees every resolver field of a nested query,
// once per object, though internal/gqlpatch runs them inline; leaf fields
// read straight off their Go value bypass it (gqlpatch's "leaf fields
// marshalled at once"), as its doc comment and the README say.
func TestFieldMiddlewareSeesResolverFields(t *testing.T) {
	st := newStore(t, 12)
	var mu sync.Mutex
	seen := map[string]int{}
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}}))
	srv.AddTransport(transport.POST{})
	srv.SetErrorPresenter(graph.ErrorPresenter(slog.Default()))
	srv.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		mu.Lock()
		seen[fc.Object+"."+fc.Field.Name]++
		mu.Unlock()
		return next(ctx)
	})
	ctx, done := graph.WithLoaders(context.Background(), st)
	defer done()

	body, _ := json.Marshal(map[string]any{"query": `{ episodes(first: 3) { nodes { number title
		guests { name episodes(first: 2) { nodes { number topics { name } } } } topics { name } } } }`})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body)).WithContext(ctx)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	var res struct {
		Data struct {
			Episodes struct {
				Nodes []struct {
					Guests []struct {
						Episodes struct{ Nodes []struct{} }
					}
				}
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Errors) > 0 {
		t.Fatalf("%v %s", err, rec.Body)
	}
	episodes, guests, guestEpisodes := len(res.Data.Episodes.Nodes), 0, 0
	for _, e := range res.Data.Episodes.Nodes {
		guests += len(e.Guests)
		for _, g := range e.Guests {
			guestEpisodes += len(g.Episodes.Nodes)
		}
	}
	if episodes != 3 || guests == 0 || guestEpisodes == 0 {
		t.Fatalf("fixture: %d episodes, %d guests, %d guest episodes", episodes, guests, guestEpisodes)
	}
	want := map[string]int{
		"Query.episodes":          1,
		"EpisodeConnection.nodes": 1 + guests,
		"Episode.guests":          episodes,
		"Guest.episodes":          guests,
		"Episode.topics":          episodes + guestEpisodes,
		// Leaves read off the Go value: not seen (gqlpatch).
		"Episode.title": 0,
		"Guest.name":    0,
		"Topic.name":    0,
	}
	for field, n := range want {
		if seen[field] != n {
			t.Errorf("the field middleware saw %s %d times, want %d (all seen: %v)", field, seen[field], n, seen)
		}
	}
}
