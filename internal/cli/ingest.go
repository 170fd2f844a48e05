package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"podcastgraph/internal/adminapi"
	"podcastgraph/internal/fetch"
	"podcastgraph/internal/pipeline"
	"podcastgraph/internal/search"
	"podcastgraph/store"
)

// Ingest returns the ingest command.
func Ingest() *Command {
	return &Command{Name: "ingest", Run: runIngest, Profiled: true,
		Args: "[--db PATH | --server URL] [flags] PATH|URL...",
		Summary: "Ingests files and directories of episode pages, and http(s) URLs, into the\n" +
			"store file, or through a running server's admin endpoint with --server, and\n" +
			"prints one line per document (URLs after files); exits 1 if any document\n" +
			"failed, after committing every one that did not. URLs are fetched with the\n" +
			"--fetch-* settings; with --server the server fetches them, with its own.",
	}
}

// ingestConfig is the ingest command's settings.
type ingestConfig struct {
	DB     string
	Topics string
	Batch  int
	Rescan bool
	Fetch  fetch.Config
	clientFlags
}

func runIngest(ctx context.Context, env *Env, args []string) error {
	var cfg ingestConfig
	return Ingest().run(env, args, func(f *flags) {
		f.str(&cfg.DB, "db", "PODCAST_DB", "podcast.db", "the bbolt store file")
		cfg.declare(f)
		topicsFlag(f, &cfg.Topics)
		batchFlag(f, &cfg.Batch)
		rescanFlag(f, &cfg.Rescan)
		fetchFlags(f, &cfg.Fetch)
	}, func(f *flags, paths []string) error {
		if err := cfg.resolve(env, f); err != nil {
			return err
		}
		if len(paths) == 0 {
			return errors.New("ingest: give at least one file, directory or URL")
		}
		if cfg.Server != "" {
			var local []string
			f.fs.Visit(func(fl *flag.Flag) {
				if strings.HasPrefix(fl.Name, "fetch-") {
					local = append(local, "--"+fl.Name)
				}
			})
			if len(local) > 0 {
				warn(env, []string{strings.Join(local, ", ") + " not used with --server: the server fetches URLs with its own settings"})
			}
		}
		return ingestPaths(ctx, env, &cfg, paths)
	})
}

// ingestPaths ingests paths into the store file, or through a running
// server's admin endpoint with --server, and prints one line per document;
// it fails (after committing every good document) when any document failed.
func ingestPaths(ctx context.Context, env *Env, cfg *ingestConfig, paths []string) error {
	stdout := env.Stdout
	var urls, local []string
	for _, p := range paths {
		if pipeline.IsURL(p) {
			urls = append(urls, p)
		} else {
			local = append(local, p)
		}
	}
	var files, skipped []string
	var err error
	if len(local) > 0 {
		if files, skipped, err = pipeline.Expand(local); err != nil {
			return err
		}
	}
	for _, line := range skipped {
		fmt.Fprintf(stdout, "skipped   %s\n", line)
	}
	var sum pipeline.Summary
	var grew bool
	progress := &pipeline.Progress{}
	report, stop := showProgress(env, progress, stdout)
	if cfg.Server != "" {
		c := &adminapi.Client{Server: cfg.Server, Token: cfg.Token, Batch: cfg.Batch, Progress: progress}
		sum, err = c.Ingest(ctx, files, urls, report)
	} else {
		sum, grew, err = ingestFiles(ctx, env, cfg, files, urls, progress, report)
	}
	stop()
	// A local store is then compacted when the ingest wrote most of it,
	// and its search index brought up to date: after the progress line
	// is gone, as both write a line of their own to stderr.
	if err == nil && cfg.Server == "" {
		if sum.Added+sum.Updated > 0 && grew {
			compact(ctx, env, cfg.DB)
		}
		err = index(ctx, env, cfg.DB)
	}
	if err != nil {
		return err
	}
	noun := "documents"
	if sum.Total() == 1 {
		noun = "document"
	}
	fmt.Fprintf(stdout, "%d %s: %d added, %d updated, %d unchanged, %d failed",
		sum.Total(), noun, sum.Added, sum.Updated, sum.Unchanged, sum.Failed)
	if len(skipped) > 0 {
		fmt.Fprintf(stdout, " (%d skipped: not regular files)", len(skipped))
	}
	fmt.Fprintln(stdout)
	if sum.Failed > 0 {
		return ErrReported
	}
	return nil
}

// index brings the store's search index file (search.Path) up to date
// with it, as a server does when it starts: the pages just ingested are
// searchable once the command is done, and a server started on the store
// loads the index instead of building it (10 s at 100,000 catalogue
// pages). An index already up to date is only read. On a terminal, it
// says what it did.
func index(ctx context.Context, env *Env, path string) error {
	defer pipeline.BuildGC(env.Getenv)()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return err
	}
	start := time.Now()
	f, err := search.Open(ctx, st, search.Options{})
	if err == nil {
		err = f.Close() // saves it
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	// Said on a terminal, as the progress line is: a script reading
	// stderr gets warnings only.
	info := f.StartInfo()
	if _, tty := terminal(env.Stderr); !tty {
		return nil
	}
	switch {
	case !info.Loaded || info.Rebuilt:
		fmt.Fprintf(env.Stderr, "search index %s: built, %d things, in %v\n", search.Path(path), f.Index().Len(),
			time.Since(start).Round(time.Millisecond))
	case info.Replayed > 0:
		fmt.Fprintf(env.Stderr, "search index %s: %d changes added in %v\n", search.Path(path), info.Replayed,
			time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// ingestFiles ingests files, then urls, into the store file under the bulk collector
// policy, and reports whether the pages in use at least doubled. The
// policy ends, and the bulk heap goes back to the OS, when it returns:
// before compact, whose copy would otherwise come on top of it.
func ingestFiles(ctx context.Context, env *Env, cfg *ingestConfig, files, urls []string, progress *pipeline.Progress, stdout io.Writer) (sum pipeline.Summary, grew bool, err error) {
	defer pipeline.BulkGC(env.Getenv, len(files), cfg.Batch)()
	vocab, err := pipeline.LoadVocabulary(cfg.Topics)
	if err != nil {
		return sum, false, err
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{FailApply: env.Testing.FailApply})
	if err != nil {
		return sum, false, err
	}
	before := usedBytes(st)
	ing := &pipeline.Ingester{Store: st, Vocab: vocab, Batch: cfg.Batch, Rescan: cfg.Rescan,
		Settle: env.Testing.Settle, Step: env.Testing.IngestStep, Progress: progress}
	sum, err = ing.Files(ctx, files, stdout)
	if err == nil && len(urls) > 0 {
		var more pipeline.Summary
		more, err = ing.URLs(ctx, urls, pipeline.URLOptions{Fetcher: fetch.New(cfg.Fetch), Progress: progress,
			Each: func(r pipeline.Result) { pipeline.PrintResult(stdout, r) }})
		sum.Added, sum.Updated, sum.Unchanged, sum.Failed = sum.Added+more.Added, sum.Updated+more.Updated,
			sum.Unchanged+more.Unchanged, sum.Failed+more.Failed
	}
	after := usedBytes(st)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return sum, after >= 2*before, err
}

// compact rewrites the store file with full pages after an ingest that
// wrote most of it (the pages in use at least doubled), as a bulk load
// does: the write path leaves pages part full, and the file about half
// as large again as it needs (docs/storage.md). A failure leaves the file
// as it was, and is only a warning: the documents are in.
func compact(ctx context.Context, env *Env, path string) {
	res, err := store.Compact(ctx, path, store.Options{})
	if err != nil {
		warn(env, []string{err.Error()})
		return
	}
	fmt.Fprintf(env.Stderr, "compacted %s: %.1f MB to %.1f MB in %v\n", path,
		float64(res.Before)/1e6, float64(res.After)/1e6, res.Took.Round(time.Millisecond))
}

// usedBytes returns the bytes of the store's pages in use or free (the
// file less what bbolt grew it by ahead of need), 0 when unknown.
func usedBytes(st *store.Store) int64 {
	stats, err := st.Stats()
	if err != nil {
		return 0
	}
	return stats.SizeBytes
}
