package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/server"
)

// readyzBody is what /readyz answers.
type readyzBody struct {
	Status string
	Reason string
	Ingest *struct {
		Done, Total int
		Percent     float64
		Rate        float64
		EtaSeconds  float64
	}
}

func readyz(t *testing.T, s *testServer) (int, readyzBody) {
	t.Helper()
	resp, err := http.Get(s.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b readyzBody
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// until polls cond for up to 20 s.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestReadyzSaysHowFarTheStartupIngestIs: while the start-up ingest runs
// (held batch by batch by the test), /readyz answers 503 with the
// documents done of the total and the percent, and serve logs the same
// every ProgressEvery; once done it answers ready as before, and the
// closing log line says how long it took.
func TestReadyzSaysHowFarTheStartupIngestIs(t *testing.T) {
	dir := t.TempDir()
	for i := range 50 {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 5})
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gate := make(chan struct{})
	opts := server.Options{IngestStep: func() { <-gate }, ProgressEvery: 10 * time.Millisecond}
	s := launchServer(t, opts, filepath.Join(t.TempDir(), "p.db"), "--seeds", dir, "--batch", "10")
	var b readyzBody
	var code int
	until(t, "/readyz to report the ingest", func() bool { code, b = readyz(t, s); return b.Ingest != nil })
	if code != http.StatusServiceUnavailable || b.Status != "starting" || b.Reason != "start-up ingest not done" ||
		b.Ingest.Done != 0 || b.Ingest.Total != 50 || b.Ingest.Percent != 0 {
		t.Fatalf("before the first batch: %d %+v %+v", code, b, *b.Ingest)
	}
	gate <- struct{}{} // the first batch commits; the second waits
	until(t, "the first batch", func() bool { code, b = readyz(t, s); return b.Ingest.Done > 0 })
	if code != http.StatusServiceUnavailable || b.Ingest.Done != 10 || b.Ingest.Total != 50 || b.Ingest.Percent != 20 ||
		b.Ingest.Rate <= 0 || b.Ingest.EtaSeconds <= 0 {
		t.Fatalf("after the first batch: %d %+v", code, *b.Ingest)
	}
	until(t, "a progress log line", func() bool {
		return strings.Contains(s.logs.String(), `msg="start-up ingest progress" done=10 total=50 percent=20 rate=`)
	})
	close(gate)
	until(t, "ready", func() bool { code, b = readyz(t, s); return code == http.StatusOK })
	if b.Status != "ready" || b.Ingest != nil {
		t.Fatalf("ready: %+v", b)
	}
	if logs := s.logs.String(); !strings.Contains(logs, "added=50 updated=0 unchanged=0 failed=0 unread=0 took=") {
		t.Fatalf("no closing line:\n%s", logs)
	}
}
