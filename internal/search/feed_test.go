package search_test

import (
	"context"
	"encoding/binary"
	"os"
	"runtime"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/internal/search"
	"podcastgraph/store"
)

func TestFeederStartsFromWhatItHas(t *testing.T) {
	ctx := context.Background()
	st, apply := search.StoreOfPages(t, 3)
	defer func() { st.Close() }()
	apply(0, 20)
	open := func() (*search.Feeder, search.StartInfo) {
		t.Helper()
		f, err := search.Open(ctx, st, search.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return f, f.StartInfo()
	}
	f, info := open()
	// A new store's journal reaches back to its start: replayed, not
	// rebuilt.
	if info.Loaded || info.Rebuilt || info.Replayed != 1 || info.Why != "no saved index" {
		t.Fatalf("first open: %+v", info)
	}
	things := f.Index().Len()
	// While it runs, writes reach it without being asked.
	apply(20, 25)
	gen, _ := st.Generation()
	if err := f.WaitFor(ctx, gen); err != nil || f.Index().Len() <= things {
		t.Fatalf("after a write: %d things (was %d), %v", f.Index().Len(), things, err)
	}
	// Asked to, it saves now, not at its next tick (30 s away), and then
	// reads its postings from the file, out of the heap.
	heap := f.Index().HeapBytes()
	f.SaveSoon()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := os.Stat(search.Path(st.Path()))
		if err == nil && (runtime.GOOS != "linux" || f.Index().HeapBytes() < heap) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not saved 10 s after SaveSoon (%v), or its heap not smaller (%d bytes, %d before)", err, f.Index().HeapBytes(), heap)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Up to date, a save asked for reads nothing more of the store.
	before, _ := st.Stats()
	f.SaveSoon()
	time.Sleep(300 * time.Millisecond) // a catch-up that read would have by now
	if after, _ := st.Stats(); after.ReadTxs != before.ReadTxs {
		t.Errorf("a save with nothing new opened %d read transactions", after.ReadTxs-before.ReadTxs)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f, info = open()
	if !info.Loaded || info.Rebuilt || info.Replayed != 0 {
		t.Fatalf("reopen: %+v", info)
	}
	f.Close()
	// Writes it missed are replayed.
	apply(25, 27)
	apply(27, 30)
	f, info = open()
	if !info.Loaded || info.Rebuilt || info.Replayed != 2 {
		t.Fatalf("after missed writes: %+v", info)
	}
	want := f.Index().Len()
	f.Close()
	// A damaged file is rebuilt from the store, to the same index.
	if err := os.WriteFile(search.Path(st.Path()), []byte("not an index"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, info = open()
	if info.Loaded || info.Rebuilt || info.Why == "" || f.Index().Len() != want {
		t.Fatalf("damaged file: %+v, %d things, want %d", info, f.Index().Len(), want)
	}
	f.Close()
	// A journal that does not reach back to the saved index (its start
	// dropped, as from a file older than the journal): rebuilt.
	os.Remove(search.Path(st.Path()))
	st.Close()
	db, err := bolt.Open(st.Path(), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("changes")).Delete(binary.BigEndian.AppendUint64(nil, 1))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err = store.Open(ctx, st.Path(), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	f, info = open()
	defer f.Close()
	if !info.Rebuilt || f.Index().Len() != want {
		t.Fatalf("journal cut: %+v, %d things, want %d", info, f.Index().Len(), want)
	}
}

// TestFeederHold: held, the index does not follow the store's writes (a
// bulk ingest is indexed once, at the end), but WaitFor still brings it
// up to date; released, it follows again.
func TestFeederHold(t *testing.T) {
	ctx := context.Background()
	st, apply := search.StoreOfPages(t, 7)
	f, err := search.Open(ctx, st, search.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	release := f.Hold()
	gen := apply(0, 10)
	time.Sleep(300 * time.Millisecond) // a catch-up that followed would have by now
	if got := f.Index().Generation(); got >= gen {
		t.Fatalf("held, the index followed a write: generation %d of %d", got, gen)
	}
	// WaitFor catches up anyway: an acknowledged ingest is searchable.
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := f.WaitFor(wctx, gen); err != nil {
		t.Fatalf("WaitFor while held: %v", err)
	}
	things := f.Index().Len()
	gen = apply(10, 20)
	time.Sleep(300 * time.Millisecond)
	if got := f.Index().Generation(); got >= gen {
		t.Fatalf("still held, the index followed a write: generation %d of %d", got, gen)
	}
	// Released, it catches up without being asked.
	release()
	release() // a second call does nothing
	deadline := time.Now().Add(10 * time.Second)
	for f.Index().Generation() < gen {
		if time.Now().After(deadline) {
			t.Fatalf("released, the index did not catch up: generation %d of %d", f.Index().Generation(), gen)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if f.Index().Len() <= things {
		t.Fatalf("%d things after the second write, %d before", f.Index().Len(), things)
	}
	gen = apply(20, 25)
	deadline = time.Now().Add(10 * time.Second)
	for f.Index().Generation() < gen {
		if time.Now().After(deadline) {
			t.Fatalf("released, the index does not follow writes: generation %d of %d", f.Index().Generation(), gen)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
