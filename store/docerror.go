package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	berrors "go.etcd.io/bbolt/errors"
)

// Limits on what one document may put in a key. bbolt refuses keys over
// 32 KiB and aborts the whole transaction when it does; these are far
// below that, and checked before the transaction so that one document with
// an absurd name or slug fails alone (the parser's own limits keep slugs
// much shorter still).
const (
	// MaxDocNameBytes is the longest document name the store accepts.
	MaxDocNameBytes = 1024
	// maxFragKeyBytes bounds a fragment key (kind, entity id, priority, hash).
	maxFragKeyBytes = 2048
)

// DocumentError is a failure of one document inside a write: its keys are
// too long, or the store refused one of its writes. The rest of its batch
// can be written without it.
type DocumentError struct {
	Name string // the document
	Err  error  // the short cause
}

// Error implements error.
func (e *DocumentError) Error() string { return fmt.Sprintf("%s: %v", e.Name, e.Err) }

// Unwrap returns the cause.
func (e *DocumentError) Unwrap() error { return e.Err }

// errKeyTooLong is the cause when a document's name or slug would make a
// key the store cannot hold.
var errKeyTooLong = errors.New("key too long")

// checkKeys returns the reason the store cannot hold doc's keys, or nil.
func checkKeys(name string, frags []fragment) error {
	if len(name) > MaxDocNameBytes {
		return fmt.Errorf("name is %d bytes, over the store's %d: %w", len(name), MaxDocNameBytes, errKeyTooLong)
	}
	for _, f := range frags {
		if len(f.key) > maxFragKeyBytes {
			return fmt.Errorf("a slug makes a %d-byte key, over the store's %d: %w", len(f.key), maxFragKeyBytes, errKeyTooLong)
		}
	}
	return nil
}

// docCause turns an error bbolt returned for one document's write into a
// short cause fit for a user.
func docCause(err error) error {
	switch {
	case errors.Is(err, berrors.ErrKeyTooLarge):
		return errKeyTooLong
	case errors.Is(err, berrors.ErrValueTooLarge):
		return errors.New("value too large")
	case errors.Is(err, berrors.ErrKeyRequired):
		return errors.New("empty key")
	}
	return err
}

// IsStoreWide reports whether err from a write is a failure of the store
// itself (closed, read-only, out of space, an I/O error) or of the
// caller's context, rather than of the documents written: retrying with
// fewer documents cannot help.
func IsStoreWide(err error) bool {
	var de *DocumentError
	if errors.As(err, &de) {
		return false
	}
	for _, target := range []error{
		context.Canceled, context.DeadlineExceeded,
		berrors.ErrDatabaseNotOpen, berrors.ErrDatabaseReadOnly, berrors.ErrTxClosed, berrors.ErrTxNotWritable,
		syscall.ENOSPC, syscall.EIO, syscall.EROFS, syscall.EDQUOT, syscall.EFBIG,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	var pe *fs.PathError
	return errors.As(err, &pe)
}
