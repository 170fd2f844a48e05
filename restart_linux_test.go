package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"

	"podcastgraph/internal/server"
)

// opens watches a directory for files opened in it (inotify IN_OPEN):
// proof that a file was read, or was not.
type opens struct{ fd int }

func watchOpens(t *testing.T, dir string) *opens {
	t.Helper()
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		t.Skipf("inotify: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if _, err := syscall.InotifyAddWatch(fd, dir, syscall.IN_OPEN); err != nil {
		t.Fatal(err)
	}
	return &opens{fd}
}

// take returns the names of the files opened in the directory since the
// last call, sorted, each once (the directory's own opens, by listing it,
// are not counted).
func (o *opens) take(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	buf := make([]byte, 64<<10)
	for {
		n, err := syscall.Read(o.fd, buf)
		if errors.Is(err, syscall.EAGAIN) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			mask := binary.NativeEndian.Uint32(buf[off+4:])
			size := int(binary.NativeEndian.Uint32(buf[off+12:]))
			if mask&syscall.IN_Q_OVERFLOW != 0 {
				t.Fatal("inotify queue overflowed")
			}
			name := buf[off+syscall.SizeofInotifyEvent : off+syscall.SizeofInotifyEvent+size]
			if name = bytes.TrimRight(name, "\x00"); len(name) > 0 {
				seen[string(name)] = true
			}
			off += syscall.SizeofInotifyEvent + size
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// TestRestartReadsOnlyWhatChanged: a restart over unchanged seeds opens
// none of them (only the page that failed, which is never recorded); a
// page rewritten with its size and modification time restored is read
// again (its status change time moved) and served as it now is; a chmod
// makes a page read again and found unchanged by its bytes; --rescan reads
// every page.
func TestRestartReadsOnlyWhatChanged(t *testing.T) {
	dir := restartSeeds(t)
	db := filepath.Join(t.TempDir(), "p.db")
	opts := server.Options{Settle: -1} // the pages were written just now
	w := watchOpens(t, dir)
	all := []string{"000_3500f07eabefc183.txt", "001_2069fb2803647d3f.txt", "bad.txt", "warnings.txt"}
	restart := func(wantOpened []string, wantCounts string, args ...string) *testServer {
		t.Helper()
		s := startServerWith(t, opts, db, append([]string{"--seeds", dir}, args...)...)
		if got := w.take(t); !reflect.DeepEqual(got, wantOpened) {
			t.Errorf("opened %v, want %v", got, wantOpened)
		}
		if !strings.Contains(s.logs.String(), wantCounts) {
			t.Errorf("log lacks %q:\n%s", wantCounts, s.logs.String())
		}
		return s
	}

	restart(all, "added=3 updated=0 unchanged=0 failed=1 unread=0").stop()
	restart([]string{"bad.txt"}, "added=0 updated=0 unchanged=3 failed=1 unread=3").stop()

	page := filepath.Join(dir, all[0])
	before, err := os.Stat(page)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(data, []byte("Original Internet"), []byte("Orig1nal Internet"), 1)
	if err := os.WriteFile(page, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(page, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(page); err != nil || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		t.Fatalf("the edit changed the size or the time: %v, %v", after, err)
	}
	s := restart([]string{all[0], "bad.txt"}, "added=0 updated=1 unchanged=2 failed=1 unread=2")
	var got struct {
		Episode struct{ Title string }
	}
	s.query(t, `{ episode(number: 316) { title } }`, nil).must(t, &got)
	if got.Episode.Title != "Bringing Back the Orig1nal Internet Vision Using Tailscale" {
		t.Errorf("served title %q, not the edited one", got.Episode.Title)
	}
	s.stop()

	if err := os.Chmod(page, 0o600); err != nil {
		t.Fatal(err)
	}
	restart([]string{all[0], "bad.txt"}, "added=0 updated=0 unchanged=3 failed=1 unread=2").stop()
	restart(all, "added=0 updated=0 unchanged=3 failed=1 unread=0", "--rescan").stop()
}
