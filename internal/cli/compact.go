package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"podcastgraph/store"
)

// Compact returns the compact command.
func Compact() *Command {
	return &Command{Name: "compact", Run: runCompact,
		Args: "[--db PATH]",
		Summary: "Rewrites the --db file (which no server may hold) with every page full and\n" +
			"none free, and says how much smaller it is. `ingest` does this by itself after\n" +
			"a bulk load; a store built by `serve --seeds`, or one migrated or rewritten,\n" +
			"is left as the write path left it.",
	}
}

func runCompact(ctx context.Context, env *Env, args []string) error {
	var db string
	return Compact().run(env, args, func(f *flags) {
		f.str(&db, "db", "PODCAST_DB", "podcast.db", "the bbolt store file")
	}, func(f *flags, rest []string) error {
		if len(rest) > 0 {
			return fmt.Errorf("compact takes no arguments, got %q", rest)
		}
		if _, err := os.Stat(db); err != nil {
			return fmt.Errorf("compact: %w", err)
		}
		// Open migrates a file of an older layout first; the copy is then
		// of the current one.
		st, err := store.Open(ctx, db, store.Options{})
		if errors.Is(err, store.ErrInUse) {
			return fmt.Errorf("%w; stop the server first", err)
		}
		if err != nil {
			return err
		}
		if err := st.Close(); err != nil {
			return err
		}
		res, err := store.Compact(ctx, db, store.Options{})
		if errors.Is(err, store.ErrInUse) {
			return fmt.Errorf("%w; stop the server first", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "compacted %s: %.1f MB to %.1f MB in %v\n", db,
			float64(res.Before)/1e6, float64(res.After)/1e6, res.Took.Round(time.Millisecond))
		return nil
	})
}
