package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"podcastgraph/internal/adminapi"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/server"
)

// testAdminToken is long enough for serve to accept.
const testAdminToken = "test-admin-token-0123456789abcdef0123"

// startServerEnv is startServer with environment variables.
func startServerEnv(t *testing.T, env map[string]string, args ...string) *testServer {
	t.Helper()
	db := filepath.Join(t.TempDir(), "podcast.db")
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--seeds", "seeds"}, args...),
			func(k string) string { return env[k] }, logs)
	}()
	s := &testServer{DB: db, logs: logs, stop: func() error { cancel(); return <-done }}
	t.Cleanup(func() { _ = s.stop() })
	s.URL = awaitListening(t, logs, done)
	return s
}

// runServe runs serve with args and env and returns its error if it stops
// before listening; "" error text means it started.
func serveError(t *testing.T, env map[string]string, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "p.db"), "--seeds", ""}, args...),
			func(k string) string { return env[k] }, logs)
	}()
	for {
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Millisecond):
		}
		if listeningRE.MatchString(logs.String()) {
			cancel()
			<-done
			return nil
		}
	}
}

func adminListener(t *testing.T, s *testServer) string {
	t.Helper()
	m := regexp.MustCompile(`admin listener on (http://[^\s"]+)`).FindStringSubmatch(s.logs.String())
	if m == nil {
		t.Fatalf("no admin listener line:\n%s", s.logs.String())
	}
	return m[1]
}

func writeFile(t *testing.T, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAdminTokenSources(t *testing.T) {
	backupWith := func(t *testing.T, s *testServer, args ...string) error {
		t.Helper()
		out, err := runCmd(t, append(append([]string{"backup", "--server", s.URL}, args...), filepath.Join(t.TempDir(), "b.db"))...)
		if err != nil {
			return fmt.Errorf("%w\n%s", err, out)
		}
		return nil
	}
	t.Run("environment", func(t *testing.T) {
		s := startServerEnv(t, map[string]string{"PODCAST_ADMIN_TOKEN": testAdminToken})
		if err := backupWith(t, s, "--token-file", writeFile(t, testAdminToken+"\n")); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(s.logs.String(), "level=WARN") {
			t.Errorf("a token from the environment drew a warning:\n%s", s.logs.String())
		}
	})
	t.Run("file with a trailing newline", func(t *testing.T) {
		s := startServerEnv(t, nil, "--admin-token-file", writeFile(t, testAdminToken+"\r\n"))
		if status, _ := httpGet(t, s.URL+"/admin/backup", "Authorization", "Bearer "+testAdminToken); status != 200 {
			t.Errorf("backup with the file's token: %d", status)
		}
		if status, _ := httpGet(t, s.URL+"/admin/backup", "Authorization", "Bearer "+testAdminToken+"x"); status != 401 {
			t.Errorf("backup with a wrong token: %d", status)
		}
	})
	t.Run("file from the environment", func(t *testing.T) {
		file := writeFile(t, testAdminToken+"\n")
		s := startServerEnv(t, map[string]string{"PODCAST_ADMIN_TOKEN_FILE": file})
		if status, _ := httpGet(t, s.URL+"/admin/backup", "Authorization", "Bearer "+testAdminToken); status != 200 {
			t.Errorf("backup with the file's token: %d", status)
		}
	})
	t.Run("command line warns without the token", func(t *testing.T) {
		s := startServerEnv(t, nil, "--admin-token", testAdminToken)
		logs := s.logs.String()
		if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "visible to other users") {
			t.Errorf("no warning about a token on the command line:\n%s", logs)
		}
		if strings.Contains(logs, testAdminToken) {
			t.Errorf("the log shows the token:\n%s", logs)
		}
		if status, _ := httpGet(t, s.URL+"/admin/backup", "Authorization", "Bearer "+testAdminToken); status != 200 {
			t.Errorf("--admin-token stopped working: %d", status)
		}
	})
	t.Run("short tokens refused", func(t *testing.T) {
		short := "s3cret-but-only-31-characters!!"
		for name, c := range map[string]struct {
			env  map[string]string
			args []string
		}{
			"flag":        {nil, []string{"--admin-token", short}},
			"environment": {map[string]string{"PODCAST_ADMIN_TOKEN": short}, nil},
			"file":        {nil, []string{"--admin-token-file", writeFile(t, short+"\n")}},
		} {
			err := serveError(t, c.env, c.args...)
			if err == nil || !strings.Contains(err.Error(), "at least 32") || strings.Contains(err.Error(), short) {
				t.Errorf("%s: a 31-character token: %v", name, err)
			}
		}
		if err := serveError(t, nil, "--admin-token", testAdminToken, "--admin-token-file", writeFile(t, testAdminToken)); err == nil {
			t.Errorf("--admin-token and --admin-token-file together were accepted")
		}
		both := map[string]string{"PODCAST_ADMIN_TOKEN": testAdminToken, "PODCAST_ADMIN_TOKEN_FILE": writeFile(t, testAdminToken)}
		if err := serveError(t, both); err == nil {
			t.Errorf("a token and a token file both in the environment were accepted")
		}
		if err := serveError(t, nil, "--admin-token-file", filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "--admin-token-file") {
			t.Errorf("a missing token file: %v", err)
		}
	})
}

// A client command warns on stderr, never stdout (its report), and never
// shows the token.
func TestClientTokenOnCommandLineWarns(t *testing.T) {
	s := startServer(t, "--admin-token-file", writeFile(t, testAdminToken))
	var stdout, stderr bytes.Buffer
	cmd := child(t, "backup", "--server", s.URL, "--token", testAdminToken, filepath.Join(t.TempDir(), "b.db"))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "warning: --token on the command line is visible to other users") {
		t.Errorf("stderr: %q", stderr.String())
	}
	if strings.Contains(stdout.String(), "warning") || strings.Contains(stderr.String()+stdout.String(), testAdminToken) {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}

func TestOperatorEndpointsNeedTheToken(t *testing.T) {
	saved := os.Args
	os.Args = []string{saved[0], "serve", "--admin-token", testAdminToken, "-token=" + testAdminToken, "--pprof"}
	t.Cleanup(func() { os.Args = saved })

	s := startServer(t, "--admin-addr", "127.0.0.1:0", "--pprof", "--admin-token", testAdminToken)
	admin := adminListener(t, s)
	for _, path := range []string{"/metrics", "/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/symbol"} {
		if status, _ := httpGet(t, admin+path); status != http.StatusUnauthorized {
			t.Errorf("%s without the token: %d, want 401", path, status)
		}
		if status, _ := httpGet(t, admin+path, "Authorization", "Bearer wrong"); status != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d, want 401", path, status)
		}
	}
	status, cmdline := httpGet(t, admin+"/debug/pprof/cmdline", "Authorization", "Bearer "+testAdminToken)
	if status != 200 || strings.Contains(cmdline, testAdminToken) || !strings.Contains(cmdline, "--admin-token\x00REDACTED") ||
		!strings.Contains(cmdline, "-token=REDACTED") || !strings.Contains(cmdline, "--pprof") {
		t.Errorf("cmdline: %d %q", status, cmdline)
	}

	// Without --admin-addr, /metrics on the public listener is guarded too.
	pub := startServer(t, "--admin-token", testAdminToken)
	if status, _ := httpGet(t, pub.URL+"/metrics"); status != http.StatusUnauthorized {
		t.Errorf("public /metrics without the token: %d", status)
	}
	if status, text := httpGet(t, pub.URL+"/metrics", "Authorization", "Bearer "+testAdminToken); status != 200 || !strings.Contains(text, "go_goroutines") {
		t.Errorf("public /metrics with the token: %d", status)
	}
	// With no token configured there is nothing to check: /metrics is open.
	open := startServer(t)
	if status, _ := httpGet(t, open.URL+"/metrics"); status != 200 {
		t.Errorf("/metrics with no admin token configured: %d", status)
	}
}

func TestNoSniffOnEveryAnswer(t *testing.T) {
	s := startServer(t, "--admin-addr", "127.0.0.1:0", "--pprof", "--admin-token", testAdminToken)
	admin := adminListener(t, s)
	_, page := httpGet(t, s.URL+"/")
	m := regexp.MustCompile(`"/?(playground/[^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no asset in the playground page")
	}
	for _, target := range []struct{ method, url, body string }{
		{"GET", s.URL + "/", ""},
		{"GET", s.URL + "/" + m[1], ""},
		{"GET", s.URL + "/playground/nope.js", ""},
		{"GET", s.URL + "/nope", ""},
		{"GET", s.URL + "/healthz", ""},
		{"GET", s.URL + "/readyz", ""},
		{"POST", s.URL + "/graphql", `{"query":"{ show { title } }"}`},
		{"POST", s.URL + "/graphql", `{"query":"{"}`},
		{"GET", s.URL + "/graphql?query=%7B%20show%20%7B%20title%20%7D%20%7D", ""},
		{"DELETE", s.URL + "/graphql", ""},
		{"POST", s.URL + "/healthz", ""},
		{"GET", admin + "/metrics", ""},
		{"GET", admin + "/debug/pprof/", ""},
		{"GET", admin + "/admin/backup", ""},
		{"POST", admin + "/admin/ingest", "{"},
		{"GET", admin + "/nope", ""},
	} {
		req, _ := http.NewRequest(target.method, target.url, strings.NewReader(target.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s %s: %d with X-Content-Type-Options %q", target.method, target.url, resp.StatusCode, got)
		}
	}
}

// Headers are bounded (net/http's default is 1 MiB), leaving a GET room
// for a query string of --max-body, which the endpoint answers 414 beyond.
func TestOversizedHeadersRefused(t *testing.T) {
	s := startServer(t, "--max-body", "4096")
	status, _ := httpGet(t, s.URL+"/healthz", "X-Padding", strings.Repeat("a", 100<<10))
	if status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("100 KiB of headers: %d, want 431", status)
	}
	if status, _ := httpGet(t, s.URL+"/healthz", "X-Padding", strings.Repeat("a", 16<<10)); status != 200 {
		t.Errorf("16 KiB of headers: %d, want 200", status)
	}
	// A query string over --max-body reaches the endpoint, which says 414.
	long := s.URL + "/graphql?query=" + strings.Repeat("%20", 2000) + "%7B__typename%7D"
	if status, _ := httpGet(t, long); status != http.StatusRequestURITooLong {
		t.Errorf("GET with a 6 KB query string, --max-body 4096: %d, want 414", status)
	}
	def := startServer(t)
	if status, _ := httpGet(t, def.URL+"/healthz", "X-Padding", strings.Repeat("a", 400<<10)); status != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("400 KiB of headers with the default --max-body: %d, want 431", status)
	}
	long = def.URL + "/graphql?query=" + strings.Repeat("%20", 60000) + "%7B__typename%7D"
	if status, _ := httpGet(t, long); status != 200 {
		t.Errorf("GET with a 180 KB query string under the default --max-body: %d, want 200", status)
	}
}

func TestConnectionCap(t *testing.T) {
	s := startServer(t, "--max-connections", "2")
	addr := strings.TrimPrefix(s.URL, "http://")
	// Two connections that say nothing fill the cap (until the header
	// timeout closes them).
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		defer c.Close()
	}
	answered := make(chan int, 1)
	go func() {
		client := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
		resp, err := client.Get(s.URL + "/healthz")
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	select {
	case status := <-answered:
		t.Fatalf("a third connection was served (%d) while two held the cap of 2", status)
	case <-time.After(700 * time.Millisecond):
	}
	held[0].Close()
	select {
	case status := <-answered:
		if status != 200 {
			t.Errorf("after a slot freed: %d", status)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the waiting connection was never served")
	}
	held[1].Close()

	// Idle keep-alive connections give way to new clients.
	var clients []*http.Client
	for range 3 {
		c := &http.Client{Transport: &http.Transport{}, Timeout: 20 * time.Second}
		clients = append(clients, c)
		resp, err := c.Get(s.URL + "/healthz")
		if err != nil {
			t.Fatalf("client %d: %v", len(clients), err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// The first two clients' connections were closed for the third; they
	// reconnect transparently.
	for i, c := range clients {
		resp, err := c.Get(s.URL + "/healthz")
		if err != nil {
			t.Fatalf("client %d again: %v", i, err)
		}
		resp.Body.Close()
	}
}

func TestUnsafeRequestIDsReplaced(t *testing.T) {
	s := startServer(t)
	safe := regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	for _, id := range []string{"abc-123_X.y", strings.Repeat("a", 64)} {
		resp, err := http.DefaultClient.Do(mustRequest(t, s.URL+"/healthz", id))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("X-Request-Id"); got != id {
			t.Errorf("safe id %q came back as %q", id, got)
		}
	}
	for _, id := range []string{"<script>alert(1)</script>", "a b", "id\twith\ttabs", "ключ", `"quoted"`, strings.Repeat("a", 65), "a=b;c"} {
		resp, err := http.DefaultClient.Do(mustRequest(t, s.URL+"/healthz", id))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.Header.Get("X-Request-Id")
		if got == id || !safe.MatchString(got) {
			t.Errorf("unsafe id %q came back as %q", id, got)
		}
		if strings.Contains(s.logs.String(), id) {
			t.Errorf("unsafe id %q reached the log", id)
		}
	}
}

func mustRequest(t *testing.T, url, id string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Request-Id", id)
	return req
}

// slowAdmin starts a server whose admin steps (each batch /admin/ingest
// commits, each write of /admin/backup) run step first.
func slowAdmin(t *testing.T, step func(), args ...string) *testServer {
	t.Helper()
	opts := server.Options{AdminStep: step}
	return startServerWith(t, opts, filepath.Join(t.TempDir(), "podcast.db"),
		append([]string{"--seeds", "seeds", "--admin-token", testAdminToken}, args...)...)
}

// A remote ingest and a backup that take several times the write timeout
// go through, and the command's report is what the store holds.
func TestLongOperatorRequestsPastWriteTimeout(t *testing.T) {
	const writeTimeout = time.Second
	var slow atomic.Int64
	s := slowAdmin(t, func() { time.Sleep(time.Duration(slow.Load())) }, "--write-timeout", writeTimeout.String(), "--batch", "2")
	pages := genPages(t, 0, 40)

	slow.Store(int64(150 * time.Millisecond)) // 20 batches of 2: 3 s
	start := time.Now()
	out, err := runCmd(t, "ingest", "--server", s.URL, "--token", testAdminToken, pages)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("remote ingest taking %v with a %v write timeout: %v\n%s", took, writeTimeout, err, out)
	}
	if took < 2*writeTimeout {
		t.Fatalf("the ingest took %v: the test needs it to outlast the write timeout", took)
	}
	if !strings.Contains(out, "40 documents: 40 added, 0 updated, 0 unchanged, 0 failed") || strings.Count(out, "\nadded ")+1 < 40 {
		t.Errorf("report:\n%s", out)
	}

	// A client that does not ask for the stream gets one JSON answer.
	docs := []map[string]string{}
	for i := 100; i < 110; i++ {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 2, Seed: 7})
		docs = append(docs, map[string]string{"name": name, "data": base64.StdEncoding.EncodeToString(data)})
	}
	body, _ := json.Marshal(map[string]any{"documents": docs})
	slow.Store(int64(400 * time.Millisecond)) // 5 batches of 2: 2 s
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/admin/ingest", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("JSON ingest past the write timeout: %v", err)
	}
	var answer adminapi.IngestResponse
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || resp.StatusCode != 200 || len(answer.Results) != 10 {
		t.Fatalf("JSON ingest: %d %v %+v", resp.StatusCode, err, answer)
	}
	resp.Body.Close()

	// A backup that takes several write timeouts.
	slow.Store(int64(100 * time.Millisecond))
	snap := filepath.Join(t.TempDir(), "snap.db")
	start = time.Now()
	out, err = runCmd(t, "backup", "--server", s.URL, "--token", testAdminToken, snap)
	took = time.Since(start)
	if err != nil {
		t.Fatalf("backup taking %v with a %v write timeout: %v\n%s", took, writeTimeout, err, out)
	}
	if took < 2*writeTimeout {
		t.Fatalf("the backup took %v: the test needs it to outlast the write timeout", took)
	}
	slow.Store(0)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if got, want := verify(t, snap).Documents, 2+40+10; got != want {
		t.Errorf("snapshot holds %d documents, want %d", got, want)
	}
}

// When the connection breaks midway, the command says which documents
// were confirmed, which are unknown and which were not sent, and the
// confirmed ones are exactly what the store gained.
func TestRemoteIngestBrokenConnectionReport(t *testing.T) {
	var steps atomic.Int64
	s := slowAdmin(t, func() {
		if steps.Add(1) == 2 {
			panic(http.ErrAbortHandler) // the server drops the connection
		}
	}, "--batch", "5")
	pages := genPages(t, 0, 30)
	out, err := runCmd(t, "ingest", "--server", s.URL, "--token", testAdminToken, "--batch", "10", pages)
	if err == nil {
		t.Fatalf("a broken ingest exited 0:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	kinds := map[string]int{}
	for _, l := range lines[:len(lines)-1] {
		kinds[strings.Fields(l)[0]]++
	}
	if kinds["added"] != 5 || kinds["unknown"] != 5 || kinds["not"] != 20 || len(lines) != 31 {
		t.Errorf("lines by kind %v:\n%s", kinds, out)
	}
	if last := lines[len(lines)-1]; last != "30 documents: 5 added, 0 updated, 0 unchanged, 0 failed, 5 unknown, 20 not sent" {
		t.Errorf("summary %q", last)
	}
	if !strings.Contains(err.Error(), "cut short after 5 of 10 documents") {
		t.Errorf("error: %v", err)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if got := verify(t, s.DB).Documents; got != 2+5 {
		t.Errorf("store holds %d documents; the report confirmed 2 seeds + 5", got)
	}
}

// The stream's lines arrive while the server is still working: the first
// batch's results are readable before the last batch is committed.
func TestAdminIngestStreams(t *testing.T) {
	release := make(chan struct{})
	var steps atomic.Int64
	s := slowAdmin(t, func() {
		if steps.Add(1) == 2 {
			<-release
		}
	}, "--batch", "3")
	var docs []map[string]string
	for i := range 6 {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 2})
		docs = append(docs, map[string]string{"name": name, "data": base64.StdEncoding.EncodeToString(data)})
	}
	body, _ := json.Marshal(map[string]any{"documents": docs})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/admin/ingest", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	req.Header.Set("Accept", "application/x-ndjson")
	// The first batch's lines must come while the second batch waits; a
	// server that answers only at the end would keep this waiting.
	client := &http.Client{Timeout: 20 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		close(release)
		t.Fatalf("no streamed answer while the second batch waits: %v", err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	for i := range 3 {
		if !sc.Scan() {
			close(release)
			t.Fatalf("line %d of the first batch missing: %v", i, sc.Err())
		}
		var l adminapi.IngestLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil || l.Result == nil || l.Result.Status != "added" {
			t.Errorf("line %d: %s", i, sc.Text())
		}
	}
	close(release)
	var last adminapi.IngestLine
	for sc.Scan() {
		last = adminapi.IngestLine{}
		json.Unmarshal(sc.Bytes(), &last)
	}
	if last.Summary == nil || *last.Summary != (adminapi.IngestSummary{Documents: 6, Added: 6}) {
		t.Errorf("last line: %+v", last)
	}
}
