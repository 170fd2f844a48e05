package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ReleaseMapped drops the file's pages from the process's resident set:
// they stay in the OS page cache and are mapped again by the next read
// that needs them. After a bulk ingest, the pages its writes read would
// otherwise count against the server's memory while it serves a small part
// of them. It runs inside a read transaction, so bbolt cannot remap the
// file meanwhile. It is a no-op where the OS offers no way (not Linux).
func (s *Store) ReleaseMapped() error {
	return s.db.View(func(tx *bolt.Tx) error {
		if err := releaseMapped(s.db, tx.Size()); err != nil {
			return fmt.Errorf("store: release mapped pages of %s: %w", s.path, err)
		}
		return nil
	})
}

// releaseMapped drops the first n bytes of db's mapping from the resident
// set. The caller holds a transaction of db, so that bbolt cannot remap
// the file meanwhile.
func releaseMapped(db *bolt.DB, n int64) error {
	return dontNeed(db.Info().Data, n)
}
