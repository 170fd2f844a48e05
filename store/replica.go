package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A store that is a replica of a cluster (internal/cluster) records, in
// every write the replicated log makes, the index of the log entry the
// write applies: after a restart the node skips the entries its store
// already holds, and a snapshot (WriteTo) carries the index it holds with
// it.
//
//	meta key "applied" -> u64 index of the last log entry applied

var keyApplied = []byte("applied")

// putApplied records index as the last log entry applied; 0 records
// nothing (a write outside a cluster).
func putApplied(tx *bolt.Tx, index uint64) error {
	if index == 0 {
		return nil
	}
	return tx.Bucket(bucketMeta).Put(keyApplied, u64(index))
}

func appliedIndex(tx *bolt.Tx) uint64 {
	v := tx.Bucket(bucketMeta).Get(keyApplied)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// AppliedIndex returns the index of the last replicated log entry written
// to the store (0: none). It fails only when the store cannot be read.
func (s *Store) AppliedIndex(ctx context.Context) (uint64, error) {
	var n uint64
	err := s.view(ctx, func(tx *bolt.Tx) error { n = appliedIndex(tx); return nil })
	return n, err
}

// Restore replaces the whole content of the open store by the snapshot r
// holds (what WriteTo wrote, from a store of this schema version), in one
// write transaction: readers see the old store or the new one, never a
// mix. The generation moves past both the old one and the snapshot's, so
// no cache keeps an answer from before. The snapshot is spooled to a
// temporary file beside the store, removed when done. Subscribers are told
// with a Change whose Restored is set.
func (s *Store) Restore(ctx context.Context, r io.Reader) error {
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".restore-*")
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = io.Copy(tmp, r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: restore: spool snapshot: %w", err)
	}
	src, err := bolt.Open(tmp.Name(), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("store: restore: open snapshot: %w", err)
	}
	defer src.Close()
	var gen uint64
	err = src.View(func(stx *bolt.Tx) error {
		if err := checkSchema(stx); err != nil {
			return err
		}
		if v := stx.Bucket(bucketMeta).Get(keySchema); binary.BigEndian.Uint32(v) != SchemaVersion {
			return fmt.Errorf("snapshot has schema version %d, this build writes %d", binary.BigEndian.Uint32(v), SchemaVersion)
		}
		return s.update(ctx, func(tx *bolt.Tx, m *maxima) (bool, error) {
			old := generation(tx)
			var names [][]byte
			_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
				names = append(names, append([]byte(nil), name...))
				return nil
			})
			for _, name := range names {
				if err := tx.DeleteBucket(name); err != nil {
					return false, fmt.Errorf("drop bucket %s: %w", name, err)
				}
			}
			if err := stx.ForEach(func(name []byte, b *bolt.Bucket) error {
				nb, err := tx.CreateBucket(name)
				if err != nil {
					return err
				}
				return copyInto(nb, b)
			}); err != nil {
				return false, fmt.Errorf("copy snapshot: %w", err)
			}
			// The snapshot's journal describes another store's history:
			// empty it, so that a consumer of the journal (the search
			// index) finds it does not reach back and rebuilds.
			if tx.Bucket(bucketChanges) != nil {
				if err := tx.DeleteBucket(bucketChanges); err != nil {
					return false, fmt.Errorf("reset the change journal: %w", err)
				}
				if _, err := tx.CreateBucket(bucketChanges); err != nil {
					return false, fmt.Errorf("reset the change journal: %w", err)
				}
			}
			rm := readMaxima(tx)
			if rm == nil {
				var err error
				if rm, err = scanMaxima(tx); err != nil {
					return false, fmt.Errorf("compute bounds: %w", err)
				}
			}
			*m = *rm
			gen = max(old, generation(tx)) + 1
			return true, tx.Bucket(bucketMeta).Put(keyGeneration, u64(gen-1))
		})
	})
	if err != nil {
		return fmt.Errorf("store: restore: %w", err)
	}
	s.announce(Change{Generation: gen, Restored: true})
	return nil
}

// copyInto copies bucket src, nested buckets included, into dst.
func copyInto(dst, src *bolt.Bucket) error {
	dst.FillPercent = 0.9
	if err := dst.SetSequence(src.Sequence()); err != nil {
		return err
	}
	c := src.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil {
			nb, err := dst.CreateBucket(k)
			if err != nil {
				return err
			}
			if err := copyInto(nb, src.Bucket(k)); err != nil {
				return err
			}
			continue
		}
		if err := dst.Put(k, v); err != nil {
			return err
		}
	}
	return nil
}
