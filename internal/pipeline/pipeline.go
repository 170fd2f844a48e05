package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/store"
)

// LoadVocabulary returns the topic vocabulary: the file at path, or the
// built-in one when path is empty.
func LoadVocabulary(path string) (*ingest.Vocabulary, error) {
	if path == "" {
		return ingest.DefaultVocabulary(), nil
	}
	return ingest.LoadVocabulary(path)
}

// DefaultBatch is the documents per write transaction unless --batch
// says otherwise. A write rewrites every B+tree page it touches, and the
// keys a batch moves (guests' counts, pairs and indexes) are spread over
// keyspaces that grow with the store: the larger the batch, the fewer
// times a page is rewritten per document; the smaller, the less memory a
// batch holds. On 100,000 catalogue pages (internal/pagegen), `ingest`
// took 37 s at 1024, 30-34 s at 2048 and 38 s at 4096, where the heap a
// batch holds makes the collector run much more often (docs/performance.md).
const DefaultBatch = 2048

// Ingester parses pages in parallel and writes them to the store a batch
// per transaction. It is the one path every page takes into the store: the
// ingest command, start-up, the watcher and the admin endpoint.
type Ingester struct {
	Store *store.Store
	Vocab *ingest.Vocabulary
	// Batch is the number of documents per write transaction of Files.
	Batch int
	// Observe, when set, is told of every document's result (metrics).
	Observe func(Result)
	// Rescan makes Files read every file, even those the store's record
	// says are unchanged (sources.go).
	Rescan bool
	// Settle is how much older than its read a file's times must be for
	// its description to be recorded (sources.go); 0 means DefaultSettle,
	// and a negative value trusts every file at once (tests).
	Settle time.Duration
	// Progress, when set, follows Files: the documents done of those listed.
	Progress *Progress
	// Step, when set, runs before each batch Files commits: a test slows
	// an ingest with it.
	Step func()

	fingerprint string // of the vocabulary, computed once

	vocabOnce sync.Once
	vocabErr  error
}

// Page is one document to ingest: its name and bytes, or why they could
// not be read.
type Page struct {
	Name string
	Data []byte
	Err  error
	// File is what the file system said of the file the bytes were read
	// from, and ReadAt when it was asked; File is nil for bytes that came
	// from elsewhere (the admin endpoint).
	File   *store.FileStat
	ReadAt time.Time
}

// Result is what became of one document; the ingest command prints it
// and the admin endpoint returns it as JSON.
type Result struct {
	Name     string   `json:"name"`
	Status   string   `json:"status"` // added, updated, unchanged or failed
	Episodes int      `json:"episodes"`
	Guests   int      `json:"guests"`
	Topics   int      `json:"topics"`
	Warnings []string `json:"warnings"`
	Error    string   `json:"error,omitempty"`
}

// Summary counts documents by outcome.
type Summary struct {
	Added, Updated, Unchanged, Failed int
	// Unread counts the unchanged documents Files knew without reading
	// their files (sources.go).
	Unread int
	// NotModified and SameBody count the unchanged URLs URLs knew without
	// parsing: answered 304, or fetched with the body last ingested.
	NotModified, SameBody int
}

// Total is the number of documents counted.

func (s Summary) Total() int { return s.Added + s.Updated + s.Unchanged + s.Failed }

// Add counts r.
func (s *Summary) Add(r Result) {
	switch r.Status {
	case string(store.Added):
		s.Added++
	case string(store.Updated):
		s.Updated++
	case string(store.Unchanged):
		s.Unchanged++
	default:
		s.Failed++
	}
}

// PrintResult writes the command's line for one document, and its warnings.
func PrintResult(w io.Writer, r Result) {
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

// Files ingests files in batches, printing one line per document in order.
// Reading and parsing the next batch overlaps writing the current one. A
// file the store's record says is unchanged is not read (sources.go).
// When there is more than one batch, the pages of the file that each
// write read are dropped from the process's resident set after it (they
// stay in the OS page cache): a bulk ingest reads most of the file, and
// would otherwise hold it all resident.
func (in *Ingester) Files(ctx context.Context, files []string, out io.Writer) (Summary, error) {
	var sum Summary
	batch := max(in.Batch, 1)
	bulk := len(files) > batch
	// The memo remembers listing entries across pages and batches: a
	// show's pages list the episodes before theirs, and read once, an
	// entry is found again on the next pages (see ingest.Memo). It lives
	// as long as the run.
	memo := ingest.NewMemo(0)
	in.Progress.Begin(len(files))
	batches := make(chan fileBatch, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(batches)
		for start := 0; start < len(files); start += batch {
			part := files[start:min(start+batch, len(files))]
			fb := fileBatch{results: in.unchanged(ctx, part)}
			var pages []Page
			for i, f := range part {
				if fb.results[i] != nil {
					continue
				}
				if ctx.Err() != nil {
					return
				}
				pages = append(pages, ReadPage(f))
				fb.read = append(fb.read, i)
			}
			fb.parsed = in.parse(ctx, pages, memo)
			if ctx.Err() != nil {
				return
			}
			select {
			case batches <- fb:
			case <-ctx.Done():
				return
			}
		}
	}()
	for fb := range batches {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		for _, r := range fb.results {
			if r != nil {
				sum.Unread++
				if in.Observe != nil {
					in.Observe(*r)
				}
			}
		}
		if len(fb.read) > 0 {
			if in.Step != nil {
				in.Step()
			}
			results, err := in.commit(ctx, fb.parsed)
			if err != nil {
				return sum, err
			}
			if bulk {
				// Only memory is at stake: a failure leaves the pages
				// resident, as they were.
				_ = in.Store.ReleaseMapped()
			}
			for j, i := range fb.read {
				fb.results[i] = &results[j]
			}
		}
		for _, r := range fb.results {
			sum.Add(*r)
			PrintResult(out, *r)
		}
		in.Progress.Add(len(fb.results))
	}
	if sum.Total() < len(files) {
		return sum, ctx.Err() // stopped early: what was committed stays
	}
	return sum, nil
}

// fileBatch is a batch of files: the results of those known unchanged
// without reading them, and the pages read of the others (at indexes
// read), parsed.
type fileBatch struct {
	results []*Result
	read    []int
	parsed  parsedBatch
}

// parsedBatch is a batch of pages with their documents or errors.
type parsedBatch struct {
	pages []Page
	docs  []*store.Prepared
	errs  []error
}

// Apply parses pages in parallel and writes the good ones in one
// transaction; it returns one result per page, in order. The error is for
// failures that stop the run (the store or ctx), not for bad pages.
func (in *Ingester) Apply(ctx context.Context, pages []Page) ([]Result, error) {
	return in.commit(ctx, in.parse(ctx, pages, nil))
}

// parse parses pages on every core, through memo (nil: none); once ctx is
// done it parses no more (the batch is then dropped by its caller). A
// page's bytes are let go once it is parsed: a batch waiting for the
// writer holds its prepared fragments, not its pages.
func (in *Ingester) parse(ctx context.Context, pages []Page, memo *ingest.Memo) parsedBatch {
	pages = slices.Clone(pages) // the caller's pages keep their bytes
	pb := parsedBatch{pages: pages, docs: make([]*store.Prepared, len(pages)), errs: make([]error, len(pages))}
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, p := range pages {
		if p.Err != nil {
			pb.errs[i] = p.Err
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
			doc, err := parsePage(p, in.Vocab, memo)
			pb.pages[i].Data = nil
			if err == nil {
				pb.docs[i] = store.Prepare(doc)
				if perr := pb.docs[i].Err(); perr != nil {
					// Refused before the transaction, not by retrying it.
					err = fmt.Errorf("%s: the store refused it: %w", p.Name, perr)
				}
				if p.File != nil && in.settled(p.File, p.ReadAt) {
					pb.docs[i].SetFile(*p.File)
				}
			}
			pb.errs[i] = err
		}()
	}
	wg.Wait()
	seen := make(map[string][]byte)
	for _, p := range pb.docs {
		if p != nil {
			p.Share(seen)
		}
	}
	return pb
}

// commit writes a parsed batch's good documents in one transaction. A
// document the store refuses fails alone (see write); the error is for
// failures of the store or ctx, which stop the run.
func (in *Ingester) commit(ctx context.Context, pb parsedBatch) ([]Result, error) {
	in.vocabOnce.Do(func() {
		in.fingerprint = in.Vocab.Fingerprint()
		in.vocabErr = in.Store.SetVocabulary(ctx, in.Vocab.Topics())
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
	results := make([]Result, len(pb.pages))
	for i, p := range pb.pages {
		if pb.errs[i] != nil {
			results[i] = Result{Name: p.Name, Status: "failed", Error: pb.errs[i].Error(), Warnings: []string{}}
		} else {
			a := applied[i]
			results[i] = Result{Name: a.Name, Status: string(a.Status), Episodes: a.Episodes, Guests: a.Guests,
				Topics: a.Topics, Warnings: append([]string{}, a.Warnings...)}
		}
		if in.Observe != nil {
			in.Observe(results[i])
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
func (in *Ingester) write(ctx context.Context, pb parsedBatch, idx []int, applied []store.Result, unnamed *int) error {
	idx = slices.Clone(idx)
	for len(idx) > 0 {
		docs := make([]*store.Prepared, len(idx))
		for j, i := range idx {
			docs[j] = pb.docs[i]
		}
		res, err := in.Store.ApplyPrepared(ctx, docs, store.ApplyOptions{Fingerprint: in.fingerprint})
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
				pb.errs[idx[j]] = fmt.Errorf("%s: the store refused it: %v", pb.pages[idx[j]].Name, de.Err)
				idx = slices.Delete(idx, j, j+1)
				continue
			}
		}
		if len(idx) == 1 {
			pb.errs[idx[0]] = fmt.Errorf("%s: the store refused it: %v", pb.pages[idx[0]].Name, err)
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

// parsePage parses a page's bytes; errors name the document.
func parsePage(p Page, vocab *ingest.Vocabulary, memo *ingest.Memo) (*ingest.Document, error) {
	if len(p.Data) > ingest.MaxPageSize {
		return nil, fmt.Errorf("%s: file is over the %d-byte page limit", p.Name, ingest.MaxPageSize)
	}
	return ingest.ParseMemo(p.Name, p.Data, vocab, memo)
}
