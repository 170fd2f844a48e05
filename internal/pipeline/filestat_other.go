//go:build !linux

package pipeline

import (
	"os"

	"podcastgraph/store"
)

// fileStat is what a restart compares of a file: where the platform's
// status is not read here, its size and modification time only.
func fileStat(fi os.FileInfo) store.FileStat {
	return store.FileStat{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
}
