package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

func TestChangeJournal(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	st, err := store.Open(ctx, path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	var announced []store.Change
	st.Subscribe(func(c store.Change) { announced = append(announced, c) })
	apply := func(docs ...*ingest.Document) {
		t.Helper()
		if _, err := st.Apply(ctx, docs, store.ApplyOptions{Now: fixedNow}); err != nil {
			t.Fatal(err)
		}
	}
	apply(page("a.txt", 1, "2025-01-01", nil, nil))
	apply(page("b.txt", 2, "2025-01-08", nil, nil))
	apply(page("b.txt", 2, "2025-01-08", nil, nil)) // unchanged: no generation, no entry
	if err := st.SetVocabulary(ctx, []podcast.Topic{{Slug: "dns", Name: "DNS"}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	// What each write announced is what the journal holds, in order, and
	// survives reopening.
	st, err = store.Open(ctx, path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sn, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	changes, complete, err := sn.ChangesSince(ctx, 0)
	if err != nil || !complete || len(changes) != 3 || len(announced) != 3 {
		t.Fatalf("since 0: %d changes, complete %v, %v; %d announced", len(changes), complete, err, len(announced))
	}
	for i, c := range changes {
		if c.Generation != uint64(i+1) || c.Generation != announced[i].Generation ||
			!slices.Equal(c.Documents, announced[i].Documents) || len(c.Episodes) != len(announced[i].Episodes) {
			t.Errorf("change %d: journal %+v, announced %+v", i, c, announced[i])
		}
	}
	if !slices.Equal(changes[1].Documents, []string{"b.txt"}) || !slices.Contains(changes[1].Episodes, podcast.EpisodeKey{Show: "devops-paradox", Number: 2}) {
		t.Errorf("second change: %+v", changes[1])
	}
	if !slices.Equal(changes[2].Topics, []string{"dns"}) {
		t.Errorf("vocabulary change: %+v", changes[2])
	}
	// From the snapshot's own generation: nothing, complete. From ahead of
	// it: not complete (the caller rebuilds).
	if c, complete, _ := sn.ChangesSince(ctx, sn.Generation()); len(c) != 0 || !complete {
		t.Errorf("since now: %v %v", c, complete)
	}
	if _, complete, _ := sn.ChangesSince(ctx, sn.Generation()+5); complete {
		t.Error("since the future: complete")
	}
	all, err := sn.All(ctx)
	if err != nil || len(all.Episodes) != 2 || len(all.Shows) != 1 {
		t.Errorf("all: %+v %v", all, err)
	}
}
