package main

import (
	"context"
	"testing"
	"time"
)

// A run of ours never shares the machine with the peer's queries left
// over from its run: settle returns only once PostgreSQL runs none.
func TestPeerSettles(t *testing.T) {
	bin, err := findPostgres("")
	if err != nil {
		t.Skip(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pg, err := startPostgres(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.stop()
	peer := &peerRun{pg: pg}
	start := time.Now()
	if err := peer.settle(ctx); err != nil || time.Since(start) > 5*time.Second {
		t.Fatalf("an idle peer: settle took %v, %v", time.Since(start), err)
	}
	done := make(chan time.Time, 1)
	go func() {
		_, _ = pg.psql(ctx, "peer", "select pg_sleep(2)")
		done <- time.Now()
	}()
	for {
		n, err := pg.psql(ctx, "peer", "select count(*) from pg_stat_activity where query like 'select pg_sleep%' and state = 'active'")
		if err != nil {
			t.Fatal(err)
		}
		if n == "1" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := peer.settle(ctx); err != nil {
		t.Fatal(err)
	}
	settled := time.Now()
	ended := <-done
	// The query ends in PostgreSQL before psql reports it: settle may
	// return a moment before psql does, never long before.
	if ended.Sub(settled) > 500*time.Millisecond {
		t.Fatalf("settle returned %v before the peer's query ended", ended.Sub(settled))
	}
}
