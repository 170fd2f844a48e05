package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/internal/podcast"
)

// Report counts what Verify saw.
type Report struct {
	Documents, Fragments, Shows, Episodes, Guests, Topics int
}

// verifyIdentities checks that the maps of identity.go go both ways:
// every show identity's slug is owned by it, and every feed item's number
// names its GUID. A file of an older layout opened read-only has none.
func verifyIdentities(b buckets) error {
	if b.showids != nil {
		err := b.showids.ForEach(func(k, v []byte) error {
			if len(k) > 0 && k[0] == 'i' {
				if owner := b.showids.Get(append([]byte{'s'}, v...)); owner != nil && !bytes.Equal(owner, k[1:]) {
					return fmt.Errorf("show identity %q has slug %s, which %q owns", k[1:], v, owner)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if b.feedeps == nil {
		return nil
	}
	return b.feedeps.ForEach(func(k, v []byte) error {
		if len(k) == 0 || k[0] != 'g' {
			return nil
		}
		i := bytes.IndexByte(k, 0)
		if i < 0 || len(v) != 4 {
			return fmt.Errorf("feed item entry %q: malformed", k)
		}
		n := binary.BigEndian.Uint32(v)
		ek := podcast.EpisodeKey{Show: string(k[1:i]), Number: int(n)}
		if guid := b.feedeps.Get(numberKey(ek)); !bytes.Equal(guid, k[i+1:]) {
			return fmt.Errorf("feed item %q of %s: number %d names %q", k[i+1:], ek.Show, n, guid)
		}
		return nil
	})
}

// Verify checks the whole file in one read transaction: bbolt's page-level
// consistency check, then the store's own invariants: every document's
// fragments and sources are there, fragment refcounts equal the documents
// that state them, every episode is in the indexes of its scopes and every
// scope's count equals its index entries, show identities and feed
// items' numbers map both ways, the discovered topics' counts equal the
// mentions documents made (discovered.go), and every file's source record
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
			all := scopes(e)
			found, err := discoveredMentions(tx, ek)
			if err != nil {
				return err
			}
			for _, m := range found {
				all[scopeDiscovered(m.Slug)] = true
			}
			for sc := range all {
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
		if err := verifyIdentities(b); err != nil {
			return err
		}
		if err := verifyDiscovered(b); err != nil {
			return err
		}
		return verifySources(tx)
	})
	return r, err
}
