package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"podcastgraph/internal/cli"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/server"
	"podcastgraph/store"
)

// runBounded runs a command like runCmd, but fails the test instead of
// hanging when the command does not return: a blocked read of a named
// pipe does not heed the context.
func runBounded(t *testing.T, opts server.Options, args ...string) (string, error) {
	t.Helper()
	var out syncBuffer
	done := make(chan error, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	env := &cli.Env{Getenv: func(string) string { return "" }, Stdout: &out, Stderr: os.Stderr, Testing: opts}
	go func() { done <- runEnv(ctx, args, env) }()
	select {
	case err := <-done:
		return out.String(), err
	case <-time.After(3 * time.Minute):
		t.Fatalf("%v hung; output so far:\n%s", args, out.String())
		return "", nil
	}
}

func writePage(t *testing.T, path string, i int) {
	t.Helper()
	_, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 7})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestIngestTrustsNothingItFinds: a named pipe, a socket, a symlink out of
// the directory and a symlink loop are skipped with a line each, without
// hanging; a symlink to a page inside the directory is read.
func TestIngestTrustsNothingItFinds(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writePage(t, filepath.Join(dir, "a_good.txt"), 0)
	writePage(t, filepath.Join(dir, "sub_b.txt"), 1)
	writePage(t, filepath.Join(outside, "secret.txt"), 2)
	if err := syscall.Mkfifo(filepath.Join(dir, "c_fifo.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A socket path must be short: bind in the directory by its relative name.
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", "d_sock.txt")
	os.Chdir(wd)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for link, target := range map[string]string{
		"e_inside.txt":  filepath.Join(dir, "sub_b.txt"),
		"f_outside.txt": filepath.Join(outside, "secret.txt"),
		"g_loop.txt":    "g_loop.txt",
		"h_fifo.txt":    "c_fifo.txt",
		"subdir":        outside, // a symlinked directory is not walked
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(t.TempDir(), "p.db")
	out, err := runBounded(t, server.Options{}, "ingest", "--db", db, dir)
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	for _, want := range []string{
		"added     a_good.txt", "added     sub_b.txt", "added     e_inside.txt",
		"skipped   " + filepath.Join(dir, "c_fifo.txt") + ": not a regular file (named pipe)",
		"skipped   " + filepath.Join(dir, "d_sock.txt") + ": not a regular file (socket)",
		"skipped   " + filepath.Join(dir, "f_outside.txt") + ": symlink leads outside the directory",
		"skipped   " + filepath.Join(dir, "g_loop.txt") + ": symlink cannot be followed",
		"skipped   " + filepath.Join(dir, "h_fifo.txt") + ": symlink leads to something not a regular file (named pipe)",
		"3 documents: 3 added, 0 updated, 0 unchanged, 0 failed (5 skipped: not regular files)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "secret") {
		t.Errorf("a page outside the directory was read:\n%s", out)
	}
}

// TestSeedsSymlinkedDirectory: a --seeds (or ingest) path that is itself a
// symlink to a directory is walked where it leads.
func TestSeedsSymlinkedDirectory(t *testing.T) {
	dir := t.TempDir()
	writePage(t, filepath.Join(dir, "a.txt"), 0)
	link := filepath.Join(t.TempDir(), "seeds")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	out, err := runBounded(t, server.Options{}, "ingest", "--db", filepath.Join(t.TempDir(), "p.db"), link)
	if err != nil || !strings.Contains(out, "1 document: 1 added") {
		t.Fatalf("ingest through a symlinked directory: %v\n%s", err, out)
	}
}

// TestServeSkipsNamedPipe: a named pipe among the seeds neither hangs
// start-up nor shutdown; it is logged as skipped.
func TestServeSkipsNamedPipe(t *testing.T) {
	dir := t.TempDir()
	writePage(t, filepath.Join(dir, "a.txt"), 0)
	if err := syscall.Mkfifo(filepath.Join(dir, "b.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServerOn(t, filepath.Join(t.TempDir(), "p.db"), "--seeds", dir)
	if !strings.Contains(s.logs.String(), "skipped "+filepath.Join(dir, "b.txt")+": not a regular file (named pipe)") {
		t.Errorf("no skip logged:\n%s", s.logs.String())
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

// TestIngestCommandIsolatesStoreFailure: the store fails a write whenever
// one document is in it (fault injection naming no document). The ingest
// command commits every other document, reports the bad one on its own
// line and exits 1. A store that fails every write is a store failure,
// not a hundred failed documents.
func TestIngestCommandIsolatesStoreFailure(t *testing.T) {
	dir := t.TempDir()
	for i := range 20 {
		writePage(t, filepath.Join(dir, fmt.Sprintf("p%02d.txt", i)), i)
	}
	db := filepath.Join(t.TempDir(), "p.db")
	fault := func(name string) error {
		if name == "p13.txt" {
			return errors.New("injected write failure")
		}
		return nil
	}
	out, err := runBounded(t, server.Options{FailApply: fault}, "ingest", "--db", db, "--batch", "8", dir)
	if !errors.Is(err, cli.ErrReported) {
		t.Fatalf("ingest: err = %v, want exit 1 after committing the rest\n%s", err, out)
	}
	if !strings.Contains(out, "failed    p13.txt: the store refused it: ") ||
		!strings.Contains(out, "20 documents: 19 added, 0 updated, 0 unchanged, 1 failed") {
		t.Fatalf("output:\n%s", out)
	}
	st, err := store.Open(context.Background(), db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := st.Verify(context.Background())
	st.Close()
	if err != nil || rep.Documents != 19 {
		t.Fatalf("store after: %+v, %v", rep, err)
	}

	always := func(string) error { return errors.New("injected disk trouble") }
	out, err = runBounded(t, server.Options{FailApply: always}, "ingest", "--db", filepath.Join(t.TempDir(), "q.db"), "--batch", "8", dir)
	if err == nil || errors.Is(err, cli.ErrReported) || !strings.Contains(err.Error(), "injected disk trouble") {
		t.Fatalf("a store failing every write: err = %v\n%s", err, out)
	}
	if strings.Contains(out, "added") {
		t.Fatalf("output:\n%s", out)
	}
}

// TestStartupIngestStopsOnSignal: cancelling serve's context (SIGTERM)
// during a start-up ingest stops it within a batch and serve returns;
// the store holds whole documents only.
func TestStartupIngestStopsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 3,000 pages")
	}
	dir := t.TempDir()
	const n = 3000
	for i := range n {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 5})
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := filepath.Join(t.TempDir(), "p.db")
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--seeds", dir, "--batch", "200"},
			func(string) string { return "" }, logs)
	}()
	for !strings.Contains(logs.String(), "listening on") {
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\n%s", err, logs)
		case <-time.After(5 * time.Millisecond):
		}
	}
	time.Sleep(300 * time.Millisecond) // into the ingest
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatalf("serve did not stop after cancel:\n%s", logs)
	}
	st, err := store.Open(context.Background(), db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep, err := st.Verify(context.Background())
	if err != nil {
		t.Fatalf("store after an interrupted ingest: %v", err)
	}
	t.Logf("committed %d of %d documents before stopping", rep.Documents, n)
	if rep.Documents < n && !strings.Contains(logs.String(), "start-up ingest stopped by shutdown") {
		t.Errorf("the interrupted ingest was not logged as stopped:\n%s", logs)
	}
	if rep.Documents%200 != 0 && rep.Documents != n {
		t.Errorf("%d documents: not whole batches", rep.Documents)
	}
}

// TestWatchSkipsUntrustedFiles: --watch applies the walk's rules: a named
// pipe and a symlink out of the directory appearing in it are logged as
// skipped, never read; shutdown is not held up.
func TestWatchSkipsUntrustedFiles(t *testing.T) {
	dir := t.TempDir()
	writePage(t, filepath.Join(dir, "a.txt"), 0)
	outside := filepath.Join(t.TempDir(), "secret.txt")
	writePage(t, outside, 1)
	s := startServerOn(t, filepath.Join(t.TempDir(), "w.db"), "--seeds", dir, "--watch")
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "out.txt")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		logs := s.logs.String()
		if strings.Contains(logs, "reason=\"not a regular file (named pipe)\"") &&
			strings.Contains(logs, "reason=\"symlink leads outside the directory\"") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("watch did not skip the pipe and the outside link:\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.logs.String(), "document=out.txt") {
		t.Errorf("a page outside the directory was ingested:\n%s", s.logs.String())
	}
}
