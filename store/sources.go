package store

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// bucketSources remembers, for each document read from a file, what the
// file system said of the file when it was read and what applying the
// document reported, so that a restart can tell an unchanged file without
// opening it. The pipeline decides what to trust; the store keeps the
// record in step with the document: it is written or dropped in the
// transaction that applies the document, and a document applied without
// a file's description (the admin endpoint) has its record dropped.
//
//	doc name -> sourceRecord (see encodeSource)
var bucketSources = []byte("sources")

// FileStat is what the file system says of a file: what a restart compares
// to tell whether the file may have changed since it was read. A field the
// platform does not give is zero.
type FileStat struct {
	Size    int64
	ModTime int64  // modification time, ns since the epoch
	Ctime   int64  // status change time, ns since the epoch (set by the kernel on every write, chmod or rename; no call sets it to a chosen value)
	Inode   uint64 // a copy or a new file in the old one's place has a new one
	Device  uint64
}

// SourceFile is what the store recorded of the file a document was last read
// from: its FileStat then, the fingerprint of the extractor that read it
// and the counts and warnings its ingest reported.
type SourceFile struct {
	Stat                     FileStat
	Fingerprint              string
	Episodes, Guests, Topics int
	Warnings                 []string
}

// SetFile says that p was read from a file that st describes:
// ApplyPrepared records it with the document. A document applied without
// one has any earlier record dropped (its bytes came from elsewhere).
func (p *Prepared) SetFile(st FileStat) { p.source = &st }

// SourceFiles returns the recorded source of each named document, in order;
// nil where there is none (never read from a file, read before the store
// kept sources, or its file's description was not trusted) or where the
// document itself is missing. It is one read transaction; it fails only
// when the store cannot be read or a record is corrupt.
//
// The names are looked up in key order, through one cursor per bucket
// that steps to a key a few places on instead of searching the tree from
// its root for each (a restart over 100,000 unchanged files asks for every
// name: 0.8 s of CPU in the searches, before).
func (s *Store) SourceFiles(ctx context.Context, names []string) ([]*SourceFile, error) {
	out := make([]*SourceFile, len(names))
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(names[a], names[b]) })
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b, docs := tx.Bucket(bucketSources), tx.Bucket(bucketDocs)
		if b == nil { // a file opened read-only from before the bucket
			return nil
		}
		srcs, held := ascending{c: b.Cursor()}, ascending{c: docs.Cursor()}
		for _, i := range order {
			name := names[i]
			v := srcs.get([]byte(name))
			if v == nil || held.get([]byte(name)) == nil {
				continue
			}
			src, err := decodeSource(v)
			if err != nil {
				return fmt.Errorf("store: source of %s: %w", name, err)
			}
			out[i] = src
		}
		return nil
	})
	return out, err
}

// ascending looks up keys of one bucket given in ascending order: a key
// a few places after the last one found is reached by stepping the
// cursor (mostly within the same page), one further on by a search.
type ascending struct {
	c       *bolt.Cursor
	k, v    []byte
	started bool
}

// get returns key's value, nil when the bucket has no such key; key must
// not sort before the key of the call before.
func (a *ascending) get(key []byte) []byte {
	if a.started {
		for range 8 {
			if a.k == nil { // past the last key: so is key
				return nil
			}
			switch c := bytes.Compare(a.k, key); {
			case c == 0:
				return a.v
			case c > 0:
				return nil
			}
			a.k, a.v = a.c.Next()
		}
	}
	a.k, a.v = a.c.Seek(key)
	a.started = true
	if a.k != nil && bytes.Equal(a.k, key) {
		return a.v
	}
	return nil
}

// putSource records, or drops, the source of the document p just applied
// with result r. An unchanged record is not written again.
func (w *writer) putSource(p *Prepared, r Result, fingerprint string) error {
	b := w.tx.Bucket(bucketSources)
	b.FillPercent = 0.9 // filled in name order by a bulk ingest, as docs is
	name := []byte(p.doc.Name)
	if p.source == nil {
		return b.Delete(name)
	}
	v := encodeSource(&SourceFile{Stat: *p.source, Fingerprint: fingerprint,
		Episodes: r.Episodes, Guests: r.Guests, Topics: r.Topics, Warnings: r.Warnings})
	if bytes.Equal(b.Get(name), v) {
		return nil
	}
	return b.Put(name, v)
}

// sourceVersion is the first byte of a record: its layout.
const sourceVersion = 1

// encodeSource packs a record with the codec's writer: the version, then
// varints for the stat (size, mtime, ctime, inode, device), the
// fingerprint, the three counts and the warnings, strings length-prefixed
// (plain, no references: the layout predates them). A typical record is
// under 60 bytes.
func encodeSource(src *SourceFile) []byte {
	st := src.Stat
	w := &recordWriter{b: append(make([]byte, 0, 64), sourceVersion)}
	w.uvarint(uint64(st.Size))
	w.int64(st.ModTime)
	w.int64(st.Ctime)
	w.uvarint(st.Inode)
	w.uvarint(st.Device)
	w.plainStr(src.Fingerprint)
	w.uvarint(uint64(src.Episodes))
	w.uvarint(uint64(src.Guests))
	w.uvarint(uint64(src.Topics))
	w.uvarint(uint64(len(src.Warnings)))
	for _, s := range src.Warnings {
		w.plainStr(s)
	}
	return w.b
}

// decodeSource reads what encodeSource wrote, with the codec's reader; the
// strings are copied out.
func decodeSource(v []byte) (*SourceFile, error) {
	if len(v) == 0 || v[0] != sourceVersion {
		return nil, fmt.Errorf("source record: %w: unknown version", errCorrupt)
	}
	r := &recordReader{raw: v, s: string(v), pos: 1}
	src := &SourceFile{}
	src.Stat.Size = int64(r.uvarint())
	src.Stat.ModTime = r.int64()
	src.Stat.Ctime = r.int64()
	src.Stat.Inode = r.uvarint()
	src.Stat.Device = r.uvarint()
	src.Fingerprint = r.plainStr()
	src.Episodes, src.Guests, src.Topics = int(r.uvarint()), int(r.uvarint()), int(r.uvarint())
	n := r.uvarint()
	if n > uint64(len(r.raw)-r.pos) { // each warning takes at least a byte
		r.fail("list length")
		n = 0
	}
	src.Warnings = make([]string, 0, n)
	for range n {
		src.Warnings = append(src.Warnings, r.plainStr())
	}
	if err := r.done(); err != nil {
		return nil, fmt.Errorf("source record: %w", err)
	}
	return src, nil
}

// verifySources checks that every source record decodes and belongs to a
// stored document.
func verifySources(tx *bolt.Tx) error {
	b, docs := tx.Bucket(bucketSources), tx.Bucket(bucketDocs)
	if b == nil {
		return nil
	}
	return b.ForEach(func(name, v []byte) error {
		if docs.Get(name) == nil {
			return fmt.Errorf("source %s: no such document", name)
		}
		if _, err := decodeSource(v); err != nil {
			return fmt.Errorf("source %s: %w", name, err)
		}
		return nil
	})
}
