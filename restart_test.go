package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"podcastgraph/internal/cli"
	"podcastgraph/internal/server"
)

// restartSeeds makes a seeds directory of the two real pages, a page with
// warnings and a page that fails to parse, and returns it.
func restartSeeds(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for src, name := range map[string]string{
		"seeds/000_3500f07eabefc183.txt": "000_3500f07eabefc183.txt",
		"seeds/001_2069fb2803647d3f.txt": "001_2069fb2803647d3f.txt",
		"ingest/testdata/warnings.txt":   "warnings.txt",
	} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.txt"), []byte("no episode here\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestIngestAgainSaysTheSame: the ingest command's lines for files it
// knows unchanged without reading them are the lines it prints when it
// reads them (--rescan): counts, warnings and all. The failed page is read
// every time. The standard error, a file and not a terminal, gets no
// progress line.
func TestIngestAgainSaysTheSame(t *testing.T) {
	dir := restartSeeds(t)
	db := filepath.Join(t.TempDir(), "p.db")
	stderr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	ingest := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		env := &cli.Env{Getenv: func(string) string { return "" }, Stdout: &out, Stderr: stderr,
			Testing: server.Options{Settle: -1}}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := runEnv(ctx, append(append([]string{"ingest", "--db", db}, args...), dir), env); err == nil {
			t.Fatalf("ingest %v succeeded with a bad page:\n%s", args, out.String())
		}
		return out.String()
	}
	first := ingest()
	if !strings.Contains(first, "4 documents: 3 added, 0 updated, 0 unchanged, 1 failed") {
		t.Fatalf("first ingest:\n%s", first)
	}
	again, rescan := ingest(), ingest("--rescan")
	if again != rescan {
		t.Fatalf("skipped without reading:\n%s\nread (--rescan):\n%s", again, rescan)
	}
	for _, want := range []string{
		"unchanged warnings.txt: 2 episodes, 2 guests, 2 topics, 5 warnings\n  warning warnings.txt: line 2: ",
		"failed    bad.txt:1: no header line",
		"4 documents: 0 added, 0 updated, 3 unchanged, 1 failed",
	} {
		if !strings.Contains(again, want) {
			t.Errorf("second ingest lacks %q:\n%s", want, again)
		}
	}
	if b, _ := os.ReadFile(stderr.Name()); len(b) > 0 {
		t.Fatalf("stderr, not a terminal, got %q", b)
	}
}
