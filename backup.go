package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"podcastgraph/store"
)

// backupCommand writes a consistent snapshot to out: from a running server
// with --server, else straight from the --db file (which no server may hold).
func backupCommand(ctx context.Context, cfg *config, out string, stdout io.Writer) error {
	if cfg.Server != "" {
		return remoteBackup(ctx, cfg, out, stdout)
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{ReadOnly: true})
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
	fmt.Fprintf(stdout, "wrote %s (%d bytes) from %s\n", out, n, cfg.DB)
	return nil
}
