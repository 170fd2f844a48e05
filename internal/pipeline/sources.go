package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"podcastgraph/store"
)

// How a restart knows a file is unchanged without reading it.
//
// Each document read from a file is stored with what the file system said
// of the file just before its bytes were read (fileStat: size,
// modification time, and on Linux the status change time, inode and
// device), in the same transaction as the document. A later Files call
// stats each file (no open, no read) and skips it, reporting it unchanged
// as it was, when all of that is equal and the vocabulary's fingerprint is
// the one it was read with. Anything else is read, and then skipped if its
// bytes are unchanged (the content hash), as before.
//
// A write to a file always moves its status change time, which no call
// can set back (os.Chtimes sets the other two and moves it too), and a copy
// or a replacement (an editor's save-by-rename) is a new inode; so a file
// rewritten with its size and modification time restored is still read.
// What is not seen is a change the kernel does not stamp: a write within
// the same clock tick as the read that was recorded. So a description is
// recorded only when the file's times are at least Settle older than the
// moment it was read; a file changed just before it was read is read again
// next time. On platforms without the status change time (not Linux), a
// change that keeps the size and modification time is not seen: run with
// Rescan (--rescan) there after such edits.

// DefaultSettle is how much older than its read a file's times must be for
// its description to be trusted: more than the coarsest timestamp a
// common file system keeps (2 s on FAT; a clock tick on ext4, XFS, btrfs).
const DefaultSettle = 2 * time.Second

// settled reports whether the description of a file read at at may be
// recorded: its times are older than at by Settle.
func (in *Ingester) settled(st *store.FileStat, at time.Time) bool {
	settle := in.Settle
	if settle == 0 {
		settle = DefaultSettle
	}
	limit := at.Add(-settle).UnixNano()
	return st.ModTime < limit && st.Ctime < limit
}

// unchanged returns, for each of files, its result when the store's
// record of its file still describes it (see above), or nil when it must
// be read. It opens no file. With Rescan it returns only nils; when the
// store cannot be read it does too (every file is read, and writing them
// reports the store's trouble).
func (in *Ingester) unchanged(ctx context.Context, files []string) []*Result {
	out := make([]*Result, len(files))
	if in.Rescan {
		return out
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	recs, err := in.Store.SourceFiles(ctx, names)
	if err != nil {
		return out
	}
	fp := in.Vocab.Fingerprint()
	// A stat is a system call that mostly waits: spread them over the
	// cores (a restart over 100,000 files is mostly this).
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(recs); i += workers {
				rec := recs[i]
				if rec == nil || rec.Fingerprint != fp {
					continue
				}
				fi, err := os.Stat(files[i])
				if err != nil || !fi.Mode().IsRegular() || fileStat(fi) != rec.Stat {
					continue
				}
				out[i] = &Result{Name: names[i], Status: string(store.Unchanged), Episodes: rec.Episodes,
					Guests: rec.Guests, Topics: rec.Topics, Warnings: append([]string{}, rec.Warnings...)}
			}
		})
	}
	wg.Wait()
	return out
}
