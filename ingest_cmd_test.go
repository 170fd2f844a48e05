package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/cli"
)

func runCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := run(ctx, args, func(string) string { return "" }, &out)
	return out.String(), err
}

func TestIngestCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	seed, err := os.ReadFile("seeds/000_3500f07eabefc183.txt")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a_good.txt", seed)
	write("b_empty.txt", nil)
	write("c_binary.txt", []byte("DOP 1: x\x00\x01\x02\nRelease Date: 01/01/2025\n"))
	write("d_latin1.txt", []byte("DOP 2: caf\xe9\nRelease Date: 01/01/2025\nDevOps Paradox\n"))
	write("e_noheader.txt", []byte("Just some text\nwithout a header\n"))
	write("f_baddate.txt", []byte("DOP 3: Title\nRelease Date: 02/30/2025\nDevOps Paradox\ninfo_outline#3: Text.\n"))
	write("g_huge.txt", append([]byte("DOP 4: Big\nRelease Date: 01/01/2025\nDevOps Paradox\ninfo_outline#4: "), bytes.Repeat([]byte("word "), ingest.MaxPageSize/5+10)...))
	db := filepath.Join(t.TempDir(), "p.db")

	out, err := runCmd(t, "ingest", "--db", db, dir)
	if !errors.Is(err, cli.ErrReported) {
		t.Fatalf("ingest with bad files: err = %v, want a failure exit\n%s", err, out)
	}
	for _, want := range []string{"added     000_3500f07eabefc183.txt", "failed    b_empty.txt", "failed    c_binary.txt:1",
		"failed    d_latin1.txt:1", "failed    e_noheader.txt", "failed    f_baddate.txt:2", "failed    g_huge.txt",
		"7 documents: 1 added, 0 updated, 0 unchanged, 6 failed"} {
		if !strings.Contains(out, strings.Replace(want, "000_3500f07eabefc183.txt", "a_good.txt", 1)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(line, "failed") && strings.Count(line, "\n") > 0 {
			t.Errorf("multi-line error: %q", line)
		}
	}
	// The good page was committed; running again changes nothing.
	out, err = runCmd(t, "ingest", "--db", db, filepath.Join(dir, "a_good.txt"))
	if err != nil || !strings.Contains(out, "unchanged a_good.txt") {
		t.Fatalf("second run: %v\n%s", err, out)
	}
}

func TestIngestWhileServerHoldsStore(t *testing.T) {
	s := startServer(t)
	start := time.Now()
	out, err := runCmd(t, "ingest", "--db", s.DB, "seeds")
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("ingest on a held store: %v\n%s", err, out)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v to report the store in use", took)
	}
}

func TestBackupCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	if out, err := runCmd(t, "ingest", "--db", db, "seeds"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	snap := filepath.Join(t.TempDir(), "snap.db")
	if out, err := runCmd(t, "backup", "--db", db, snap); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// A server on the snapshot answers like one on the original.
	a := startServerOn(t, db, "--seeds", "")
	b := startServerOn(t, snap, "--seeds", "")
	q := `{ episodes(first: 100) { totalCount nodes { id title guests { name } topics { slug } } } guests { totalCount } }`
	ra, rb := a.query(t, q, nil), b.query(t, q, nil)
	if string(ra.Data) != string(rb.Data) || len(ra.Data) < 100 {
		t.Errorf("snapshot answers differ:\n%s\n%s", ra.Data, rb.Data)
	}
}

// The ingest command leaves the store's search index up to date beside
// it: a server started on the store loads it (no build, nothing to
// replay) and finds the pages just ingested; a second ingest of a changed
// page brings the index along, and the server finds the new text.
func TestIngestCommandIndexesForSearch(t *testing.T) {
	dir, pages := t.TempDir(), t.TempDir()
	db := filepath.Join(dir, "p.db")
	seed, err := os.ReadFile("seeds/000_3500f07eabefc183.txt")
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(pages, "a.txt")
	if err := os.WriteFile(page, seed, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(t, "ingest", "--db", db, pages); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	if _, err := os.Stat(db + ".search"); err != nil {
		t.Fatalf("no search index beside the store after ingest: %v", err)
	}
	serve := func(want, absent string) {
		t.Helper()
		s := startServerOn(t, db, "--seeds", "")
		defer s.stop()
		if l := s.logs.String(); !strings.Contains(l, `msg="search index ready" loaded=true rebuilt=false replayed=0`) {
			t.Errorf("the server did not load the index as the command left it:\n%s", l)
		}
		if r := s.search(t, want, nil); r.Search.TotalCount == 0 || r.Search.Edges[0].Node.Code != "DOP 316" {
			t.Errorf("%q: %v", want, codes(r))
		}
		if absent != "" {
			if r := s.search(t, absent, nil); slices.Contains(codes(r), "DOP 316") {
				t.Errorf("%q still finds the page's old text: %v", absent, codes(r))
			}
		}
	}
	serve("tailscale", "")
	edited := bytes.ReplaceAll(seed, []byte("Tailscale"), []byte("Wireguardia"))
	if err := os.WriteFile(page, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(t, "ingest", "--db", db, pages); err != nil || !strings.Contains(out, "1 updated") {
		t.Fatalf("second ingest: %v\n%s", err, out)
	}
	serve("wireguardia", "tailscale")
}
