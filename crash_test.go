package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"podcastgraph/internal/pagegen"
	"podcastgraph/store"
)

// child starts this test binary as the program with args.
// startChild starts cmd, a child server (child), and returns its URL once
// it answers /readyz with 200.
func startChild(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	url := ""
	sc := bufio.NewScanner(stdout)
	for url == "" && sc.Scan() {
		if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
		}
	}
	go io.Copy(io.Discard, stdout)
	if url == "" {
		t.Fatal("child server did not start")
	}
	for {
		if resp, err := http.Get(url + "/readyz"); err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return url
}

func child(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	js, _ := json.Marshal(args)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PODCAST_TEST_CHILD="+string(js))
	return cmd
}

// verify opens the store as a crashed process left it (no repair) and
// checks bbolt's consistency and the store's invariants.
func verify(t *testing.T, db string) store.Report {
	t.Helper()
	st, err := store.Open(context.Background(), db, store.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer st.Close()
	r, err := st.Verify(context.Background())
	if err != nil {
		t.Fatalf("store inconsistent after kill: %v", err)
	}
	return r
}

func TestIngestSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes; slow")
	}
	pages := genPages(t, 0, 5000)
	db := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	last := 0
	for i := range 5 {
		cmd := child(t, "ingest", "--db", db, "--batch", "50", pages)
		cmd.Stdout = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+rng.IntN(600)) * time.Millisecond)
		_ = cmd.Process.Kill() // SIGKILL
		_ = cmd.Wait()
		r := verify(t, db)
		t.Logf("kill %d: %d documents committed, store consistent", i+1, r.Documents)
		if r.Documents < last {
			t.Errorf("documents went from %d to %d", last, r.Documents)
		}
		last = r.Documents
	}
	// Running again completes the job.
	cmd := child(t, "ingest", "--db", db, "--batch", "50", pages)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("re-run: %v\n%s", err, lastLines(out))
	}
	got := verify(t, db)
	clean := filepath.Join(t.TempDir(), "clean.db")
	if out, err := runCmd(t, "ingest", "--db", clean, pages); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if want := verify(t, clean); got != want {
		t.Errorf("after kills and a re-run: %+v; clean ingest: %+v", got, want)
	}
}

func TestServerSurvivesSIGKILLUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes; slow")
	}
	db := filepath.Join(t.TempDir(), "srv.db")
	cmd := child(t, "serve", "--addr", "127.0.0.1:0", "--db", db, "--seeds", "seeds", "--admin-token", testAdminToken,
		"--rate-exempt", "127.0.0.1") // the load comes from this test, exempt from the rate and cost limits
	url := startChild(t, cmd)
	var queries, ingested atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := `{"query":"{ episodes(first: 20) { nodes { title guests { name episodes(first: 3) { nodes { number } } } topics { slug } } } }"}`
			for {
				select {
				case <-stop:
					return
				default:
				}
				if resp, err := http.Post(url+"/graphql", "application/json", bytes.NewBufferString(body)); err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					queries.Add(1)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := 0; ; b++ {
			select {
			case <-stop:
				return
			default:
			}
			var docs []map[string]string
			for i := b * 25; i < (b+1)*25; i++ {
				name, data := pagegen.Page(i, pagegen.Options{Shows: 3, Seed: 9})
				docs = append(docs, map[string]string{"name": name, "data": base64.StdEncoding.EncodeToString(data)})
			}
			js, _ := json.Marshal(map[string]any{"documents": docs})
			req, _ := http.NewRequest(http.MethodPost, url+"/admin/ingest", bytes.NewReader(js))
			req.Header.Set("Authorization", "Bearer "+testAdminToken)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				ingested.Add(25)
			}
		}
	}()
	time.Sleep(1500 * time.Millisecond)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	close(stop)
	wg.Wait()
	r := verify(t, db)
	t.Logf("killed after %d queries and %d pages acknowledged; store holds %d documents, consistent", queries.Load(), ingested.Load(), r.Documents)
	if int64(r.Documents) < ingested.Load()+2 {
		t.Errorf("acknowledged pages lost: %d acknowledged (+2 seeds), %d stored", ingested.Load(), r.Documents)
	}
	// A new server on the file serves it.
	s := startServerOn(t, db, "--seeds", "seeds")
	var d struct{ Episodes struct{ TotalCount int } }
	s.query(t, `{ episodes { totalCount } }`, nil).must(t, &d)
	if d.Episodes.TotalCount < 12 {
		t.Errorf("episodes after restart: %d", d.Episodes.TotalCount)
	}
}

func lastLines(b []byte) string {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return fmt.Sprint(string(bytes.Join(lines[max(0, len(lines)-5):], []byte("\n"))))
}
