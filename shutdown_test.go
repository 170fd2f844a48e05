package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"podcastgraph/store"
)

// A request in flight when the server is told to stop finishes with its
// answer; then run returns and the store is closed (a new Open succeeds at
// once).
func TestGracefulShutdown(t *testing.T) {
	hooks := abuseHooks(400 * time.Millisecond)
	db := filepath.Join(t.TempDir(), "g.db")
	s := startServerWith(t, hooks, db, "--seeds", "seeds")
	type answer struct {
		status int
		body   string
		err    error
	}
	got := make(chan answer, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"{ show { title } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Abuse", "slow")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- answer{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- answer{status: resp.StatusCode, body: string(b)}
	}()
	time.Sleep(100 * time.Millisecond) // the request is now sleeping in its resolver
	stopped := make(chan error, 1)
	go func() { stopped <- s.stop() }()
	a := <-got
	if a.err != nil || a.status != 200 || !strings.Contains(a.body, "DevOps Paradox") {
		t.Fatalf("in-flight request: %v %d %s", a.err, a.status, a.body)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("run returned %v", err)
	}
	st, err := store.Open(context.Background(), db, store.Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("store not released after shutdown: %v", err)
	}
	st.Close()
	if !strings.Contains(s.logs.String(), "shutting down") {
		t.Errorf("no shutdown log line")
	}
}
