package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/server"
)

// slowToken is the admin token of these tests (32+ characters).
const slowToken = "slow-client-test-admin-token-0123456789"

// bigQuery asks for every episode's guests' episodes' guests' episodes:
// tens of megabytes from a few hundred generated pages.
const bigQuery = `{ episodes(first: 100) { nodes { description guests { name episodes(first: 100) { nodes { description
  guests { name episodes(first: 100) { nodes { title description } } } } } } } } }`

// genSeeds writes generated pages [from, to) into a new directory.
func genSeeds(t testing.TB, from, to int) string {
	t.Helper()
	dir := t.TempDir()
	for i := from; i < to; i++ {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 1})
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// stallClient sends query on a raw connection with a tiny receive buffer,
// reads the answer's header (so execution is over and the server is
// writing) and then reads nothing more. It returns the connection and the
// answer, whose body is the rest of the stream.
func stallClient(t testing.TB, base, query string) (net.Conn, *http.Response) {
	t.Helper()
	addr := strings.TrimPrefix(base, "http://")
	d := net.Dialer{Timeout: 10 * time.Second, Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	body, _ := json.Marshal(map[string]any{"query": query})
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body)
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Minute))
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 4096), nil)
	if err != nil {
		t.Fatalf("no answer to the big query: %v", err)
	}
	return conn, resp
}

var openTxsRE = regexp.MustCompile(`(?m)^podcast_store_open_read_txs (\d+)`)

// openReadTxs reads the store's open read transactions from /metrics.
func openReadTxs(t testing.TB, base string) int {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	req, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+slowToken) // /metrics needs the admin token when one is set
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	m := openTxsRE.FindSubmatch(text)
	if m == nil {
		t.Fatalf("no podcast_store_open_read_txs in /metrics (status %d)", resp.StatusCode)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// adminIngest posts generated pages [from, to) to /admin/ingest.
func adminIngest(c *http.Client, base string, from, to int) error {
	var docs []map[string]string
	for i := from; i < to; i++ {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 1})
		docs = append(docs, map[string]string{"name": name, "data": base64.StdEncoding.EncodeToString(data)})
	}
	body, _ := json.Marshal(map[string]any{"documents": docs})
	req, _ := http.NewRequest(http.MethodPost, base+"/admin/ingest", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+slowToken)
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	return nil
}

// TestStalledClientDoesNotStallStore: a client that asks for a large
// answer and never reads it holds no read transaction, so an ingest that
// grows the store, and point lookups, go on as without it.
func TestStalledClientDoesNotStallStore(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests a few thousand pages")
	}
	const pages = 400
	// Per-write deadlines far off, so that the stalled client stays
	// connected for the whole test: what is tested is that it holds
	// nothing of the store.
	hooks := server.Options{WriteStallTimeout: 10 * time.Minute}
	opts := hooks
	s := startServerWith(t, opts, filepath.Join(t.TempDir(), "podcast.db"), "--seeds", genSeeds(t, 0, pages),
		"--admin-token", slowToken, "--max-cost", "0", "--cost-rate", "0", "--max-response-bytes", "0", "--rate", "0",
		"--query-timeout", "5m")
	fi, err := os.Stat(s.DB)
	if err != nil {
		t.Fatal(err)
	}
	before := fi.Size()

	conn, answer := stallClient(t, s.URL, bigQuery)
	if answer.StatusCode != http.StatusOK || answer.ContentLength < 16<<20 {
		t.Fatalf("big query: status %d, %d bytes; want 200 and 16+ MiB, more than socket buffers hold", answer.StatusCode, answer.ContentLength)
	}
	// Execution is over and the answer is being written to a client that
	// reads nothing: the store must hold no read transaction for it.
	deadline := time.Now().Add(10 * time.Second)
	for n := openReadTxs(t, s.URL); n != 0; n = openReadTxs(t, s.URL) {
		if time.Now().After(deadline) {
			t.Fatalf("%d read transactions open while a client stalls on its answer", n)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// An ingest that at least doubles the file (so that, mapped as the
	// file was, it must grow bbolt's memory map), and point lookups
	// meanwhile, all finish: the bound detects a stall, it does not time
	// anything.
	const bound = 90 * time.Second
	c := &http.Client{Timeout: bound}
	var wg sync.WaitGroup
	ingestErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for from := pages; ; from += 400 {
			if err := adminIngest(c, s.URL, from, from+400); err != nil {
				ingestErr <- err
				return
			}
			if fi, err := os.Stat(s.DB); err == nil && fi.Size() > 2*before {
				ingestErr <- nil
				return
			}
			if from > 20*pages {
				ingestErr <- fmt.Errorf("the file did not double (%d bytes from %d)", fi.Size(), before)
				return
			}
		}
	}()
	lookups := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 50 {
			body := fmt.Sprintf(`{"query":"{ episode(number: %d) { title } }"}`, i%pages+1)
			resp, err := c.Post(s.URL+"/graphql", "application/json", strings.NewReader(body))
			if err != nil {
				lookups <- fmt.Errorf("lookup %d: %w", i, err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"title"`)) {
				lookups <- fmt.Errorf("lookup %d: %d %s", i, resp.StatusCode, b)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		lookups <- nil
	}()
	wg.Wait()
	if err := <-ingestErr; err != nil {
		t.Errorf("ingest beside a stalled client: %v", err)
	}
	if err := <-lookups; err != nil {
		t.Errorf("lookups beside a stalled client: %v", err)
	}
	// The client was stalled throughout, and its answer is whole.
	_ = conn.SetReadDeadline(time.Now().Add(bound))
	var doc struct {
		Data struct {
			Episodes struct{ Nodes []json.RawMessage }
		}
	}
	if err := json.NewDecoder(answer.Body).Decode(&doc); err != nil || len(doc.Data.Episodes.Nodes) != 100 {
		t.Errorf("the stalled client's answer, once read: %v, %d episodes", err, len(doc.Data.Episodes.Nodes))
	}
	t.Logf("store %d → %d bytes; answer %d bytes", before, fileSize(s.DB), answer.ContentLength)
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// TestMaxResponseBytes: an answer over --max-response-bytes is refused
// with RESPONSE_TOO_LARGE and no data, in a complete JSON document, and
// is not kept as a cacheable answer; answers under it are served.
func TestMaxResponseBytes(t *testing.T) {
	s := startServer(t, "--seeds", genSeeds(t, 0, 60), "--max-cost", "0", "--cost-rate", "0", "--max-response-bytes", "200000", "--rate", "0")
	r := s.query(t, bigQuery, nil)
	if r.code() != "RESPONSE_TOO_LARGE" || len(r.Data) != 0 && string(r.Data) != "null" {
		t.Fatalf("over the limit: code %q, %d bytes of data, errors %+v", r.code(), len(r.Data), r.Errors)
	}
	if !strings.Contains(r.Errors[0].Message, "200000 bytes") {
		t.Errorf("message does not name the limit: %q", r.Errors[0].Message)
	}
	// GET: not cacheable, and asked again it is refused again rather than
	// served from the response cache.
	for range 2 {
		g := s.get(t, bigQuery, nil)
		if g.code() != "RESPONSE_TOO_LARGE" || g.header.Get("ETag") != "" || g.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("GET over the limit: code %q, ETag %q, Cache-Control %q", g.code(), g.header.Get("ETag"), g.header.Get("Cache-Control"))
		}
	}
	var small struct {
		Episodes struct{ Nodes []struct{ Title string } }
	}
	s.query(t, `{ episodes(first: 100) { nodes { title } } }`, nil).must(t, &small)
	if len(small.Episodes.Nodes) != 60 {
		t.Errorf("under the limit: %d episodes, want 60", len(small.Episodes.Nodes))
	}
}
