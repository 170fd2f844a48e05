package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// peerRun is the running PostGraphile peer: its cluster, its server, and
// how long each step of making it took.
type peerRun struct {
	side
	pg    *postgres
	pgl   *postgraphile
	times string
}

// startPeer makes the peer serve c: a fresh PostgreSQL cluster, the rows
// written from the catalogue and loaded, then PostGraphile. Each step is
// timed; on error whatever was started is stopped.
func startPeer(ctx context.Context, pgBin, pglBin, dir string, c *catalogue) (*peerRun, error) {
	p := &peerRun{side: side{name: "peer", peer: true}}
	started := false
	defer func() {
		if !started {
			p.stop()
		}
	}()
	var err error
	t := time.Now()
	if p.pg, err = startPostgres(ctx, pgBin); err != nil {
		return nil, err
	}
	cluster := time.Since(t)
	t = time.Now()
	rows := filepath.Join(dir, "peer.sql")
	f, err := os.Create(rows)
	if err != nil {
		return nil, err
	}
	err = writeRows(f, c)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("writing the peer's rows: %v", err)
	}
	written := time.Since(t)
	st, err := os.Stat(rows)
	if err != nil {
		return nil, err
	}
	t = time.Now()
	if err := p.pg.load(ctx, rows); err != nil {
		return nil, err
	}
	loaded := time.Since(t)
	os.Remove(rows)
	t = time.Now()
	if p.pgl, err = startPostGraphile(ctx, pglBin, p.pg.url(), filepath.Join(p.pg.dir, "postgraphile.log")); err != nil {
		return nil, err
	}
	p.url = p.pgl.url
	p.times = fmt.Sprintf("PostgreSQL cluster made and started in %v (initdb, start, createdb), rows written in %v (%s of psql script), "+
		"loaded in %v (COPY, keys, indexes, ANALYZE), PostGraphile %s ready in %v",
		cluster.Round(time.Millisecond), written.Round(time.Millisecond), mb(int(st.Size()/1024)),
		loaded.Round(time.Millisecond), postgraphileVersion, time.Since(t).Round(time.Millisecond))
	fmt.Printf("peer: %s at %s\n", p.times, p.url)
	started = true
	return p, nil
}

// settle waits, up to a minute, until the peer is idle: PostgreSQL runs
// no query and its processes and Node's used under 5% of a core over the
// last 200 ms. wrk stops sending when a run ends, but the requests it
// sent go on (the peer's searches at 100,000 pages take seconds each, and
// PostGraphile queues those its pool cannot take yet), and the run after
// would share the machine with them. The wait is not measured.
func (p *peerRun) settle(ctx context.Context) error {
	deadline := time.Now().Add(time.Minute)
	before := p.cpuTicks()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		now := p.cpuTicks()
		used := now - before
		before = now
		n, err := p.pg.psql(ctx, "peer", "select count(*) from pg_stat_activity where state = 'active' and backend_type = 'client backend' and pid <> pg_backend_pid()")
		if err != nil {
			return err
		}
		// A tick is 10 ms of CPU: one in 200 ms is 5% of a core.
		if (n == "0" && used <= 1) || time.Now().After(deadline) {
			return nil
		}
	}
}

// cpuTicks sums the CPU time (user and system, in clock ticks) of the
// peer's processes so far: Node's, when it runs, and PostgreSQL's.
func (p *peerRun) cpuTicks() int {
	pids := p.pg.pids()
	if p.pgl != nil {
		pids = append(pids, p.pgl.cmd.Process.Pid)
	}
	total := 0
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// The fields after the command's closing parenthesis: state is
		// the first, utime and stime the 12th and 13th.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.Atoi(f[11])
			s, _ := strconv.Atoi(f[12])
			total += u + s
		}
	}
	return total
}

// stop ends PostGraphile, then the cluster, and removes the cluster's
// directory.
func (p *peerRun) stop() {
	if p.pgl != nil {
		p.pgl.stop()
		p.pgl = nil
	}
	if p.pg != nil {
		p.pg.stop()
		p.pg = nil
	}
}

// memory describes the peer's resident memory: Node's, and PostgreSQL's
// processes' (their peaks add shared memory once per process, so the PSS,
// which shares it out, is given too).
func (p *peerRun) memory() string {
	node := p.pgl.cmd.Process.Pid
	pids := p.pg.pids()
	hwm, pss := 0, 0
	for _, pid := range pids {
		hwm += procKB(pid, "VmHWM")
		pss += pssKB(pid)
	}
	return fmt.Sprintf("node peak RSS %s, PSS now %s; PostgreSQL (%d processes) peaks summed %s, PSS now %s; together PSS now %s",
		mb(procKB(node, "VmHWM")), mb(pssKB(node)), len(pids), mb(hwm), mb(pss), mb(pss+pssKB(node)))
}

// size returns the size of the peer's database on disk.
func (p *peerRun) size(ctx context.Context) string {
	out, err := p.pg.psql(ctx, "peer", "select pg_database_size('peer')")
	if err != nil {
		return "?"
	}
	n, _ := strconv.Atoi(out)
	return mb(n / 1024)
}

// compare measures each query on both sides, after checking a sample of
// each side's answers against the catalogue, and prints the table. Runs
// alternate, ours then the peer's, so both see the same minutes of the
// machine; each side is warmed up before its first run of a query.
func compare(ctx context.Context, cfg *config, client *http.Client, ours side, peer *peerRun, c *catalogue, fixed args) error {
	fmt.Printf("\n%-52s │ %9s %8s %8s │ %9s %8s %8s │ %9s\n", "query", "ours req/s", "p50", "p99", "peer req/s", "p50", "p99", "ours/peer")
	for _, q := range queries {
		ob, oa, err := bodiesFor(client, ours, q, fixed, c)
		if err != nil {
			return err
		}
		if err := checkSamples(client, ours, q, ob, oa, c); err != nil {
			return err
		}
		var pb [][]byte
		if q.peer != "" {
			var pa []args
			if pb, pa, err = bodiesFor(client, peer.side, q, fixed, c); err != nil {
				return err
			}
			if err := checkSamples(client, peer.side, q, pb, pa, c); err != nil {
				return err
			}
			if q.rotate == "search" {
				if err := checkSearch(client, ours, peer.side, q, ob, pb, c); err != nil {
					return err
				}
			}
		}
		if cfg.warmup > 0 {
			drive(cfg, client, ours.url, ob, cfg.warmup)
			if pb != nil {
				drive(cfg, client, peer.url, pb, cfg.warmup)
				if err := peer.settle(ctx); err != nil {
					return err
				}
			}
		}
		var rs, ps []result
		for range max(cfg.runs, 1) {
			r, err := measure(ctx, cfg, client, ours.url, ob, cfg.dur)
			if err != nil {
				return err
			}
			rs = append(rs, r)
			if pb != nil {
				p, err := measure(ctx, cfg, client, peer.url, pb, cfg.dur)
				if err != nil {
					return err
				}
				ps = append(ps, p)
				if err := peer.settle(ctx); err != nil {
					return err
				}
			}
		}
		name := q.name
		if len(ob) > 1 {
			name += fmt.Sprintf(" (%d)", len(ob))
		}
		r := median(rs)
		row := fmt.Sprintf("%-52s │ %9.0f %8s %8s │", name, r.rps, r.p50, r.p99)
		if pb == nil {
			row += fmt.Sprintf(" %9s %8s %8s │ %9s", "-", "", "", "")
		} else {
			p := median(ps)
			row += fmt.Sprintf(" %9.0f %8s %8s │ %8.1f×", p.rps, p.p50, p.p99, r.rps/p.rps)
			if p.errors > 0 {
				row += fmt.Sprintf("  peer errors: %d", p.errors)
			}
		}
		if r.errors > 0 {
			row += fmt.Sprintf("  our errors: %d", r.errors)
		}
		fmt.Println(row)
	}
	return nil
}
