package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"podcastgraph/internal/fetch"
)

// maxFeedList bounds the --feeds file: a list of URLs, not a data set.
const maxFeedList = 4 << 20

// ReadFeedList reads a --feeds file: one URL a line; blank lines and
// lines starting with # are skipped. A line that is not an http(s) URL
// Get would fetch, or repeats one, is skipped with a warning naming the
// file and line. The error is for a file that cannot be read.
func ReadFeedList(path string) (urls, warnings []string, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > maxFeedList {
		return nil, nil, fmt.Errorf("%s is %d bytes, over the %d-byte limit of a feed list", path, fi.Size(), maxFeedList)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, maxFeedList)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fetch.Check(line); err != nil {
			warnings = append(warnings, fmt.Sprintf("%s:%d: skipped: %v", path, n, err))
			continue
		}
		if first, ok := seen[line]; ok {
			warnings = append(warnings, fmt.Sprintf("%s:%d: skipped: the same URL as line %d", path, n, first))
			continue
		}
		seen[line] = n
		urls = append(urls, line)
	}
	return urls, warnings, sc.Err()
}

// Feeds keeps the feeds a --feeds file lists fresh: Round fetches them
// (conditionally, see URLs) and ingests those that changed; Run repeats
// it every Every, give or take a tenth, reading the file again each time.
// A feed that fails is retried after a delay that doubles with each
// failure in a row (Every, 2×Every, 4×Every... up to 64×Every, and at
// most a day when Every is shorter), so a dead feed is not hammered.
type Feeds struct {
	Ingester *Ingester
	Fetcher  *fetch.Fetcher
	// File lists the feeds; Every is the time between rounds.
	File  string
	Every time.Duration
	// Concurrency bounds the fetches at once (0: DefaultFetchConcurrency).
	Concurrency int
	Log         *slog.Logger

	failing map[string]*feedFailure // Run's rounds only: one goroutine
}

// feedFailure is a feed's failures in a row and when to try it again.
type feedFailure struct {
	n    int
	next time.Time
}

// maxBackoffShift bounds a failing feed's delay at 64×Every.
const maxBackoffShift = 6

// backoff is the delay before a feed that failed n times in a row is
// tried again.
func (fd *Feeds) backoff(n int) time.Duration {
	d := fd.Every << min(n-1, maxBackoffShift)
	if d > 24*time.Hour && fd.Every < 24*time.Hour {
		d = 24 * time.Hour
	}
	return d
}

// Round reads the file, fetches every feed that is not waiting out a
// failure, and ingests those that changed, following them in progress
// (nil: none) and logging each change and failure and a line for the
// round. The error is for a file that cannot be read (nothing is
// fetched) and failures that stop the run (the store, ctx).
func (fd *Feeds) Round(ctx context.Context, progress *Progress) (Summary, error) {
	start := time.Now()
	urls, warnings, err := ReadFeedList(fd.File)
	if err != nil {
		return Summary{}, fmt.Errorf("feed list: %w", err)
	}
	for _, w := range warnings {
		fd.Log.Warn(w)
	}
	if fd.failing == nil {
		fd.failing = map[string]*feedFailure{}
	}
	listed := make(map[string]bool, len(urls))
	var due []string
	for _, u := range urls {
		listed[u] = true
		// A round may come a tenth early: a feed due by half a period
		// from now is due.
		if f := fd.failing[u]; f == nil || !f.next.After(start.Add(fd.Every/2)) {
			due = append(due, u)
		}
	}
	for u := range fd.failing {
		if !listed[u] { // dropped from the file
			delete(fd.failing, u)
		}
	}
	sum, err := fd.Ingester.URLs(ctx, due, URLOptions{Fetcher: fd.Fetcher, Concurrency: fd.Concurrency,
		Progress: progress, Each: func(r Result) { fd.note(r, start) }})
	fd.Log.Info("feeds refreshed", "file", fd.File, "feeds", len(urls), "fetched", sum.Total(), "added", sum.Added,
		"updated", sum.Updated, "unchanged", sum.Unchanged, "not_modified", sum.NotModified, "same_body", sum.SameBody,
		"failed", sum.Failed, "waiting", len(urls)-len(due), "took", time.Since(start).Round(time.Millisecond))
	return sum, err
}

// note logs a feed's result and keeps its failures in a row.
func (fd *Feeds) note(r Result, at time.Time) {
	switch r.Status {
	case "failed":
		f := fd.failing[r.Name]
		if f == nil {
			f = &feedFailure{}
			fd.failing[r.Name] = f
		}
		f.n++
		f.next = at.Add(fd.backoff(f.n))
		fd.Log.Warn("feed failed", "url", r.Name, "err", r.Error, "failures", f.n, "retry_in", fd.backoff(f.n))
		return
	case "added", "updated":
		fd.Log.Info("feed ingested", "url", r.Name, "status", r.Status, "episodes", r.Episodes,
			"guests", r.Guests, "topics", r.Topics, "warnings", len(r.Warnings))
	}
	delete(fd.failing, r.Name)
}

// Run calls Round every Every, give or take a tenth at random (so that
// servers started together do not fetch together), until ctx is done. A
// round that fails is logged and the next one comes as planned.
func (fd *Feeds) Run(ctx context.Context) {
	if fd.Every <= 0 {
		return
	}
	for {
		jitter := time.Duration(0)
		if span := int64(fd.Every / 5); span > 0 {
			jitter = time.Duration(rand.Int64N(span)) - fd.Every/10
		}
		t := time.NewTimer(fd.Every + jitter)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if _, err := fd.Round(ctx, nil); err != nil {
			if ctx.Err() != nil {
				return
			}
			fd.Log.Error("feeds refresh", "file", fd.File, "err", err)
		}
	}
}
