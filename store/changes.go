package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/internal/podcast"
)

// The change journal: every write that bumps the generation records, in
// the same transaction, the Change it announces after commit, keyed by
// its generation. A consumer that keeps state of its own beside the store
// (the search index, a replica) remembers the last generation it applied;
// on start it reads the changes since (ChangesSince) instead of rebuilding,
// and a crash between the store's commit and the consumer's update is
// repaired the same way. The journal keeps the last journalKeep
// generations: a consumer further behind rebuilds.
var bucketChanges = []byte("changes") // u64 generation -> JSON Change

// journalKeep is the number of generations the journal keeps.
const journalKeep = 1 << 16

// putChange records c, whose Generation is set, and drops the entry that
// falls out of the journal's window.
func putChange(tx *bolt.Tx, c *Change) error {
	b := tx.Bucket(bucketChanges)
	if b == nil { // a read-only file of an older schema never writes
		return nil
	}
	v, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode change %d: %w", c.Generation, err)
	}
	if err := b.Put(u64(c.Generation), v); err != nil {
		return fmt.Errorf("journal change %d: %w", c.Generation, err)
	}
	if c.Generation > journalKeep {
		return b.Delete(u64(c.Generation - journalKeep))
	}
	return nil
}

// ChangesSince returns the changes the snapshot's state holds after
// generation from, oldest first. complete is false when the journal does
// not reach back that far (its entries were dropped, or the file was
// written before the journal existed, or from is ahead of the snapshot):
// the caller must then rebuild whatever it keeps from the whole store.
func (sn *Snapshot) ChangesSince(ctx context.Context, from uint64) (changes []Change, complete bool, err error) {
	err = sn.read(ctx, func(r *reader) error {
		if from == r.gen {
			complete = true
			return nil
		}
		b := r.tx.Bucket(bucketChanges)
		if from > r.gen || b == nil {
			return nil
		}
		c := b.Cursor()
		k, v := c.Seek(u64(from + 1))
		if k == nil || binary.BigEndian.Uint64(k) != from+1 {
			return nil
		}
		for ; k != nil; k, v = c.Next() {
			var ch Change
			if err := json.Unmarshal(v, &ch); err != nil {
				return fmt.Errorf("change %d: %w", binary.BigEndian.Uint64(k), err)
			}
			changes = append(changes, ch)
		}
		complete = true
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("store: changes since %d: %w", from, err)
	}
	return changes, complete, nil
}

// Everything names every show, episode, guest and topic (curated and
// discovered) a state holds: what a consumer rebuilds from.
type Everything struct {
	Shows    []string
	Episodes []podcast.EpisodeKey
	Guests   []string
	Topics   []string
}

// All returns the keys of everything the snapshot holds, in key order.
func (sn *Snapshot) All(ctx context.Context) (*Everything, error) {
	out := &Everything{}
	err := sn.read(ctx, func(r *reader) error {
		tx := r.tx
		keys := func(bucket []byte, fn func(k []byte)) error {
			return tx.Bucket(bucket).ForEach(func(k, _ []byte) error { fn(k); return nil })
		}
		if err := keys(bucketShows, func(k []byte) { out.Shows = append(out.Shows, string(k)) }); err != nil {
			return err
		}
		if err := keys(bucketGuests, func(k []byte) { out.Guests = append(out.Guests, string(k)) }); err != nil {
			return err
		}
		if err := keys(bucketTopics, func(k []byte) { out.Topics = append(out.Topics, string(k)) }); err != nil {
			return err
		}
		if err := keys(bucketEpisodes, func(k []byte) {
			if ek, ok := parseEpisodeKey(k); ok {
				out.Episodes = append(out.Episodes, ek)
			}
		}); err != nil {
			return err
		}
		if b := tx.Bucket(bucketDiscovered); b != nil {
			c := b.Cursor()
			prefix := []byte{discTopic}
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				out.Topics = append(out.Topics, string(k[1:]))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: all keys: %w", err)
	}
	return out, nil
}
