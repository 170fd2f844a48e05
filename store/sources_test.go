package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/store"
)

// TestSourceFilesFollowTheirDocuments: a file's description is recorded
// in the transaction that applies its document (unchanged documents
// included, so that a file touched and read again is recorded anew),
// dropped when the document is applied from bytes that came from no file,
// and never returned for a document the store does not hold.
func TestSourceFilesFollowTheirDocuments(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	doc := page("a.txt", 5, "2025-01-02", []ingest.GuestFacts{guest("Ana Lima", "CEO", "Foobar")}, []string{"dns"},
		listed(4, "Earlier.", nil))
	doc.Warnings = []string{"line 3: stray text"}
	apply := func(d *ingest.Document, file *store.FileStat, fp string) store.Result {
		t.Helper()
		p := store.Prepare(d)
		if file != nil {
			p.SetFile(*file)
		}
		res, err := st.ApplyPrepared(ctx, []*store.Prepared{p}, store.ApplyOptions{Fingerprint: fp, Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		return res[0]
	}
	source := func(name string) *store.SourceFile {
		t.Helper()
		srcs, err := st.SourceFiles(ctx, []string{name, "never.txt"})
		if err != nil {
			t.Fatal(err)
		}
		if srcs[1] != nil {
			t.Fatalf("a document never stored has a source: %+v", srcs[1])
		}
		return srcs[0]
	}
	stat := store.FileStat{Size: 8123, ModTime: 1_700_000_000_123_456_789, Ctime: 1_700_000_001_000_000_001, Inode: 1 << 40, Device: 2049}

	if r := apply(doc, &stat, "fp1"); r.Status != store.Added {
		t.Fatalf("first apply: %s", r.Status)
	}
	want := &store.SourceFile{Stat: stat, Fingerprint: "fp1", Episodes: 2, Guests: 1, Topics: 1,
		Warnings: []string{"line 3: stray text"}}
	if got := source("a.txt"); !reflect.DeepEqual(got, want) {
		t.Fatalf("recorded %+v, want %+v", got, want)
	}

	touched := stat
	touched.Ctime += 1e9
	if r := apply(doc, &touched, "fp1"); r.Status != store.Unchanged {
		t.Fatalf("same bytes again: %s", r.Status)
	}
	if got := source("a.txt"); got == nil || got.Stat != touched {
		t.Fatalf("after an unchanged apply from a touched file: %+v, want stat %+v", got, touched)
	}

	doc2 := *doc
	doc2.SHA256 += "-admin"
	if r := apply(&doc2, nil, "fp1"); r.Status != store.Updated {
		t.Fatalf("bytes from no file: %s", r.Status)
	}
	if got := source("a.txt"); got != nil {
		t.Fatalf("a document applied from no file keeps a source: %+v", got)
	}
	if _, err := st.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestSourceFilesInAnyOrder: names asked in any order, repeated, missing
// (before the first key, between keys, after the last), near each other
// and far apart, get what asking for each alone gets.
func TestSourceFilesInAnyOrder(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	var ps []*store.Prepared
	for n := range 60 {
		d := page(fmt.Sprintf("d%02d.txt", n), n+1, "2025-01-02", nil, nil)
		p := store.Prepare(d)
		if n%7 != 3 { // some documents come from no file
			p.SetFile(store.FileStat{Size: int64(100 + n), Inode: uint64(n)})
		}
		ps = append(ps, p)
	}
	if _, err := st.ApplyPrepared(ctx, ps, store.ApplyOptions{Fingerprint: "fp", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	names := []string{"zzz.txt", "d59.txt", "d00.txt", "a.txt", "d03.txt", "d01.txt", "d01.txt", "d02.txt",
		"d30.txt", "d04.txt", "d05x.txt", "d12.txt", "d13.txt", "d58.txt", "d45.txt", "d11.txt", "", "d21.txt"}
	got, err := st.SourceFiles(ctx, names)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for i, name := range names {
		alone, err := st.SourceFiles(ctx, []string{name})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[i], alone[0]) {
			t.Errorf("%q: %+v among others, %+v alone", name, got[i], alone[0])
		}
		if alone[0] != nil {
			found++
			if n, _ := strconv.Atoi(name[1:3]); alone[0].Stat.Size != int64(100+n) {
				t.Errorf("%q: the source of another document: %+v", name, alone[0])
			}
		}
	}
	if found != 11 { // the 14 d names asked for (d01 twice), less d03, d45 and d59 (from no file)
		t.Errorf("%d sources found, want 11", found)
	}
}
