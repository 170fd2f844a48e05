package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// figureQuery is bigQuery with titles only at the last level: tens of
// megabytes from 10,000 generated pages, more than socket buffers hold.
const figureQuery = `{ episodes(first: 100) { nodes { description guests { name episodes(first: 100) { nodes { description
  guests { name episodes(first: 100) { nodes { title } } } } } } } } }`

// TestSlowClientFigures measures what a stalled client costs the store:
// the time of an ingest of 2,000 pages through /admin/ingest and the
// latency of point lookups meanwhile, on copies of one store of 10,000
// generated pages, without and with a client that asked for a large answer
// and reads none of it. It is a measurement, not a test: it runs only with
// PODCAST_FIGURES=1.
//
//	PODCAST_FIGURES=1 go test -run TestSlowClientFigures -v -timeout 30m .
func TestSlowClientFigures(t *testing.T) {
	if os.Getenv("PODCAST_FIGURES") == "" {
		t.Skip("set PODCAST_FIGURES=1 to measure")
	}
	const base, batch, batches = 10_000, 500, 4
	env := map[string]string{"PODCAST_MAX_RESPONSE_BYTES": "0"} // an older build ignores it
	dir := t.TempDir()
	seed := filepath.Join(dir, "seed.db")
	_, stop := startFigureServer(t, seed, env, "--seeds", genSeeds(t, 0, base))
	stop()
	t.Logf("store of %d pages: %d bytes", base, fileSize(seed))
	data, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	for _, stalled := range []bool{false, true} {
		label := "no stalled client"
		if stalled {
			label = "stalled client"
		}
		db := filepath.Join(dir, fmt.Sprintf("%t.db", stalled))
		if err := os.WriteFile(db, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, stop := startFigureServer(t, db, env, "--seeds", "", "--admin-token", slowToken,
			"--max-cost", "0", "--rate", "0", "--query-timeout", "2m")
		if stalled {
			conn, answer := stallClient(t, s.URL, figureQuery)
			defer conn.Close()
			if answer.ContentLength < 16<<20 {
				b, _ := io.ReadAll(io.LimitReader(answer.Body, 1024))
				t.Fatalf("the answer is too small to stall on: %s", b)
			}
			t.Logf("stalled client: status %d, answer of %d bytes", answer.StatusCode, answer.ContentLength)
		}
		c := &http.Client{Timeout: 10 * time.Minute}
		var lat []time.Duration
		var failed int
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				body := fmt.Sprintf(`{"query":"{ episode(number: %d) { title } }"}`, i%base+1)
				start := time.Now()
				resp, err := c.Post(s.URL+"/graphql", "application/json", strings.NewReader(body))
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil || resp.StatusCode != http.StatusOK {
					failed++
				}
				lat = append(lat, time.Since(start))
				time.Sleep(5 * time.Millisecond)
			}
		}()
		start := time.Now()
		for b := range batches {
			if err := adminIngest(c, s.URL, base+b*batch, base+(b+1)*batch); err != nil {
				t.Errorf("%s: ingest: %v", label, err)
			}
		}
		took := time.Since(start)
		close(done)
		wg.Wait()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		p := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
		t.Logf("%s: ingest of %d pages %v; %d lookups, p50 %v, p99 %v, max %v, %d failed; store %d bytes",
			label, batch*batches, took.Round(time.Millisecond), len(lat), p(0.5).Round(time.Microsecond),
			p(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Millisecond), failed, fileSize(db))
		stop()
	}
}

// startFigureServer runs serve on db with environment variables and waits
// until it is ready; stop ends it.
func startFigureServer(t *testing.T, db string, env map[string]string, args ...string) (*testServer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, args...), func(k string) string { return env[k] }, logs)
	}()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	deadline := time.Now().Add(10 * time.Minute)
	for {
		if m := listeningRE.FindStringSubmatch(logs.String()); m != nil {
			s := &testServer{URL: m[1], DB: db, logs: logs}
			for {
				if resp, err := http.Get(s.URL + "/readyz"); err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						return s, stop
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("not ready:\n%s", logs.String())
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no address:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
