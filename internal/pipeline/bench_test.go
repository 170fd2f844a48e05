package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/store"
)

// BenchmarkBulkIngest is the end-to-end ingest figure: generated pages on
// disk → read → parse (in parallel, overlapping the writes) → store.Apply in
// batches → fsynced commits into a real bbolt file, as `ingest` does. It
// reports pages/s and the peak heap in use, which must not grow with the
// number of pages. The default pages ("10000", "100000") and pages shaped
// like a daily show's catalogue ("catalogue-10000", "catalogue-100000":
// 8 KB pages, heavy-tailed guests, every topic on 7-25% of the episodes;
// see pagegen.Options.Catalogue) are measured.
//
//	go test -run ^$ -bench BulkIngest -benchtime 1x ./internal/pipeline
//	go test -run ^$ -bench BulkIngest/catalogue-100000 -benchtime 1x ./internal/pipeline
func BenchmarkBulkIngest(b *testing.B) {
	for _, catalogue := range []bool{false, true} {
		for _, n := range []int{10_000, 100_000} {
			name := strconv.Itoa(n)
			if catalogue {
				name = "catalogue-" + name
			}
			b.Run(name, func(b *testing.B) {
				for range b.N {
					benchIngest(b, n, pagegen.Options{Shows: 1, Seed: 1, Catalogue: catalogue})
				}
			})
		}
	}
}

func benchIngest(b *testing.B, n int, opts pagegen.Options) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// Settle -1: the pages were written just now, but a real ingest's
	// have aged, and their descriptions are recorded with them.
	ing := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: benchBatch(), Settle: -1}
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() { // sample the heap while ingesting
		var max uint64
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > max {
				max = ms.HeapInuse
			}
			select {
			case <-done:
				peak <- max
				return
			case <-t.C:
			}
		}
	}()
	dir := b.TempDir()
	files := make([]string, n)
	for i := range n {
		name, data := pagegen.Page(i, opts)
		files[i] = filepath.Join(dir, name)
		if err := os.WriteFile(files[i], data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	defer BulkGC(os.Getenv, n, ing.Batch)()
	b.ResetTimer()
	start := time.Now()
	sum, err := ing.Files(ctx, files, io.Discard)
	if err != nil || sum.Failed > 0 || sum.Added != n {
		b.Fatalf("ingest: %v, %+v", err, sum)
	}
	took := time.Since(start)
	b.StopTimer()
	close(done)
	heap := <-peak
	stats, _ := st.Stats()
	b.ReportMetric(float64(n)/took.Seconds(), "pages/s")
	b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(stats.SizeBytes)/(1<<20), "file-MB")
	b.ReportMetric(float64(vmHWM())/(1<<10), "peak-RSS-MB")
}

// vmHWM returns the process's peak resident set in KiB (Linux), or 0.
func vmHWM() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb
		}
	}
	return 0
}

func benchBatch() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_BATCH")); err == nil {
		return n
	}
	return DefaultBatch
}

// BenchmarkRestart is a restart's start-up ingest over pages already
// stored and unchanged: list the directory, then Files, as serve does.
// "stat" knows each page from its recorded description without reading
// it; "read" (Rescan) reads and parses every page to find its bytes
// unchanged, as every restart did before.
//
//	go test -run ^$ -bench Restart -benchtime 3x ./internal/pipeline
func BenchmarkRestart(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			ctx := context.Background()
			st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			dir := b.TempDir()
			for i := range n {
				name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 1})
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			// Settle -1: the pages were written just now; a restart's
			// have aged since they were stored.
			first := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: DefaultBatch, Settle: -1}
			if files, _, err := Expand([]string{dir}); err != nil {
				b.Fatal(err)
			} else if sum, err := first.Files(ctx, files, io.Discard); err != nil || sum.Added != n {
				b.Fatalf("ingest: %+v, %v", sum, err)
			}
			for _, mode := range []string{"stat", "read"} {
				b.Run(mode, func(b *testing.B) {
					for b.Loop() {
						in := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: DefaultBatch,
							Settle: -1, Rescan: mode == "read"}
						files, _, err := Expand([]string{dir})
						if err != nil {
							b.Fatal(err)
						}
						sum, err := in.Files(ctx, files, io.Discard)
						if err != nil || sum.Unchanged != n || (mode == "stat") != (sum.Unread == n) {
							b.Fatalf("restart: %+v, %v", sum, err)
						}
					}
					b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
				})
			}
		})
	}
}

// BenchmarkFeedIngest is BenchmarkBulkIngest for one feed file of n items
// (pagegen.Feed: the own episodes' text of the generated pages), from the
// file on disk to fsynced commits, as `ingest` does. It reports episodes
// per second, to set beside the pages/s of BulkIngest (a page is one
// episode of its own, and ten listed), the peak heap and the process's
// peak resident set (run one size alone for that to be the feed's).
//
//	go test -run ^$ -bench FeedIngest -benchtime 1x ./internal/pipeline
func BenchmarkFeedIngest(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				benchFeed(b, n)
			}
		})
	}
}

func benchFeed(b *testing.B, n int) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ing := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: benchBatch(), Settle: -1}
	path := filepath.Join(b.TempDir(), "feed.xml")
	if err := os.WriteFile(path, pagegen.Feed(n, pagegen.Options{Seed: 1}), 0o644); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var max uint64
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			max = maxOf(max, ms.HeapInuse)
			select {
			case <-done:
				peak <- max
				return
			case <-t.C:
			}
		}
	}()
	b.ResetTimer()
	start := time.Now()
	sum, err := ing.Files(ctx, []string{path}, io.Discard)
	if err != nil || sum.Failed > 0 || sum.Added != n {
		b.Fatalf("ingest: %v, %+v", err, sum)
	}
	took := time.Since(start)
	b.StopTimer()
	close(done)
	b.ReportMetric(float64(n)/took.Seconds(), "episodes/s")
	b.ReportMetric(float64(<-peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(vmHWM())/(1<<10), "peak-RSS-MB")
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
