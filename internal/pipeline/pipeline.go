package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
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
	// Writer, when set, takes the ingester's writes in place of Store (a
	// cluster's replicated log, which applies them to every replica's
	// store); reads still go to Store.
	Writer Writer
	Vocab  *ingest.Vocabulary
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

	// vocabMu guards vocabSet: the vocabulary is written once, before the
	// first document; a write that failed (a cluster with no leader for
	// a while) is tried again by the next batch.
	vocabMu  sync.Mutex
	vocabSet bool
}

// Writer is where an Ingester's writes go: a *store.Store, or a
// replicated log in front of one (internal/cluster).
type Writer interface {
	ApplyPrepared(ctx context.Context, docs []*store.Prepared, opts store.ApplyOptions) ([]store.Result, error)
	SetVocabulary(ctx context.Context, topics []podcast.Topic) error
}

var _ Writer = (*store.Store)(nil)

// writer returns where writes go: Writer, else Store.
func (in *Ingester) writer() Writer {
	if in.Writer != nil {
		return in.Writer
	}
	return in.Store
}

// Page is one document to ingest: its name and bytes, or why they could
// not be read.
type Page struct {
	Name string
	Data []byte
	Err  error
	// URL is where the bytes were fetched from ("" for files and the
	// admin endpoint's bytes): a feed that does not name its own URL is
	// known by it.
	URL string
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
	// Items, for a feed, counts its items by outcome; Episodes, Guests
	// and Topics are then sums over its items, Warnings are the feed's
	// and its items' (each item's prefixed with its name), and ItemErrors
	// say why each failed item failed. Nil for a page.
	Items      *ItemCounts `json:"items,omitempty"`
	ItemErrors []string    `json:"itemErrors,omitempty"`
	// Index is the replicated log index the document committed at (a
	// feed: its last item's), for read-your-writes (docs/cluster.md); 0
	// outside a cluster, and for a document not written.
	Index uint64 `json:"index,omitempty"`
}

// ItemCounts counts a feed's items by outcome.
type ItemCounts struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
}

// Total is the number of items counted.
func (c ItemCounts) Total() int { return c.Added + c.Updated + c.Unchanged + c.Failed }

// maxFeedWarnings caps the warnings a feed's result carries (its items'
// warnings stay in the store with each item).
const maxFeedWarnings = 50

// Summary counts documents by outcome: a page is one document, a feed as
// many as it has items.
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

// Add counts r: a page's result once, a feed's by its items.
func (s *Summary) Add(r Result) {
	if r.Items != nil {
		s.Added += r.Items.Added
		s.Updated += r.Items.Updated
		s.Unchanged += r.Items.Unchanged
		s.Failed += r.Items.Failed
		return
	}
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

// PrintResult writes the command's line for one document, and its
// warnings; for a feed, one line with its item counts, then its warnings
// and the error of each item that failed.
func PrintResult(w io.Writer, r Result) {
	name := PrintedName(r.Name)
	if r.Status == "failed" && r.Items == nil {
		fmt.Fprintf(w, "failed    %s\n", printedText(r.Error))
		return
	}
	if c := r.Items; c != nil {
		fmt.Fprintf(w, "%-9s %s: feed, %d items (%d added, %d updated, %d unchanged, %d failed), %d episodes, %d guests, %d topics, %d warnings\n",
			r.Status, name, c.Total(), c.Added, c.Updated, c.Unchanged, c.Failed, r.Episodes, r.Guests, r.Topics, len(r.Warnings))
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "  warning %s: %s\n", name, printedText(warn))
		}
		for _, e := range r.ItemErrors {
			fmt.Fprintf(w, "  failed  %s\n", printedText(e))
		}
		return
	}
	fmt.Fprintf(w, "%-9s %s: %d episodes, %d guests, %d topics, %d warnings\n",
		r.Status, name, r.Episodes, r.Guests, r.Topics, len(r.Warnings))
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning %s: %s\n", name, printedText(warn))
	}
}

// PrintableName reports whether a document's name can be printed as it
// is: valid UTF-8 without control characters (a newline in a file name
// would otherwise forge a line of the report, an escape sequence recolour
// the terminal).
func PrintableName(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// PrintedName is a document's name on a report line: as it is when
// printable, quoted (Go syntax, escapes shown) otherwise.
func PrintedName(s string) string {
	if PrintableName(s) {
		return s
	}
	return strconv.Quote(s)
}

// printedText is a message on a report line, its control characters
// escaped (it may quote a name or a document's text).
func printedText(s string) string {
	if PrintableName(s) {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
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
	// The memos remember listing entries and the fragments they state
	// across pages and batches: a show's pages list the episodes before
	// theirs, and read and encoded once, an entry is found again on the
	// next pages (see ingest.Memo and store.Memo). They live as long as
	// the run.
	memo := &memos{parse: ingest.NewMemo(0), prepare: store.NewMemo(0)}
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

// parsedBatch is a batch of pages parsed into documents: a page yields
// one, a feed one per item. docs, errs and names are by document, in page
// order: the prepared document or why there is none (a page or feed that
// could not be read is one failed document, as is an item that could not
// be read) and its name. first and feeds are by page: where its documents
// start, and what a feed said beyond its items (nil for a page).
type parsedBatch struct {
	pages []Page
	docs  []*store.Prepared
	errs  []error
	names []string
	first []int // by page: the index of its first document
	feeds []*feedInfo
}

// feedInfo is what a feed says beyond its items' documents.
type feedInfo struct {
	warnings []string
}

// parsedPage is what one page or feed yielded.
type parsedPage struct {
	docs  []*store.Prepared
	errs  []error
	names []string
	feed  *feedInfo
}

// Apply parses pages in parallel and writes the good ones in one
// transaction; it returns one result per page, in order. The error is for
// failures that stop the run (the store or ctx), not for bad pages.
func (in *Ingester) Apply(ctx context.Context, pages []Page) ([]Result, error) {
	return in.commit(ctx, in.parse(ctx, pages, nil))
}

// memos are what a run of many pages remembers of the pages it parsed
// (ingest.Memo) and prepared (store.Memo).
type memos struct {
	parse   *ingest.Memo
	prepare *store.Memo
}

// parse parses pages on every core, through memo (nil: none); once ctx is
// done it parses no more (the batch is then dropped by its caller). A
// page's bytes are let go once it is parsed: a batch waiting for the
// writer holds its prepared fragments, not its pages. A feed (recognised
// by its content, ingest.IsFeed) yields a document per item.
func (in *Ingester) parse(ctx context.Context, pages []Page, memo *memos) parsedBatch {
	pages = slices.Clone(pages) // the caller's pages keep their bytes
	out := make([]parsedPage, len(pages))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, p := range pages {
		if p.Err != nil {
			out[i] = failedPage(p.Name, p.Err)
			continue
		}
		if err := ctx.Err(); err != nil {
			out[i] = failedPage(p.Name, err)
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = in.parseOne(p, memo)
			pages[i].Data = nil
		}()
	}
	wg.Wait()
	pb := parsedBatch{pages: pages, feeds: make([]*feedInfo, len(pages)), first: make([]int, len(pages))}
	for i, pp := range out {
		pb.feeds[i] = pp.feed
		pb.first[i] = len(pb.docs)
		pb.docs = append(pb.docs, pp.docs...)
		pb.errs = append(pb.errs, pp.errs...)
		pb.names = append(pb.names, pp.names...)
	}
	seen := make(map[string][]byte)
	for _, p := range pb.docs {
		if p != nil {
			p.Share(seen)
		}
	}
	return pb
}

// failedPage is a page that yields no document, only err.
func failedPage(name string, err error) parsedPage {
	return parsedPage{docs: []*store.Prepared{nil}, errs: []error{err}, names: []string{name}}
}

// parseOne parses one page or feed and prepares its documents.
func (in *Ingester) parseOne(p Page, memo *memos) parsedPage {
	if ingest.IsFeed(p.Data) {
		feed, err := parseFeed(p, in.Vocab)
		if err != nil {
			pp := failedPage(p.Name, err)
			pp.feed = &feedInfo{}
			return pp
		}
		n := len(feed.Items)
		pp := parsedPage{feed: &feedInfo{warnings: feed.Warnings},
			docs: make([]*store.Prepared, n), errs: make([]error, n), names: make([]string, n)}
		// A feed's items are prepared on every core, as pages are.
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), n/32+1) {
			wg.Go(func() {
				for k := int(next.Add(1) - 1); k < n; k = int(next.Add(1) - 1) {
					pp.docs[k], pp.errs[k] = prepare(feed.Items[k], nil)
					pp.names[k] = feed.Items[k].Name
				}
			})
		}
		wg.Wait()
		for _, perr := range feed.Failed {
			pp.docs = append(pp.docs, nil)
			pp.errs = append(pp.errs, perr)
			pp.names = append(pp.names, fmt.Sprintf("%s item at line %d", p.Name, perr.Line))
		}
		return pp
	}
	var parseMemo *ingest.Memo
	var prepMemo *store.Memo
	if memo != nil {
		parseMemo, prepMemo = memo.parse, memo.prepare
	}
	doc, err := parsePage(p, in.Vocab, parseMemo)
	if err != nil {
		return failedPage(p.Name, err)
	}
	prep, err := prepare(doc, prepMemo)
	if err == nil && p.File != nil && in.settled(p.File, p.ReadAt) {
		prep.SetFile(*p.File)
	}
	return parsedPage{docs: []*store.Prepared{prep}, errs: []error{err}, names: []string{p.Name}}
}

// prepare prepares a document for the store, through memo (nil: none);
// the error is the store's refusal, found before the transaction rather
// than by retrying it.
func prepare(doc *ingest.Document, memo *store.Memo) (*store.Prepared, error) {
	prep := store.PrepareMemo(doc, memo)
	if perr := prep.Err(); perr != nil {
		return prep, fmt.Errorf("%s: the store refused it: %w", doc.Name, perr)
	}
	return prep, nil
}

// commit writes a parsed batch's good documents, Batch documents per
// transaction (a feed's items may be many), and returns one result per
// page: a feed's sums up its items. A document the store refuses fails
// alone (see write); the error is for failures of the store or ctx, which
// stop the run.
func (in *Ingester) commit(ctx context.Context, pb parsedBatch) ([]Result, error) {
	if err := in.setVocabulary(ctx); err != nil {
		return nil, err
	}
	var good []int
	for i := range pb.docs {
		if pb.errs[i] == nil {
			good = append(good, i)
		}
	}
	applied := make([]store.Result, len(pb.docs))
	unnamed := 0
	step := len(good)
	if in.Batch > 0 && len(pb.docs) > len(pb.pages) { // feeds: bound each transaction
		step = in.Batch
	}
	for start := 0; start < len(good); start += max(step, 1) {
		if err := in.write(ctx, pb, good[start:min(start+max(step, 1), len(good))], applied, &unnamed); err != nil {
			return nil, err
		}
	}
	if len(good) > 1 && unnamed == len(good) {
		// Every document failed alone in a way that names none: that is
		// the store failing, not the documents.
		return nil, fmt.Errorf("ingest: the store refused every document: %w", pb.errs[good[0]])
	}
	docs := make([]Result, len(pb.docs))
	for i := range pb.docs {
		if pb.errs[i] != nil {
			docs[i] = Result{Name: pb.names[i], Status: "failed", Error: pb.errs[i].Error(), Warnings: []string{}}
		} else {
			a := applied[i]
			docs[i] = Result{Name: a.Name, Status: string(a.Status), Episodes: a.Episodes, Guests: a.Guests,
				Topics: a.Topics, Warnings: append([]string{}, a.Warnings...), Index: a.Index}
		}
		if in.Observe != nil {
			in.Observe(docs[i])
		}
	}
	results := make([]Result, len(pb.pages))
	for i, p := range pb.pages {
		if pb.feeds[i] == nil {
			results[i] = docs[pb.first[i]]
			results[i].Name = p.Name
			continue
		}
		end := len(docs)
		if i+1 < len(pb.pages) {
			end = pb.first[i+1]
		}
		results[i] = feedResult(p.Name, pb.feeds[i], docs[pb.first[i]:end])
	}
	return results, nil
}

// setVocabulary writes the vocabulary before the first document, until it
// succeeds once.
func (in *Ingester) setVocabulary(ctx context.Context) error {
	in.vocabMu.Lock()
	defer in.vocabMu.Unlock()
	if in.vocabSet {
		return nil
	}
	in.fingerprint = in.Vocab.Fingerprint()
	if err := in.writer().SetVocabulary(ctx, in.Vocab.Topics()); err != nil {
		return err
	}
	in.vocabSet = true
	return nil
}

// feedResult sums up the results of the documents of one feed.
func feedResult(name string, fi *feedInfo, docs []Result) Result {
	r := Result{Name: name, Items: &ItemCounts{}, Warnings: append([]string{}, fi.warnings...)}
	for _, d := range docs {
		switch d.Status {
		case string(store.Added):
			r.Items.Added++
		case string(store.Updated):
			r.Items.Updated++
		case string(store.Unchanged):
			r.Items.Unchanged++
		default:
			r.Items.Failed++
			r.ItemErrors = append(r.ItemErrors, d.Error)
			continue
		}
		r.Index = max(r.Index, d.Index)
		r.Episodes += d.Episodes
		r.Guests += d.Guests
		r.Topics += d.Topics
		for _, w := range d.Warnings {
			r.Warnings = append(r.Warnings, d.Name+": "+w)
		}
	}
	if len(r.Warnings) > maxFeedWarnings {
		more := len(r.Warnings) - (maxFeedWarnings - 1)
		r.Warnings = append(r.Warnings[:maxFeedWarnings-1], fmt.Sprintf("%d more warnings not shown", more))
	}
	c := r.Items
	switch {
	case len(docs) == 1 && c.Failed == 1 && docs[0].Name == name:
		// The feed itself could not be read.
		return Result{Name: name, Status: "failed", Error: r.ItemErrors[0], Warnings: []string{}}
	case c.Failed > 0 && c.Failed == c.Total():
		r.Status = "failed"
		r.Error = fmt.Sprintf("%s: every item failed (%d)", name, c.Failed)
	case c.Added > 0:
		r.Status = string(store.Added)
	case c.Updated > 0:
		r.Status = string(store.Updated)
	default:
		r.Status = string(store.Unchanged)
	}
	return r
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
		res, err := in.writer().ApplyPrepared(ctx, docs, store.ApplyOptions{Fingerprint: in.fingerprint})
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
				pb.errs[idx[j]] = fmt.Errorf("%s: the store refused it: %v", pb.names[idx[j]], de.Err)
				idx = slices.Delete(idx, j, j+1)
				continue
			}
		}
		if len(idx) == 1 {
			pb.errs[idx[0]] = fmt.Errorf("%s: the store refused it: %v", pb.names[idx[0]], err)
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

// parseFeed parses a feed's bytes; errors name the document.
func parseFeed(p Page, vocab *ingest.Vocabulary) (*ingest.Feed, error) {
	if len(p.Data) > ingest.MaxFeedSize {
		return nil, fmt.Errorf("%s: file is over the %d-byte feed limit", p.Name, ingest.MaxFeedSize)
	}
	f, err := ingest.ParseFeedAt(p.Name, p.URL, p.Data, vocab)
	if err == nil {
		// Oldest first (undated last, else in the feed's order): the
		// store numbers items that carry no number in publication order
		// within a write, and a long feed takes several writes.
		slices.SortStableFunc(f.Items, func(a, b *ingest.Document) int {
			return podcast.ComparePublished(a.Episode.PublishedAt, b.Episode.PublishedAt)
		})
	}
	return f, err
}

// parsePage parses a page's bytes; errors name the document.
func parsePage(p Page, vocab *ingest.Vocabulary, memo *ingest.Memo) (*ingest.Document, error) {
	if len(p.Data) > ingest.MaxPageSize {
		return nil, fmt.Errorf("%s: file is over the %d-byte page limit", p.Name, ingest.MaxPageSize)
	}
	return ingest.ParseMemo(p.Name, p.Data, vocab, memo)
}
