package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Compaction. The write path leaves pages part full: bbolt splits a page
// where its bucket's FillPercent says, an index gets entries at one end
// of every scope it holds (so most of its pages are still filling), and
// pages freed by rewrites stay in the file, which bbolt never shrinks.
// Compact copies every key, in order, into a new file whose pages are all
// full, and puts it in the old one's place: after a bulk ingest, that
// file is about half the size (docs/storage.md).

// compactTxBytes bounds the keys and values copied per transaction of
// the new file, and so the memory the copy holds.
const compactTxBytes = 64 << 20

// CompactResult is what Compact did.
type CompactResult struct {
	Before, After int64 // file sizes in bytes
	Took          time.Duration
}

// Compact rewrites the store file at path with every page full and none
// free. It holds the file's lock throughout (ErrInUse, wrapped, when
// another process has it), writes the copy beside it, syncs it and
// renames it into place: a crash leaves the old file or the new one,
// whole. It refuses a file that is not a store, or one written by a newer
// layout, and leaves the file untouched on any error.
func Compact(ctx context.Context, path string, opts Options) (CompactResult, error) {
	start := time.Now()
	fail := func(err error) (CompactResult, error) {
		return CompactResult{}, fmt.Errorf("store: compact %s: %w", path, err)
	}
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	src, err := openBolt(path, timeout, Options{})
	if errors.Is(err, berrors.ErrTimeout) {
		return fail(ErrInUse)
	}
	if err != nil {
		return fail(err)
	}
	defer src.Close()
	if err := src.View(checkSchema); err != nil {
		return fail(err)
	}
	before, err := fileSize(path)
	if err != nil {
		return fail(err)
	}
	tmp := path + ".compact"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail(err)
	}
	// Mapping as much as the old file up front spares the copy the remaps
	// of a growing file (each copies every page written since the last).
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{PageSize: src.Info().PageSize, NoSync: true,
		FreelistType: bolt.FreelistMapType, InitialMmapSize: int(before)})
	if err != nil {
		return fail(err)
	}
	err = copyFile(ctx, dst, src)
	var used int64
	if err == nil {
		err = dst.View(func(tx *bolt.Tx) error { used = tx.Size(); return nil })
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// bbolt grows a file ahead of need; the copy needs no more.
		err = truncateAndSync(tmp, used)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fail(err)
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return fail(err)
	}
	after, err := fileSize(path)
	if err != nil {
		return fail(err)
	}
	return CompactResult{Before: before, After: after, Took: time.Since(start)}, nil
}

// copyFile copies every bucket of src into dst, a transaction of dst per
// compactTxBytes, from one read transaction of src.
func copyFile(ctx context.Context, dst, src *bolt.DB) error {
	tx, err := dst.Begin(true)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	size := 0
	// put writes k, v into the bucket at path (top-level first),
	// committing first when the transaction is full.
	put := func(path [][]byte, k, v []byte) (*bolt.Bucket, error) {
		if size += len(k) + len(v); size > compactTxBytes {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := tx.Commit(); err != nil {
				return nil, err
			}
			if tx, err = dst.Begin(true); err != nil {
				return nil, err
			}
			size = 0
		}
		b := tx.Bucket(path[0])
		for _, name := range path[1:] {
			b = b.Bucket(name)
		}
		b.FillPercent = 1.0
		return b, b.Put(k, v)
	}
	var copyBucket func(path [][]byte, b *bolt.Bucket) error
	copyBucket = func(path [][]byte, b *bolt.Bucket) error {
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if sub := b.Bucket(k); v == nil && sub != nil {
				parent := tx.Bucket(path[0])
				for _, name := range path[1:] {
					parent = parent.Bucket(name)
				}
				nb, err := parent.CreateBucket(k)
				if err != nil {
					return err
				}
				if err := nb.SetSequence(sub.Sequence()); err != nil {
					return err
				}
				if err := copyBucket(append(path[:len(path):len(path)], k), sub); err != nil {
					return err
				}
				continue
			}
			if _, err := put(path, k, v); err != nil {
				return err
			}
		}
		return nil
	}
	err = src.View(func(stx *bolt.Tx) error {
		return stx.ForEach(func(name []byte, b *bolt.Bucket) error {
			nb, err := tx.CreateBucket(name)
			if err != nil {
				return err
			}
			if err := nb.SetSequence(b.Sequence()); err != nil {
				return err
			}
			return copyBucket([][]byte{name}, b)
		})
	})
	if err != nil {
		return err
	}
	return tx.Commit()
}

// truncateAndSync cuts the file at path to size and syncs it.
func truncateAndSync(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(size)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
