package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"

	"podcastgraph/ingest"
	"podcastgraph/store"
)

// loadVocabulary returns the topic vocabulary: the user's file, or the
// built-in one.
func loadVocabulary(cfg *config) (*ingest.Vocabulary, error) {
	if cfg.Topics == "" {
		return ingest.DefaultVocabulary(), nil
	}
	return ingest.LoadVocabulary(cfg.Topics)
}

// ingestCommand ingests paths into the store file, or through a running
// server's admin endpoint with --server, and prints one line per document;
// it fails (after committing every good document) when any document failed.
func ingestCommand(ctx context.Context, cfg *config, paths []string, stdout io.Writer) error {
	files, skipped, err := expand(paths)
	if err != nil {
		return err
	}
	for _, line := range skipped {
		fmt.Fprintf(stdout, "skipped   %s\n", line)
	}
	var sum summary
	if cfg.Server != "" {
		sum, err = remoteIngest(ctx, cfg, files, stdout)
	} else {
		sum, err = localIngest(ctx, cfg, files, stdout)
	}
	if err != nil {
		return err
	}
	noun := "documents"
	if sum.total() == 1 {
		noun = "document"
	}
	fmt.Fprintf(stdout, "%d %s: %d added, %d updated, %d unchanged, %d failed",
		sum.total(), noun, sum.added, sum.updated, sum.unchanged, sum.failed)
	if len(skipped) > 0 {
		fmt.Fprintf(stdout, " (%d skipped: not regular files)", len(skipped))
	}
	fmt.Fprintln(stdout)
	if sum.failed > 0 {
		return errReported
	}
	return nil
}

// bulkHeap is the heap a bulk ingest may grow to before the collector runs
// (unless GOGC or GOMEMLIMIT say otherwise): a batch's garbage is large and
// short-lived, and collecting it at the default pace costs a third of the
// run. Memory stays bounded by this figure however many pages there are.
// 640 MiB rather than 384 took 100,000 pages from 4,640–5,630 to
// 5,313–5,836 pages/s in runs paired minute by minute; GOMEMLIMIT=384MiB
// trades that back for memory.
const bulkHeap = 640 << 20

// serveHeap and serveGCPercent are the collector's settings while serving
// (unless GOGC or GOMEMLIMIT say otherwise). A request allocates much and
// keeps little (the live heap is a few MB plus the record cache), so the
// pace is a trade between throughput and tail latency. Measured with wrk
// on the nested query (docs/performance.md): collecting at every 2.5-fold
// growth gave p99 6.7–7.7 ms at 5,100–5,600 req/s; every tripling p99
// 8.4–8.8 ms at 5,500 req/s; every fivefold growth p99 10–12 ms (a larger
// heap means longer marking and colder caches). The tail is the tighter
// target. The soft limit keeps the heap, and so the process, well under
// 100 MB under load.
const (
	serveHeap      = 96 << 20
	serveGCPercent = 150
)

// serveGC applies the serving policy; it returns the undo.
func serveGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	gc, limit := debug.SetGCPercent(serveGCPercent), debug.SetMemoryLimit(serveHeap)
	return func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) }
}

// bulkGC switches the collector to the bulk policy for a run of n pages
// longer than one batch, unless the user tuned it; it returns the undo.
func bulkGC(n, batch int) (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" || n <= batch {
		return func() {}
	}
	gc, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(bulkHeap)
	return func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
		// The bulk heap is garbage now, but with no allocation to pace
		// it the collector would not run, and an idle server would keep
		// the ingest's peak (630 MB after 10,000 pages) resident for
		// good. Collect it and return it to the OS at once.
		debug.FreeOSMemory()
	}
}

func localIngest(ctx context.Context, cfg *config, files []string, stdout io.Writer) (summary, error) {
	defer bulkGC(len(files), cfg.Batch)()
	vocab, err := loadVocabulary(cfg)
	if err != nil {
		return summary{}, err
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{FailApply: storeFaultFrom(ctx)})
	if err != nil {
		return summary{}, err
	}
	defer st.Close()
	ing := &ingester{store: st, vocab: vocab, batch: cfg.Batch}
	return ing.files(ctx, files, stdout)
}

// storeFaultKey carries, in tests only, a fault to inject into the store's
// writes (store.Options.FailApply) through the context given to run.
type storeFaultKey struct{}

// storeFaultFrom returns the fault ctx carries, nil outside tests.
func storeFaultFrom(ctx context.Context) func(name string) error {
	f, _ := ctx.Value(storeFaultKey{}).(func(name string) error)
	return f
}

// ingester parses pages in parallel and writes them to the store a batch
// per transaction. It is the one path every page takes into the store: the
// ingest command, start-up, the watcher and the admin endpoint.
type ingester struct {
	store *store.Store
	vocab *ingest.Vocabulary
	batch int
	// observe, when set, is told of every document's result (metrics).
	observe func(docResult)

	fingerprint string // of the vocabulary, computed once

	vocabOnce sync.Once
	vocabErr  error
}

// page is one document to ingest: its name and bytes, or why they could
// not be read.
type page struct {
	name string
	data []byte
	err  error
}

// docResult is what became of one document; the ingest command prints it
// and the admin endpoint returns it as JSON.
type docResult struct {
	Name     string   `json:"name"`
	Status   string   `json:"status"` // added, updated, unchanged or failed
	Episodes int      `json:"episodes"`
	Guests   int      `json:"guests"`
	Topics   int      `json:"topics"`
	Warnings []string `json:"warnings"`
	Error    string   `json:"error,omitempty"`
}

type summary struct{ added, updated, unchanged, failed int }

func (s summary) total() int { return s.added + s.updated + s.unchanged + s.failed }

func (s *summary) add(r docResult) {
	switch r.Status {
	case string(store.Added):
		s.added++
	case string(store.Updated):
		s.updated++
	case string(store.Unchanged):
		s.unchanged++
	default:
		s.failed++
	}
}

// printResult writes the command's line for one document, and its warnings.
func printResult(w io.Writer, r docResult) {
	if r.Status == "failed" {
		fmt.Fprintf(w, "failed    %s\n", r.Error)
		return
	}
	fmt.Fprintf(w, "%-9s %s: %d episodes, %d guests, %d topics, %d warnings\n",
		r.Status, r.Name, r.Episodes, r.Guests, r.Topics, len(r.Warnings))
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning %s: %s\n", r.Name, warn)
	}
}

// files ingests files in batches, printing one line per document in order.
// Reading and parsing the next batch overlaps writing the current one.
func (in *ingester) files(ctx context.Context, files []string, out io.Writer) (summary, error) {
	var sum summary
	batch := max(in.batch, 1)
	parsedc := make(chan parsedBatch, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(parsedc)
		for start := 0; start < len(files); start += batch {
			part := files[start:min(start+batch, len(files))]
			pages := make([]page, len(part))
			for i, f := range part {
				if ctx.Err() != nil {
					return
				}
				pages[i] = readPage(f)
			}
			pb := in.parse(ctx, pages)
			if ctx.Err() != nil {
				return
			}
			select {
			case parsedc <- pb:
			case <-ctx.Done():
				return
			}
		}
	}()
	for pb := range parsedc {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		results, err := in.commit(ctx, pb)
		if err != nil {
			return sum, err
		}
		for _, r := range results {
			sum.add(r)
			printResult(out, r)
		}
	}
	if sum.total() < len(files) {
		return sum, ctx.Err() // stopped early: what was committed stays
	}
	return sum, nil
}

// parsedBatch is a batch of pages with their documents or errors.
type parsedBatch struct {
	pages []page
	docs  []*store.Prepared
	errs  []error
}

// apply parses pages in parallel and writes the good ones in one
// transaction; it returns one result per page, in order. The error is for
// failures that stop the run (the store or ctx), not for bad pages.
func (in *ingester) apply(ctx context.Context, pages []page) ([]docResult, error) {
	return in.commit(ctx, in.parse(ctx, pages))
}

// parse parses pages on every core; once ctx is done it parses no more
// (the batch is then dropped by its caller).
func (in *ingester) parse(ctx context.Context, pages []page) parsedBatch {
	pb := parsedBatch{pages: pages, docs: make([]*store.Prepared, len(pages)), errs: make([]error, len(pages))}
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, p := range pages {
		if p.err != nil {
			pb.errs[i] = p.err
			continue
		}
		if err := ctx.Err(); err != nil {
			pb.errs[i] = err
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			doc, err := parsePage(p, in.vocab)
			if err == nil {
				pb.docs[i] = store.Prepare(doc)
				if perr := pb.docs[i].Err(); perr != nil {
					// Refused before the transaction, not by retrying it.
					err = fmt.Errorf("%s: the store refused it: %w", p.name, perr)
				}
			}
			pb.errs[i] = err
		}()
	}
	wg.Wait()
	return pb
}

// commit writes a parsed batch's good documents in one transaction. A
// document the store refuses fails alone (see write); the error is for
// failures of the store or ctx, which stop the run.
func (in *ingester) commit(ctx context.Context, pb parsedBatch) ([]docResult, error) {
	in.vocabOnce.Do(func() {
		in.fingerprint = in.vocab.Fingerprint()
		in.vocabErr = in.store.SetVocabulary(ctx, in.vocab.Topics())
	})
	if in.vocabErr != nil {
		return nil, in.vocabErr
	}
	var good []int
	for i := range pb.docs {
		if pb.errs[i] == nil {
			good = append(good, i)
		}
	}
	applied := make([]store.Result, len(pb.pages))
	unnamed := 0
	if err := in.write(ctx, pb, good, applied, &unnamed); err != nil {
		return nil, err
	}
	if len(good) > 1 && unnamed == len(good) {
		// Every document failed alone in a way that names none: that is
		// the store failing, not the documents.
		return nil, fmt.Errorf("ingest: the store refused every document: %w", pb.errs[good[0]])
	}
	results := make([]docResult, len(pb.pages))
	for i, p := range pb.pages {
		if pb.errs[i] != nil {
			results[i] = docResult{Name: p.name, Status: "failed", Error: pb.errs[i].Error(), Warnings: []string{}}
		} else {
			a := applied[i]
			results[i] = docResult{Name: a.Name, Status: string(a.Status), Episodes: a.Episodes, Guests: a.Guests,
				Topics: a.Topics, Warnings: append([]string{}, a.Warnings...)}
		}
		if in.observe != nil {
			in.observe(results[i])
		}
	}
	return results, nil
}

// write applies the documents of pb at indexes idx in one transaction,
// filling applied. When the store refuses a document, that document is
// marked failed in pb.errs and the rest are written without it; when the
// failure names no document, the batch is split in halves until it does,
// so that one bad document never sinks the others. A failure of the store
// itself (closed, out of space, ctx) is returned: retrying cannot help.
// unnamed counts the documents failed by errors that named none.
func (in *ingester) write(ctx context.Context, pb parsedBatch, idx []int, applied []store.Result, unnamed *int) error {
	idx = slices.Clone(idx)
	for len(idx) > 0 {
		docs := make([]*store.Prepared, len(idx))
		for j, i := range idx {
			docs[j] = pb.docs[i]
		}
		res, err := in.store.ApplyPrepared(ctx, docs, store.ApplyOptions{Fingerprint: in.fingerprint})
		if err == nil {
			for j, i := range idx {
				applied[i] = res[j]
			}
			return nil
		}
		if store.IsStoreWide(err) || ctx.Err() != nil {
			return err
		}
		var de *store.DocumentError
		if errors.As(err, &de) {
			if j := slices.IndexFunc(idx, func(i int) bool { return pb.docs[i].Name() == de.Name }); j >= 0 {
				pb.errs[idx[j]] = fmt.Errorf("%s: the store refused it: %v", pb.pages[idx[j]].name, de.Err)
				idx = slices.Delete(idx, j, j+1)
				continue
			}
		}
		if len(idx) == 1 {
			pb.errs[idx[0]] = fmt.Errorf("%s: the store refused it: %v", pb.pages[idx[0]].name, err)
			*unnamed++
			return nil
		}
		half := len(idx) / 2
		if err := in.write(ctx, pb, idx[:half], applied, unnamed); err != nil {
			return err
		}
		return in.write(ctx, pb, idx[half:], applied, unnamed)
	}
	return nil
}

// expand lists the files named by paths: files as given, directories
// walked for *.txt in name order (hidden files and directories skipped).
// It trusts nothing it finds: only regular files are listed; a named pipe,
// device or socket is skipped, as is a symlink in a walked directory whose
// target is not a regular file inside that directory (symlinked
// directories are not followed, so loops cannot form). Each skip is
// returned as a line naming the path and the reason. A directory given as
// a symlink is walked where it leads.
func expand(paths []string) (files, skipped []string, err error) {
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
			if d.IsDir() || !isPageName(d.Name()) {
				return nil
			}
			// Report the path under the name the user gave.
			shown := filepath.Join(p, strings.TrimPrefix(path, root))
			if why := untrusted(root, path, d.Type()); why != "" {
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

// isPageName reports whether a directory entry is a page to ingest.
func isPageName(name string) bool {
	return strings.HasSuffix(name, ".txt") && !strings.HasPrefix(name, ".")
}

// readPage reads one file, refusing files over the page size limit
// without reading them whole. It opens without blocking and checks what it
// opened, so a file replaced by a named pipe or a device after it was
// listed fails instead of hanging the read.
func readPage(path string) page {
	name := filepath.Base(path)
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return page{name: name, err: fmt.Errorf("%s: %w", name, err)}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return page{name: name, err: fmt.Errorf("%s: stat: %w", name, err)}
	}
	if !fi.Mode().IsRegular() {
		return page{name: name, err: fmt.Errorf("%s: not a regular file (%s)", name, fileKind(fi.Mode()))}
	}
	data, err := io.ReadAll(io.LimitReader(f, ingest.MaxPageSize+1))
	if err != nil {
		return page{name: name, err: fmt.Errorf("%s: read: %w", name, err)}
	}
	return page{name: name, data: data}
}

// parsePage parses a page's bytes; errors name the document.
func parsePage(p page, vocab *ingest.Vocabulary) (*ingest.Document, error) {
	if len(p.data) > ingest.MaxPageSize {
		return nil, fmt.Errorf("%s: file is over the %d-byte page limit", p.name, ingest.MaxPageSize)
	}
	return ingest.Parse(p.name, p.data, vocab)
}
