package cluster_test

import (
	"bufio"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"podcastgraph/internal/adminapi"
	"podcastgraph/internal/pagegen"
)

// TestClusterFigures measures what docs/cluster.md reports; it runs only
// with PODCAST_CLUSTER_FIGURES set to the number of catalogue pages to
// ingest (e.g. 10000):
//
//	PODCAST_CLUSTER_FIGURES=10000 go test ./internal/cluster/ -run TestClusterFigures -v -timeout 30m
//
// It prints: the time from SIGKILL of the leader to a new leader (five
// times), the replication lag of the followers under the ingest (p50 and
// p99, interpolated within the buckets of podcast_cluster_apply_lag_seconds
// as Prometheus's histogram_quantile does), and the time a node stopped
// before the ingest takes to catch up from a snapshot once restarted.
func TestClusterFigures(t *testing.T) {
	total, _ := strconv.Atoi(os.Getenv("PODCAST_CLUSTER_FIGURES"))
	if total <= 0 {
		t.Skip("set PODCAST_CLUSTER_FIGURES=PAGES to measure")
	}
	opts := pagegen.Options{Shows: 1, Seed: 1, Catalogue: true}
	batches := func(yield func([]adminapi.Document) bool) {
		for from := 0; from < total; from += 256 {
			var docs []adminapi.Document
			for i := from; i < min(from+256, total); i++ {
				name, data := pagegen.Page(i, opts)
				docs = append(docs, adminapi.Document{Name: name, Data: adminapi.Base64{Bytes: data}})
			}
			if !yield(docs) {
				return
			}
		}
	}

	// The same ingest on one server without --cluster, for comparison.
	single := &node{id: "single", url: "http://" + freeAddr(t), db: filepath.Join(t.TempDir(), "single.db"), logs: &lockedBuffer{}}
	single.cmd = exec.Command(bin, "serve", "--addr", strings.TrimPrefix(single.url, "http://"), "--db", single.db, "--seeds", "")
	single.cmd.Env = append(os.Environ(), "PODCAST_ADMIN_TOKEN="+token)
	single.cmd.Stdout, single.cmd.Stderr = single.logs, single.logs
	if err := single.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	single.done = make(chan struct{})
	go func() { _ = single.cmd.Wait(); close(single.done) }()
	eventually(t, "the single server", func() bool {
		resp, err := http.Get(single.url + "/readyz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	start := time.Now()
	for docs := range batches {
		if _, _, err := ingest(single, docs); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("ingest of %d catalogue pages into one server without --cluster, same requests: %v (%.0f pages/s)",
		total, time.Since(start).Round(time.Millisecond), float64(total)/time.Since(start).Seconds())
	single.kill()

	nodes := newCluster(t, "--snapshot-threshold", "4", "--snapshot-interval", "1s", "--trailing-logs", "2", "--raft-timeout", "1s")
	l := leader(t, nodes)
	var down *node
	for _, n := range nodes {
		if n != l {
			down = n
		}
	}
	down.stop(t)
	start = time.Now()
	for docs := range batches {
		if _, _, err := ingest(l, docs); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("ingest of %d catalogue pages through the leader, two of three nodes up: %v (%.0f pages/s)",
		total, time.Since(start).Round(time.Millisecond), float64(total)/time.Since(start).Seconds())
	for _, n := range nodes {
		if n != l && n != down {
			p50, p99 := lagQuantiles(t, n)
			t.Logf("replication lag on follower %s (proposal to applied, per entry of 256 pages): p50 %.1f ms, p99 %.1f ms", n.id, p50*1000, p99*1000)
		}
	}
	ls, _ := l.status()
	start = time.Now()
	down.start(t)
	eventually(t, "catch-up", func() bool {
		s, err := down.status()
		return err == nil && s.Cluster.Applied >= ls.Cluster.Applied
	})
	t.Logf("catch-up of a restarted node from a snapshot of %d pages (store %s): %v", total, fileSize(l.db), time.Since(start).Round(time.Millisecond))
	if !strings.Contains(down.logs.String(), "Installed remote snapshot") {
		t.Errorf("%s caught up without a snapshot", down.id)
	}
	sameAnswers(t, nodes)

	// Elections: kill the leader, time until a survivor leads in a later
	// term, restart it; five times.
	var took []time.Duration
	for range 5 {
		old := leader(t, nodes)
		s0, _ := old.status()
		old.kill()
		start := time.Now()
		eventually(t, "a new leader", func() bool {
			for _, n := range nodes {
				if n == old {
					continue
				}
				if s, err := n.status(); err == nil && s.Cluster.Role == "leader" && s.Cluster.Term > s0.Cluster.Term {
					return true
				}
			}
			return false
		})
		took = append(took, time.Since(start))
		old.start(t)
		old.awaitReady(t)
		converged(t, nodes)
	}
	slices.Sort(took)
	t.Logf("new leader after SIGKILL of the leader (--raft-timeout 1s), five runs sorted: %v", took)
}

func fileSize(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return "?"
	}
	return fmt.Sprintf("%.0f MB", float64(fi.Size())/1e6)
}

// lagQuantiles reads n's podcast_cluster_apply_lag_seconds histogram and
// interpolates its p50 and p99 within buckets.
func lagQuantiles(t *testing.T, n *node) (p50, p99 float64) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	type bucket struct{ le, count float64 }
	var bs []bucket
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, `podcast_cluster_apply_lag_seconds_bucket{le="`)
		if !ok {
			continue
		}
		le, count, _ := strings.Cut(rest, `"} `)
		b := bucket{count: must(strconv.ParseFloat(count, 64))}
		if le == "+Inf" {
			b.le = math.Inf(1)
		} else {
			b.le = must(strconv.ParseFloat(le, 64))
		}
		bs = append(bs, b)
	}
	q := func(p float64) float64 {
		total := bs[len(bs)-1].count
		rank := p * total
		prevLe, prevCount := 0.0, 0.0
		for _, b := range bs {
			if b.count >= rank {
				if math.IsInf(b.le, 1) {
					return prevLe
				}
				return prevLe + (b.le-prevLe)*(rank-prevCount)/(b.count-prevCount)
			}
			prevLe, prevCount = b.le, b.count
		}
		return prevLe
	}
	return q(0.5), q(0.99)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
