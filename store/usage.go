package store

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BucketUsage is what one top-level bucket costs in the file.
type BucketUsage struct {
	Name       string
	Keys       int
	KeyBytes   int64 // the keys' own bytes
	ValueBytes int64 // the values' own bytes
	// Pages the bucket's B+tree holds (an overflow page continues a node
	// too large for one page) and their bytes: Alloc in the file, of
	// which Inuse holds keys, values and bbolt's headers (16 bytes an
	// element, 16 a page). Alloc-Inuse is the pages' empty space.
	LeafPages, BranchPages, OverflowPages int
	Alloc, Inuse                          int64
	Depth                                 int
}

// Usage is where the bytes of a store file go: the buckets' pages, the
// free pages (left by rewrites and deletes; bbolt reuses them but never
// shrinks the file) and bbolt's own meta and freelist pages.
type Usage struct {
	FileBytes     int64
	PageSize      int
	Buckets       []BucketUsage // largest first
	FreeBytes     int64         // free and pending pages
	FreelistBytes int64         // the pages recording the free ones
	MetaBytes     int64         // the two meta pages and the root bucket's page
	// TailBytes is the file past its last page: bbolt grows a file in
	// steps of 16 MiB once it maps more than that, ahead of need.
	TailBytes int64
}

// DiskUsage measures the store file at path, whatever its schema version:
// it opens the file read-only with bbolt itself, so it can measure a file
// this build would migrate. It reads every key and value, and returns an
// error when the file cannot be opened or read.
func DiskUsage(ctx context.Context, path string) (*Usage, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("store: usage: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("store: usage: open %s: %w", path, err)
	}
	defer db.Close()
	u := &Usage{FileBytes: fi.Size(), PageSize: db.Info().PageSize}
	err = db.View(func(tx *bolt.Tx) error {
		u.TailBytes = u.FileBytes - tx.Size()
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			st := b.Stats()
			bu := BucketUsage{
				Name: string(name), Keys: st.KeyN, Depth: st.Depth,
				LeafPages: st.LeafPageN, BranchPages: st.BranchPageN, OverflowPages: st.LeafOverflowN + st.BranchOverflowN,
				Alloc: int64(st.LeafAlloc + st.BranchAlloc), Inuse: int64(st.LeafInuse + st.BranchInuse),
			}
			err := b.ForEach(func(k, v []byte) error {
				bu.KeyBytes += int64(len(k))
				bu.ValueBytes += int64(len(v))
				return nil
			})
			u.Buckets = append(u.Buckets, bu)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: usage: %s: %w", path, err)
	}
	st := db.Stats()
	ps := int64(u.PageSize)
	u.FreeBytes = int64(st.FreePageN+st.PendingPageN) * ps
	u.FreelistBytes = (int64(st.FreelistInuse) + ps - 1) / ps * ps
	u.MetaBytes = 3 * ps
	slices.SortFunc(u.Buckets, func(a, b BucketUsage) int { return cmp.Compare(b.Alloc, a.Alloc) })
	return u, nil
}
