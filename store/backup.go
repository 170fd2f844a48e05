package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// WriteTo streams a consistent snapshot of the store to w from one read
// transaction, so writers carry on meanwhile. size, when not nil, learns
// the snapshot's size before the first byte is written. It returns the
// bytes written.
func (s *Store) WriteTo(ctx context.Context, w io.Writer, size func(int64)) (int64, error) {
	var n int64
	err := s.view(ctx, func(tx *bolt.Tx) error {
		if size != nil {
			size(tx.Size())
		}
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: snapshot %s: %w", s.path, err)
	}
	return n, nil
}

// BackupFile writes a snapshot to path atomically (see WriteFileAtomically).
func (s *Store) BackupFile(ctx context.Context, path string) (int64, error) {
	n, err := WriteFileAtomically(path, func(w io.Writer) (int64, error) { return s.WriteTo(ctx, w, nil) })
	if err != nil {
		return 0, fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return n, nil
}

// WriteFileAtomically writes path through write: into a temporary file
// beside it, synced, then renamed into place. When write or any step
// fails, path is left as it was and the temporary file is removed. Backups
// are written this way, here and by `backup --server`.
func WriteFileAtomically(path string, write func(io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".backup-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	n, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return n, err
}
