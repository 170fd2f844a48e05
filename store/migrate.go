package store

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Migration from schema version 2 to 3 rewrites nothing: a record of
// version 2 is a record of version 3 that no feed said anything of, and
// the buckets version 3 adds (showids, feedeps) start empty (a show of
// pages needs no entry there). Opening a version 2 file for writing marks
// it version 3, so that a build that knows only version 2, which would
// refuse a record with a feed section as corrupt, refuses the file
// instead.
//
// Migration from schema version 3 to 4 rewrites nothing either: the
// discovered bucket version 4 adds (discovered.go) starts empty and fills
// as documents are applied again. The extractor's version is part of the
// fingerprint a document record keeps (ingest.Vocabulary.Fingerprint), so
// a file written by an extractor before ingest/4, which gave no names,
// has every page parsed again on the next ingest of its sources, and
// fills in then. Marking the file version 4 keeps a build that knows only
// version 3 from writing to it: that build would change documents without
// their mentions.
//
// Migration from schema version 1 (JSON records, an epsrc entry per
// episode and document) to 2 (binary records, an epsrc list per episode).
// Opening a version 1 file for writing marks it version 4 and "migrating"
// in one transaction, then re-encodes its records a batch per
// transaction, and clears the mark with the last. A crash in between
// leaves a file that mixes both encodings, which every decoder reads, and
// the next Open carries on; a build that knows only version 1 refuses the
// file rather than misread it. A file opened read-only is read as it is.

// keyMigrating marks a file whose records are not all re-encoded yet.
var keyMigrating = []byte("migrating")

// migrateBatch is the records re-encoded per transaction.
const migrateBatch = 4096

// recordBuckets hold records (codec.go); the other buckets hold keys and
// fixed-width numbers, the same in every version.
var recordBuckets = [][]byte{bucketShows, bucketGuests, bucketTopics, bucketVocab, bucketEpisodes, bucketDocs, bucketFrags}

// startMigration marks a version 1 file version 4 and migrating, and a
// version 2 or 3 file version 4, in the transaction that opens it.
func startMigration(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	v := meta.Get(keySchema)
	if len(v) != 4 || v[0]|v[1]|v[2] != 0 {
		return nil
	}
	switch v[3] {
	case 1:
		if err := meta.Put(keyMigrating, []byte{1}); err != nil {
			return err
		}
		return meta.Put(keySchema, u32(SchemaVersion))
	case 2, 3:
		return meta.Put(keySchema, u32(SchemaVersion))
	}
	return nil
}

// migrate re-encodes the JSON records of a file marked migrating, a batch
// per transaction; it does nothing otherwise, or when read-only.
func (s *Store) migrate(ctx context.Context) error {
	if s.db.IsReadOnly() {
		return nil
	}
	for _, bucket := range recordBuckets {
		err := s.migrateBucket(ctx, bucket, func(b *bolt.Bucket, after []byte) ([]byte, bool, error) {
			return migrateRecords(b, bucket, after, migrateBatch)
		})
		if err != nil {
			return err
		}
	}
	err := s.migrateBucket(ctx, bucketEpSrc, func(b *bolt.Bucket, after []byte) ([]byte, bool, error) {
		return migrateSources(b, after, migrateBatch)
	})
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Delete(keyMigrating)
	})
}

// migrateBucket runs batch over the bucket named name, a transaction a
// call, each after the last key the one before returned, until it says it
// is done or the file is no longer marked migrating.
func (s *Store) migrateBucket(ctx context.Context, name []byte,
	batch func(b *bolt.Bucket, after []byte) (last []byte, done bool, err error)) error {
	var after []byte
	for {
		var done bool
		err := s.db.Update(func(tx *bolt.Tx) error {
			if tx.Bucket(bucketMeta).Get(keyMigrating) == nil {
				done = true
				return nil
			}
			var err error
			after, done, err = batch(tx.Bucket(name), after)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if done {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// visitBatch calls visit with each of the next limit entries of b after
// the key after (from the first when nil); visit must not write to b. It
// returns the last key it visited, and done once it reached the end.
func visitBatch(b *bolt.Bucket, after []byte, limit int, visit func(k, v []byte) error) (last []byte, done bool, err error) {
	c := b.Cursor()
	k, v := c.First()
	if after != nil {
		if k, v = c.Seek(after); bytes.Equal(k, after) {
			k, v = c.Next()
		}
	}
	for n := 0; k != nil && n < limit; k, v = c.Next() {
		n++
		last = k
		if err := visit(k, v); err != nil {
			return nil, false, err
		}
	}
	return bytes.Clone(last), k == nil, nil
}

// migrateSources moves the next limit entries of the epsrc bucket b after
// the key after (from the first when nil) of the form schema 1 wrote (an
// entry per episode and document) into their episode's list. It returns
// the last key it visited, and done once it reached the end.
func migrateSources(b *bolt.Bucket, after []byte, limit int) (last []byte, done bool, err error) {
	var old [][]byte
	last, done, err = visitBatch(b, after, limit, func(k, v []byte) error {
		if len(v) == 0 && len(k) > episodeKeyLen(k) {
			old = append(old, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	for _, k := range old {
		n := episodeKeyLen(k)
		if err := addSourceAt(b, k[:n:n], k[n:]); err != nil {
			return nil, false, fmt.Errorf("sources of %q: %w", k[:n], err)
		}
		if err := b.Delete(k); err != nil {
			return nil, false, err
		}
	}
	return last, done, nil
}

// migrateRecords re-encodes the JSON records among the next limit records
// of b (the bucket named name) after the key after (from the first when
// nil). It returns the last key it visited, and done once it reached the
// end.
func migrateRecords(b *bolt.Bucket, name, after []byte, limit int) (last []byte, done bool, err error) {
	type entry struct{ k, v []byte }
	var batch []entry
	last, done, err = visitBatch(b, after, limit, func(k, v []byte) error {
		if !isJSON(v) {
			return nil
		}
		rec, err := reencode(name, k, v)
		if err != nil {
			return fmt.Errorf("record %q: %w", k, err)
		}
		batch = append(batch, entry{bytes.Clone(k), rec})
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	for _, e := range batch {
		if err := b.Put(e.k, e.v); err != nil {
			return nil, false, err
		}
	}
	return last, done, nil
}

// recode decodes v with dec and encodes what it holds with enc.
func recode[T any](v []byte, dec func([]byte) (*T, error), enc func(*T) []byte) ([]byte, error) {
	t, err := dec(v)
	if err != nil {
		return nil, err
	}
	return enc(t), nil
}

// reencode turns the JSON record at key k of the bucket named name into
// its binary form.
func reencode(name, k, v []byte) ([]byte, error) {
	switch string(name) {
	case string(bucketShows):
		return recode(v, decodeShow, encodeShow)
	case string(bucketGuests):
		return recode(v, decodeGuest, encodeGuest)
	case string(bucketTopics), string(bucketVocab):
		return recode(v, decodeTopic, encodeTopic)
	case string(bucketEpisodes):
		return recode(v, decodeEpisode, encodeEpisode)
	case string(bucketDocs):
		var rec docRecord
		if err := decodeDocRecord(v, &rec); err != nil {
			return nil, err
		}
		return encodeDocRecord(&rec), nil
	case string(bucketFrags):
		return reencodeFragment(k, v)
	}
	return nil, fmt.Errorf("bucket %s holds no records", name)
}

// reencodeFragment turns a JSON fragment into its binary form; its key's
// first byte says what it describes.
func reencodeFragment(k, v []byte) ([]byte, error) {
	var f any
	var err error
	switch e, _ := fragmentEntity(k); e.kind {
	case fragShow:
		var sf showFrag
		err = decodeShowFrag(v, &sf)
		f = sf
	case fragGuest:
		var gf guestFrag
		err = decodeGuestFrag(v, &gf)
		f = gf
	case fragEpisode:
		var ef episodeFrag
		err = decodeEpisodeFrag(v, &ef)
		f = ef
	default:
		return nil, fmt.Errorf("unknown fragment kind %q", k[:min(1, len(k))])
	}
	if err != nil {
		return nil, err
	}
	return encodeFragment(f)
}
