package store

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
)

// dumpBuckets returns every key and value of the store but the meta
// bucket's generation and bounds (which a restore moves on purpose).
func dumpBuckets(t *testing.T, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				if bytes.Equal(name, bucketMeta) && (bytes.Equal(k, keyGeneration) || bytes.Equal(k, keyBounds)) {
					return nil
				}
				if bytes.Equal(name, bucketChanges) {
					return nil // the change journal is the node's own history, not the graph
				}
				out[string(name)+"\x00"+string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameBuckets(t *testing.T, what string, a, b map[string]string) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d keys against %d", what, len(a), len(b))
	}
	for k, v := range a {
		if b[k] != v {
			t.Fatalf("%s: key %q differs:\n%q\n%q", what, k, v, b[k])
		}
	}
}

func openTemp(t *testing.T, name string) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), name), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func preparedPages(t *testing.T, from, to int) []*Prepared {
	t.Helper()
	var out []*Prepared
	for i := from; i < to; i++ {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 3, Seed: 11, Technologies: true})
		doc, err := ingest.Parse(name, data, ingest.DefaultVocabulary())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Prepare(doc))
	}
	return out
}

// A write of documents that went through EncodePrepared and DecodePrepared
// (a replicated log) leaves a store with the same keys and values as the
// write of the documents themselves, with the log index recorded; a store
// that restores a snapshot of it holds the same, whatever it held before.
func TestReplicaWrites(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	opts := func(index uint64) ApplyOptions {
		return ApplyOptions{Fingerprint: "fp", Now: func() time.Time { return at }, LogIndex: index}
	}
	direct, replica := openTemp(t, "direct.db"), openTemp(t, "replica.db")
	for i, batch := range [][2]int{{0, 30}, {20, 45}} {
		docs := preparedPages(t, batch[0], batch[1])
		res, err := direct.ApplyPrepared(ctx, docs, opts(uint64(10+i)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := EncodePrepared(preparedPages(t, batch[0], batch[1]))
		if err != nil {
			t.Fatal(err)
		}
		decoded, err := DecodePrepared(b)
		if err != nil {
			t.Fatal(err)
		}
		res2, err := replica.ApplyPrepared(ctx, decoded, opts(uint64(10+i)))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(res) != fmt.Sprint(res2) {
			t.Fatalf("batch %d: results differ:\n%v\n%v", i, res, res2)
		}
		if res[0].Index != uint64(10+i) {
			t.Errorf("batch %d: result index %d, want %d", i, res[0].Index, 10+i)
		}
	}
	want := dumpBuckets(t, direct)
	sameBuckets(t, "replica", want, dumpBuckets(t, replica))
	if n, _ := replica.AppliedIndex(ctx); n != 11 {
		t.Errorf("applied index %d, want 11", n)
	}
	if _, err := DecodePrepared([]byte("not gob")); err == nil {
		t.Error("DecodePrepared took bytes it did not write")
	}

	other := openTemp(t, "other.db")
	if _, err := other.ApplyPrepared(ctx, preparedPages(t, 100, 140), opts(3)); err != nil {
		t.Fatal(err)
	}
	var changes []Change
	other.Subscribe(func(c Change) { changes = append(changes, c) })
	genBefore, _ := other.Generation()
	var snap bytes.Buffer
	if _, err := direct.WriteTo(ctx, &snap, nil); err != nil {
		t.Fatal(err)
	}
	genDirect, _ := direct.Generation()
	if err := other.Restore(ctx, &snap); err != nil {
		t.Fatal(err)
	}
	sameBuckets(t, "restored", want, dumpBuckets(t, other))
	if g, _ := other.Generation(); g <= max(genBefore, genDirect) {
		t.Errorf("generation %d after restore, want past %d and %d", g, genBefore, genDirect)
	}
	if len(changes) != 1 || !changes[0].Restored {
		t.Errorf("changes announced: %+v", changes)
	}
	// The journal no longer reaches back to any generation before the
	// restore, so a consumer that kept state (the search index) rebuilds.
	sn, err := other.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, complete, err := sn.ChangesSince(ctx, genBefore); err != nil || complete {
		t.Errorf("changes since %d after a restore: complete %v, %v; want incomplete", genBefore, complete, err)
	}
	sn.Close()
	if err := other.CheckConsistency(); err != nil {
		t.Fatal(err)
	}
	if err := other.Restore(ctx, bytes.NewReader([]byte("not a store"))); err == nil {
		t.Error("restored from bytes that are not a snapshot")
	}
	sameBuckets(t, "after a failed restore", want, dumpBuckets(t, other))
}
