//go:build unix

package search

import (
	"os"
	"runtime"
	"syscall"
)

// mapping is a saved index file mapped into memory, private: its pages
// are the operating system's file cache, and count as the process's
// file-backed resident memory, not its heap (the kernel can drop them
// under pressure and read them again), until the process writes to one,
// which then becomes a copy of its own (a doc marked gone in the array of
// metas, say); the file itself is never written through it. The file is
// never written in place either (Save renames a new one over it), so the
// mapping stays what it was read as. It is unmapped once nothing refers
// to the mapping any more: an Index holds it (region) as long as it holds
// a slice of it, and only uses those slices under its lock.
type mapping struct{ b []byte }

// mapFile maps f, of size bytes. It returns nil, nil where the file
// cannot be mapped (empty): the caller reads it instead.
func mapFile(f *os.File, size int64) (*mapping, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE)
	if err != nil {
		return nil, err
	}
	m := &mapping{b: b}
	runtime.AddCleanup(m, func(b []byte) { _ = syscall.Munmap(b) }, b)
	return m, nil
}
