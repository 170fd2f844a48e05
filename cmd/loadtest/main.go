// Command loadtest measures the server end to end on loopback: it generates
// pages (or uses seeds/), ingests them with the real `ingest` command,
// starts the real server, drives each query with concurrent keep-alive
// connections for a fixed time, and prints throughput, latency percentiles
// and the server's peak RSS as a table. Bounded in time; loopback only.
//
//	go run ./cmd/loadtest                       # seeds, 16 connections, 10 s per query
//	go run ./cmd/loadtest -pages 10000 -d 20s   # 10,000 generated pages
//	go run ./cmd/loadtest -pages 100000 -shape catalogue   # shaped like a daily show's catalogue
//	go run ./cmd/loadtest -pages 10000 -cache -static -only nested   # repeated, beside a static server
//	go run ./cmd/loadtest -pages 10000 -runs 3 -peer   # side by side with PostGraphile
//
// On generated pages every query's answer is checked, for a sample of its
// variables, against what the generator says the pages state
// (internal/pagegen's facts, merged in catalogue.go): episode codes,
// titles and dates, guest names, topic names, counts and order.
//
// Queries marked "rotating" send a different request each time (the next
// page after a cursor, the next guest), with the variables collected from
// the server (cursors) or the generator (the guests with most episodes)
// before the measured runs. With -static, each query is also measured,
// run for run, against a minimal Go server in this process that answers
// every POST with the bytes the server answered that query with: the
// ceiling of what serving a cached answer can cost.
//
// With -peer (generated pages only) the same catalogue is also served by
// PostGraphile over PostgreSQL, and each query is measured on both, run by
// run in turn. The tool makes a PostgreSQL cluster of its own in a
// temporary directory (initdb; a Unix socket only, no TCP; as root it runs
// as the user postgres), loads the peer's rows with COPY (built from the
// generator's facts, not through either API), adds the keys and indexes a
// PostGraphile user would (for the search workload, PostgreSQL's
// full-text search: a weighted tsvector column, a GIN index and a search
// function; see rows.go), and starts PostGraphile 4.14.1 on 127.0.0.1
// (pinned in peer.go; installed with npm into
// $XDG_CACHE_HOME/podcastgraph-peer or ~/.cache/podcastgraph-peer when
// missing). It checks both servers' answers against the generator and
// prints one table: each side's throughput and latency and their ratio,
// then resident memory, start-up and load times, and size on disk. It
// stops every process it started when it ends, on an error or an
// interrupt. It needs PostgreSQL's programs (-pg-bin; by default the
// newest /usr/lib/postgresql/*/bin), Node.js, and npm the first time.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/serverproc"
)

// config is the tool's flags.
type config struct {
	pages, conns, runs int
	dur, warmup        time.Duration
	keep               string
	cached             bool
	loader             string // "wrk" or "go"
	binary             string // the server to measure; "": build this tree's
	compressed         bool   // ask for compressed answers
	static             bool   // measure a static server beside each query
	peer               bool   // measure PostGraphile beside each query
	pgBin              string // PostgreSQL's programs; "": look for them
	profile            string // where the server writes its CPU profile; "": nowhere
	opts               pagegen.Options
}

func main() {
	cfg := &config{opts: pagegen.Options{Shows: 1, Seed: 1}}
	flag.IntVar(&cfg.pages, "pages", 0, "generated pages to ingest (0: the seeds)")
	flag.IntVar(&cfg.conns, "c", 16, "concurrent connections")
	flag.DurationVar(&cfg.dur, "d", 10*time.Second, "duration per run")
	flag.StringVar(&cfg.keep, "keep", "", "directory to keep the store in (default: a temp dir, removed)")
	flag.BoolVar(&cfg.cached, "cache", false, "leave the server's response cache on (repeated queries are then answered from it); off, every request is executed")
	flag.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "load before each query's measured runs, not counted (the server's caches and the mapped file warm up)")
	flag.IntVar(&cfg.runs, "runs", 1, "runs per query; the table shows the median run by throughput (the machine's speed varies from run to run)")
	shape := flag.String("shape", "default", "shape of the generated pages: default, or catalogue (one daily show: 8 KB pages, a third as many guests as pages, some on 150-250 episodes, every topic on 7-25% of episodes; see internal/pagegen)")
	only := flag.String("only", "", "run only the queries whose name contains this")
	gen := flag.String("load", "auto", "load generator: wrk (2 threads), go (goroutines in this process), or auto (wrk when it is installed)")
	flag.StringVar(&cfg.binary, "bin", "", "server binary to measure (default: build this tree's)")
	flag.BoolVar(&cfg.compressed, "compress", false, "ask for compressed answers (Accept-Encoding: gzip, br)")
	flag.BoolVar(&cfg.static, "static", false, "measure each query beside a minimal server answering every POST with the same bytes")
	flag.BoolVar(&cfg.peer, "peer", false, "measure each query side by side with PostGraphile over PostgreSQL, serving the same generated pages (needs -pages)")
	flag.StringVar(&cfg.profile, "cpuprofile", "", "write the server's CPU profile, from its start to the end of the run, to this file (what default.pgo is made from: docs/performance.md, \"Profile-guided optimisation\")")
	flag.StringVar(&cfg.pgBin, "pg-bin", "", "directory of PostgreSQL's initdb, postgres and psql for -peer (default: the newest /usr/lib/postgresql/*/bin, or the PATH)")
	flag.Parse()
	switch *gen {
	case "auto":
		if _, err := exec.LookPath("wrk"); err == nil {
			cfg.loader = "wrk"
		} else {
			cfg.loader = "go"
		}
	case "wrk", "go":
		cfg.loader = *gen
	default:
		fmt.Fprintln(os.Stderr, "loadtest: -load is wrk, go or auto")
		os.Exit(2)
	}
	switch *shape {
	case "default":
	case "catalogue":
		cfg.opts.Catalogue = true
	default:
		fmt.Fprintln(os.Stderr, "loadtest: -shape is default or catalogue")
		os.Exit(2)
	}
	if cfg.peer && (cfg.pages <= 0 || cfg.static) {
		fmt.Fprintln(os.Stderr, "loadtest: -peer needs -pages (the peer's rows come from the generator) and does not go with -static")
		os.Exit(2)
	}
	if *only != "" {
		queries = slices.DeleteFunc(queries, func(q query) bool { return !strings.Contains(q.name, *only) })
	}
	// SIGPIPE too: output piped into a reader that left (`| head`) would
	// otherwise kill the tool at its next line and leave the server it
	// started running, holding the store.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	err := run(ctx, cfg)
	if ctx.Err() != nil {
		err = errors.New("interrupted (every process it started is stopped)")
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg *config) error {
	// Fail before the long steps when the peer cannot run.
	var pgBin, pglBin string
	if cfg.peer {
		var err error
		if pgBin, err = findPostgres(cfg.pgBin); err != nil {
			return err
		}
		if pglBin, err = installPostGraphile(ctx); err != nil {
			return err
		}
	}
	dir := cfg.keep
	if dir == "" {
		d, err := os.MkdirTemp("", "loadtest-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	bin := cfg.binary
	if bin == "" {
		b, err := serverproc.Build(dir)
		if err != nil {
			return err
		}
		bin = b
	}
	db := filepath.Join(dir, "podcast.db")
	src := "seeds"
	fixed := args{number: 316, guest: "avery-pennarun"}
	var cat *catalogue
	if cfg.pages > 0 {
		src = filepath.Join(dir, "pages")
		start := time.Now()
		c, err := generate(ctx, src, cfg.pages, cfg.opts)
		if err != nil {
			return err
		}
		cat = c
		fmt.Printf("pages: %d generated in %v, with the facts they state (%d episodes, %d guests)\n",
			cfg.pages, time.Since(start).Round(time.Millisecond), len(cat.episodes), len(cat.guests))
		fixed.number = max(1, cfg.pages/2)
		fixed.guest = ""
		if g := cat.busiest(1); len(g) > 0 {
			fixed.guest = g[0]
		}
	}
	start := time.Now()
	ing := exec.CommandContext(ctx, bin, "ingest", "--db", db, src)
	out, err := ing.CombinedOutput()
	if err != nil {
		return fmt.Errorf("ingest: %v\n%s", err, lastLines(out, 5))
	}
	took := time.Since(start)
	n := cfg.pages
	if n == 0 {
		n = 2
	}
	// The command's summary says what it did: into a kept store, pages
	// already stored are unchanged, and their rate is not an ingest's.
	fmt.Printf("ingest: %d pages in %v (%.0f pages/s, end to end through `ingest`: %s)\n", n, took.Round(time.Millisecond),
		float64(n)/took.Seconds(), summaryOf(out))

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Loopback, where the load comes from, is exempt from the request rate
	// and the cost budget, as an operator exempts a local load test.
	sargs := []string{"--db", db, "--seeds", "", "--rate-exempt", "127.0.0.1,::1"}
	if cfg.profile != "" {
		// The server writes it when it stops, at the end of run.
		p, err := filepath.Abs(cfg.profile)
		if err != nil {
			return err
		}
		sargs = append(sargs, "--cpuprofile", p)
	}
	mode := "response cache on: repeated queries answered from it"
	if !cfg.cached {
		sargs = append(sargs, "--response-cache", "0")
		mode = "response cache off: every request executed"
	}
	startAt := time.Now()
	srv, err := serverproc.Start(sctx, bin, sargs...)
	if err != nil {
		return err
	}
	defer srv.Stop()
	ready := time.Since(startAt)
	ours := side{name: "ours", url: srv.URL}
	pid := srv.Cmd.Process.Pid
	fmt.Printf("server: ready in %v, pid %d, RSS %s\n", ready.Round(time.Millisecond), pid, mb(procKB(pid, "VmRSS")))

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.conns, MaxConnsPerHost: cfg.conns}}
	if cfg.peer {
		p, err := startPeer(ctx, pgBin, pglBin, dir, cat)
		if err != nil {
			return err
		}
		defer p.stop()
		if err := compare(ctx, cfg, client, ours, p, cat, fixed); err != nil {
			return errors.Join(err, whoExited(pid, p))
		}
		fmt.Printf("\nstart-up: ours: `ingest` %v (%.0f pages/s), then ready in %v; peer: %s\n",
			took.Round(time.Millisecond), float64(n)/took.Seconds(), ready.Round(time.Millisecond), p.times)
		fmt.Printf("memory: ours: peak RSS (VmHWM) %s, PSS now %s; peer: %s\n", mb(procKB(pid, "VmHWM")), mb(pssKB(pid)), p.memory())
		if st, err := os.Stat(db); err == nil {
			fmt.Printf("on disk: ours %s (the bbolt file); peer %s (pg_database_size)\n", mb(int(st.Size()/1024)), p.size(ctx))
		}
		fmt.Printf("load: %s, %d connections, %v warm-up, %v per run, median of %d runs; %s\n", cfg.loader, cfg.conns, cfg.warmup, cfg.dur, max(cfg.runs, 1), mode)
		return nil
	}

	var static *staticServer
	if cfg.static {
		if static, err = startStatic(); err != nil {
			return err
		}
		defer static.srv.Close()
	}
	accept := "identity"
	if cfg.compressed {
		accept = "gzip, br"
	}
	fmt.Printf("\nload: %s, %d connections, %v warm-up, then %v per run, median of %d runs per query; Accept-Encoding: %s\n", cfg.loader, cfg.conns, cfg.warmup, cfg.dur, max(cfg.runs, 1), accept)
	fmt.Printf("%-52s %10s %9s %9s %9s %8s\n", "query", "req/s", "p50", "p99", "max", "errors")
	for _, q := range queries {
		bodies, as, err := bodiesFor(client, ours, q, fixed, cat)
		if err != nil {
			return err
		}
		if err := checkSamples(client, ours, q, bodies, as, cat); err != nil {
			return err
		}
		// The static server stands for the same answer every time.
		peer := static
		if len(bodies) > 1 {
			peer = nil
		}
		if peer != nil {
			if err := peer.copyAnswer(cfg, client, ours.url, bodies[0]); err != nil {
				return err
			}
		}
		if cfg.warmup > 0 {
			drive(cfg, client, ours.url, bodies, cfg.warmup)
		}
		var rs, ps []result
		for range max(cfg.runs, 1) {
			r, err := measure(ctx, cfg, client, ours.url, bodies, cfg.dur)
			if err != nil {
				return errors.Join(err, whoExited(pid, nil))
			}
			rs = append(rs, r)
			if peer != nil {
				// Run for run beside the server, so both see the same
				// minute of the machine.
				p, err := measure(ctx, cfg, client, peer.url, bodies[:1], cfg.dur)
				if err != nil {
					return err
				}
				ps = append(ps, p)
			}
		}
		name := q.name
		if len(bodies) > 1 {
			name += fmt.Sprintf(" (%d)", len(bodies))
		}
		r := median(rs)
		fmt.Printf("%-52s %10.0f %9s %9s %9s %8d\n", name, r.rps, r.p50, r.p99, r.max, r.errors)
		if peer != nil {
			p := median(ps)
			fmt.Printf("%-52s %10.0f %9s %9s %9s %8d  server at %.0f%%\n", fmt.Sprintf("  static server, same %d bytes", len(*peer.body.Load())),
				p.rps, p.p50, p.p99, p.max, p.errors, 100*r.rps/p.rps)
		}
	}
	fmt.Printf("\nserver peak RSS (VmHWM): %s; connections: %d; %v per query; %s\n", mb(procKB(pid, "VmHWM")), cfg.conns, cfg.dur, mode)
	return nil
}

// generate writes pages 0..n-1 into dir and returns the catalogue of what
// they state: the same Options make the pages and the peer's rows. A page
// already there with the same bytes (a kept directory, -keep) is left as
// it is, so that ingesting it again finds it unchanged by its file status
// alone, as a restart does, rather than by reading it.
func generate(ctx context.Context, dir string, n int, opts pagegen.Options) (*catalogue, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	b := newCatalogueBuilder()
	for i := range n {
		if i%1000 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		g := pagegen.Generate(i, opts)
		path := filepath.Join(dir, g.Name)
		if old, err := os.ReadFile(path); err != nil || !bytes.Equal(old, g.Data) {
			if err := os.WriteFile(path, g.Data, 0o644); err != nil {
				return nil, err
			}
		}
		b.add(g)
	}
	return b.done(), nil
}

// whoExited says which of the processes the tool started is no longer
// running (another user's kill, a crash), to explain a failed request; nil
// when all are.
func whoExited(server int, p *peerRun) error {
	var gone []string
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", server)); err != nil || strings.Contains(string(b[bytes.LastIndexByte(b, ')')+1:]), " Z ") {
		gone = append(gone, fmt.Sprintf("the server (pid %d)", server))
	}
	if p != nil {
		select {
		case <-p.pgl.done:
			gone = append(gone, "PostGraphile")
		default:
		}
		select {
		case <-p.pg.done:
			gone = append(gone, "PostgreSQL")
		default:
		}
	}
	if len(gone) == 0 {
		return nil
	}
	return fmt.Errorf("no longer running: %s", strings.Join(gone, ", "))
}

// procKB reads a memory line of /proc/PID/status, in kB; 0 if it cannot.
func procKB(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return kb
		}
	}
	return 0
}

// pssKB reads a process's proportional set size (its share of each page
// it maps, so that memory shared by several processes is counted once
// over all of them), in kB; 0 if it cannot.
func pssKB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "Pss:" {
			kb, _ := strconv.Atoi(f[1])
			return kb
		}
	}
	return 0
}

// mb formats kB as megabytes; "?" for 0.
func mb(kb int) string {
	if kb == 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f MB", float64(kb)/1024)
}

// summaryOf returns the summary line the ingest command printed in out
// ("N documents: A added, U updated, C unchanged, F failed"), or "no
// summary".
func summaryOf(out []byte) string {
	lines := strings.Split(string(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); strings.Contains(l, " added, ") && strings.Contains(l, " unchanged, ") {
			return l
		}
	}
	return "no summary"
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
