package store

import (
	"context"
	"encoding/json"

	bolt "go.etcd.io/bbolt"
)

// EpisodesAsJSON rewrites the episode records of the closed store file at
// path as schema 1 wrote them (JSON), which readers still read: for
// benchmarks of the two encodings on the same file.
func EpisodesAsJSON(path string) error {
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEpisodes)
		var keys, values [][]byte
		err := b.ForEach(func(k, v []byte) error {
			e, err := decodeEpisode(v)
			if err != nil {
				return err
			}
			js, err := json.Marshal(e)
			keys, values = append(keys, append([]byte(nil), k...)), append(values, js)
			return err
		})
		for i := range keys {
			if err == nil {
				err = b.Put(keys[i], values[i])
			}
		}
		return err
	})
}

// DocFingerprint returns the extractor fingerprint a docs record holds, in
// either encoding.
func DocFingerprint(raw []byte) (string, error) {
	var rec docRecord
	err := decodeDocRecord(raw, &rec)
	return rec.Fingerprint, err
}

// CompactEvery is Compact committing the copy, and releasing both files'
// mapped pages, after every txBytes of keys and values: tests run a small
// file through the many transactions a large one takes.
func CompactEvery(ctx context.Context, path string, txBytes int) (CompactResult, error) {
	return compact(ctx, path, Options{}, txBytes)
}

// CachedBytes is what st's decoded-record cache holds, by its accounting.
func CachedBytes(st *Store) int {
	c := st.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size + c.endBytes
}
