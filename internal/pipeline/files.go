package pipeline

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"podcastgraph/ingest"
)

// Expand lists the files named by paths: files as given, directories
// walked in name order for pages (*.txt) and feeds, whatever their name
// (a file whose first bytes are an RSS or Atom document:
// ingest.LooksLikeFeed); hidden files and directories are skipped.
// It trusts nothing it finds: only regular files are listed; a named pipe,
// device or socket is skipped, as is a symlink in a walked directory whose
// target is not a regular file inside that directory (symlinked
// directories are not followed, so loops cannot form). Each skip is
// returned as a line naming the path and the reason. A directory given as
// a symlink is walked where it leads.
func Expand(paths []string) (files, skipped []string, err error) {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("ingest: %w", err)
		}
		if !fi.IsDir() {
			if !fi.Mode().IsRegular() {
				skipped = append(skipped, fmt.Sprintf("%s: not a regular file (%s)", p, fileKind(fi.Mode())))
				continue
			}
			files = append(files, p)
			continue
		}
		root, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil, nil, fmt.Errorf("ingest: %w", err)
		}
		if root, err = filepath.Abs(root); err != nil {
			return nil, nil, fmt.Errorf("ingest: %w", err)
		}
		var found []string
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return nil
			}
			if !IsPageName(d.Name()) {
				// Not named as a page: listed only if it is a feed.
				if untrusted(root, path, d.Type()) == "" && IsFeedFile(path) {
					found = append(found, path)
				}
				return nil
			}
			if why := untrusted(root, path, d.Type()); why != "" {
				// Report the path under the name the user gave.
				shown := filepath.Join(p, strings.TrimPrefix(path, root))
				skipped = append(skipped, shown+": "+why)
				return nil
			}
			found = append(found, path)
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("ingest: %w", err)
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	return files, skipped, nil
}

// untrusted returns why the entry at path of the directory root (both
// resolved and absolute) is not a page to read, or "" when it is: a
// regular file, or a symlink to a regular file inside root.
func untrusted(root, path string, mode fs.FileMode) string {
	if mode&fs.ModeSymlink == 0 {
		if !mode.IsRegular() {
			return "not a regular file (" + fileKind(mode) + ")"
		}
		return ""
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "symlink cannot be followed (broken or a loop)"
	}
	if rel, err := filepath.Rel(root, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "symlink leads outside the directory"
	}
	fi, err := os.Stat(target)
	if err != nil {
		return "symlink cannot be followed"
	}
	if !fi.Mode().IsRegular() {
		return "symlink leads to something not a regular file (" + fileKind(fi.Mode()) + ")"
	}
	return ""
}

// fileKind names the type of a file that is not a regular one.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symlink"
	default:
		return "irregular file"
	}
}

// IsPageName reports whether a directory entry is a page to ingest.
func IsPageName(name string) bool {
	return strings.HasSuffix(name, ".txt") && !strings.HasPrefix(name, ".")
}

// IsFeedFile reports whether the file at path is a feed by its first
// bytes (ingest.LooksLikeFeed). It opens without blocking and reads only
// regular files; any failure is false (reading the file later says why).
func IsFeedFile(path string) bool {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	head := make([]byte, ingest.FeedSniffLen)
	n, _ := io.ReadFull(f, head)
	return ingest.LooksLikeFeed(head[:n])
}

// ReadPage reads one file, refusing files over the size limit without
// reading them whole: ingest.MaxPageSize for a page, ingest.MaxFeedSize
// for a feed (known by its first bytes, ingest.IsFeed). It opens without blocking and checks what it
// opened, so a file replaced by a named pipe or a device after it was
// listed fails instead of hanging the read. The page carries what the file
// system said of the file before its bytes were read (see sources.go).
func ReadPage(path string) Page {
	name := filepath.Base(path)
	at := time.Now()
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return Page{Name: name, Err: fmt.Errorf("%s: %w", name, err)}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Page{Name: name, Err: fmt.Errorf("%s: stat: %w", name, err)}
	}
	if !fi.Mode().IsRegular() {
		return Page{Name: name, Err: fmt.Errorf("%s: not a regular file (%s)", name, fileKind(fi.Mode()))}
	}
	data, err := io.ReadAll(io.LimitReader(f, ingest.MaxPageSize+1))
	if err == nil && len(data) > ingest.MaxPageSize && ingest.IsFeed(data) {
		var more []byte
		more, err = io.ReadAll(io.LimitReader(f, ingest.MaxFeedSize+1-int64(len(data))))
		data = append(data, more...)
	}
	if err != nil {
		return Page{Name: name, Err: fmt.Errorf("%s: read: %w", name, err)}
	}
	st := fileStat(fi)
	return Page{Name: name, Data: data, File: &st, ReadAt: at}
}
