package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// An operation builds its answer in slabs that the next operation reuses
// (gqlpatch_arena.go). Operations of different shapes (many root fields
// run concurrently, long and short lists, an error) run
// interleaved from several goroutines, many times over: each must answer
// exactly what it answered alone, so no operation sees memory another has
// handed back or is still using. Run under -race it also checks the
// slabs' lock.
func TestAnswersDoNotShareMemoryBetweenOperations(t *testing.T) {
	st := newStore(t, 150)
	h := serverFor(st)
	queries := []string{
		nested,
		`{ a: episodes(first: 3) { nodes { number title } } b: guests(first: 4) { nodes { name episodes(first: 2) { nodes { number } } } } c: topics(first: 5) { nodes { name } } }`,
		`{ guest(slug: "guest-number3") { name episodes(first: 100) { nodes { number releaseDate topics { name } } } } }`,
		`{ episodes(first: 100) { nodes { number guests { name } } } }`,
		`{ ok: episodes(first: 2) { nodes { number } } bad: episodes(first: -1) { nodes { number } } }`,
	}
	run := func(q string) string {
		body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"n": 20}})
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	want := make([]string, len(queries))
	for i, q := range queries {
		want[i] = run(q)
		if len(want[i]) < 40 {
			t.Fatalf("query %d answered too little to compare: %s", i, want[i])
		}
	}
	if !bytes.Contains([]byte(want[4]), []byte(`"errors"`)) {
		t.Fatalf("the last query should answer an error: %s", want[4])
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 60 {
				i := (g + n) % len(queries)
				if got := run(queries[i]); got != want[i] {
					errs <- got
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("an answer changed when other operations ran beside it:\n%s", got)
	}
}
