package cli

import (
	"context"
	"errors"
	"fmt"

	"podcastgraph/internal/adminapi"
	"podcastgraph/store"
)

// Backup returns the backup command.
func Backup() *Command {
	return &Command{Name: "backup", Run: runBackup,
		Args: "(--db PATH | --server URL) OUT",
		Summary: "Writes a consistent snapshot of the store to OUT: from a running server with\n" +
			"--server, else from the --db file (which no server may hold).",
	}
}

func runBackup(ctx context.Context, env *Env, args []string) error {
	var db string
	var c clientFlags
	return Backup().run(env, args, func(f *flags) {
		f.str(&db, "db", "PODCAST_DB", "podcast.db", "the bbolt store file")
		c.declare(f)
	}, func(f *flags, rest []string) error {
		if err := c.resolve(env, f); err != nil {
			return err
		}
		if len(rest) != 1 {
			return errors.New("backup: give exactly one output path")
		}
		out := rest[0]
		if c.Server != "" {
			return (&adminapi.Client{Server: c.Server, Token: c.Token}).Backup(ctx, out, env.Stdout)
		}
		st, err := store.Open(ctx, db, store.Options{ReadOnly: true})
		if errors.Is(err, store.ErrInUse) {
			return fmt.Errorf("%w; back up through the server with --server URL --token TOKEN", err)
		}
		if err != nil {
			return err
		}
		defer st.Close()
		n, err := st.BackupFile(ctx, out)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "wrote %s (%d bytes) from %s\n", out, n, db)
		return nil
	})
}
