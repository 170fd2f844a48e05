package store_test

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"podcastgraph/store"
)

// An older or newer layout is refused with a message that says what to do;
// it is never read as if it were the current one.
func TestSchemaVersion(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(db *bolt.DB) error
		want    string
	}{
		{"older", setSchema(0), "older than"},
		{"newer", setSchema(store.SchemaVersion + 1), "newer than this build"},
		{"no version", func(db *bolt.DB) error {
			return db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Delete([]byte("schema")) })
		}, "no schema version"},
		{"foreign file", func(db *bolt.DB) error {
			return db.Update(func(tx *bolt.Tx) error {
				if err := tx.DeleteBucket([]byte("meta")); err != nil {
					return err
				}
				_, err := tx.CreateBucket([]byte("something-else"))
				return err
			})
		}, "not a podcast graph store"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			st, err := store.Open(context.Background(), path, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			db, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.prepare(db); err != nil {
				t.Fatal(err)
			}
			db.Close()
			_, err = store.Open(context.Background(), path, store.Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("open: %v, want an error naming %s and saying %q", err, path, c.want)
			}
		})
	}
	t.Run("not bbolt", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "junk.db")
		os.WriteFile(path, []byte("this is not a database file at all, just text padding it out to a page"), 0o600)
		if _, err := store.Open(context.Background(), path, store.Options{}); err == nil {
			t.Fatal("opened a text file as a store")
		}
	})
}

func setSchema(v uint32) func(db *bolt.DB) error {
	return func(db *bolt.DB) error {
		return db.Update(func(tx *bolt.Tx) error {
			b := make([]byte, 4)
			binary.BigEndian.PutUint32(b, v)
			return tx.Bucket([]byte("meta")).Put([]byte("schema"), b)
		})
	}
}
