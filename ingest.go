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

// ingestCommand ingests paths into the store file and prints one line per
// document; it fails (after committing every good document) when any
// document failed.
func ingestCommand(ctx context.Context, cfg *config, paths []string, stdout io.Writer) error {
	vocab, err := loadVocabulary(cfg)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	ing := &ingester{store: st, vocab: vocab, batch: cfg.Batch, out: stdout}
	sum, err := ing.paths(ctx, paths)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d documents: %d added, %d updated, %d unchanged, %d failed\n",
		sum.total(), sum.added, sum.updated, sum.unchanged, sum.failed)
	if sum.failed > 0 {
		return errReported
	}
	return nil
}

// ingester reads pages from disk, parses them in parallel and writes them
// to the store a batch per transaction, printing one line per document in
// input order.
type ingester struct {
	store *store.Store
	vocab *ingest.Vocabulary
	batch int
	out   io.Writer
}

type summary struct{ added, updated, unchanged, failed int }

func (s summary) total() int { return s.added + s.updated + s.unchanged + s.failed }

// paths ingests files and directories (their *.txt files, recursively, in
// name order). A document that fails is reported and skipped; the error
// is only for failures that stop the run (the store or ctx).
func (in *ingester) paths(ctx context.Context, paths []string) (summary, error) {
	var sum summary
	files, err := expand(paths)
	if err != nil {
		return sum, err
	}
	if err := in.store.SetVocabulary(ctx, in.vocab.Topics()); err != nil {
		return sum, err
	}
	batch := max(in.batch, 1)
	for start := 0; start < len(files); start += batch {
		part := files[start:min(start+batch, len(files))]
		if err := in.apply(ctx, part, &sum); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// expand lists the files named by paths: files as given, directories
// walked for *.txt.
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
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".txt") && !strings.HasPrefix(d.Name(), ".") {
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

type parsed struct {
	doc *ingest.Document
	err error
}

// apply parses files in parallel and writes the good ones in one
// transaction.
func (in *ingester) apply(ctx context.Context, files []string, sum *summary) error {
	results := make([]parsed, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i].doc, results[i].err = readPage(f, in.vocab)
		}()
	}
	wg.Wait()
	var docs []*ingest.Document
	for _, r := range results {
		if r.err == nil {
			docs = append(docs, r.doc)
		}
	}
	applied, err := in.store.Apply(ctx, docs, store.ApplyOptions{Fingerprint: in.vocab.Fingerprint()})
	if err != nil {
		return err
	}
	j := 0
	for _, r := range results {
		if r.err != nil {
			sum.failed++
			fmt.Fprintf(in.out, "failed    %v\n", r.err)
			continue
		}
		res := applied[j]
		j++
		switch res.Status {
		case store.Added:
			sum.added++
		case store.Updated:
			sum.updated++
		case store.Unchanged:
			sum.unchanged++
		}
		fmt.Fprintf(in.out, "%-9s %s: %d episodes, %d guests, %d topics, %d warnings\n",
			res.Status, res.Name, res.Episodes, res.Guests, res.Topics, len(res.Warnings))
		for _, w := range res.Warnings {
			fmt.Fprintf(in.out, "  warning %s: %s\n", res.Name, w)
		}
	}
	return nil
}

// readPage reads and parses one file; errors name the file.
func readPage(path string, vocab *ingest.Vocabulary) (*ingest.Document, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, errors.Unwrap(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, ingest.MaxPageSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", name, err)
	}
	if len(data) > ingest.MaxPageSize {
		return nil, fmt.Errorf("%s: file is over the %d-byte page limit", name, ingest.MaxPageSize)
	}
	return ingest.Parse(name, data, vocab)
}

// backupCommand writes a consistent snapshot of the store file to out.
func backupCommand(ctx context.Context, cfg *config, out string, stdout io.Writer) error {
	if cfg.Server != "" {
		return errors.New("backup --server: not available yet; stop the server and use --db")
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.BackupFile(ctx, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes) from %s\n", out, n, cfg.DB)
	return nil
}
