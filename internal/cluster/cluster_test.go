package cluster_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"podcastgraph/internal/adminapi"
	"podcastgraph/internal/pagegen"
)

// These tests run the real binary, built once, as three processes on
// loopback, and kill, stop and restart them with signals.

var bin string

// buildFlags are go build's flags for the binary (race_test.go adds -race).
var buildFlags []string

const token = "cluster-test-token-0123456789abcdef"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "podcastgraph-cluster-")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "podcastgraph")
	cmd := exec.Command("go", append(append([]string{"build"}, buildFlags...), "-o", bin, ".")...)
	cmd.Dir = "../.." // the module root: the main package
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// node is one process of a test cluster; its addresses and files stay
// the same across restarts.
type node struct {
	id, url, raft, db string
	extra             []string
	logs              *lockedBuffer
	cmd               *exec.Cmd
	done              chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// newCluster starts three nodes: n1 bootstraps, n2 and n3 join through n1
// and n2. extra flags go to every node.
func newCluster(t *testing.T, extra ...string) []*node {
	t.Helper()
	return newClusterOn(t, t.TempDir(), extra...)
}

// newClusterOn is newCluster with the nodes' files in dir (n1.db, ...).
func newClusterOn(t *testing.T, dir string, extra ...string) []*node {
	t.Helper()
	return newClusterWith(t, dir, func(n *node, _ int) { n.extra = append(n.extra, extra...) })
}

// newClusterWith is newClusterOn with each node's flags set by flags (i
// from 0).
func newClusterWith(t *testing.T, dir string, flags func(n *node, i int)) []*node {
	t.Helper()
	var nodes []*node
	for i := 1; i <= 3; i++ {
		n := &node{id: fmt.Sprintf("n%d", i), url: "http://" + freeAddr(t), raft: freeAddr(t),
			db: filepath.Join(dir, fmt.Sprintf("n%d.db", i)), logs: &lockedBuffer{}}
		flags(n, i-1)
		switch i {
		case 1:
			n.extra = append(n.extra, "--bootstrap")
		default:
			n.extra = append(n.extra, "--join", nodes[i-2].url)
		}
		nodes = append(nodes, n)
		n.start(t)
		n.awaitReady(t)
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			n.kill()
			if strings.Contains(n.logs.String(), "WARNING: DATA RACE") {
				t.Errorf("%s: the race detector found a race", n.id)
			}
		}
		if t.Failed() {
			for _, n := range nodes {
				t.Logf("--- %s log:\n%s", n.id, tail(n.logs.String(), 4000))
			}
		}
	})
	return nodes
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (n *node) start(t *testing.T) {
	t.Helper()
	args := append([]string{"serve", "--cluster", "--node-id", n.id, "--raft-addr", n.raft,
		"--addr", strings.TrimPrefix(n.url, "http://"), "--db", n.db, "--seeds", "",
		"--raft-timeout", "500ms", "--rate", "0", "--cost-rate", "0"}, n.extra...)
	n.cmd = exec.Command(bin, args...)
	n.cmd.Env = append(os.Environ(), "PODCAST_ADMIN_TOKEN="+token)
	fmt.Fprintf(n.logs, "=== start %s\n", n.id)
	n.cmd.Stdout, n.cmd.Stderr = n.logs, n.logs
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(n.cmd, n.done)
}

// kill ends the process with SIGKILL, as a crash would.
func (n *node) kill() {
	if n.cmd == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGCONT)
	_ = n.cmd.Process.Kill()
	<-n.done
	n.cmd = nil
}

// stop ends the process with SIGTERM, as an operator would.
func (n *node) stop(t *testing.T) {
	t.Helper()
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not stop on SIGTERM", n.id)
	}
	n.cmd = nil
}

// status is the node's /readyz answer.
type status struct {
	Status  string `json:"status"`
	Cluster struct {
		Role     string   `json:"role"`
		Leader   string   `json:"leader"`
		Term     uint64   `json:"term"`
		Commit   uint64   `json:"commitIndex"`
		Applied  uint64   `json:"appliedIndex"`
		Snapshot uint64   `json:"lastSnapshotIndex"`
		Servers  []string `json:"servers"`
	} `json:"cluster"`
	code int
}

func (n *node) status() (status, error) {
	var s status
	resp, err := http.Get(n.url + "/readyz")
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	s.code = resp.StatusCode
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// eventually polls cond every 20 ms for up to 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (n *node) awaitReady(t *testing.T) {
	t.Helper()
	eventually(t, n.id+" ready", func() bool {
		s, err := n.status()
		return err == nil && s.code == http.StatusOK
	})
}

// leader returns the node that says it leads, among the running ones.
func leader(t *testing.T, nodes []*node) *node {
	t.Helper()
	var l *node
	eventually(t, "a leader", func() bool {
		for _, n := range nodes {
			if n.cmd == nil {
				continue
			}
			if s, err := n.status(); err == nil && s.Cluster.Role == "leader" {
				l = n
				return true
			}
		}
		return false
	})
	return l
}

// converged waits until every running node has applied everything the
// leader has committed.
func converged(t *testing.T, nodes []*node) {
	t.Helper()
	l := leader(t, nodes)
	eventually(t, "the nodes to converge", func() bool {
		ls, err := l.status()
		if err != nil || ls.Cluster.Role != "leader" {
			l = leader(t, nodes)
			return false
		}
		for _, n := range nodes {
			if n.cmd == nil {
				continue
			}
			s, err := n.status()
			if err != nil || s.Cluster.Applied < ls.Cluster.Applied || s.Cluster.Leader == "" {
				return false
			}
		}
		return true
	})
}

// pages generates pages from..to-1 as admin ingest documents.
func pages(from, to int) []adminapi.Document {
	var docs []adminapi.Document
	for i := from; i < to; i++ {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 4, Seed: 3})
		docs = append(docs, adminapi.Document{Name: name, Data: adminapi.Base64{Bytes: data}})
	}
	return docs
}

// ingest posts docs to n's /admin/ingest, streaming, and returns the
// results it acknowledged (those answered before the stream ended) and the
// summary's index (0 when the stream was cut).
func ingest(n *node, docs []adminapi.Document) ([]adminapi.IngestLine, uint64, error) {
	body, _ := json.Marshal(adminapi.IngestRequest{Documents: docs})
	req, _ := http.NewRequest(http.MethodPost, n.url+"/admin/ingest", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", adminapi.NDJSON)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, 0, fmt.Errorf("%s: %s", resp.Status, b)
	}
	var lines []adminapi.IngestLine
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l adminapi.IngestLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return lines, 0, err
		}
		if l.Summary != nil {
			return lines, l.Summary.Index, nil
		}
		lines = append(lines, l)
	}
	return lines, 0, fmt.Errorf("stream cut: %v", sc.Err())
}

// query posts a GraphQL query to n and returns the raw answer; minIndex,
// when not zero, goes in X-Podcast-Min-Index.
func query(n *node, q string, minIndex uint64) (int, http.Header, []byte, error) {
	body, _ := json.Marshal(map[string]string{"query": q})
	req, _ := http.NewRequest(http.MethodPost, n.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if minIndex > 0 {
		req.Header.Set("X-Podcast-Min-Index", strconv.FormatUint(minIndex, 10))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}

// dump is every answer the test compares across nodes: all episodes with
// their guests and topics, page by page, then guests and topics.
func dump(t *testing.T, n *node) []byte {
	t.Helper()
	var out bytes.Buffer
	after := ""
	for {
		arg := ""
		if after != "" {
			arg = fmt.Sprintf(", after: %q", after)
		}
		q := fmt.Sprintf(`{ episodes(first: 100%s) { totalCount pageInfo { hasNextPage endCursor }
			nodes { code number title releaseDate show { title } guests { name role } topics { name } } } }`, arg)
		code, _, b, err := query(n, q, 0)
		if err != nil || code != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) {
			t.Fatalf("%s: %d %v %s", n.id, code, err, b)
		}
		out.Write(b)
		var page struct {
			Data struct {
				Episodes struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
		}
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		if !page.Data.Episodes.PageInfo.HasNextPage {
			break
		}
		after = page.Data.Episodes.PageInfo.EndCursor
	}
	for _, q := range []string{
		`{ guests(first: 100) { totalCount nodes { slug name episodes(first: 5) { totalCount nodes { code } } } } }`,
		`{ topics(first: 100) { totalCount nodes { slug name } } }`,
		`{ shows(first: 100) { totalCount nodes { slug title } } }`,
	} {
		code, _, b, err := query(n, q, 0)
		if err != nil || code != http.StatusOK || bytes.Contains(b, []byte(`"errors"`)) {
			t.Fatalf("%s: %d %v %s", n.id, code, err, b)
		}
		out.Write(b)
	}
	return out.Bytes()
}

// sameAnswers checks that every running node gives the same bytes.
func sameAnswers(t *testing.T, nodes []*node) []byte {
	t.Helper()
	converged(t, nodes)
	var want []byte
	var first string
	for _, n := range nodes {
		if n.cmd == nil {
			continue
		}
		got := dump(t, n)
		if want == nil {
			want, first = got, n.id
			continue
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%s and %s answer differently:\n%s\n---\n%s", first, n.id, tail(string(want), 1500), tail(string(got), 1500))
		}
	}
	return want
}

// titles returns the title (JSON, null for an episode known only from
// listings) of each (show title, number) episode in a dump.
func titles(t *testing.T, dump []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	re := regexp.MustCompile(`"number":(\d+),"title":("(?:[^"\\]|\\.)*"|null),"releaseDate":[^,]*,"show":\{"title":"([^"]*)"\}`)
	for _, m := range re.FindAllSubmatch(dump, -1) {
		out[string(m[3])+" "+string(m[1])] = string(m[2])
	}
	return out
}

func follower(t *testing.T, nodes []*node) *node {
	l := leader(t, nodes)
	for _, n := range nodes {
		if n != l && n.cmd != nil {
			return n
		}
	}
	t.Fatal("no follower running")
	return nil
}

// TestClusterFailover ingests through a follower, kills the leader with
// SIGKILL in the middle, and checks that a new leader takes over, that
// every acknowledged document is on every surviving node, and that the
// killed node, restarted, catches up to the same answers.
func TestClusterFailover(t *testing.T) {
	nodes := newCluster(t, "--batch", "16")
	old := leader(t, nodes)
	via := follower(t, nodes)

	// A first write, read back through another node with its index.
	lines, index, err := ingest(via, pages(0, 8))
	if err != nil || len(lines) != 8 || index == 0 {
		t.Fatalf("ingest: %d lines, index %d, %v", len(lines), index, err)
	}
	for _, n := range nodes {
		code, h, b, err := query(n, `{ episodes { totalCount } }`, index)
		if err != nil || code != http.StatusOK || !bytes.Contains(b, []byte(`"totalCount":`)) {
			t.Fatalf("%s: read at index %d: %d %v %s", n.id, index, code, err, b)
		}
		if got, _ := strconv.ParseUint(h.Get("X-Podcast-Applied-Index"), 10, 64); got < index {
			t.Errorf("%s answered at index %d, asked for %d", n.id, got, index)
		}
	}
	code, h, b, _ := query(nodes[2], `{ episodes { totalCount } }`, index+1_000_000)
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !bytes.Contains(b, []byte("INDEX_NOT_APPLIED")) {
		t.Errorf("read at an index never written: %d Retry-After %q %s", code, h.Get("Retry-After"), b)
	}
	metrics := scrape(t, via)
	for _, want := range []string{`podcast_cluster_role{role="follower"} 1`, `podcast_cluster_applied_index `, `podcast_cluster_lag_entries `, `podcast_cluster_term `} {
		if !strings.Contains(metrics, want) {
			t.Errorf("%s's metrics lack %s", via.id, want)
		}
	}
	if strings.Contains(metrics, "podcast_cluster_apply_lag_seconds_count 0\n") {
		t.Errorf("%s's metrics count no replicated entry", via.id)
	}

	// A large ingest through the follower; the leader dies in its middle.
	const total = 400
	type outcome struct {
		lines []adminapi.IngestLine
		err   error
	}
	done := make(chan outcome, 1)
	go func() {
		var all []adminapi.IngestLine
		for start := 8; start < total; start += 48 {
			lines, _, err := ingest(via, pages(start, min(start+48, total)))
			all = append(all, lines...)
			if err != nil {
				done <- outcome{all, err}
				return
			}
		}
		done <- outcome{all, nil}
	}()
	eventually(t, "the ingest to be under way", func() bool {
		s, err := old.status()
		return err == nil && s.Cluster.Applied > index+2
	})
	old.kill()
	select {
	case res := <-done:
		t.Logf("the ingest was done when the leader was killed: this run tested less")
		done <- res
	default:
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("ingest through %s failed when the leader died: %v", via.id, res.err)
	}
	if len(res.lines) != total-8 {
		t.Fatalf("%d results for %d documents", len(res.lines), total-8)
	}
	acked := map[string]bool{}
	for _, l := range res.lines {
		if l.Result.Status == "failed" {
			t.Fatalf("document failed: %+v", l.Result)
		}
		acked[l.Result.Name] = true
	}
	if l := leader(t, nodes); l == old {
		t.Fatal("the killed node still leads")
	}

	// Every acknowledged page's own episode is on the survivors, with the
	// same answers on both.
	got := titles(t, sameAnswers(t, nodes))
	for i := 0; i < total; i++ {
		g := pagegen.Generate(i, pagegen.Options{Shows: 4, Seed: 3})
		if i >= 8 && !acked[g.Name] {
			continue
		}
		if title := got[fmt.Sprintf("%s %d", g.Show, g.Number)]; title == "" || title == "null" {
			t.Fatalf("acknowledged %s (%s %d) missing (of %d episodes)", g.Name, g.Show, g.Number, len(got))
		}
	}

	// The killed node comes back and catches up.
	old.start(t)
	old.awaitReady(t)
	sameAnswers(t, nodes)
}

func scrape(t *testing.T, n *node) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestClusterFromExistingStore turns a store a single server filled into
// the first node of a cluster: the nodes that join get its graph.
func TestClusterFromExistingStore(t *testing.T) {
	dir, seeds := t.TempDir(), t.TempDir()
	for _, d := range pages(0, 30) {
		if err := os.WriteFile(filepath.Join(seeds, d.Name), d.Data.Bytes, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command(bin, "ingest", "--db", filepath.Join(dir, "n1.db"), seeds).CombinedOutput(); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	nodes := newClusterOn(t, dir)
	got := titles(t, sameAnswers(t, nodes))
	if len(got) == 0 {
		t.Fatal("no episodes")
	}
	for i := range 30 {
		g := pagegen.Generate(i, pagegen.Options{Shows: 4, Seed: 3})
		if title := got[fmt.Sprintf("%s %d", g.Show, g.Number)]; title == "" || title == "null" {
			t.Fatalf("%s's episode missing after the nodes joined", g.Name)
		}
	}

	// `ingest --server` through a follower.
	more := t.TempDir()
	for _, d := range pages(30, 36) {
		if err := os.WriteFile(filepath.Join(more, d.Name), d.Data.Bytes, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	via := follower(t, nodes)
	out, err := exec.Command(bin, "ingest", "--server", via.url, "--token", token, more).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "6 documents: 6 added") {
		t.Fatalf("ingest --server %s: %v\n%s", via.id, err, out)
	}
	got = titles(t, sameAnswers(t, nodes))
	for i := 30; i < 36; i++ {
		g := pagegen.Generate(i, pagegen.Options{Shows: 4, Seed: 3})
		if title := got[fmt.Sprintf("%s %d", g.Show, g.Number)]; title == "" || title == "null" {
			t.Fatalf("%s's episode missing after ingest --server", g.Name)
		}
	}
}

// TestClusterLeaderWork gives every node a seeds directory of its own
// (the same pages) and --watch: only the leader ingests them and watches,
// and a page added to every directory reaches every node through it.
func TestClusterLeaderWork(t *testing.T) {
	base := t.TempDir()
	dirs := make([]string, 3)
	for i := range dirs {
		dirs[i] = filepath.Join(base, fmt.Sprintf("seeds%d", i+1))
		if err := os.Mkdir(dirs[i], 0o755); err != nil {
			t.Fatal(err)
		}
		for _, d := range pages(0, 5) {
			if err := os.WriteFile(filepath.Join(dirs[i], d.Name), d.Data.Bytes, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	nodes := newClusterWith(t, t.TempDir(), func(n *node, i int) { n.extra = append(n.extra, "--seeds", dirs[i], "--watch") })
	l := leader(t, nodes)
	eventually(t, "the leader to watch", func() bool { return strings.Contains(l.logs.String(), "watching for pages") })
	d := pages(5, 6)[0]
	for _, dir := range dirs {
		if err := os.WriteFile(filepath.Join(dir, d.Name), d.Data.Bytes, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g := pagegen.Generate(5, pagegen.Options{Shows: 4, Seed: 3})
	eventually(t, "the watched page on every node", func() bool {
		for _, n := range nodes {
			if title := titles(t, dump(t, n))[fmt.Sprintf("%s %d", g.Show, g.Number)]; title == "" || title == "null" {
				return false
			}
		}
		return true
	})
	sameAnswers(t, nodes)
	for _, n := range nodes {
		logs := n.logs.String()
		did := strings.Contains(logs, "start-up ingest done") || strings.Contains(logs, "watching for pages")
		if did != (n == l) {
			t.Errorf("%s (leader: %v) ran the start-up ingest or watched: %v", n.id, n == l, did)
		}
	}
}

// TestClusterSnapshotCatchUp keeps a node down through many writes, with
// snapshots taken often and few log entries kept, so that it catches up
// by restoring a snapshot; then removes it from the cluster.
func TestClusterSnapshotCatchUp(t *testing.T) {
	nodes := newCluster(t, "--snapshot-threshold", "16", "--snapshot-interval", "200ms", "--trailing-logs", "4")
	l := leader(t, nodes)
	var down *node
	for _, n := range nodes {
		if n != l {
			down = n
		}
	}
	ds, err := down.status()
	if err != nil {
		t.Fatal(err)
	}
	down.stop(t)
	for start := 0; start < 120; start += 3 { // one log entry each
		if _, _, err := ingest(l, pages(start, start+3)); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "a snapshot past the stopped node", func() bool {
		s, err := l.status()
		return err == nil && s.Cluster.Snapshot > ds.Cluster.Applied+4
	})
	down.start(t)
	down.awaitReady(t)
	sameAnswers(t, nodes)
	if !strings.Contains(down.logs.String(), "Installed remote snapshot") {
		t.Errorf("%s caught up without a snapshot", down.id)
	}

	// Remove it for good, through any node, with the cluster command.
	down.stop(t)
	out, err := exec.Command(bin, "cluster", "remove", down.id, "--server", l.url, "--token", token).CombinedOutput()
	if err != nil {
		t.Fatalf("cluster remove: %v\n%s", err, out)
	}
	eventually(t, "two servers", func() bool {
		s, err := l.status()
		return err == nil && len(s.Cluster.Servers) == 2
	})
	if _, _, err := ingest(l, pages(120, 122)); err != nil {
		t.Fatalf("write with two of two nodes: %v", err)
	}
}

// TestClusterPause stops the leader with SIGSTOP for longer than the
// election timeout, writes meanwhile through another node, then lets it go
// on with SIGCONT: it steps down and converges to the same answers.
func TestClusterPause(t *testing.T) {
	nodes := newCluster(t)
	if _, _, err := ingest(nodes[1], pages(0, 20)); err != nil {
		t.Fatal(err)
	}
	old := leader(t, nodes)
	s0, _ := old.status()
	if err := old.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	var others []*node
	for _, n := range nodes {
		if n != old {
			others = append(others, n)
		}
	}
	var nl *node
	eventually(t, "a new leader", func() bool {
		for _, n := range others {
			if s, err := n.status(); err == nil && s.Cluster.Role == "leader" && s.Cluster.Term > s0.Cluster.Term {
				nl = n
				return true
			}
		}
		return false
	})
	if _, _, err := ingest(nl, pages(20, 60)); err != nil {
		t.Fatal(err)
	}
	if err := old.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the paused node to step down", func() bool {
		s, err := old.status()
		return err == nil && s.Cluster.Role == "follower"
	})
	sameAnswers(t, nodes)

	// SIGTERM of the leader hands leadership over first.
	l := leader(t, nodes)
	l.stop(t)
	if !strings.Contains(l.logs.String(), "handed leadership over before shutdown") {
		t.Errorf("%s stopped without handing leadership over", l.id)
	}
	if n := leader(t, nodes); n == l {
		t.Fatal("the stopped node leads")
	}
}

// TestClusterSameFlags starts three nodes at once with the same flags, as a
// Kubernetes StatefulSet does (deploy/kubernetes): --bootstrap-node names
// n1, and every node lists all three to join. They form one cluster of
// three. Then n1 loses its files and starts again with the same flags: it
// ends up a member of the cluster the others kept, with the same answers.
func TestClusterSameFlags(t *testing.T) {
	dir := t.TempDir()
	var nodes []*node
	for i := 1; i <= 3; i++ {
		nodes = append(nodes, &node{id: fmt.Sprintf("n%d", i), url: "http://" + freeAddr(t), raft: freeAddr(t),
			db: filepath.Join(dir, fmt.Sprintf("n%d.db", i)), logs: &lockedBuffer{}})
	}
	join := nodes[0].url + "," + nodes[1].url + "," + nodes[2].url
	for _, n := range nodes {
		n.extra = []string{"--bootstrap-node", "n1", "--join", join}
		n.start(t)
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			n.kill()
		}
		if t.Failed() {
			for _, n := range nodes {
				t.Logf("--- %s log:\n%s", n.id, tail(n.logs.String(), 3000))
			}
		}
	})
	members := func() bool {
		for _, n := range nodes {
			s, err := n.status()
			if err != nil || s.code != http.StatusOK || len(s.Cluster.Servers) != 3 {
				return false
			}
		}
		return true
	}
	eventually(t, "one cluster of three", members)
	if _, _, err := ingest(leader(t, nodes), pages(1, 6)); err != nil {
		t.Fatal(err)
	}
	converged(t, nodes)

	n1 := nodes[0]
	n1.kill()
	for _, p := range []string{n1.db, n1.db + ".raft"} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	n1.start(t)
	n1.awaitReady(t)
	eventually(t, "n1 back in the cluster of three", members)
	converged(t, nodes)
	sameAnswers(t, nodes)
}

// TestClusterBehindNginx runs deploy/nginx/podcastgraph.conf, the
// documented configuration, in front of three nodes: an ingest through
// nginx is acknowledged with its index, reads through nginx carrying that
// index all answer what the leader answers, and with a follower killed
// nginx goes on answering from the other two. It needs nginx (Debian's
// nginx-light or nginx package); without it the test is skipped, saying so.
func TestClusterBehindNginx(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, err = os.Stat("/usr/sbin/nginx"); err != nil {
			t.Skip("nginx is not installed (apt-get install nginx-light)")
		}
		nginx = "/usr/sbin/nginx"
	}
	nodes := newCluster(t)
	conf, err := os.ReadFile("../../deploy/nginx/podcastgraph.conf")
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	site := strings.Replace(string(conf), "listen 80;", "listen "+addr+";", 1)
	for i, n := range nodes {
		from := fmt.Sprintf("server 10.0.0.%d:8080 ", i+1)
		if !strings.Contains(site, from) {
			t.Fatalf("the configuration has no %q", from)
		}
		site = strings.Replace(site, from, "server "+strings.TrimPrefix(n.url, "http://")+" ", 1)
	}
	// nginx's workers run as nobody when it is started as root: they
	// need to reach the cache directory, so it is not below t.TempDir
	// (whose parent only root may enter).
	dir, err := os.MkdirTemp("", "podcastgraph-nginx-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	site = strings.Replace(site, "/var/cache/nginx/podcastgraph", filepath.Join(dir, "cache"), 1)
	main := fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[1]s/podcastgraph.conf;
}
`, dir)
	for name, text := range map[string]string{"nginx.conf": main, "podcastgraph.conf": site} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Its messages go to error.log; its workers are in its process group.
	cmd := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx's error log:\n%s", tail(string(b), 3000))
		}
	})
	front := &node{id: "nginx", url: "http://" + addr}
	eventually(t, "nginx to answer", func() bool {
		s, err := front.status()
		return err == nil && s.code == http.StatusOK
	})

	_, index, err := ingest(front, pages(1, 21))
	if err != nil || index == 0 {
		t.Fatalf("ingest through nginx: index %d, %v", index, err)
	}
	const q = `{ episodes(first: 20) { totalCount nodes { number title guests { name } } } }`
	_, _, want, err := query(leader(t, nodes), q, index)
	if err != nil || !strings.Contains(string(want), `"totalCount":`) || strings.Contains(string(want), `"errors"`) {
		t.Fatalf("the leader's answer: %s %v", want, err)
	}
	for i := range 30 {
		code, _, got, err := query(front, q, index)
		if err != nil || code != http.StatusOK || !bytes.Equal(got, want) {
			t.Fatalf("read %d through nginx: %d %v\n%s\nwant %s", i, code, err, got, want)
		}
	}
	follower(t, nodes).kill()
	for i := range 30 {
		code, _, got, err := query(front, q, 0)
		if err != nil || code != http.StatusOK || !bytes.Equal(got, want) {
			t.Fatalf("read %d through nginx with a node down: %d %v\n%s", i, code, err, got)
		}
	}
}
