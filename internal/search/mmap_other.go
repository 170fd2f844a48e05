//go:build !unix

package search

import "os"

// mapping is a saved index file mapped into memory; on this system files
// are read instead (mapFile returns nil).
type mapping struct{ b []byte }

func mapFile(*os.File, int64) (*mapping, error) { return nil, nil }
