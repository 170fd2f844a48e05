//go:build linux

package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"podcastgraph/internal/cli"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/server"
)

// screen replays what a terminal received and returns its lines as they
// show: "\r" returns to the line's start, "\x1b[K" erases to its end, text
// overwrites. The last element is the line the cursor is on.
func screen(raw string) []string {
	var lines []string
	var cur []rune
	col := 0
	for i := 0; i < len(raw); {
		switch {
		case raw[i] == '\r':
			col, i = 0, i+1
		case raw[i] == '\n':
			lines = append(lines, string(cur))
			cur, col, i = nil, 0, i+1
		case strings.HasPrefix(raw[i:], "\x1b[K"):
			cur, i = cur[:col], i+3
		default:
			r, n := utf8.DecodeRuneInString(raw[i:])
			if col < len(cur) {
				cur[col] = r
			} else {
				cur = append(cur, r)
			}
			col, i = col+1, i+n
		}
	}
	return append(lines, string(cur))
}

// TestIngestProgressLineOnATerminal: with its standard error (and here its
// standard output too) on a terminal, ingest draws one updating progress
// line (documents done of the total, the rate, the time left) a few times
// a second, keeps it off the report's lines, and erases it at the end: the
// screen then shows exactly the lines the same ingest prints off a
// terminal.
func TestIngestProgressLineOnATerminal(t *testing.T) {
	dir := t.TempDir()
	for i := range 40 {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 9})
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 24, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	read := make(chan struct{})
	go func() { defer close(read); _, _ = raw.ReadFrom(ptmx) }() // ends with EIO once tty closes

	ingest := func(stdout io.Writer, stderr *os.File, step func()) {
		t.Helper()
		env := &cli.Env{Getenv: func(string) string { return "" }, Stdout: stdout, Stderr: stderr,
			Testing: server.Options{IngestStep: step}}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db := filepath.Join(t.TempDir(), "p.db")
		if err := runEnv(ctx, []string{"ingest", "--db", db, "--batch", "10", dir}, env); err != nil {
			t.Fatal(err)
		}
	}
	var plain bytes.Buffer
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	ingest(&plain, devnull, nil) // a character device, not a terminal: no line
	// Each batch of 10 waits a quarter second: the line is drawn several
	// times over the run.
	ingest(tty, tty, func() { time.Sleep(250 * time.Millisecond) })
	tty.Close()
	<-read

	got := raw.String()
	for _, want := range []string{"\ringest: 10 / 40 documents (25.0%), ", " docs/s, ", "s left\x1b[K"} {
		if !strings.Contains(got, want) {
			t.Errorf("the terminal never got %q:\n%q", want, got)
		}
	}
	// The compaction's own line and the search index's (stderr, after
	// the documents: the store was new) are on the terminal and not in
	// the plain run's report.
	lines := slices.DeleteFunc(screen(got), func(l string) bool { return strings.HasPrefix(l, "compacted ") })
	if n := len(screen(got)) - len(lines); n != 1 {
		t.Errorf("the terminal showed %d compaction lines, want 1", n)
	}
	all := len(lines)
	lines = slices.DeleteFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, "search index ") && strings.Contains(l, ": built, ")
	})
	if n := all - len(lines); n != 1 {
		t.Errorf("the terminal showed %d lines of the search index built, want 1", n)
	}
	want := strings.Split(plain.String(), "\n") // ends with "": the erased line
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the screen shows:\n%s\nwant:\n%s\nraw: %q", strings.Join(lines, "\n"), plain.String(), got)
	}
}
