package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"podcastgraph/internal/cli"
	"podcastgraph/internal/server"
)

// pageServer serves pages on 127.0.0.1 by path, each with an ETag (304 to
// a matching If-None-Match), counting the requests for each path and the
// 304s; a path may be held until released.
type pageServer struct {
	*httptest.Server
	mu          sync.Mutex
	pages       map[string][]byte
	etags       map[string]string
	hits        map[string]int
	notModified map[string]int
	hold        map[string]chan struct{}
}

func newPageServer(t *testing.T) *pageServer {
	ps := &pageServer{pages: map[string][]byte{}, etags: map[string]string{}, hits: map[string]int{},
		notModified: map[string]int{}, hold: map[string]chan struct{}{}}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps.mu.Lock()
		ps.hits[r.URL.Path]++
		hold := ps.hold[r.URL.Path]
		ps.mu.Unlock()
		if hold != nil {
			select {
			case <-hold:
			case <-r.Context().Done():
				return
			}
		}
		ps.mu.Lock()
		defer ps.mu.Unlock()
		body, ok := ps.pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("If-None-Match") == ps.etags[r.URL.Path] {
			ps.notModified[r.URL.Path]++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", ps.etags[r.URL.Path])
		w.Write(body)
	}))
	t.Cleanup(ps.Close)
	return ps
}

// set serves body at path under a new ETag.
func (ps *pageServer) set(path string, body []byte) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.pages[path] = body
	ps.etags[path] = fmt.Sprintf(`"%d-%d"`, len(body), time.Now().UnixNano())
}

func (ps *pageServer) count(m map[string]int, path string) int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return m[path]
}

func readSeed(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("seeds", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// `ingest` takes URLs beside files: one line per URL, a failed fetch is a
// failed document (exit 1, the rest committed), a second run is answered
// 304 thanks to the validators in the store file, and without the
// operator's leave nothing on loopback is fetched.
func TestIngestURLs(t *testing.T) {
	ps := newPageServer(t)
	ps.set("/316.txt", readSeed(t, "000_3500f07eabefc183.txt"))
	page, gone := ps.URL+"/316.txt", ps.URL+"/gone.txt"
	db := filepath.Join(t.TempDir(), "p.db")

	out, err := runCmd(t, "ingest", "--db", db, "--fetch-allow-private", "seeds/001_2069fb2803647d3f.txt", page, gone)
	if !errors.Is(err, cli.ErrReported) {
		t.Fatalf("err = %v, want exit 1 for the failed URL\n%s", err, out)
	}
	for _, want := range []string{
		"added     001_2069fb2803647d3f.txt: ",
		"added     " + page + ": 11 episodes, ",
		"failed    " + gone + ": HTTP 404 Not Found\n",
		"3 documents: 2 added, 0 updated, 0 unchanged, 1 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// Validators remembered in the file: the next run's request is
	// conditional, and answered 304.
	out, err = runOut2(t, map[string]string{"PODCAST_FETCH_ALLOW_PRIVATE": "true"}, "ingest", "--db", db, page)
	if err != nil || !strings.Contains(out, "unchanged "+page+": 11 episodes") || ps.count(ps.notModified, "/316.txt") != 1 {
		t.Fatalf("second run (304s: %d): %v\n%s", ps.count(ps.notModified, "/316.txt"), err, out)
	}

	// Without leave, loopback is refused before any request is made.
	hits := ps.count(ps.hits, "/316.txt")
	out, err = runCmd(t, "ingest", "--db", filepath.Join(t.TempDir(), "q.db"), page)
	if !errors.Is(err, cli.ErrReported) || !strings.Contains(out, "failed    "+page+": refused: the host is at a loopback address") {
		t.Fatalf("without --fetch-allow-private: %v\n%s", err, out)
	}
	if ps.count(ps.hits, "/316.txt") != hits {
		t.Errorf("a refused URL was requested")
	}
}

// runOut2 is runCmd with an environment.
func runOut2(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	out, _, err := runOut(t, env, args...)
	return out, err
}

// `ingest --server` sends URLs for the server to fetch: the server's
// guard applies (loopback refused unless it was started with
// --fetch-allow-private), whatever the client's flags.
func TestIngestURLsThroughServer(t *testing.T) {
	ps := newPageServer(t)
	ps.set("/316.txt", readSeed(t, "000_3500f07eabefc183.txt"))
	page := ps.URL + "/316.txt"

	guarded := startServer(t, "--seeds", "", "--admin-token", testAdminToken)
	out, err := runCmd(t, "ingest", "--server", guarded.URL, "--token", testAdminToken, "--fetch-allow-private", page)
	if !errors.Is(err, cli.ErrReported) || !strings.Contains(out, "failed    "+page+": refused: the host is at a loopback address") {
		t.Fatalf("through a guarded server: %v\n%s", err, out)
	}
	if n := ps.count(ps.hits, "/316.txt"); n != 0 {
		t.Fatalf("the guarded server fetched a loopback URL (%d requests)", n)
	}

	open := startServer(t, "--seeds", "", "--admin-token", testAdminToken, "--fetch-allow-private")
	out, err = runCmd(t, "ingest", "--server", open.URL, "--token", testAdminToken, "seeds/001_2069fb2803647d3f.txt", page)
	if err != nil || !strings.Contains(out, "added     "+page+": 11 episodes") ||
		!strings.Contains(out, "2 documents: 2 added, 0 updated, 0 unchanged, 0 failed") {
		t.Fatalf("through a server allowed loopback: %v\n%s", err, out)
	}
	var data struct{ Episode struct{ Title string } }
	open.query(t, `{ episode(number: 316) { title } }`, nil).must(t, &data)
	if data.Episode.Title == "" {
		t.Errorf("episode 316 not served after the URL was ingested")
	}
}

var roundRE = regexp.MustCompile(`msg="feeds refreshed".* fetched=(\d+) added=(\d+) updated=(\d+) unchanged=(\d+) not_modified=(\d+) same_body=(\d+) failed=(\d+)`)

// serve --feeds: the list is fetched before the server is ready (readyz
// says how far), then refreshed: a changed page is ingested again and
// served, an unchanged one costs a 304 and nothing else, a URL added to
// the file is picked up at the next round, and a failing one is logged.
func TestServeFeeds(t *testing.T) {
	ps := newPageServer(t)
	ps.set("/a.txt", readSeed(t, "000_3500f07eabefc183.txt"))
	ps.set("/b.txt", readSeed(t, "001_2069fb2803647d3f.txt"))
	release := make(chan struct{})
	ps.hold["/b.txt"] = release
	list := filepath.Join(t.TempDir(), "feeds.txt")
	write := func(lines ...string) {
		if err := os.WriteFile(list, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("# the shows we follow", "", ps.URL+"/a.txt", "  "+ps.URL+"/b.txt  ", "not a url", ps.URL+"/gone.txt")

	db := filepath.Join(t.TempDir(), "p.db")
	s := launchServer(t, server.Options{}, db, "--seeds", "", "--feeds", list, "--refresh", "150ms", "--fetch-allow-private")
	// Held on b, the first round is not done: not ready, and readyz says
	// how far the feeds are.
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, body := getBody(t, s.URL+"/readyz")
		if status == http.StatusServiceUnavailable && strings.Contains(body, `"feeds":{"done":1,`) && strings.Contains(body, `"total":3`) {
			break
		}
		if status == http.StatusOK || time.Now().After(deadline) {
			t.Fatalf("readyz while the first feed round is held: %d %s", status, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	waitReady(t, s)
	if !strings.Contains(s.logs.String(), list+`:5: skipped: not a url: scheme \"\" is not fetched`) {
		t.Errorf("no warning for line 5 of the list:\n%s", s.logs.String())
	}
	title := func() string {
		var data struct{ Episode struct{ Title string } }
		s.query(t, `{ episode(number: 316) { title } }`, nil).must(t, &data)
		return data.Episode.Title
	}
	if got := title(); got != "Bringing Back the Original Internet Vision Using Tailscale" {
		t.Fatalf("after the first round, episode 316 is %q", got)
	}

	// Unchanged rounds: every fetch of a and b is answered 304, and no
	// round ingests anything.
	rounds := waitRounds(t, s, 3)
	for _, m := range rounds[1:] {
		// (gone.txt, failing, waits out its backoff in some of them)
		if m[2] != "0" || m[3] != "0" || m[5] != "2" {
			t.Errorf("an unchanged round: %s", m[0])
		}
	}
	if n := ps.count(ps.notModified, "/b.txt"); n < 2 {
		t.Errorf("b answered 304 %d times in %d rounds", n, len(rounds))
	}
	if !strings.Contains(s.logs.String(), `msg="feed failed" url=`+ps.URL+`/gone.txt err="`+ps.URL+`/gone.txt: HTTP 404 Not Found" failures=1`) {
		t.Errorf("the failing feed is not logged:\n%s", s.logs.String())
	}

	// A changed page is ingested at the next round, and served.
	changed := bytes.Replace(readSeed(t, "000_3500f07eabefc183.txt"), []byte("Bringing Back the Original Internet Vision Using Tailscale"), []byte("Renamed by Its Feed"), 1)
	ps.set("/a.txt", changed)
	waitLog(t, s, `msg="feed ingested" url=`+ps.URL+`/a.txt status=updated`)
	if got := title(); got != "Renamed by Its Feed" {
		t.Errorf("after the change, episode 316 is %q", got)
	}
	// A URL added to the list is fetched at the next round.
	ps.set("/c.txt", readSeed(t, "001_2069fb2803647d3f.txt"))
	write(ps.URL+"/a.txt", ps.URL+"/c.txt")
	waitLog(t, s, `msg="feed ingested" url=`+ps.URL+`/c.txt status=added`)
}

// A --feeds file that cannot be read stops serve before it listens,
// naming the flag and the file.
func TestServeFeedsMissingList(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "feeds.txt")
	out, _, err := runOut(t, nil, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "p.db"), "--seeds", "", "--feeds", missing)
	if err == nil || !strings.Contains(err.Error(), "--feeds: stat "+missing+": no such file or directory") {
		t.Fatalf("err = %v\n%s", err, out)
	}
	if strings.Contains(out, "listening on") {
		t.Errorf("listened before refusing:\n%s", out)
	}
}

func getBody(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func waitReady(t *testing.T, s *testServer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if status, _ := getBody(t, s.URL+"/readyz"); status == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready:\n%s", s.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitRounds waits until the log shows n feed rounds and returns them.
func waitRounds(t *testing.T, s *testServer, n int) [][]string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := roundRE.FindAllStringSubmatch(s.logs.String(), -1); len(m) >= n {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d feed rounds:\n%s", n, s.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitLog(t *testing.T, s *testServer, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(s.logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("log lacks %q:\n%s", want, s.logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
