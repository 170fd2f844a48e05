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
	files, err := expand(paths)
	if err != nil {
		return err
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
	fmt.Fprintf(stdout, "%d %s: %d added, %d updated, %d unchanged, %d failed\n",
		sum.total(), noun, sum.added, sum.updated, sum.unchanged, sum.failed)
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
	return func() { debug.SetGCPercent(gc); debug.SetMemoryLimit(limit) }
}

func localIngest(ctx context.Context, cfg *config, files []string, stdout io.Writer) (summary, error) {
	defer bulkGC(len(files), cfg.Batch)()
	vocab, err := loadVocabulary(cfg)
	if err != nil {
		return summary{}, err
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return summary{}, err
	}
	defer st.Close()
	ing := &ingester{store: st, vocab: vocab, batch: cfg.Batch}
	return ing.files(ctx, files, stdout)
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
				pages[i] = readPage(f)
			}
			select {
			case parsedc <- in.parse(pages):
			case <-ctx.Done():
				return
			}
		}
	}()
	for pb := range parsedc {
		results, err := in.commit(ctx, pb)
		if err != nil {
			return sum, err
		}
		for _, r := range results {
			sum.add(r)
			printResult(out, r)
		}
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
	return in.commit(ctx, in.parse(pages))
}

// parse parses pages on every core.
func (in *ingester) parse(pages []page) parsedBatch {
	pb := parsedBatch{pages: pages, docs: make([]*store.Prepared, len(pages)), errs: make([]error, len(pages))}
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, p := range pages {
		if p.err != nil {
			pb.errs[i] = p.err
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			doc, err := parsePage(p, in.vocab)
			if err == nil {
				pb.docs[i] = store.Prepare(doc)
			}
			pb.errs[i] = err
		}()
	}
	wg.Wait()
	return pb
}

// commit writes a parsed batch's good documents in one transaction.
func (in *ingester) commit(ctx context.Context, pb parsedBatch) ([]docResult, error) {
	in.vocabOnce.Do(func() {
		in.fingerprint = in.vocab.Fingerprint()
		in.vocabErr = in.store.SetVocabulary(ctx, in.vocab.Topics())
	})
	if in.vocabErr != nil {
		return nil, in.vocabErr
	}
	var good []*store.Prepared
	for i, d := range pb.docs {
		if pb.errs[i] == nil {
			good = append(good, d)
		}
	}
	applied, err := in.store.ApplyPrepared(ctx, good, store.ApplyOptions{Fingerprint: in.fingerprint})
	if err != nil {
		return nil, err
	}
	results := make([]docResult, len(pb.pages))
	j := 0
	for i, p := range pb.pages {
		if pb.errs[i] != nil {
			results[i] = docResult{Name: p.name, Status: "failed", Error: pb.errs[i].Error(), Warnings: []string{}}
		} else {
			a := applied[j]
			j++
			results[i] = docResult{Name: a.Name, Status: string(a.Status), Episodes: a.Episodes, Guests: a.Guests,
				Topics: a.Topics, Warnings: append([]string{}, a.Warnings...)}
		}
		if in.observe != nil {
			in.observe(results[i])
		}
	}
	return results, nil
}

// expand lists the files named by paths: files as given, directories
// walked for *.txt in name order (hidden files and directories skipped).
func expand(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && isPageName(d.Name()) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	return files, nil
}

// isPageName reports whether a directory entry is a page to ingest.
func isPageName(name string) bool {
	return strings.HasSuffix(name, ".txt") && !strings.HasPrefix(name, ".")
}

// readPage reads one file, refusing files over the page size limit
// without reading them whole.
func readPage(path string) page {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return page{name: name, err: fmt.Errorf("%s: %w", name, err)}
	}
	defer f.Close()
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
