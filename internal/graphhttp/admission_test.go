package graphhttp

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/ast"
)

// slowHandler serves testSchema with operations that each take hold for
// hold, counting how many run at once.
func slowHandler(t *testing.T, maxConcurrent int, hold func()) (http.Handler, *atomic.Int32) {
	t.Helper()
	var running, peak atomic.Int32
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return testSchema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			return func(ctx context.Context) *graphql.Response {
				n := running.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				hold()
				running.Add(-1)
				return &graphql.Response{Data: []byte(`{"episode":null}`)}
			}
		},
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) { return 0, false },
	})
	o := Defaults()
	o.Rate, o.CostRate = 0, 0
	o.MaxConcurrent = maxConcurrent
	return New(srv, o), &peak
}

// At most MaxConcurrent operations execute at once; the others wait and
// are all answered.
func TestMaxConcurrent(t *testing.T) {
	for _, limit := range []int{1, 2} {
		h, peak := slowHandler(t, limit, func() { time.Sleep(20 * time.Millisecond) })
		var wg sync.WaitGroup
		codes := make([]int, 8)
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = serve(t, h, post(q("{ episode(number: 1) { title } }"))).status
			}()
		}
		wg.Wait()
		for i, c := range codes {
			if c != http.StatusOK {
				t.Errorf("limit %d: request %d answered %d", limit, i, c)
			}
		}
		if got := peak.Load(); got != int32(limit) {
			t.Errorf("limit %d: %d operations ran at once", limit, got)
		}
	}
	// Without a limit they all run together.
	h, peak := slowHandler(t, 0, func() { time.Sleep(50 * time.Millisecond) })
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); serve(t, h, post(q("{ episode(number: 1) { title } }"))) }()
	}
	wg.Wait()
	if got := peak.Load(); got != 4 {
		t.Errorf("no limit: %d of 4 operations ran at once", got)
	}
}

// An operation whose deadline passes while it waits for its turn is
// answered TIMEOUT without running; one whose client went away gets no
// answer; the operation holding the token is unaffected.
func TestMaxConcurrentDeadline(t *testing.T) {
	release := make(chan struct{})
	h, _ := slowHandler(t, 1, func() {
		select {
		case <-release:
		case <-time.After(2 * time.Second): // so that a regression fails rather than hangs
		}
	})
	first := make(chan *answer, 1)
	go func() { first <- serve(t, h, post(q("{ episode(number: 1) { title } }"))) }()
	time.Sleep(50 * time.Millisecond) // the first operation holds the only token

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	a := serve(t, h, post(q("{ episode(number: 2) { title } }")).WithContext(ctx))
	if a.code() != CodeTimeout {
		t.Errorf("waiting past the deadline: %d %s", a.status, a.body)
	}
	close(release)
	if a := <-first; a.status != http.StatusOK || string(a.Data) != `{"episode":null}` {
		t.Errorf("first operation: %d %s", a.status, a.body)
	}
}
