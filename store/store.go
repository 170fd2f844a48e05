// Package store owns every byte on disk: a bbolt file holding the documents
// that were ingested (the facts each page stated), the merged graph built
// from them (shows, episodes, guests, topics) and the indexes the API pages
// through. Every exported method is one transaction.
package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout of the buckets below. Open refuses files
// written with a newer layout and migrates older ones (migrate.go).
//
//	1: records as JSON
//	2: records in the binary form of codec.go
//	3: records may end with what feeds say (codec_feed.go); show
//	   identities and feed items' numbers (identity.go)
//	4: the names episodes' texts use, and discovered topics (discovered.go)
const SchemaVersion = 4

// oldestReadable is the oldest layout this build reads: read-only as it
// is, and migrated when opened for writing.
const oldestReadable = 1

// Bucket names. Keys are documented where they are built (keys.go);
// records (docRecord, fragments, podcast.Show, Episode, Guest, Topic) are
// encoded as records.go says.
var (
	bucketMeta     = []byte("meta")     // "schema" -> u32, "generation" -> u64, "bounds" -> JSON maxima (bounds.go)
	bucketDocs     = []byte("docs")     // doc name -> docRecord (the facts a page stated)
	bucketFrags    = []byte("frags")    // entity key 0 prio hash -> fragment (facts pages stated)
	bucketRefs     = []byte("refs")     // fragment key -> u32 documents stating it
	bucketShows    = []byte("shows")    // show slug -> podcast.Show
	bucketEpisodes = []byte("episodes") // show 0 u32 number -> podcast.Episode
	bucketEpSrc    = []byte("epsrc")    // show 0 u32 number -> names of the documents naming it (epsrc.go)
	bucketGuests   = []byte("guests")   // guest slug -> podcast.Guest
	bucketTopics   = []byte("topics")   // topic slug -> podcast.Topic (topics with episodes)
	bucketVocab    = []byte("vocab")    // topic slug -> podcast.Topic (the vocabulary in use)
	bucketByNum    = []byte("bynum")    // scope 0 u32 number show -> "" (episodes by number)
	bucketByDate   = []byte("bydate")   // scope 0 u32 day u32 number show -> "" (episodes by date)
	bucketCounts   = []byte("counts")   // scope -> u32 number of episodes in scope
	bucketByCount  = []byte("bycount")  // kind u32 count slug -> "" (guests and topics by episode count)
	bucketPairs    = []byte("pairs")    // kind a 0 b -> u32 (episodes shared by a and b)
	bucketDays     = []byte("days")     // show 0 u32 number -> u32 day (noDay when unknown)

	allBuckets = [][]byte{bucketMeta, bucketDocs, bucketFrags, bucketRefs, bucketShows, bucketEpisodes,
		bucketEpSrc, bucketGuests, bucketTopics, bucketVocab, bucketByNum, bucketByDate,
		bucketCounts, bucketByCount, bucketPairs, bucketDays, bucketSources, bucketFetched, bucketShowIDs, bucketFeedEps, bucketGuestIDs, bucketDiscovered, bucketChanges}

	keySchema     = []byte("schema")
	keyGeneration = []byte("generation")
)

// pageSize is the B+tree page size of new files (an existing file keeps
// its own). Against the OS page of 4 KiB it makes the trees two levels
// shallower at 100,000 episodes and a bulk ingest a quarter faster; a
// small write rewrites more bytes, which a write a page does not notice.
const pageSize = 32 << 10

// ErrInUse is returned by Open when another process holds the file.
var ErrInUse = errors.New("store is in use by another process (is a server running on it? use --server to talk to it)")

// Options configure Open.
type Options struct {
	// LockTimeout bounds the wait for another process's lock; 0 means 2s.
	LockTimeout time.Duration
	// ReadOnly opens the file for reading only (shared lock).
	ReadOnly bool
	// NoSync skips fsync on commit: for tests and throwaway benchmarks only.
	NoSync bool
	// CacheBytes bounds the cache of decoded records (measured by their
	// encoded size); 0 means 32 MiB, negative disables it. The pages at
	// the ends of lists (a guest's latest episodes) are kept beside them,
	// within a quarter of it more.
	CacheBytes int
	// Observe, when set, is told of every transaction once it ends: for
	// metrics. It must be cheap and safe for concurrent use.
	Observe func(write bool, d time.Duration, err error)
	// FailApply is for tests only (fault injection): when set, it is
	// called with each document's name as the document is written, and an
	// error aborts the transaction as a failed write would, naming no
	// document.
	FailApply func(name string) error
}

// minMmapSize is the least address space a writable store maps (see
// initialMmapSize).
const minMmapSize = 1 << 30

// initialMmapSize is how much of the file bbolt maps at Open: at least
// 1 GiB, and twice the file's size, on 64-bit platforms. A write that
// outgrows the mapping must remap it, and a remap waits for every open
// read transaction to end while every new one waits behind it: one slow
// reader then stalls the writer and all readers. Mapping ahead makes
// remaps rare (none until the file doubles, or passes 1 GiB). The mapping
// beyond the file's end is address space only, never touched: it costs
// no memory (RSS counts pages read, whatever the mapping's size). A
// read-only store never grows, and 32-bit platforms lack the address
// space, so they map the file as it is.
func initialMmapSize(path string, readOnly bool) int {
	if readOnly || strconv.IntSize < 64 {
		return 0
	}
	size := int64(0)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	return int(max(minMmapSize, 2*size))
}

// Store is an open podcast graph file. It is safe for concurrent use: reads
// run in parallel with each other and with the one writer.
type Store struct {
	reads
	db    *bolt.DB
	path  string
	cache *recordCache

	readTxs    atomic.Int64
	writeTxs   atomic.Int64
	batchReads atomic.Int64
	gen        atomic.Uint64 // the committed generation

	bounds boundsCache

	subMu sync.Mutex
	subs  []func(Change)

	observe   func(write bool, d time.Duration, err error)
	failApply func(name string) error
}

// Open opens (creating if needed) the store at path. It returns ErrInUse
// (wrapped with the path) when another process holds the file, and an error
// naming the version when the file was written by a newer or unknown layout.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = max(time.Until(dl), time.Millisecond)
	}
	db, err := openBolt(path, timeout, opts)
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("store: open %s: %w", path, ErrInUse)
	}
	if err != nil {
		if notAStore(err) {
			return nil, fmt.Errorf("store: open %s: %w", path, ErrNotAStore)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	budget := opts.CacheBytes
	if budget == 0 {
		budget = 32 << 20
	}
	s := &Store{db: db, path: path, observe: opts.Observe, failApply: opts.FailApply, cache: newRecordCache(budget)}
	s.reads = reads{read: s.readTx}
	if err := s.init(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	_ = db.View(func(tx *bolt.Tx) error { s.gen.Store(generation(tx)); return nil })
	return s, nil
}

// ErrNotAStore is Open's error for a file that is not a store (nor a
// bbolt file at all): the path names some other file.
var ErrNotAStore = errors.New("not a podcast graph store (nor a bbolt file); name a new path or the store's own file")

// notAStore reports whether bbolt refused a file as not one of its own
// (wrong magic or version, a checksum that does not hold, too short).
func notAStore(err error) bool {
	return errors.Is(err, berrors.ErrInvalid) || errors.Is(err, berrors.ErrVersionMismatch) ||
		errors.Is(err, berrors.ErrChecksum) || strings.Contains(err.Error(), "file size too small")
}

// openBolt opens the bbolt file at path. Compact replaces a file by
// renaming its copy into place while it holds the lock: a process that
// opened the old file meanwhile gets the lock on a file no longer at
// path once Compact is done, and opens path again.
func openBolt(path string, timeout time.Duration, opts Options) (*bolt.DB, error) {
	for attempt := 0; ; attempt++ {
		var file *os.File
		db, err := bolt.Open(path, 0o600, &bolt.Options{
			Timeout:         timeout,
			ReadOnly:        opts.ReadOnly,
			NoSync:          opts.NoSync,
			FreelistType:    bolt.FreelistMapType,
			NoFreelistSync:  false,
			PageSize:        pageSize,
			InitialMmapSize: initialMmapSize(path, opts.ReadOnly),
			OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
				f, err := os.OpenFile(name, flag, mode)
				file = f
				return f, err
			},
		})
		if err != nil || attempt == 2 || !replaced(path, file) {
			if err == nil {
				db.AllocSize = allocSize
			}
			return db, err
		}
		_ = db.Close()
	}
}

// replaced reports whether path no longer names the open file f.
func replaced(path string, f *os.File) bool {
	if f == nil {
		return false
	}
	open, err1 := f.Stat()
	now, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && !os.SameFile(open, now)
}

// allocSize is how far ahead of need bbolt grows the file (its default
// is 16 MiB: all of a small store's file).
const allocSize = 2 << 20

// init creates the buckets and checks or migrates the schema version.
func (s *Store) init() error {
	if s.db.IsReadOnly() {
		return s.db.View(func(tx *bolt.Tx) error { return checkSchema(tx) })
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			// A file with buckets but no meta was not written by us.
			if err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
				return fmt.Errorf("file has bucket %q but no schema version: not a podcast graph store", name)
			}); err != nil {
				return err
			}
			for _, name := range allBuckets {
				if _, err := tx.CreateBucket(name); err != nil {
					return fmt.Errorf("create bucket %s: %w", name, err)
				}
			}
			if err := tx.Bucket(bucketMeta).Put(keySchema, u32(SchemaVersion)); err != nil {
				return err
			}
			return ensureMaxima(tx)
		}
		if err := checkSchema(tx); err != nil {
			return err
		}
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		if err := startMigration(tx); err != nil {
			return err
		}
		return ensureMaxima(tx)
	})
}

// checkSchema refuses files whose layout this build cannot read.
func checkSchema(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return errors.New("no meta bucket: not a podcast graph store")
	}
	v := meta.Get(keySchema)
	if len(v) != 4 {
		return errors.New("meta bucket has no schema version: not a podcast graph store")
	}
	switch got := binary.BigEndian.Uint32(v); {
	case got >= oldestReadable && got <= SchemaVersion:
		return nil
	case got > SchemaVersion:
		return fmt.Errorf("schema version %d is newer than this build understands (%d): upgrade the server", got, SchemaVersion)
	default:
		return fmt.Errorf("schema version %d is older than %d and has no migration: re-ingest into a new file", got, SchemaVersion)
	}
}

// Close closes the file; it waits for open transactions to finish.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close %s: %w", s.path, err)
	}
	return nil
}

// Path returns the file the store was opened on.
func (s *Store) Path() string { return s.path }

// Stats are counters since Open.
type Stats struct {
	ReadTxs    int64  // read transactions begun
	Reads      int64  // batched reads (one call of a read method, any number of keys)
	WriteTxs   int64  // write transactions committed or rolled back
	Generation uint64 // bumped by every write that changed something
	SizeBytes  int64  // file size
	// OpenReadTxs is the read transactions open now (snapshots and
	// reads in progress), Stats' own excepted.
	OpenReadTxs int
}

// Stats returns the counters and the file size; it returns an error only if
// the meta bucket cannot be read.
func (s *Store) Stats() (Stats, error) {
	st := Stats{ReadTxs: s.readTxs.Load(), WriteTxs: s.writeTxs.Load(), Reads: s.batchReads.Load(),
		OpenReadTxs: s.OpenReadTxs()}
	err := s.db.View(func(tx *bolt.Tx) error {
		st.Generation = generation(tx)
		st.SizeBytes = tx.Size()
		return nil
	})
	return st, err
}

// OpenReadTxs returns the number of read transactions open now. It opens
// none itself, so it answers even while a write waits for readers.
func (s *Store) OpenReadTxs() int { return s.db.Stats().OpenTxN }

// Generation returns a number that every committed change bumps: answers
// computed at one generation stay valid until it moves.
// It costs no transaction: the store keeps the last committed value.
func (s *Store) Generation() (uint64, error) {
	return s.gen.Load(), nil
}

func generation(tx *bolt.Tx) uint64 {
	v := tx.Bucket(bucketMeta).Get(keyGeneration)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// view runs fn in a read transaction and counts it.
func (s *Store) view(ctx context.Context, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.readTxs.Add(1)
	if s.observe == nil {
		return s.db.View(fn)
	}
	start := time.Now()
	err := s.db.View(fn)
	s.observe(false, time.Since(start), err)
	return err
}

// update runs fn in a write transaction, counts it and bumps the generation
// when fn reports a change. fn raises the bounds in m to what it writes;
// they are written back with the generation.
func (s *Store) update(ctx context.Context, fn func(tx *bolt.Tx, m *maxima) (changed bool, err error)) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.writeTxs.Add(1)
	if s.observe != nil {
		start := time.Now()
		defer func() { s.observe(true, time.Since(start), err) }()
	}
	var next uint64
	err = s.db.Update(func(tx *bolt.Tx) error {
		m := readMaxima(tx)
		if m == nil {
			if m, err = scanMaxima(tx); err != nil {
				return fmt.Errorf("compute bounds: %w", err)
			}
		}
		changed, err := fn(tx, m)
		if err != nil || !changed {
			return err
		}
		next = generation(tx) + 1
		if err := putMaxima(tx, m, next); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keyGeneration, u64(next))
	})
	if err == nil && next > 0 {
		s.gen.Store(next)
	}
	return err
}

// CheckConsistency runs bbolt's page-level consistency check and returns the
// first problem it finds.
func (s *Store) CheckConsistency() error {
	return s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return fmt.Errorf("store: check %s: %w", s.path, err)
		}
		return nil
	})
}

func u32(n uint32) []byte { b := make([]byte, 4); binary.BigEndian.PutUint32(b, n); return b }
func u64(n uint64) []byte { b := make([]byte, 8); binary.BigEndian.PutUint64(b, n); return b }
