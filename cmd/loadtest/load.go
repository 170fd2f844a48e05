package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// result is one run's figures.
type result struct {
	rps           float64
	p50, p99, max time.Duration
	errors        int64
}

// median returns the run of median throughput.
func median(rs []result) result {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b result) int { return cmp.Compare(a.rps, b.rps) })
	return rs[len(rs)/2]
}

// measure drives bodies at url for dur with the chosen load generator.
func measure(ctx context.Context, cfg *config, client *http.Client, url string, bodies [][]byte, dur time.Duration) (result, error) {
	if cfg.loader == "wrk" {
		return driveWrk(ctx, cfg, url, bodies, dur)
	}
	r := drive(cfg, client, url, bodies, dur)
	return r, ctx.Err()
}

// newRequest is a POST of body, asking for compressed answers with
// -compress.
func newRequest(cfg *config, url string, body []byte) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if cfg.compressed {
		req.Header.Set("Accept-Encoding", "gzip, br") // the client then reads the bytes as they come
	}
	return req
}

// drive posts bodies, each goroutine cycling through them from its own
// place, from cfg.conns goroutines until dur has passed.
func drive(cfg *config, client *http.Client, url string, bodies [][]byte, dur time.Duration) result {
	conns := cfg.conns
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
				resp, err := client.Do(newRequest(cfg, url, bodies[i%len(bodies)]))
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

// driveWrk runs wrk (2 threads) with cfg.conns connections for dur,
// posting bodies: the one, or each thread cycling through them from its
// own place. Its timeout is 30 s, not wrk's 2 s, so that slow answers
// (the peer's searches at 100,000 pages) count in the latencies instead
// of being left out of them as socket errors.
func driveWrk(ctx context.Context, cfg *config, url string, bodies [][]byte, dur time.Duration) (result, error) {
	script, err := os.CreateTemp("", "loadtest-*.lua")
	if err != nil {
		return result{}, err
	}
	defer os.Remove(script.Name())
	fmt.Fprintf(script, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n")
	if cfg.compressed {
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
	out, err := exec.CommandContext(ctx, "wrk", "-t2", fmt.Sprintf("-c%d", cfg.conns), fmt.Sprintf("-d%ds", max(1, int(dur.Round(time.Second).Seconds()))),
		"--timeout", "30s", "--latency", "-s", script.Name(), url+"/graphql").CombinedOutput()
	if ctx.Err() != nil {
		return result{}, ctx.Err()
	}
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
