package store_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/store"
)

// BenchmarkApplyCatalogue is the write path alone, on pages shaped like a
// daily show's catalogue (pagegen.Options.Catalogue): pages are parsed
// and prepared off the clock, a batch of 1,024 at a time, and only
// ApplyPrepared is timed, in batches as `ingest` writes them, into a file
// that is not fsynced (the figure is the writer's CPU, not the disk's).
// It reports the writer's microseconds per page, elapsed and on the CPU
// (the writer's thread: steadier than elapsed time on a busy machine), and
// elapsed over the first and the last tenth of the pages: a per-page cost
// that grows with the store shows as the second above the first.
// BENCH_PAGES sets the pages (default 20,000), BENCH_BATCH the pages per
// write (default 1,024).
//
//	go test -run '^$' -bench ApplyCatalogue -benchtime 1x ./store
//	BENCH_PAGES=100000 go test -run '^$' -bench ApplyCatalogue -benchtime 1x ./store
func BenchmarkApplyCatalogue(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_PAGES")); err == nil && v > 0 {
		n = v
	}
	batch := 1024
	if v, err := strconv.Atoi(os.Getenv("BENCH_BATCH")); err == nil && v > 0 {
		batch = v
	}
	ctx := context.Background()
	vocab := ingest.DefaultVocabulary()
	opts := pagegen.Options{Shows: 1, Seed: 1, Catalogue: true}
	for range b.N {
		b.StopTimer()
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		if err := st.SetVocabulary(ctx, vocab.Topics()); err != nil {
			b.Fatal(err)
		}
		tenth := max(n/10, 1)
		var total, first, last, cpu, cpuFirst, cpuLast time.Duration
		for start := 0; start < n; start += batch {
			docs := prepareCatalogue(b, vocab, opts, start, min(start+batch, n))
			b.StartTimer()
			runtime.LockOSThread()
			c, t := threadCPU(), time.Now()
			if _, err := st.ApplyPrepared(ctx, docs, store.ApplyOptions{Fingerprint: vocab.Fingerprint()}); err != nil {
				b.Fatal(err)
			}
			took, spent := time.Since(t), threadCPU()-c
			runtime.UnlockOSThread()
			b.StopTimer()
			total += took
			cpu += spent
			per := took / time.Duration(len(docs))
			cpuPer := spent / time.Duration(len(docs))
			// Attribute the batch's pages to the first or last tenth.
			for i := start; i < start+len(docs); i++ {
				switch {
				case i < tenth:
					first += per
					cpuFirst += cpuPer
				case i >= n-tenth:
					last += per
					cpuLast += cpuPer
				}
			}
		}
		st.Close()
		b.ReportMetric(float64(total.Microseconds())/float64(n), "µs/page")
		b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/page")
		b.ReportMetric(float64(first.Microseconds())/float64(tenth), "first-µs/page")
		b.ReportMetric(float64(last.Microseconds())/float64(tenth), "last-µs/page")
		b.ReportMetric(float64(cpuFirst.Microseconds())/float64(tenth), "first-cpu-µs/page")
		b.ReportMetric(float64(cpuLast.Microseconds())/float64(tenth), "last-cpu-µs/page")
	}
}

// threadCPU returns the CPU time of the calling thread (Linux; 0
// elsewhere).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// prepareCatalogue generates, parses and prepares pages [from, to) on
// every core.
func prepareCatalogue(b *testing.B, vocab *ingest.Vocabulary, opts pagegen.Options, from, to int) []*store.Prepared {
	docs := make([]*store.Prepared, to-from)
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				name, data := pagegen.Page(i, opts)
				doc, err := ingest.Parse(name, data, vocab)
				if err != nil {
					b.Error(err)
					continue
				}
				docs[i-from] = store.Prepare(doc)
			}
		})
	}
	for i := from; i < to; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	return docs
}

// BenchmarkPrepareCatalogue is Prepare alone on 2,000 catalogue pages,
// in order, without a memo and through one (store.Memo), as a bulk
// ingest prepares them: the figure is per page.
//
//	go test -run '^$' -bench PrepareCatalogue -benchmem ./store
func BenchmarkPrepareCatalogue(b *testing.B) {
	vocab := ingest.DefaultVocabulary()
	opts := pagegen.Options{Shows: 1, Seed: 1, Catalogue: true}
	memo := ingest.NewMemo(0)
	docs := make([]*ingest.Document, 2000)
	for i := range docs {
		name, data := pagegen.Page(i, opts)
		doc, err := ingest.ParseMemo(name, data, vocab, memo)
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = doc
	}
	for _, withMemo := range []bool{false, true} {
		name := "plain"
		if withMemo {
			name = "memo"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				var m *store.Memo
				if withMemo {
					m = store.NewMemo(0)
				}
				for _, d := range docs {
					if p := store.PrepareMemo(d, m); p.Err() != nil {
						b.Fatal(p.Err())
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(docs))/1e3, "µs/page")
		})
	}
}
