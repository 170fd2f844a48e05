package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"podcastgraph/internal/pagegen"
)

func httpGet(t *testing.T, url string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMetrics(t *testing.T) {
	s := startServer(t)
	body := `{"query":"query SeedsCheck { episodes(first: 3) { nodes { title guests { name } } } }","operationName":"SeedsCheck"}`
	resp, err := http.Post(s.URL+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s.query(t, `{ nope }`, nil)
	status, text := httpGet(t, s.URL+"/metrics")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, want := range []string{
		`podcast_graphql_requests_total{operation="SeedsCheck",outcome="ok"} 1`,
		`podcast_graphql_requests_total{operation="anonymous",outcome="`,
		`podcast_graphql_request_duration_seconds_bucket{operation="SeedsCheck"`,
		`podcast_store_transactions_total{kind="read",outcome="ok"}`,
		`podcast_store_transactions_total{kind="write",outcome="ok"}`,
		`podcast_store_transaction_duration_seconds_count{kind="read"}`,
		`podcast_ingest_documents_total{status="added"} 2`,
		`podcast_store_size_bytes `, `podcast_store_generation `,
		`go_goroutines `, `process_resident_memory_bytes `,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestAdminListenerAndPprof(t *testing.T) {
	s := startServer(t, "--admin-addr", "127.0.0.1:0", "--pprof", "--admin-token", testAdminToken)
	m := regexp.MustCompile(`admin listener on (http://[^\s"]+)`).FindStringSubmatch(s.logs.String())
	if m == nil {
		t.Fatalf("no admin listener line:\n%s", s.logs.String())
	}
	admin := m[1]
	if status, _ := httpGet(t, s.URL+"/metrics"); status != http.StatusNotFound {
		t.Errorf("/metrics on the public listener with --admin-addr: %d, want 404", status)
	}
	if status, _ := httpGet(t, s.URL+"/debug/pprof/"); status == http.StatusOK {
		t.Errorf("pprof served on the public listener")
	}
	if status, text := httpGet(t, admin+"/metrics", "Authorization", "Bearer "+testAdminToken); status != 200 || !strings.Contains(text, "go_goroutines") {
		t.Errorf("admin /metrics: %d", status)
	}
	if status, _ := httpGet(t, admin+"/debug/pprof/", "Authorization", "Bearer "+testAdminToken); status != 200 {
		t.Errorf("admin pprof: %d", status)
	}
	if status, _ := httpGet(t, admin+"/admin/backup"); status != http.StatusUnauthorized {
		t.Errorf("admin backup without token: %d, want 401", status)
	}
	// Without --pprof there is no pprof anywhere.
	plain := startServer(t, "--admin-addr", "127.0.0.1:0")
	m = regexp.MustCompile(`admin listener on (http://[^\s"]+)`).FindStringSubmatch(plain.logs.String())
	if status, _ := httpGet(t, m[1]+"/debug/pprof/"); status == http.StatusOK {
		t.Errorf("pprof served without --pprof")
	}
}

// genPages writes n generated pages to a new directory.
func genPages(t testing.TB, from, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := from; i < from+n; i++ {
		name, data := pagegen.Page(i, pagegen.Options{Shows: 2, Seed: 7})
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRemoteIngestAndBackup(t *testing.T) {
	s := startServer(t, "--admin-token", testAdminToken)
	pages := genPages(t, 0, 40)
	bad := filepath.Join(pages, "zz_bad.txt")
	if err := os.WriteFile(bad, []byte("no header here\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// Wrong or missing token: 401, reported clearly, nothing written.
	for _, tok := range []string{"", "wrong"} {
		out, err := runCmd(t, "ingest", "--server", s.URL, "--token", tok, pages)
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("token %q: %v\n%s", tok, err, out)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/admin/ingest", strings.NewReader(`{"documents":[]}`))
	req.Header.Set("Authorization", "Bearer wrong")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("raw wrong token: %v %v", err, resp.Status)
	}

	// The remote command prints what the local one does.
	remote, err := runCmd(t, "ingest", "--server", s.URL, "--token", testAdminToken, pages)
	if err == nil {
		t.Errorf("a failed page must fail the command")
	}
	localDB := filepath.Join(t.TempDir(), "local.db")
	local, _ := runCmd(t, "ingest", "--db", localDB, pages)
	if remote != local {
		t.Errorf("remote output differs from local:\n%s\n---\n%s", remote, local)
	}
	if !strings.Contains(remote, "41 documents: 40 added, 0 updated, 0 unchanged, 1 failed") {
		t.Errorf("remote summary:\n%s", remote)
	}
	var d struct{ Shows struct{ TotalCount int } }
	s.query(t, `{ shows { totalCount } }`, nil).must(t, &d)
	if d.Shows.TotalCount != 3 { // the seeds' show and two generated ones
		t.Errorf("shows after remote ingest: %d", d.Shows.TotalCount)
	}

	// A snapshot taken through the server serves the same answers.
	snap := filepath.Join(t.TempDir(), "snap.db")
	if out, err := runCmd(t, "backup", "--server", s.URL, "--token", testAdminToken, snap); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	copyServer := startServerOn(t, snap, "--seeds", "")
	q := `{ shows { nodes { slug episodeCount } } episodes(first: 50, orderBy: {field: RELEASE_DATE, direction: DESC}) { totalCount nodes { id title guests { name } topics { slug } } } guests(first: 100) { totalCount } }`
	if a, b := s.query(t, q, nil), copyServer.query(t, q, nil); !bytes.Equal(a.Data, b.Data) {
		t.Errorf("snapshot answers differ")
	}
	// Backing up the held file directly says what to do instead.
	if _, err := runCmd(t, "backup", "--db", s.DB, filepath.Join(t.TempDir(), "x.db")); err == nil || !strings.Contains(err.Error(), "--server") {
		t.Errorf("backup of a held file: %v", err)
	}
}

func TestWatch(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"000_3500f07eabefc183.txt", "001_2069fb2803647d3f.txt"} {
		b, _ := os.ReadFile(filepath.Join("seeds", f))
		os.WriteFile(filepath.Join(dir, f), b, 0o644)
	}
	s := startServerOn(t, filepath.Join(t.TempDir(), "w.db"), "--seeds", dir, "--watch")
	count := func() int {
		var d struct{ Episodes struct{ TotalCount int } }
		s.query(t, `{ episodes { totalCount } }`, nil).must(t, &d)
		return d.Episodes.TotalCount
	}
	if n := count(); n != 12 {
		t.Fatalf("start: %d episodes", n)
	}
	name, data := pagegen.Page(5, pagegen.Options{Shows: 1, Seed: 3})
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.txt"), []byte{0xff, 0xfe, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for count() == 12 {
		if time.Now().After(deadline) {
			t.Fatalf("watched page not ingested:\n%s", s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	// A page is visible before its line is logged, and log lines are
	// written by a goroutine of their own: wait for them.
	for {
		logs := s.logs.String()
		if strings.Contains(logs, "watch: page added") && strings.Contains(logs, "watch: page failed") && strings.Contains(logs, "broken.txt") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("watch log lines missing:\n%s", logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
