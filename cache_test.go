package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"podcastgraph/internal/pagegen"
)

// readTxs reads the store's read-transaction count from /metrics.
func readTxs(t *testing.T, s *testServer) int {
	t.Helper()
	_, text := httpGet(t, s.URL+"/metrics", "Authorization", "Bearer "+testAdminToken)
	m := regexp.MustCompile(`podcast_store_transactions_total\{kind="read",outcome="ok"\} (\d+)`).FindStringSubmatch(text)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// settledReadTxs waits until the server has finished reading its store in
// the background after start-up (the search index catching up with the
// start-up ingest), so that the reads counted after it are requests', and
// returns the count.
func settledReadTxs(t *testing.T, s *testServer) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	n := readTxs(t, s)
	for {
		time.Sleep(100 * time.Millisecond)
		m := readTxs(t, s)
		if m == n {
			return n
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store is still being read 10 s after start-up (%d, then %d read transactions)", n, m)
		}
		n = m
	}
}

// A repeated query is answered from the response cache without touching the
// store, and a write makes the next answer fresh.
func TestResponseCacheNeverStale(t *testing.T) {
	s := startServer(t, "--admin-token", testAdminToken)
	q := `{ episodes(first: 3) { totalCount nodes { number title } } }`
	count := func() int {
		var d struct{ Episodes struct{ TotalCount int } }
		s.query(t, q, nil).must(t, &d)
		return d.Episodes.TotalCount
	}
	if n := count(); n != 12 {
		t.Fatalf("start: %d", n)
	}
	before := settledReadTxs(t, s)
	for range 5 {
		if n := count(); n != 12 {
			t.Fatalf("repeat: %d", n)
		}
	}
	if after := readTxs(t, s); after != before {
		t.Errorf("repeated identical queries read the store %d times; want answers from the cache", after-before)
	}
	// Cache hits keep their operation name in logs and metrics.
	named := `{"query":"query Named { show { title } }","operationName":"Named"}`
	for range 2 {
		resp, err := http.Post(s.URL+"/graphql", "application/json", strings.NewReader(named))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if _, text := httpGet(t, s.URL+"/metrics", "Authorization", "Bearer "+testAdminToken); !strings.Contains(text, `podcast_graphql_requests_total{operation="Named",outcome="ok"} 2`) {
		t.Errorf("a cached answer lost its operation name in the metrics")
	}
	// A new page arrives: the very next answer includes it.
	name, data := pagegen.Page(1, pagegen.Options{Shows: 1, Seed: 5})
	body, _ := json.Marshal(map[string]any{"documents": []map[string]string{{"name": name, "data": base64.StdEncoding.EncodeToString(data)}}})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/admin/ingest", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("admin ingest: %v %v", err, resp)
	}
	resp.Body.Close()
	if n := count(); n <= 12 {
		t.Errorf("after ingest: totalCount %d, a stale cached answer", n)
	}
}
