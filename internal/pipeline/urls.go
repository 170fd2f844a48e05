package pipeline

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"

	"podcastgraph/internal/fetch"
	"podcastgraph/store"
)

// How a URL is ingested, and how little an unchanged one costs.
//
// The store remembers, per URL, the validators its server sent with the
// version last ingested (ETag, Last-Modified), the hash of that body and
// the extractor's fingerprint (store.Fetched). The next fetch sends the
// validators: a 304 is reported unchanged with the counts remembered,
// with nothing parsed or written. A 200 whose body hashes as before is
// not parsed or written either (only new validators are). Anything else
// is a Page named by the URL, ingested as a file's bytes are, and its
// record written once the document is committed: a crash between the two
// fetches it again next time, and finds it unchanged in the store. A
// vocabulary other than the one the record was read with sends no
// validators, so the body is read again with the new one.

// DefaultFetchConcurrency is how many URLs are fetched at once.
const DefaultFetchConcurrency = 4

// IsURL reports whether an ingest argument is a URL to fetch rather than
// a path: it starts with http:// or https://, in any case.
func IsURL(arg string) bool {
	lower := strings.ToLower(arg)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}

// URLOptions say how URLs are fetched and reported.
type URLOptions struct {
	Fetcher *fetch.Fetcher
	// Concurrency bounds the fetches at once; 0 means
	// DefaultFetchConcurrency.
	Concurrency int
	// Progress, when set, follows the run: the URLs done of those given.
	Progress *Progress
	// Each, when set, is told of every URL's result, in the order given.
	Each func(Result)
}

// URLs fetches urls and ingests their bodies, a few at a time, each
// changed one in a write transaction of its own; a URL that cannot be
// fetched is a failed result naming it, and the others go on. It returns
// the counts, NotModified and SameBody among the unchanged; the error is
// for failures that stop the run (the store, ctx).
func (in *Ingester) URLs(ctx context.Context, urls []string, opts URLOptions) (Summary, error) {
	var sum Summary
	recs, err := in.Store.FetchedURLs(ctx, urls)
	if err != nil {
		recs = make([]*store.Fetched, len(urls)) // fetched whole: writing them reports the store's trouble
	}
	fp := in.Vocab.Fingerprint()
	opts.Progress.Begin(len(urls))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		res  Result
		how  urlOutcome
		err  error
		done chan struct{}
	}
	outs := make([]outcome, len(urls))
	for i := range outs {
		outs[i].done = make(chan struct{})
	}
	work := make(chan int)
	workers := opts.Concurrency
	if workers <= 0 {
		workers = DefaultFetchConcurrency
	}
	var running sync.WaitGroup
	for range min(workers, len(urls)) {
		running.Go(func() {
			for i := range work {
				o := &outs[i]
				o.res, o.how, o.err = in.ingestURL(ctx, opts.Fetcher, urls[i], recs[i], fp)
				close(o.done)
			}
		})
	}
	go func() {
		defer close(work)
		for i := range urls {
			select {
			case work <- i:
			case <-ctx.Done():
				for ; i < len(urls); i++ {
					outs[i].err = ctx.Err()
					close(outs[i].done)
				}
				return
			}
		}
	}()
	for i := range outs {
		<-outs[i].done
		if outs[i].err != nil {
			// Stop the rest, and wait for those fetching or writing: the
			// caller may answer as soon as this returns. What was
			// committed stays.
			cancel()
			running.Wait()
			return sum, outs[i].err
		}
		switch outs[i].how {
		case notModified:
			sum.NotModified++
		case sameBody:
			sum.SameBody++
		}
		sum.Add(outs[i].res)
		opts.Progress.Add(1)
		if opts.Each != nil {
			opts.Each(outs[i].res)
		}
	}
	return sum, nil
}

// urlOutcome is how a URL's result was reached.
type urlOutcome int

const (
	ingested    urlOutcome = iota // parsed and applied (or failed)
	notModified                   // the server answered 304
	sameBody                      // the body hashed as the one last ingested
)

// ingestURL fetches one URL and ingests its body unless the store's record
// rec says it is unchanged; Observe is told of its result (by Apply for
// a body parsed). The error is for failures that stop the run.
func (in *Ingester) ingestURL(ctx context.Context, f *fetch.Fetcher, url string, rec *store.Fetched, fp string) (Result, urlOutcome, error) {
	res, how, parsed, err := in.fetchURL(ctx, f, url, rec, fp)
	if err == nil && !parsed && in.Observe != nil {
		in.Observe(res)
	}
	return res, how, err
}

// fetchURL is ingestURL, saying whether the result came from Apply.
func (in *Ingester) fetchURL(ctx context.Context, f *fetch.Fetcher, url string, rec *store.Fetched, fp string) (res Result, how urlOutcome, parsed bool, err error) {
	var v fetch.Validators
	if rec != nil && rec.Fingerprint == fp {
		v = fetch.Validators{ETag: rec.ETag, LastModified: rec.LastModified}
	}
	resp, err := f.Get(ctx, url, v)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ingested, false, ctx.Err()
		}
		return Result{Name: url, Status: "failed", Error: err.Error(), Warnings: []string{}}, ingested, false, nil
	}
	if resp.NotModified {
		return remembered(url, rec), notModified, false, nil
	}
	sum := sha256.Sum256(resp.Body)
	if rec != nil && rec.Fingerprint == fp && rec.SHA256 == sum {
		if resp.Validators.ETag != rec.ETag || resp.Validators.LastModified != rec.LastModified {
			next := *rec
			next.ETag, next.LastModified = resp.Validators.ETag, resp.Validators.LastModified
			if err := in.Store.PutFetched(ctx, url, &next); err != nil {
				return Result{}, sameBody, false, err
			}
		}
		return remembered(url, rec), sameBody, false, nil
	}
	results, err := in.Apply(ctx, []Page{{Name: url, URL: url, Data: resp.Body}})
	if err != nil {
		return Result{}, ingested, false, err
	}
	r := results[0]
	if r.Status == "failed" {
		return r, ingested, true, nil
	}
	err = in.Store.PutFetched(ctx, url, &store.Fetched{ETag: resp.Validators.ETag, LastModified: resp.Validators.LastModified,
		SHA256: sum, Fingerprint: fp, Episodes: r.Episodes, Guests: r.Guests, Topics: r.Topics, Warnings: r.Warnings})
	if err != nil {
		return Result{}, ingested, true, fmt.Errorf("remember %s: %w", url, err)
	}
	return r, ingested, true, nil
}

// remembered is the unchanged result of a URL, with the counts and
// warnings of its last ingest.
func remembered(url string, rec *store.Fetched) Result {
	return Result{Name: url, Status: string(store.Unchanged), Episodes: rec.Episodes, Guests: rec.Guests,
		Topics: rec.Topics, Warnings: append([]string{}, rec.Warnings...)}
}
