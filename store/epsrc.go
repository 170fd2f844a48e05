package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// The sources of an episode (the epsrc bucket) are the documents that
// name it. Schema 2 keeps one entry per episode:
//
//	key:   episode key (show 0 u32 number)
//	value: formatBinary uvarint(n) name...    names sorted, each as
//	       uvarint(bytes shared with the name before) uvarint(len(rest)) rest
//
// Schema 1 kept an entry per episode and document (episode key, then the
// name; no value): 16 bytes of bbolt's header and the episode key again
// for every name, three times what the names themselves take. Readers
// accept both while a file migrates (migrate.go); only the migration
// writes the old form away.

// addSourceAt records that the document name names the episode at ekey
// (the migration's way; a write gathers its changes, flushSources).
func addSourceAt(b *bolt.Bucket, ekey, name []byte) error {
	names, err := sourceNames(b.Get(ekey))
	if err != nil {
		return err
	}
	i, found := slices.BinarySearchFunc(names, name, bytes.Compare)
	if found {
		return nil
	}
	return b.Put(ekey, encodeSourceNames(slices.Insert(names, i, name)))
}

// episodeSources returns the names of the documents that name the
// episode at ekey, sorted, from either form.
func episodeSources(c *bolt.Cursor, ekey []byte) ([][]byte, error) {
	var names [][]byte
	legacy := false
	for k, v := c.Seek(ekey); k != nil && bytes.HasPrefix(k, ekey); k, v = c.Next() {
		if len(k) == len(ekey) {
			list, err := sourceNames(v)
			if err != nil {
				return nil, fmt.Errorf("sources of %q: %w", ekey, err)
			}
			names = append(names, list...)
			continue
		}
		if len(v) == 0 { // schema 1: a name per entry
			names = append(names, bytes.Clone(k[len(ekey):]))
			legacy = true
		}
	}
	if legacy {
		slices.SortFunc(names, bytes.Compare)
	}
	return names, nil
}

// sourceCount returns how many documents name the episode at ekey,
// without decoding their names.
func sourceCount(c *bolt.Cursor, ekey []byte) int {
	n := 0
	for k, v := c.Seek(ekey); k != nil && bytes.HasPrefix(k, ekey); k, v = c.Next() {
		n += entrySources(k, ekey, v)
	}
	return n
}

// entrySources returns how many names the epsrc entry k, v of the
// episode at ekey holds.
func entrySources(k, ekey, v []byte) int {
	if len(k) > len(ekey) {
		return 1 // schema 1: a name per entry
	}
	if len(v) < 2 || v[0] != formatBinary {
		return 0
	}
	n, w := binary.Uvarint(v[1:])
	if w <= 0 {
		return 0
	}
	return int(min(n, uint64(len(v))))
}

// hasSource reports whether the document name names the episode at ekey.
func hasSource(b *bolt.Bucket, ekey []byte, name []byte) (bool, error) {
	names, err := episodeSources(b.Cursor(), ekey)
	return slices.ContainsFunc(names, func(n []byte) bool { return bytes.Equal(n, name) }), err
}

func encodeSourceNames(names [][]byte) []byte {
	size := 1 + binary.MaxVarintLen32
	for _, n := range names {
		size += len(n) + 2
	}
	b := make([]byte, 0, size)
	b = append(b, formatBinary)
	b = binary.AppendUvarint(b, uint64(len(names)))
	var prev []byte
	for _, n := range names {
		shared := 0
		for shared < len(prev) && shared < len(n) && prev[shared] == n[shared] {
			shared++
		}
		b = binary.AppendUvarint(b, uint64(shared))
		b = binary.AppendUvarint(b, uint64(len(n)-shared))
		b = append(b, n[shared:]...)
		prev = n
	}
	return b
}

// sourceNames decodes a list of names (none for a nil value), into one
// allocation.
func sourceNames(v []byte) ([][]byte, error) {
	if v == nil {
		return nil, nil
	}
	if len(v) == 0 || v[0] != formatBinary {
		return nil, fmt.Errorf("%w: unknown format", errCorrupt)
	}
	n, w := binary.Uvarint(v[1:])
	if w <= 0 || n > uint64(len(v)) {
		return nil, fmt.Errorf("%w: bad count", errCorrupt)
	}
	// One buffer holds the names; should it grow, the names before keep
	// the bytes they point at, which nothing writes again.
	buf := make([]byte, 0, 2*len(v))
	names := make([][]byte, 0, n)
	v = v[1+w:]
	var prev []byte
	for range n {
		shared, w1 := binary.Uvarint(v)
		if w1 <= 0 {
			return nil, fmt.Errorf("%w: bad name", errCorrupt)
		}
		rest, w2 := binary.Uvarint(v[w1:])
		if w2 <= 0 || shared > uint64(len(prev)) || rest > uint64(len(v)-w1-w2) {
			return nil, fmt.Errorf("%w: bad name", errCorrupt)
		}
		v = v[w1+w2:]
		at := len(buf)
		buf = append(buf, prev[:shared]...)
		buf = append(buf, v[:rest]...)
		v = v[rest:]
		prev = buf[at:len(buf):len(buf)]
		names = append(names, prev)
	}
	if len(v) != 0 {
		return nil, fmt.Errorf("%w: %d bytes left over", errCorrupt, len(v))
	}
	return names, nil
}
