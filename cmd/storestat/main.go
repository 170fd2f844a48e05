// Command storestat prints where the bytes of a store file go: per bucket,
// its keys, the bytes of its keys and values, its pages and how full they
// are; then the free pages and bbolt's own. It reads any schema version
// (the file is opened read-only with bbolt itself).
//
//	go run ./cmd/storestat podcast.db [SOURCES_DIR]
//
// With a directory of the sources the store was built from, it also
// prints the file's size against theirs.
package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"podcastgraph/store"
)

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: storestat FILE [SOURCES_DIR]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "storestat:", err)
		os.Exit(1)
	}
}

func run(path string, sources []string) error {
	u, err := store.DiskUsage(context.Background(), path)
	if err != nil {
		return err
	}
	mb := func(n int64) string { return fmt.Sprintf("%.1f", float64(n)/1e6) }
	pct := func(n int64) string { return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(u.FileBytes)) }
	fmt.Printf("%s: %s MB, page size %d\n", path, mb(u.FileBytes), u.PageSize)
	fmt.Printf("%-9s %9s %8s %8s %8s %7s %7s %5s %9s %6s %6s\n",
		"bucket", "keys", "key MB", "val MB", "B/entry", "leaves", "ovfl", "depth", "alloc MB", "fill", "file")
	var sum int64
	for _, b := range u.Buckets {
		per := int64(0)
		if b.Keys > 0 {
			per = (b.KeyBytes + b.ValueBytes) / int64(b.Keys)
		}
		fill := "-"
		if b.Alloc > 0 {
			fill = fmt.Sprintf("%.0f%%", 100*float64(b.Inuse)/float64(b.Alloc))
		}
		fmt.Printf("%-9s %9d %8s %8s %8d %7d %7d %5d %9s %6s %6s\n", b.Name, b.Keys, mb(b.KeyBytes), mb(b.ValueBytes),
			per, b.LeafPages, b.OverflowPages, b.Depth, mb(b.Alloc), fill, pct(b.Alloc))
		sum += b.Alloc
	}
	fmt.Printf("%-9s %s MB (%s)\n", "buckets", mb(sum), pct(sum))
	fmt.Printf("%-9s %s MB (%s)\n", "free", mb(u.FreeBytes), pct(u.FreeBytes))
	fmt.Printf("%-9s %s MB (%s)\n", "freelist", mb(u.FreelistBytes), pct(u.FreelistBytes))
	fmt.Printf("%-9s %s MB (%s)\n", "meta", mb(u.MetaBytes), pct(u.MetaBytes))
	fmt.Printf("%-9s %s MB (%s): grown ahead of need\n", "tail", mb(u.TailBytes), pct(u.TailBytes))
	if rest := u.FileBytes - sum - u.FreeBytes - u.FreelistBytes - u.MetaBytes - u.TailBytes; rest != 0 {
		fmt.Printf("%-9s %s MB (%s): unaccounted\n", "other", mb(rest), pct(rest))
	}
	if len(sources) == 1 {
		var n, size int64
		err := filepath.WalkDir(sources[0], func(_ string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			fi, err := d.Info()
			if err == nil {
				n, size = n+1, size+fi.Size()
			}
			return err
		})
		if err != nil {
			return err
		}
		fmt.Printf("sources: %d files, %s MB; store/sources = %.2f\n", n, mb(size), float64(u.FileBytes)/float64(size))
	}
	return nil
}
