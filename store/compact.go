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
// the new file, and so the memory the copy holds: a transaction's nodes
// and the pages its commit writes are on the heap until it ends. After
// each transaction the copy also drops both files' mapped pages from the
// resident set: the walk reads every page of the old file through bbolt's
// mapping, and without that the whole file would count against the
// process's memory by the end of the copy (on top of the ingest's heap,
// when `ingest` compacts after a bulk load). Compacting a 1.42 GB store
// to 571 MB peaked at 1.14 GB resident with 64 MB transactions and
// neither release, 563-660 MB with the releases, 213-310 MB with 16 MB
// transactions as well, in the same CPU time (`/usr/bin/time podcastgraph
// compact`, docs/performance.md).
const compactTxBytes = 16 << 20

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
	return compact(ctx, path, opts, compactTxBytes)
}

// compact is Compact with txBytes of keys and values per transaction of
// the copy.
func compact(ctx context.Context, path string, opts Options, txBytes int) (CompactResult, error) {
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
	fi, err := os.Stat(path)
	if err != nil {
		return fail(err)
	}
	before := fi.Size()
	tmp := path + ".compact"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fail(err)
	}
	// Mapping as much as the old file up front spares the copy the remaps
	// of a growing file (each copies every page written since the last).
	dst, err := bolt.Open(tmp, fi.Mode().Perm(), &bolt.Options{PageSize: src.Info().PageSize, NoSync: true,
		FreelistType: bolt.FreelistMapType, InitialMmapSize: int(before)})
	if err != nil {
		return fail(err)
	}
	err = copyFile(ctx, dst, src, txBytes)
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
// txBytes, from one read transaction of src.
func copyFile(ctx context.Context, dst, src *bolt.DB, txBytes int) error {
	c := &copier{ctx: ctx, dst: dst, src: src, txBytes: txBytes}
	var err error
	if c.tx, err = dst.Begin(true); err != nil {
		return err
	}
	defer func() { _ = c.tx.Rollback() }()
	err = src.View(func(stx *bolt.Tx) error {
		c.srcSize = stx.Size()
		return stx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return c.copyBucket(nil, name, b)
		})
	})
	if err != nil {
		return err
	}
	return c.tx.Commit()
}

// copier writes the copy, committing a transaction whenever it holds
// txBytes and then releasing both files' mapped pages.
type copier struct {
	ctx      context.Context
	dst, src *bolt.DB
	srcSize  int64 // the bytes of src its read transaction sees
	txBytes  int
	tx       *bolt.Tx
	size     int
}

// bucket opens the bucket at path in the current transaction, to be
// filled in key order: every page full.
func (c *copier) bucket(path [][]byte) *bolt.Bucket {
	b := c.tx.Bucket(path[0])
	for _, name := range path[1:] {
		b = b.Bucket(name)
	}
	b.FillPercent = 1.0
	return b
}

// copyBucket creates the bucket name under parent (the top level when
// nil) and copies src into it. Values are never nil; a nil value is a
// nested bucket.
func (c *copier) copyBucket(parent [][]byte, name []byte, src *bolt.Bucket) error {
	var nb *bolt.Bucket
	var err error
	if parent == nil {
		nb, err = c.tx.CreateBucket(name)
	} else {
		nb, err = c.bucket(parent).CreateBucket(name)
	}
	if err != nil {
		return err
	}
	if err := nb.SetSequence(src.Sequence()); err != nil {
		return err
	}
	path := append(parent[:len(parent):len(parent)], name)
	b := c.bucket(path)
	cur := src.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if v == nil {
			if err := c.copyBucket(path, k, src.Bucket(k)); err != nil {
				return err
			}
			b = c.bucket(path) // the transaction may have changed
			continue
		}
		if c.size += len(k) + len(v); c.size > c.txBytes {
			if err := c.commit(); err != nil {
				return err
			}
			b = c.bucket(path)
		}
		if err := b.Put(k, v); err != nil {
			return err
		}
	}
	return nil
}

// commit commits the copy's transaction and begins the next, then drops
// the pages of both files' mappings from the resident set: they stay in
// the OS page cache, and the few the walk reads again are mapped again.
// It is safe there: both mappings are shared and read-only (bbolt writes
// with write(2)), the read transaction of src keeps its mapping in place,
// and dst is remapped only by a commit.
func (c *copier) commit() error {
	if err := c.ctx.Err(); err != nil {
		return err
	}
	if err := c.tx.Commit(); err != nil {
		return err
	}
	var err error
	if c.tx, err = c.dst.Begin(true); err != nil {
		return err
	}
	c.size = 0
	if err := releaseMapped(c.src, c.srcSize); err != nil {
		return fmt.Errorf("release mapped pages: %w", err)
	}
	if err := releaseMapped(c.dst, c.tx.Size()); err != nil {
		return fmt.Errorf("release mapped pages: %w", err)
	}
	return nil
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
