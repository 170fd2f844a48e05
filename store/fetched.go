package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketFetched remembers, for each URL fetched for ingest, what its
// server said identifies the version last ingested (ETag, Last-Modified)
// and the hash of its body, so that the next fetch can be conditional
// and an unchanged body is neither parsed nor written. It is not part of
// the graph: writing it does not bump the generation.
//
//	URL -> fetchedRecord (see encodeFetched)
var bucketFetched = []byte("fetched")

// Fetched is what the store remembers of a URL's last ingested version.
type Fetched struct {
	ETag, LastModified string
	// SHA256 is the hash of the body ingested; Fingerprint the extractor's
	// that read it (a new vocabulary reads an unchanged body again).
	SHA256      [32]byte
	Fingerprint string
	// What ingesting it reported, repeated when it comes back unchanged.
	Episodes, Guests, Topics int
	Warnings                 []string
}

// FetchedURLs returns what is remembered of each URL, in order; nil where
// nothing is. It is one read transaction; it fails only when the store
// cannot be read or a record is corrupt.
func (s *Store) FetchedURLs(ctx context.Context, urls []string) ([]*Fetched, error) {
	out := make([]*Fetched, len(urls))
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFetched)
		if b == nil { // a file opened read-only from before the bucket
			return nil
		}
		for i, u := range urls {
			v := b.Get([]byte(u))
			if v == nil {
				continue
			}
			f, err := decodeFetched(v)
			if err != nil {
				return fmt.Errorf("store: fetched %s: %w", u, err)
			}
			out[i] = f
		}
		return nil
	})
	return out, err
}

// PutFetched remembers f for url, in one write transaction; an unchanged
// record is not written again. It returns the store's error.
func (s *Store) PutFetched(ctx context.Context, url string, f *Fetched) error {
	return s.update(ctx, func(tx *bolt.Tx, _ *maxima) (bool, error) {
		b := tx.Bucket(bucketFetched)
		v := encodeFetched(f)
		if old := b.Get([]byte(url)); string(old) == string(v) {
			return false, nil
		}
		if err := b.Put([]byte(url), v); err != nil {
			return false, fmt.Errorf("store: put fetched %s: %w", url, err)
		}
		return false, nil // not the graph: the generation stays
	})
}

// fetchedVersion is the first byte of a record: its layout.
const fetchedVersion = 1

// encodeFetched packs a record: the version, the two validators, the
// hash, the fingerprint, the three counts and the warnings; strings
// length-prefixed, numbers varints.
func encodeFetched(f *Fetched) []byte {
	b := make([]byte, 0, 96)
	b = append(b, fetchedVersion)
	b = appendString(b, f.ETag)
	b = appendString(b, f.LastModified)
	b = append(b, f.SHA256[:]...)
	b = appendString(b, f.Fingerprint)
	b = binary.AppendUvarint(b, uint64(f.Episodes))
	b = binary.AppendUvarint(b, uint64(f.Guests))
	b = binary.AppendUvarint(b, uint64(f.Topics))
	b = binary.AppendUvarint(b, uint64(len(f.Warnings)))
	for _, w := range f.Warnings {
		b = appendString(b, w)
	}
	return b
}

var errCorruptFetched = errors.New("corrupt fetched record")

// decodeFetched reads what encodeFetched wrote; the strings are copied out.
func decodeFetched(v []byte) (*Fetched, error) {
	if len(v) == 0 || v[0] != fetchedVersion {
		return nil, errCorruptFetched
	}
	d := sourceDecoder{b: v[1:]}
	f := &Fetched{ETag: d.string(), LastModified: d.string()}
	if len(d.b) < len(f.SHA256) {
		return nil, errCorruptFetched
	}
	copy(f.SHA256[:], d.b)
	d.b = d.b[len(f.SHA256):]
	f.Fingerprint = d.string()
	f.Episodes, f.Guests, f.Topics = int(d.uvarint()), int(d.uvarint()), int(d.uvarint())
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		return nil, errCorruptFetched
	}
	f.Warnings = make([]string, 0, n)
	for range n {
		f.Warnings = append(f.Warnings, d.string())
	}
	if d.bad || len(d.b) > 0 {
		return nil, errCorruptFetched
	}
	return f, nil
}
