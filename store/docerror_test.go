package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/store"
)

// TestApplyRefusesLongKeysAsDocumentError: a document whose name or slug
// would make a key bbolt cannot hold fails as a *DocumentError naming it,
// with a short cause, before any write: nothing of its batch is written,
// and the store is as it was.
func TestApplyRefusesLongKeysAsDocumentError(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	good := func(name string) *ingest.Document {
		doc, err := ingest.Parse(name, []byte("DOP 1: T\nRelease Date: 01/02/2025\nDevOps Paradox\ninfo_outline#1: Darin and Viktor speak with Hana Sato, CTO at Mirrorline.\n"), nil)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	longName := good("name.txt")
	longName.Name = strings.Repeat("n", 40_000) // as a source other than Parse might
	longSlug := good("slug.txt")
	longSlug.Guests[0].Slug = strings.Repeat("g", 40_000)
	for _, bad := range []*ingest.Document{longName, longSlug} {
		_, err := st.Apply(ctx, []*ingest.Document{good("a.txt"), bad}, store.ApplyOptions{})
		var de *store.DocumentError
		if !errors.As(err, &de) || de.Name != bad.Name || !strings.Contains(de.Err.Error(), "key too long") {
			t.Fatalf("Apply: %.200v", err)
		}
		if store.IsStoreWide(err) {
			t.Error("a document's error taken for the store's")
		}
		if strings.Contains(err.Error(), "bbolt") {
			t.Errorf("internals in %.200v", err)
		}
	}
	rep, err := st.Verify(ctx)
	if err != nil || rep.Documents != 0 {
		t.Fatalf("store after refused batches: %+v, %v", rep, err)
	}
}

func TestIsStoreWide(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{context.Canceled, true},
		{fmt.Errorf("commit: %w", syscall.ENOSPC), true},
		{fmt.Errorf("store: apply: %w", &store.DocumentError{Name: "a", Err: errors.New("x")}), false},
		{errors.New("something else"), false},
	} {
		if got := store.IsStoreWide(tt.err); got != tt.want {
			t.Errorf("IsStoreWide(%v) = %v", tt.err, got)
		}
	}
}

// TestReleaseMappedKeepsData: dropping the file's pages from the resident
// set, even while reads run, loses nothing: every invariant still holds
// and every record reads back.
func TestReleaseMappedKeepsData(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	var docs []*ingest.Document
	for i := range 50 {
		doc, err := ingest.Parse(fmt.Sprintf("p%d.txt", i), []byte(fmt.Sprintf(
			"DOP %d: T\nRelease Date: 01/02/2025\nDevOps Paradox\ninfo_outline#%d: Darin and Viktor speak with Hana Sato%c, CTO at Mirrorline.\n", i+1, i+1, 'a'+i%26)), nil)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	if _, err := st.Apply(ctx, docs, store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	before, err := st.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		var err error
		for range 20 {
			if _, e := st.Verify(ctx); e != nil {
				err = e
			}
		}
		done <- err
	}()
	for range 20 {
		if err := st.ReleaseMapped(); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("reads during release: %v", err)
	}
	after, err := st.Verify(ctx)
	if err != nil || after != before {
		t.Fatalf("after release: %+v, %v (before %+v)", after, err, before)
	}
}
