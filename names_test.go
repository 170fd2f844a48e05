package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/adminapi"
)

// A document's name with control characters (a file name holding a
// newline and an escape sequence) cannot forge a line of the ingest
// report: it is printed quoted, on its one line. The admin endpoint
// refuses such names per document, and the good document beside them
// lands.
func TestDocumentNamesCannotForgeReportLines(t *testing.T) {
	page, err := os.ReadFile("seeds/000_3500f07eabefc183.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	forged := "ev\nadded     forged.txt: 99 episodes, 0 guests, 0 topics, 0 warnings\n\x1b[31mred.txt"
	if err := os.WriteFile(filepath.Join(dir, forged), page, 0o644); err != nil {
		t.Skipf("this file system refuses the name: %v", err)
	}
	out, err := runCmd(t, "ingest", "--db", filepath.Join(t.TempDir(), "p.db"), dir)
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || strings.Contains(out, "\x1b") || !strings.HasPrefix(lines[0], `added     "ev\nadded`) {
		t.Fatalf("the report has %d lines, want the document's (its name quoted) and the summary:\n%q", len(lines), out)
	}

	s := startServer(t, "--admin-token", testAdminToken)
	docs := []map[string]string{}
	bad := []string{"a\x00b.txt", "x.txt\r", " ", "\x1b[31mred.txt", "line\nbreak.txt", " lead.txt"}
	for _, name := range bad {
		docs = append(docs, map[string]string{"name": name, "data": base64.StdEncoding.EncodeToString(page)})
	}
	docs = append(docs, map[string]string{"name": "good.txt", "data": base64.StdEncoding.EncodeToString(page)})
	body, _ := json.Marshal(map[string]any{"documents": docs})
	status, got := adminPost(t, s, "Bearer", string(body))
	var res adminapi.IngestResponse
	if err := json.Unmarshal(got, &res); err != nil || len(res.Results) != len(docs) {
		t.Fatalf("status %d, %d results (%v)", status, len(res.Results), err)
	}
	for i, r := range res.Results[:len(bad)] {
		if r.Status != "failed" || !strings.Contains(r.Error, "plain file name") {
			t.Errorf("document %d (%q): %s %q, want it refused for its name", i, bad[i], r.Status, r.Error)
		}
	}
	if g := res.Results[len(bad)]; g.Status == "failed" {
		t.Errorf("the good document beside them: %s %s", g.Status, g.Error)
	}
}

// An ingest through a server that cannot be reached says so once, and
// that nothing was sent, instead of a line per document saying each was
// sent and its answer lost; a --server that is not a URL is refused
// before anything is read.
func TestIngestServerUnreachable(t *testing.T) {
	for _, c := range []struct{ server, says string }{
		{"http://127.0.0.1:1", "could not be reached, nothing was sent"},
		{"ht!tp://x", "not an http:// or https:// URL"},
		{"127.0.0.1:8080", "not an http:// or https:// URL"},
	} {
		out, err := runCmd(t, "ingest", "--server", c.server, "--token", testAdminToken, "seeds")
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("--server %s: %v, want an error saying %q", c.server, err, c.says)
		}
		if strings.Contains(out, "unknown") || strings.Contains(out, "sent, but") {
			t.Errorf("--server %s: the report says documents were sent:\n%s", c.server, out)
		}
	}
}

// The admin endpoint's errors speak of the JSON sent, never of the Go
// types it is decoded into, and a document whose data is not base64
// fails alone, named, while the documents beside it land.
func TestAdminIngestBadBodies(t *testing.T) {
	page, err := os.ReadFile("seeds/000_3500f07eabefc183.txt")
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "--admin-token", testAdminToken)
	post := func(body string) (int, string) {
		status, got := adminPost(t, s, "Bearer", body)
		return status, string(got)
	}
	for body, says := range map[string]string{
		`[]`:                         "the body is a list where an object is expected",
		`{"documents":[{"name":5}]}`: "documents.name is a number",
		`{"documents": [`:            "the body ends before the JSON does",
	} {
		status, got := post(body)
		if status != http.StatusBadRequest || !strings.Contains(got, says) || strings.Contains(got, "Go ") || strings.Contains(got, "adminapi") {
			t.Errorf("%s: %d %s, want 400 saying %q and no Go type", body, status, got, says)
		}
	}
	good := base64.StdEncoding.EncodeToString(page)
	status, got := post(`{"documents":[{"name":"good.txt","data":"` + good + `"},{"name":"bad.txt","data":"@@@"},{"name":"num.txt","data":5}]}`)
	var res adminapi.IngestResponse
	if err := json.Unmarshal([]byte(got), &res); err != nil || status != http.StatusOK || len(res.Results) != 3 {
		t.Fatalf("%d %s", status, got)
	}
	if res.Results[0].Status != "added" || res.Results[1].Status != "failed" || !strings.Contains(res.Results[1].Error, "document 1 (bad.txt): data is not base64") ||
		res.Results[2].Status != "failed" || !strings.Contains(res.Results[2].Error, "data must be a base64 string") {
		t.Errorf("results %+v", res.Results)
	}
}

// The admin token's scheme is case-insensitive (RFC 9110): bearer and
// BEARER are Bearer.
func TestAdminBearerSchemeCaseInsensitive(t *testing.T) {
	s := startServer(t, "--admin-token", testAdminToken)
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		if status, _ := adminPost(t, s, scheme, `{"documents":[]}`); status != http.StatusOK {
			t.Errorf("%s: status %d", scheme, status)
		}
	}
	if status, _ := adminPost(t, s, "Basic", `{"documents":[]}`); status != http.StatusUnauthorized {
		t.Errorf("Basic: status %d, want 401", status)
	}
}

// adminPost posts body to s's /admin/ingest with the test token under
// scheme, and returns the status and the answer.
func adminPost(t *testing.T, s *testServer, scheme, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/admin/ingest", strings.NewReader(body))
	req.Header.Set("Authorization", scheme+" "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, got
}

// An admin request body over the bound (room for one largest feed, in
// base64, and its JSON) is refused with 413 before it is decoded.
func TestAdminIngestBodyBounded(t *testing.T) {
	s := startServer(t, "--admin-token", testAdminToken)
	big := `{"documents":[{"name":"big.xml","data":"` + strings.Repeat("A", (ingest.MaxFeedSize/3+1)*4+2<<20) + `"}]}`
	status, got := adminPost(t, s, "Bearer", big)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(got), "PAYLOAD_TOO_LARGE") {
		t.Fatalf("a body of %d bytes: %d %.200s", len(big), status, got)
	}
	// One feed of the largest size a document may be still fits.
	feed := `{"documents":[{"name":"max.xml","data":"` + strings.Repeat("A", (ingest.MaxFeedSize/3)*4) + `"}]}`
	if status, got := adminPost(t, s, "Bearer", feed); status != http.StatusOK {
		t.Fatalf("a body of %d bytes: %d %.200s", len(feed), status, got)
	}
}
