package pipeline

import (
	"os"
	"syscall"

	"podcastgraph/store"
)

// fileStat is what a restart compares of a file: its size, modification
// and status change times, inode and device.
func fileStat(fi os.FileInfo) store.FileStat {
	st := store.FileStat{Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.Ctime = sys.Ctim.Nano()
		st.Inode, st.Device = uint64(sys.Ino), uint64(sys.Dev) // their types vary by architecture
	}
	return st
}
