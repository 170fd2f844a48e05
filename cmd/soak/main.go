// Command soak runs the server for a few minutes under a steady query rate
// while pages arrive through the watch directory and the admin endpoint,
// and checks every answer: no failed request, no half-written episode (an
// episode whose own page is in has all of that page's guests), no stale
// read (a page the admin endpoint acknowledged is visible at once), and
// memory and goroutines flat at the end. Bounded in time and requests;
// loopback only. Exits 1 on any violation.
//
//	go run ./cmd/soak -d 3m -rate 200
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/serverproc"
)

const token = "soak-admin-token-0123456789abcdef01"

func main() {
	dur := flag.Duration("d", 3*time.Minute, "how long to run")
	rate := flag.Int("rate", 200, "queries per second")
	flag.Parse()
	if err := run(*dur, *rate); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

// truth maps "show/number" to the guest slugs the episode's own page
// names, as the parser reads them: the soak checks that a page's
// contribution is visible whole or not at all, not how well it is read.
type truth struct {
	mu     sync.Mutex
	vocab  *ingest.Vocabulary
	guests map[string][]string
}

func (t *truth) add(g pagegen.Generated) {
	doc, err := ingest.Parse(g.Name, g.Data, t.vocab)
	if err != nil {
		return // a page the parser refuses never shows up
	}
	var slugs []string
	for _, p := range doc.Guests {
		slugs = append(slugs, p.Slug)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.guests[doc.Show.Slug+"/"+strconv.Itoa(doc.Episode.Number)] = slugs
}

func (t *truth) get(key string) ([]string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	g, ok := t.guests[key]
	return g, ok
}

func run(dur time.Duration, rate int) error {
	dir, err := os.MkdirTemp("", "soak-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := serverproc.Build(dir)
	if err != nil {
		return err
	}
	watchDir := filepath.Join(dir, "pages")
	if err := os.MkdirAll(watchDir, 0o755); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := serverproc.Start(ctx, bin, "--db", filepath.Join(dir, "soak.db"),
		"--seeds", watchDir, "--watch", "--admin-token", token,
		"--rate-exempt", "127.0.0.1,::1") // the soak's own load is not rate limited
	if err != nil {
		return err
	}
	defer srv.Stop()
	url := srv.URL

	tr := &truth{vocab: ingest.DefaultVocabulary(), guests: map[string][]string{}}
	var queries, failures, watched, posted atomic.Int64
	var failMu sync.Mutex
	var firstFailures []string
	fail := func(format string, a ...any) {
		failures.Add(1)
		failMu.Lock()
		if len(firstFailures) < 10 {
			firstFailures = append(firstFailures, fmt.Sprintf(format, a...))
		}
		failMu.Unlock()
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	end := time.Now().Add(dur)
	var wg sync.WaitGroup

	// Pages through the watch directory, one every 200 ms.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; time.Now().Before(end); i++ {
			g := pagegen.Generate(i, pagegen.Options{Shows: 2, Seed: 11})
			tr.add(g)
			if err := os.WriteFile(filepath.Join(watchDir, g.Name), g.Data, 0o644); err != nil {
				fail("write page: %v", err)
			}
			watched.Add(1)
			time.Sleep(200 * time.Millisecond)
		}
	}()
	// Batches through the admin endpoint, each checked visible at once.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := 0; time.Now().Before(end); b++ {
			var docs []map[string]any
			var last pagegen.Generated
			for i := range 20 {
				last = pagegen.Generate(100_000+b*20+i, pagegen.Options{Shows: 2, Seed: 11})
				tr.add(last)
				docs = append(docs, map[string]any{"name": last.Name, "data": last.Data})
			}
			js, _ := json.Marshal(map[string]any{"documents": docs})
			req, _ := http.NewRequest(http.MethodPost, url+"/admin/ingest", bytes.NewReader(js))
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != 200 {
				fail("admin ingest: %v %v", err, resp)
				continue
			}
			resp.Body.Close()
			posted.Add(20)
			var d struct {
				Data struct{ Episode *struct{ Title *string } }
			}
			q := fmt.Sprintf(`{ episode(number: %d, show: %q) { title } }`, last.Number, ingest.Slugify(last.Show))
			if err := post(client, url, q, &d); err != nil {
				fail("read after ingest: %v", err)
			} else if d.Data.Episode == nil || d.Data.Episode.Title == nil {
				fail("stale read: %s %d acknowledged but not visible", last.Show, last.Number)
			}
			time.Sleep(time.Second)
		}
	}()
	// Steady queries, every answer checked.
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	sem := make(chan struct{}, 64)
	memStart, heapStart, gorStart := "", "", ""
	var latMu sync.Mutex
	var lats []time.Duration
	warm := time.Now().Add(10 * time.Second)
	for time.Now().Before(end) {
		<-tick.C
		if memStart == "" && time.Now().After(warm) {
			memStart, heapStart, gorStart = sample(client, url)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			queries.Add(1)
			t0 := time.Now()
			defer func() {
				latMu.Lock()
				lats = append(lats, time.Since(t0))
				latMu.Unlock()
			}()
			var d struct {
				Data struct {
					Episodes struct {
						Nodes []struct {
							Number      int
							Title       *string
							Description *string
							Show        struct{ Slug string }
							Guests      []struct{ Slug string }
						}
					}
				}
			}
			q := `{ episodes(first: 20, orderBy: {field: NUMBER, direction: DESC}) { nodes { number title description show { slug } guests { slug } } } }`
			if err := post(client, url, q, &d); err != nil {
				fail("query: %v", err)
				return
			}
			for _, e := range d.Data.Episodes.Nodes {
				want, ok := tr.get(e.Show.Slug + "/" + strconv.Itoa(e.Number))
				if !ok || e.Title == nil {
					continue // only listed so far
				}
				if e.Description == nil {
					fail("half-written: %s %d has a title but no description", e.Show.Slug, e.Number)
				}
				have := map[string]bool{}
				for _, g := range e.Guests {
					have[g.Slug] = true
				}
				for _, g := range want {
					if !have[g] {
						fail("half-written: %s %d lacks guest %s", e.Show.Slug, e.Number, g)
					}
				}
			}
		}()
	}
	wg.Wait()
	time.Sleep(2 * time.Second) // let the watcher's last pages land
	memEnd, heapEnd, gorEnd := sample(client, url)
	fmt.Printf("soak: %v, %d queries (%d/s target), %d pages via watch, %d via admin\n", dur, queries.Load(), rate, watched.Load(), posted.Load())
	fmt.Printf("      heap in use %s -> %s, RSS %s -> %s, goroutines %s -> %s (after 10 s warm-up -> end)\n",
		heapStart, heapEnd, memStart, memEnd, gorStart, gorEnd)
	slices.Sort(lats)
	if len(lats) > 0 {
		fmt.Printf("      query latency p50 %v, p99 %v, max %v\n", lats[len(lats)/2].Round(time.Microsecond),
			lats[len(lats)*99/100].Round(time.Microsecond), lats[len(lats)-1].Round(time.Microsecond))
	}
	fmt.Printf("      failures: %d\n", failures.Load())
	for _, f := range firstFailures {
		fmt.Println("       ", f)
	}
	if failures.Load() > 0 {
		return fmt.Errorf("%d failures", failures.Load())
	}
	return nil
}

func post(client *http.Client, url, query string, v any) error {
	body, _ := json.Marshal(map[string]string{"query": query})
	resp, err := client.Post(url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || bytes.Contains(b, []byte(`"errors"`)) {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	return json.Unmarshal(b, v)
}

// sample reads resident memory, heap in use and goroutines from /metrics.
// Resident memory includes the store file's pages the kernel has mapped in,
// which grows with the store; the heap is the server's own memory.
func sample(client *http.Client, url string) (rss, heap, goroutines string) {
	req, err := http.NewRequest(http.MethodGet, url+"/metrics", nil)
	if err != nil {
		return "?", "?", "?"
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return "?", "?", "?"
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "process_resident_memory_bytes "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			rss = fmt.Sprintf("%.1f MB", f/1e6)
		}
		if v, ok := strings.CutPrefix(line, "go_goroutines "); ok {
			goroutines = v
		}
		if v, ok := strings.CutPrefix(line, "go_memstats_heap_inuse_bytes "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			heap = fmt.Sprintf("%.1f MB", f/1e6)
		}
	}
	return rss, heap, goroutines
}
