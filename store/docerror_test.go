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
