package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/store"
)

// TestReadPageNeverBlocks: a page swapped for a named pipe after it was
// listed fails at once instead of blocking the read.
func TestReadPageNeverBlocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.txt")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan Page, 1)
	go func() { done <- ReadPage(path) }()
	select {
	case p := <-done:
		if p.Err == nil || !strings.Contains(p.Err.Error(), "x.txt: not a regular file (named pipe)") {
			t.Fatalf("readPage(fifo) = %v", p.Err)
		}
	case <-time.After(time.Minute):
		t.Fatal("readPage blocked on a named pipe")
	}
}

// TestOneBadDocumentNeverSinksTheBatch: documents the store cannot hold,
// batched with good ones: the good ones are committed and each bad one
// fails alone, naming itself and a short cause. One is caught by the
// parser (a name no file system gives); the other gets past it (its name
// set after parsing, as a future source might) and is refused by the
// store's own key check, which once was bbolt aborting the batch.
func TestOneBadDocumentNeverSinksTheBatch(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "p.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ing := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: 64}
	var pages []Page
	for i := range 6 {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 3})
		if i == 2 {
			name = strings.Repeat("n", 40_000) + ".txt" // over bbolt's 32 KiB keys
		}
		pages = append(pages, Page{Name: name, Data: data})
	}
	pb := ing.parse(ctx, pages, nil)
	if pb.errs[4] != nil {
		t.Fatal(pb.errs[4])
	}
	doc, err := ingest.Parse(pages[4].Name, pages[4].Data, ing.Vocab)
	if err != nil {
		t.Fatal(err)
	}
	doc.Name = strings.Repeat("m", 40_000) + ".txt"
	pb.docs[4], pb.pages[4].Name = store.Prepare(doc), doc.Name
	results, err := ing.commit(ctx, pb)
	if err != nil {
		t.Fatalf("commit: %v (one bad document sank the batch)", err)
	}
	for i, r := range results {
		switch i {
		case 2:
			if r.Status != "failed" || !strings.Contains(r.Error, "document name is 40004 bytes, over the 255-byte limit") {
				t.Errorf("document 2: %s %.200s", r.Status, r.Error)
			}
		case 4:
			if r.Status != "failed" || !strings.Contains(r.Error, "the store refused it: name is 40004 bytes") ||
				!strings.Contains(r.Error, "key too long") {
				t.Errorf("document 4: %s %.200s", r.Status, r.Error[len(r.Error)-100:])
			}
		default:
			if r.Status != "added" {
				t.Errorf("good document %s: %s %s", r.Name, r.Status, r.Error)
			}
		}
	}
	rep, err := st.Verify(ctx)
	if err != nil || rep.Documents != 4 {
		t.Fatalf("store after: %+v, %v", rep, err)
	}
}
