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
//
// Queries marked "rotating" send a different request each time (the next
// page after a cursor, the next guest), with the variables collected from
// the server before the measured runs. With -static, each query is also
// measured, run for run, against a minimal Go server in this process that
// answers every POST with the bytes the server answered that query with:
// the ceiling of what serving a cached answer can cost.
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/serverproc"
)

// query is what a client app asks, by name; a rotating query sends each
// request with the next of a list of variables (see rotations).
type query struct {
	name, query string
	rotate      string // "": the same variables every time; "page" or "guest"
}

// queries are what a client app asks, by name.
var queries = []query{
	{"episode(number: N) + guests + topics", `query($n: Int!) { episode(number: $n) { code title releaseDate summary guests { name role organization } topics { name } } }`, ""},
	{"nested: 20 episodes → guests → 5 episodes, topics", `query { episodes(first: 20) { totalCount nodes { code title releaseDate guests { name role organization episodes(first: 5) { nodes { code title } } } topics { name } } } }`, ""},
	{"guest(slug:) + 20 episodes", `query($g: String!) { guest(slug: $g) { name episodeCount episodes(first: 20) { nodes { code title } } } }`, ""},
	{"guest(slug:) + 100 episodes", `query($g: String!) { guest(slug: $g) { name role organization episodeCount episodes(first: 100) { nodes { code title releaseDate } } } }`, ""},
	{"filtered page: topic + date range", `query { episodes(first: 20, filter: {topic: "ai", releasedAfter: "2001-01-01"}, orderBy: {field: RELEASE_DATE, direction: DESC}) { totalCount nodes { code title } } }`, ""},
	{"page of 20 + totalCount", `query { episodes(first: 20) { totalCount nodes { code title } } }`, ""},
	{"last page of 20 + totalCount", `query { episodes(last: 20) { totalCount nodes { code title } } }`, ""},
	{"guest filter page of 20", `query($g: String!) { episodes(first: 20, filter: {guest: $g}) { totalCount nodes { code title } } }`, ""},
	{"nested, rotating: page after a cursor", `query($after: String) { episodes(first: 20, after: $after) { totalCount nodes { code title releaseDate guests { name role organization episodes(first: 5) { nodes { code title } } } topics { name } } } }`, "page"},
	{"guest(slug:) + 100 episodes, rotating guest", `query($g: String!) { guest(slug: $g) { name role organization episodeCount episodes(first: 100) { nodes { code title releaseDate } } } }`, "guest"},
}

func main() {
	pages := flag.Int("pages", 0, "generated pages to ingest (0: the seeds)")
	shape := flag.String("shape", "default", "shape of the generated pages: default, or catalogue (one daily show: 8 KB pages, a third as many guests as pages, some on 150-250 episodes, every topic on 7-25% of episodes; see internal/pagegen)")
	conns := flag.Int("c", 16, "concurrent connections")
	dur := flag.Duration("d", 10*time.Second, "duration per query")
	keep := flag.String("keep", "", "directory to keep the store in (default: a temp dir, removed)")
	cached := flag.Bool("cache", false, "leave the server's response cache on (repeated queries are then answered from it); off, every request is executed")
	flag.DurationVar(&warmup, "warmup", 2*time.Second, "load before each query's measured runs, not counted (the server's caches and the mapped file warm up)")
	flag.IntVar(&runs, "runs", 1, "runs per query; the table shows the median run by throughput (the machine's speed varies from run to run)")
	only := flag.String("only", "", "run only the queries whose name contains this")
	gen := flag.String("load", "auto", "load generator: wrk (2 threads), go (goroutines in this process), or auto (wrk when it is installed)")
	flag.StringVar(&binary, "bin", "", "server binary to measure (default: build this tree's)")
	flag.BoolVar(&compressed, "compress", false, "ask for compressed answers (Accept-Encoding: gzip, br)")
	flag.BoolVar(&static, "static", false, "measure each query beside a minimal server answering every POST with the same bytes")
	flag.Parse()
	switch *gen {
	case "auto":
		if _, err := exec.LookPath("wrk"); err == nil {
			loader = "wrk"
		} else {
			loader = "go"
		}
	case "wrk", "go":
		loader = *gen
	default:
		fmt.Fprintln(os.Stderr, "loadtest: -load is wrk, go or auto")
		os.Exit(2)
	}
	opts := pagegen.Options{Shows: 1, Seed: 1}
	switch *shape {
	case "default":
	case "catalogue":
		opts.Catalogue = true
	default:
		fmt.Fprintln(os.Stderr, "loadtest: -shape is default or catalogue")
		os.Exit(2)
	}
	if *only != "" {
		queries = slices.DeleteFunc(queries, func(q query) bool { return !strings.Contains(q.name, *only) })
	}
	if err := run(*pages, opts, *conns, *dur, *keep, *cached); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(pages int, opts pagegen.Options, conns int, dur time.Duration, keep string, cached bool) error {
	dir := keep
	if dir == "" {
		d, err := os.MkdirTemp("", "loadtest-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	bin := binary
	if bin == "" {
		b, err := serverproc.Build(dir)
		if err != nil {
			return err
		}
		bin = b
	}
	db := filepath.Join(dir, "podcast.db")
	src := "seeds"
	guest := "avery-pennarun"
	number := 316
	if pages > 0 {
		src = filepath.Join(dir, "pages")
		if err := os.MkdirAll(src, 0o755); err != nil {
			return err
		}
		for i := range pages {
			name, data := pagegen.Page(i, opts)
			if err := os.WriteFile(filepath.Join(src, name), data, 0o644); err != nil {
				return err
			}
		}
		number = pages / 2
		guest = ""
	}
	start := time.Now()
	ing := exec.Command(bin, "ingest", "--db", db, src)
	if out, err := ing.CombinedOutput(); err != nil {
		return fmt.Errorf("ingest: %v\n%s", err, lastLines(out, 5))
	}
	took := time.Since(start)
	n := pages
	if n == 0 {
		n = 2
	}
	fmt.Printf("ingest: %d pages in %v (%.0f pages/s, end to end through `ingest`)\n", n, took.Round(time.Millisecond), float64(n)/took.Seconds())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Loopback, where the load comes from, is exempt from the request rate
	// and the cost budget, as an operator exempts a local load test.
	args := []string{"--db", db, "--seeds", "", "--rate-exempt", "127.0.0.1,::1"}
	mode := "response cache on: repeated queries answered from it"
	if !cached {
		args = append(args, "--response-cache", "0")
		mode = "response cache off: every request executed"
	}
	startAt := time.Now()
	srv, err := serverproc.Start(ctx, bin, args...)
	if err != nil {
		return err
	}
	defer srv.Stop()
	url, pid := srv.URL, srv.Cmd.Process.Pid
	fmt.Printf("server: ready in %v, pid %d, RSS %s\n", time.Since(startAt).Round(time.Millisecond), pid, rss(pid, "VmRSS"))

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	if guest == "" {
		guest = firstGuest(client, url)
	}
	vars := map[string]any{"n": number, "g": guest}
	var peer *staticServer
	if static {
		if peer, err = startStatic(); err != nil {
			return err
		}
		defer peer.srv.Close()
	}
	accept := "identity"
	if compressed {
		accept = "gzip, br"
	}
	fmt.Printf("\nload: %s, %d connections, %v warm-up, then %v per run, median of %d runs per query; Accept-Encoding: %s\n", loader, conns, warmup, dur, max(runs, 1), accept)
	fmt.Printf("%-52s %10s %9s %9s %9s %8s\n", "query", "req/s", "p50", "p99", "max", "errors")
	for _, q := range queries {
		bodies, err := bodiesFor(client, url, q, vars)
		if err != nil {
			return err
		}
		if err := check(client, url, bodies[0]); err != nil {
			return err
		}
		// The static server stands for the same answer every time.
		peer := peer
		if len(bodies) > 1 {
			peer = nil
		}
		if peer != nil {
			if err := peer.copyAnswer(client, url, bodies[0]); err != nil {
				return err
			}
		}
		if warmup > 0 {
			drive(client, url, bodies, conns, warmup)
		}
		var rs, ps []result
		for range max(runs, 1) {
			r, err := measure(client, url, bodies, conns, dur)
			if err != nil {
				return err
			}
			rs = append(rs, r)
			if peer != nil {
				// Run for run beside the server, so both see the same
				// minute of the machine.
				p, err := measure(client, peer.url, bodies[:1], conns, dur)
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
	fmt.Printf("\nserver peak RSS (VmHWM): %s; connections: %d; %v per query; %s\n", rss(pid, "VmHWM"), conns, dur, mode)
	return nil
}

// median returns the run of median throughput.
func median(rs []result) result {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b result) int { return cmp.Compare(a.rps, b.rps) })
	return rs[len(rs)/2]
}

// measure drives bodies at url for dur with the chosen load generator.
func measure(client *http.Client, url string, bodies [][]byte, conns int, dur time.Duration) (result, error) {
	if loader == "wrk" {
		return driveWrk(url, bodies, conns, dur)
	}
	return drive(client, url, bodies, conns, dur), nil
}

// maxRotation bounds the variables a rotating query cycles through: 500
// pages of 20 are the whole of 10,000 episodes.
const maxRotation = 500

// bodiesFor returns the request bodies of q: one, or for a rotating query
// one per page cursor or guest, collected from the server.
func bodiesFor(client *http.Client, url string, q query, vars map[string]any) ([][]byte, error) {
	body := func(v map[string]any) []byte {
		b, _ := json.Marshal(map[string]any{"query": q.query, "variables": v})
		return b
	}
	var out [][]byte
	switch q.rotate {
	case "":
		return [][]byte{body(vars)}, nil
	case "page":
		var after any // the first page, then each page's end cursor
		for len(out) < maxRotation {
			out = append(out, body(map[string]any{"after": after}))
			var d struct {
				Data struct {
					Episodes struct {
						PageInfo struct {
							EndCursor   string
							HasNextPage bool
						}
					}
				}
			}
			if err := ask(client, url, `query($after: String) { episodes(first: 20, after: $after) { pageInfo { endCursor hasNextPage } } }`, map[string]any{"after": after}, &d); err != nil {
				return nil, err
			}
			if !d.Data.Episodes.PageInfo.HasNextPage {
				break
			}
			after = d.Data.Episodes.PageInfo.EndCursor
		}
	case "guest":
		var d struct {
			Data struct {
				Guests struct{ Nodes []struct{ Slug string } }
			}
		}
		if err := ask(client, url, `{ guests(first: 100, orderBy: {field: EPISODE_COUNT, direction: DESC}) { nodes { slug } } }`, nil, &d); err != nil {
			return nil, err
		}
		for _, g := range d.Data.Guests.Nodes {
			out = append(out, body(map[string]any{"g": g.Slug}))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: nothing to rotate through", q.name)
	}
	return out, nil
}

// ask posts a query and decodes its answer into v.
func ask(client *http.Client, url, query string, vars map[string]any, v any) error {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := client.Post(url+"/graphql", "application/json", bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// check posts body once, uncompressed, and fails unless the answer is a
// 200 without errors.
func check(client *http.Client, url string, body []byte) error {
	resp, err := client.Post(url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || bytes.Contains(b, []byte(`"errors"`)) {
		return fmt.Errorf("%s: %d %s", body, resp.StatusCode, b)
	}
	return nil
}

// newRequest is a POST of body, asking for compressed answers with
// -compress.
func newRequest(url string, body []byte) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if compressed {
		req.Header.Set("Accept-Encoding", "gzip, br") // the client then reads the bytes as they come
	}
	return req
}

// staticServer answers every POST with fixed bytes, as the server answers
// one request: the least that serving a cached answer can cost.
type staticServer struct {
	srv    *http.Server
	url    string
	body   atomic.Pointer[[]byte]
	header atomic.Pointer[http.Header]
}

func startStatic() (*staticServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &staticServer{url: "http://" + ln.Addr().String()}
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		for k, v := range *s.header.Load() {
			h[k] = v
		}
		_, _ = w.Write(*s.body.Load())
	})}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// copyAnswer makes the static server answer with what the server answers
// body (compressed as -compress asks), and with its entity headers.
func (s *staticServer) copyAnswer(client *http.Client, url string, body []byte) error {
	resp, err := client.Do(newRequest(url, body))
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Content-Encoding", "Content-Length", "Vary"} {
		if v := resp.Header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	s.body.Store(&b)
	s.header.Store(&h)
	return nil
}

type result struct {
	rps           float64
	p50, p99, max time.Duration
	errors        int64
}

// drive posts bodies, each goroutine cycling through them from its own
// place, from conns goroutines until dur has passed.
func drive(client *http.Client, url string, bodies [][]byte, conns int, dur time.Duration) result {
	var errs atomic.Int64
	lat := make([][]time.Duration, conns)
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i := c * len(bodies) / conns
			for time.Now().Before(deadline) {
				t0 := time.Now()
				resp, err := client.Do(newRequest(url, bodies[i%len(bodies)]))
				i++
				if err != nil {
					errs.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") == "" && bytes.Contains(b, []byte(`"errors"`)) {
					errs.Add(1)
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return result{errors: errs.Load()}
	}
	pct := func(p float64) time.Duration {
		return all[min(len(all)-1, int(p*float64(len(all))))].Round(10 * time.Microsecond)
	}
	return result{rps: float64(len(all)) / dur.Seconds(), p50: pct(0.50), p99: pct(0.99), max: all[len(all)-1].Round(10 * time.Microsecond), errors: errs.Load()}
}

func firstGuest(client *http.Client, url string) string {
	body := `{"query":"{ guests(first: 1, orderBy: {field: EPISODE_COUNT, direction: DESC}) { nodes { slug } } }"}`
	resp, err := client.Post(url+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var d struct {
		Data struct {
			Guests struct{ Nodes []struct{ Slug string } }
		}
	}
	_ = json.NewDecoder(resp.Body).Decode(&d)
	if len(d.Data.Guests.Nodes) == 0 {
		return ""
	}
	return d.Data.Guests.Nodes[0].Slug
}

// loader is the load generator: "wrk" or "go"; runs is the runs per
// query, each after warmup of unmeasured load; binary is the server to
// measure ("": build this tree's); compressed asks for compressed answers;
// static measures a static server beside each query.
var (
	loader     string
	runs       int
	warmup     time.Duration
	binary     string
	compressed bool
	static     bool
)

// driveWrk runs wrk (2 threads) with conns connections for dur, posting
// bodies: the one, or each thread cycling through them from its own place.
func driveWrk(url string, bodies [][]byte, conns int, dur time.Duration) (result, error) {
	script, err := os.CreateTemp("", "loadtest-*.lua")
	if err != nil {
		return result{}, err
	}
	defer os.Remove(script.Name())
	fmt.Fprintf(script, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n")
	if compressed {
		fmt.Fprintf(script, "wrk.headers[\"Accept-Encoding\"] = \"gzip, br\"\n")
	}
	if len(bodies) == 1 {
		fmt.Fprintf(script, "wrk.body = %s\n", luaString(string(bodies[0])))
	} else {
		fmt.Fprintf(script, "bodies = {\n")
		for _, b := range bodies {
			fmt.Fprintf(script, "%s,\n", luaString(string(b)))
		}
		fmt.Fprintf(script, "}\n%s", rotateLua)
	}
	script.Close()
	out, err := exec.Command("wrk", "-t2", fmt.Sprintf("-c%d", conns), fmt.Sprintf("-d%ds", max(1, int(dur.Round(time.Second).Seconds()))),
		"--latency", "-s", script.Name(), url+"/graphql").CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	return parseWrk(string(out))
}

// rotateLua makes each wrk thread post the bodies in turn, the second
// thread starting half way through.
const rotateLua = `local threads = 0
function setup(thread)
  thread:set("offset", threads * math.floor(#bodies / 2))
  threads = threads + 1
end
function init(args)
  i = offset or 0
end
function request()
  i = i % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[i])
end
`

// luaString quotes s as a Lua long string.
func luaString(s string) string {
	eq := ""
	for strings.Contains(s, "]"+eq+"]") {
		eq += "="
	}
	return "[" + eq + "[" + s + "]" + eq + "]"
}

// parseWrk reads throughput, latency percentiles and failures from wrk's
// report.
func parseWrk(out string) (result, error) {
	var r result
	dur := func(s string) time.Duration {
		d, _ := time.ParseDuration(strings.Replace(s, "us", "µs", 1))
		return d
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.rps, _ = strconv.ParseFloat(f[1], 64)
		case len(f) == 2 && f[0] == "50%":
			r.p50 = dur(f[1])
		case len(f) == 2 && f[0] == "99%":
			r.p99 = dur(f[1])
		case len(f) >= 4 && f[0] == "Latency":
			r.max = dur(f[3])
		case len(f) == 2 && f[0] == "Non-2xx":
			n, _ := strconv.ParseInt(f[1], 10, 64)
			r.errors += n
		case len(f) > 2 && f[0] == "Socket" && f[1] == "errors:":
			for i := 2; i+1 < len(f); i += 2 {
				n, _ := strconv.ParseInt(strings.TrimSuffix(f[i+1], ","), 10, 64)
				r.errors += n
			}
		}
	}
	if r.rps == 0 {
		return r, fmt.Errorf("no figures in wrk's report:\n%s", out)
	}
	return r, nil
}

// rss reads a memory line of /proc/PID/status.
func rss(pid int, field string) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return fmt.Sprintf("%.1f MB", float64(kb)/1024)
		}
	}
	return "?"
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
