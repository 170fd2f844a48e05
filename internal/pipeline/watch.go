package pipeline

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchSettle is how long a page must stay unchanged before it is read, so
// that a file still being written is read once, whole.
const watchSettle = 300 * time.Millisecond

// Watch ingests new and changed pages and feeds of dir through ing while a
// server runs, one line per page or feed in log. A file not named as a
// page is read only if its first bytes are a feed's (IsFeedFile), once it
// has settled. Close stops it.
func Watch(ctx context.Context, dir string, ing *Ingester, log *slog.Logger) (io.Closer, error) {
	a := &watcher{ing: ing, log: log}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	if err := w.Add(dir); err != nil {
		w.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var mu sync.Mutex
	timers := map[string]*time.Timer{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				a.log.Error("watch", "dir", dir, "err", err)
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) || strings.HasPrefix(filepath.Base(ev.Name), ".") {
					continue
				}
				path := ev.Name
				mu.Lock()
				if t, ok := timers[path]; ok {
					t.Reset(watchSettle)
				} else {
					timers[path] = time.AfterFunc(watchSettle, func() {
						mu.Lock()
						delete(timers, path)
						mu.Unlock()
						a.ingestWatched(ctx, path)
					})
				}
				mu.Unlock()
			}
		}
	}()
	a.log.Info("watching for pages", "dir", dir)
	return closerFunc(func() error {
		cancel()
		err := w.Close()
		wg.Wait()
		mu.Lock()
		for _, t := range timers {
			t.Stop()
		}
		mu.Unlock()
		return err
	}), nil
}

func (a *watcher) ingestWatched(ctx context.Context, path string) {
	if ctx.Err() != nil {
		return
	}
	if why := a.untrustedWatched(path); why != "" {
		if IsPageName(filepath.Base(path)) {
			a.log.Warn("watch: skipped", "file", path, "reason", why)
		}
		return
	}
	if !IsPageName(filepath.Base(path)) && !IsFeedFile(path) {
		return // neither a page nor a feed
	}
	results, err := a.ing.Apply(ctx, []Page{ReadPage(path)})
	if err != nil {
		a.log.Error("watch: ingest", "file", path, "err", err)
		return
	}
	r := results[0]
	if r.Status == "failed" {
		a.log.Warn("watch: page failed", "document", r.Name, "error", r.Error)
		return
	}
	if r.Items != nil {
		a.log.Info("watch: feed "+r.Status, "document", r.Name, "items", r.Items.Total(), "added", r.Items.Added,
			"updated", r.Items.Updated, "unchanged", r.Items.Unchanged, "failed", r.Items.Failed,
			"episodes", r.Episodes, "guests", r.Guests, "topics", r.Topics, "warnings", len(r.Warnings))
		for _, e := range r.ItemErrors {
			a.log.Warn("watch: feed item failed", "document", r.Name, "error", e)
		}
		return
	}
	a.log.Info("watch: page "+r.Status, "document", r.Name, "episodes", r.Episodes, "guests", r.Guests,
		"topics", r.Topics, "warnings", len(r.Warnings))
}

// untrustedWatched applies the walk's rule to a watched path: a regular
// file, or a symlink to one inside the watched directory.
func (a *watcher) untrustedWatched(path string) string {
	fi, err := os.Lstat(path)
	if err != nil {
		return "" // gone: reading it reports that
	}
	root, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err == nil {
		root, err = filepath.Abs(root)
	}
	if err != nil {
		return ""
	}
	return untrusted(root, filepath.Join(root, filepath.Base(path)), fi.Mode().Type())
}

// watcher is what a running Watch uses.
type watcher struct {
	ing *Ingester
	log *slog.Logger
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }
