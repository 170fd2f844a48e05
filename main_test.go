package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"podcastgraph/internal/cli"
	"podcastgraph/internal/server"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testServer is a running instance of the program, started through run on :0
// with a temporary store, as a user would start it.
type testServer struct {
	URL  string
	DB   string
	logs *syncBuffer
	stop func() error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listeningRE = regexp.MustCompile(`listening on (http://[^\s"]+)`)

// startServer runs `serve` with args added to a temp store and the seeds,
// and waits until /readyz answers 200.
func startServer(t testing.TB, args ...string) *testServer {
	t.Helper()
	db := filepath.Join(t.TempDir(), "podcast.db")
	return startServerOn(t, db, append([]string{"--seeds", "seeds"}, args...)...)
}

func startServerOn(t testing.TB, db string, args ...string) *testServer {
	t.Helper()
	return startServerWith(t, server.Options{}, db, args...)
}

// startServerWith is startServerOn with the server's test options (field
// middleware, admin steps, ...).
func startServerWith(t testing.TB, opts server.Options, db string, args ...string) *testServer {
	t.Helper()
	s := launchServer(t, opts, db, args...)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready:\n%s", s.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// launchServer is startServerWith without the wait for /readyz: it
// returns once the server listens.
func launchServer(t testing.TB, opts server.Options, db string, args ...string) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	env := &cli.Env{Getenv: func(string) string { return "" }, Stdout: logs, Stderr: os.Stderr, Testing: opts}
	go func() {
		done <- runEnv(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, args...), env)
	}()
	s := &testServer{DB: db, logs: logs}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() { cancel(); stopErr = <-done })
		return stopErr
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("server stopped with %v; logs:\n%s", err, logs.String())
		}
	})
	s.URL = awaitListening(t, logs, done)
	return s
}

// gqlResponse is a GraphQL answer.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	Extensions map[string]any `json:"extensions"`
	status     int
	header     http.Header
}

// query POSTs a query and decodes the answer.
func (s *testServer) query(t testing.TB, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := http.Post(s.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return decodeResponse(t, resp)
}

// get sends a query as GET.
func (s *testServer) get(t testing.TB, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	v := url.Values{"query": {query}}
	if vars != nil {
		js, _ := json.Marshal(vars)
		v.Set("variables", string(js))
	}
	resp, err := http.Get(s.URL + "/graphql?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return decodeResponse(t, resp)
}

func decodeResponse(t testing.TB, resp *http.Response) *gqlResponse {
	t.Helper()
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("status %d, body %q: %v", resp.StatusCode, raw, err)
	}
	r.status, r.header = resp.StatusCode, resp.Header
	return &r
}

// must fails the test on any GraphQL error and decodes data into v.
func (r *gqlResponse) must(t testing.TB, v any) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// code returns the extensions.code of the first error, "" when none.
func (r *gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func TestMain(m *testing.M) {
	// A test that needs the program as a separate process (to kill it)
	// runs the test binary itself with PODCAST_TEST_CHILD set to its args.
	if args := os.Getenv("PODCAST_TEST_CHILD"); args != "" {
		var argv []string
		if err := json.Unmarshal([]byte(args), &argv); err != nil {
			panic(err)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := run(ctx, argv, os.Getenv, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	// Tests run from the repo root, where seeds/ is.
	if _, err := os.Stat("seeds"); err != nil {
		panic("run tests from the repository root: " + err.Error())
	}
	os.Exit(m.Run())
}

// awaitListening waits for a server started by run to log its address and
// returns its URL; it fails the test if the server exits first (leaving
// its error in done for whoever stops it) or says nothing for 20 s.
func awaitListening(t testing.TB, logs *syncBuffer, done chan error) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			done <- err // for the cleanup's stop, which would wait for it forever
			t.Fatalf("server exited before listening: %v\n%s", err, logs.String())
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not log its address:\n%s", logs.String())
		}
	}
}
