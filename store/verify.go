package store

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Report counts what Verify saw.
type Report struct {
	Documents, Fragments, Shows, Episodes, Guests, Topics int
}

// Verify checks the whole file in one read transaction: bbolt's page-level
// consistency check, then the store's own invariants: every document's
// fragments and sources are there, fragment refcounts equal the documents
// that state them, every episode is in the indexes of its scopes and every
// scope's count equals its index entries, and every file's source record
// (sources.go) decodes and belongs to a document. It returns the first
// violation.
// It reads everything: for tests, crash checks and operators, not for the
// hot path.
func (s *Store) Verify(ctx context.Context) (Report, error) {
	var r Report
	err := s.view(ctx, func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return fmt.Errorf("bbolt check: %w", err)
		}
		if err := checkSchema(tx); err != nil {
			return err
		}
		b := bucketsOf(tx)
		refs := map[string]uint32{}
		err := b.docs.ForEach(func(name, v []byte) error {
			r.Documents++
			var rec docRecord
			if err := decodeDocRecord(v, &rec); err != nil {
				return fmt.Errorf("document %s: unreadable record: %w", name, err)
			}
			for _, f := range rec.Fragments {
				refs[string(f)]++
			}
			for _, k := range rec.episodes() {
				if ok, err := hasSource(b.epsrc, episodeKey(k), name); err != nil || !ok {
					return fmt.Errorf("document %s: no source entry on episode %s %d", name, k.Show, k.Number)
				}
				if b.episodes.Get(episodeKey(k)) == nil {
					return fmt.Errorf("document %s: episode %s %d missing", name, k.Show, k.Number)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = b.frags.ForEach(func(k, v []byte) error {
			r.Fragments++
			count := uint32(readCount(b.refs, k))
			if refs[string(k)] != count {
				return fmt.Errorf("fragment %q: refcount %d, but %d documents state it", k, count, refs[string(k)])
			}
			delete(refs, string(k))
			return nil
		})
		if err != nil {
			return err
		}
		for k := range refs {
			return fmt.Errorf("fragment %q: stated by a document but missing", k)
		}
		scopeCounts := map[string]int{}
		err = b.episodes.ForEach(func(k, v []byte) error {
			r.Episodes++
			e, err := decodeEpisode(v)
			if err != nil {
				return fmt.Errorf("episode %x: unreadable: %w", k, err)
			}
			ek := e.Key()
			for sc := range scopes(e) {
				scopeCounts[sc]++
				if b.bynum.Get(indexKey(sc, numberSortKey(ek))) == nil {
					return fmt.Errorf("episode %s %d: missing from number index %s", ek.Show, ek.Number, sc)
				}
				if b.bydate.Get(indexKey(sc, dateSortKey(dayOf(e.ReleaseDate), ek))) == nil {
					return fmt.Errorf("episode %s %d: missing from date index %s", ek.Show, ek.Number, sc)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, idx := range []*bolt.Bucket{b.bynum, b.bydate} {
			perScope := map[string]int{}
			if err := idx.ForEach(func(k, _ []byte) error {
				perScope[string(k[:bytes.IndexByte(k, 0)])]++
				return nil
			}); err != nil {
				return err
			}
			for sc, n := range perScope {
				if n != scopeCounts[sc] {
					return fmt.Errorf("index scope %s: %d entries for %d episodes", sc, n, scopeCounts[sc])
				}
			}
		}
		for sc, n := range scopeCounts {
			if got := readCount(b.counts, []byte(sc)); got != n {
				return fmt.Errorf("count of %s: %d stored, %d episodes", sc, got, n)
			}
		}
		r.Shows = b.shows.Stats().KeyN
		r.Guests = b.guests.Stats().KeyN
		r.Topics = b.topics.Stats().KeyN
		if got := readCount(b.counts, totalGuests); got != r.Guests {
			return fmt.Errorf("guest total %d, %d guests", got, r.Guests)
		}
		return verifySources(tx)
	})
	return r, err
}
