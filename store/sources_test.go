package store_test

import (
	"context"
	"reflect"
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
