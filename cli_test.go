package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/cli"
	"podcastgraph/internal/pagegen"
	"podcastgraph/store"
)

// runOut runs the program with env as its environment and returns its
// stdout, its stderr and its error.
func runOut(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = runEnv(context.Background(), args, &cli.Env{
		Getenv: func(k string) string { return env[k] }, Stdout: &out, Stderr: &errOut})
	return out.String(), errOut.String(), err
}

// --help prints the usage of the command asked about, and only its flags,
// to stdout, and succeeds; with no command it lists the commands.
func TestCommandHelp(t *testing.T) {
	cases := []struct {
		args      []string
		want, not []string
	}{
		{[]string{"--help"}, []string{"Usage: podcastgraph [COMMAND]", "serve", "ingest", "backup"}, []string{"-max-cost"}},
		{[]string{"-h"}, []string{"Commands"}, nil},
		{[]string{"serve", "--help"}, []string{"Usage: podcastgraph serve", "-addr", "-max-cost", "-admin-token-file", "$PODCAST_ADDR",
			"-feeds", "$PODCAST_FEEDS", "-refresh", "-fetch-allow-private", "$PODCAST_FETCH_ALLOW_PRIVATE", "-fetch-timeout", "-fetch-max-bytes",
			"-record-cache", "$PODCAST_RECORD_CACHE", "-search-cache", "$PODCAST_SEARCH_CACHE"},
			[]string{"-server", "-token-file"}},
		{[]string{"ingest", "--help"}, []string{"Usage: podcastgraph ingest", "-db", "-server", "-token", "-token-file", "-topics", "-batch", "$PODCAST_BATCH",
			"-fetch-allow-private", "-fetch-timeout", "-fetch-max-bytes"},
			[]string{"-addr", "-seeds", "-max-cost", "-admin-token", "-feeds", "-refresh"}},
		{[]string{"help", "ingest"}, []string{"Usage: podcastgraph ingest", "-batch"}, []string{"-addr"}},
		{[]string{"backup", "-h"}, []string{"Usage: podcastgraph backup", "-db", "-server", "-token-file"},
			[]string{"-addr", "-batch", "-topics"}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, _, err := runOut(t, nil, c.args...)
			if err != nil {
				t.Fatalf("err = %v, want nil (exit 0)", err)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("usage lacks %q:\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(out, "  "+n+" ") || strings.Contains(out, "  "+n+"\n") {
					t.Errorf("usage shows %q, not a flag of this command:\n%s", n, out)
				}
			}
		})
	}
}

// A command refuses another command's flags, naming the flag and itself.
func TestCommandRefusesOthersFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	cases := []struct {
		args      []string
		cmd, flag string
	}{
		{[]string{"ingest", "--addr", "x", "--db", db, "seeds"}, "ingest", "-addr"},
		{[]string{"ingest", "--seeds", "seeds", "--db", db, "seeds"}, "ingest", "-seeds"},
		{[]string{"backup", "--batch", "5", "--db", db, filepath.Join(t.TempDir(), "b.db")}, "backup", "-batch"},
		{[]string{"serve", "--server", "http://x", "--db", db}, "serve", "-server"},
		{[]string{"--token", "x", "--db", db}, "serve", "-token"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args[:2], " "), func(t *testing.T) {
			out, _, err := runOut(t, nil, c.args...)
			if err == nil {
				t.Fatalf("accepted:\n%s", out)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, c.cmd+": ") || !strings.Contains(msg, "not defined: "+c.flag) {
				t.Errorf("error %q does not name %s and %s", msg, c.cmd, c.flag)
			}
		})
	}
	if _, err := os.Stat(db); err == nil {
		t.Errorf("a refused command touched the store")
	}
}

// Each flag falls back to its environment variable, through the one
// helper every command declares its flags with: a flag given wins; a
// variable that does not parse is ignored with a warning and the default
// holds.
func TestFlagsFromEnvironment(t *testing.T) {
	dir := t.TempDir()
	envDB, flagDB := filepath.Join(dir, "env.db"), filepath.Join(dir, "flag.db")
	cases := []struct {
		name            string
		env             map[string]string
		args            []string
		wantErr         string // "" for success
		wantOut, stderr string
		exists, absent  string
	}{
		{name: "PODCAST_DB names the store", env: map[string]string{"PODCAST_DB": envDB},
			args: []string{"ingest", "seeds"}, wantOut: "2 documents: 2 added", exists: envDB},
		{name: "--db beats PODCAST_DB", env: map[string]string{"PODCAST_DB": envDB + "2"},
			args: []string{"ingest", "--db", flagDB, "seeds"}, exists: flagDB, absent: envDB + "2"},
		{name: "PODCAST_TOPICS is read", env: map[string]string{"PODCAST_TOPICS": filepath.Join(dir, "missing.json"), "PODCAST_DB": envDB},
			args: []string{"ingest", "seeds"}, wantErr: "missing.json"},
		{name: "an unparsable PODCAST_BATCH warns and the default holds", env: map[string]string{"PODCAST_BATCH": "junk", "PODCAST_DB": envDB},
			args: []string{"ingest", "seeds"}, wantOut: "2 unchanged", stderr: `warning: ignoring $PODCAST_BATCH="junk": want an integer of at least 1`},
		{name: "PODCAST_BATCH out of range warns", env: map[string]string{"PODCAST_BATCH": "0", "PODCAST_DB": envDB},
			args: []string{"ingest", "seeds"}, wantOut: "2 unchanged", stderr: `ignoring $PODCAST_BATCH="0"`},
		{name: "PODCAST_SERVER sends to a server", env: map[string]string{"PODCAST_SERVER": "http://127.0.0.1:1", "PODCAST_ADMIN_TOKEN": "t"},
			args: []string{"backup", filepath.Join(dir, "b.db")}, wantErr: "127.0.0.1:1"},
		{name: "backup reads PODCAST_DB", env: map[string]string{"PODCAST_DB": envDB},
			args: []string{"backup", filepath.Join(dir, "b2.db")}, wantOut: "from " + envDB, exists: filepath.Join(dir, "b2.db")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, err := runOut(t, c.env, c.args...)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("err = %v\n%s", err, out)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("err = %v, want one naming %q", err, c.wantErr)
			}
			if !strings.Contains(out, c.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", c.wantOut, out)
			}
			if !strings.Contains(errOut, c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, errOut)
			}
			if _, err := os.Stat(c.exists); c.exists != "" && err != nil {
				t.Errorf("%s: %v", c.exists, err)
			}
			if _, err := os.Stat(c.absent); c.absent != "" && err == nil {
				t.Errorf("%s was written", c.absent)
			}
		})
	}
}

// An ingest that writes most of the file compacts it (one line on
// stderr), and the compacted file holds every page; a run that adds a
// little to a file leaves it as the write path left it.
func TestIngestCompactsAfterBulkLoad(t *testing.T) {
	dir := t.TempDir()
	pages, more := filepath.Join(dir, "pages"), filepath.Join(dir, "more")
	for i, d := range map[int]string{0: pages, 1: more} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		for n := range []int{300, 1}[i] {
			name, data := pagegen.Page(n+300*i, pagegen.Options{Shows: 1, Seed: 1})
			if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	db := filepath.Join(dir, "podcast.db")
	out, errOut, err := runOut(t, nil, "ingest", "--db", db, pages)
	if err != nil || !strings.Contains(out, "300 added") {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	if !strings.Contains(errOut, "compacted "+db) {
		t.Errorf("a first ingest of 300 pages did not compact the file; stderr:\n%s", errOut)
	}
	_, errOut, err = runOut(t, nil, "ingest", "--db", db, more)
	if err != nil || strings.Contains(errOut, "compacted") {
		t.Errorf("one more page: %v; stderr:\n%s", err, errOut)
	}
	st, err := store.Open(context.Background(), db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.Verify(context.Background())
	if err != nil || r.Documents != 301 || r.Episodes != 301 {
		t.Errorf("after compaction: %+v, %v; want 301 documents and episodes", r, err)
	}
}

// compact shrinks a file the write path left part full, keeping every
// page; it refuses a file in use, and creates none that is missing.
func TestCompactCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "podcast.db")
	st, err := store.Open(ctx, db, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	vocab := ingest.DefaultVocabulary()
	var docs []*ingest.Document
	for n := range 200 {
		name, data := pagegen.Page(n, pagegen.Options{Shows: 1, Seed: 1})
		doc, err := ingest.Parse(name, data, vocab)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	for i := 0; i < len(docs); i += 50 {
		if _, err := st.Apply(ctx, docs[i:i+50], store.ApplyOptions{Fingerprint: vocab.Fingerprint()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := runOut(t, nil, "compact", "--db", db); err == nil || !strings.Contains(err.Error(), "stop the server") {
		t.Errorf("compact of a file in use: %v", err)
	}
	st.Close()
	before, _ := os.Stat(db)

	out, _, err := runOut(t, nil, "compact", "--db", db)
	if err != nil || !strings.Contains(out, "compacted "+db) {
		t.Fatalf("compact: %v\n%s", err, out)
	}
	after, _ := os.Stat(db)
	if after.Size() >= before.Size() {
		t.Errorf("file %d bytes before, %d after", before.Size(), after.Size())
	}
	st, err = store.Open(ctx, db, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := st.Verify(ctx)
	st.Close()
	if err != nil || r.Documents != 200 {
		t.Errorf("after compact: %+v, %v", r, err)
	}

	missing := filepath.Join(dir, "missing.db")
	if _, _, err := runOut(t, nil, "compact", "--db", missing); err == nil {
		t.Errorf("compact of a missing file succeeded")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("compact created %s", missing)
	}
}

// serve and ingest write a CPU profile of their whole run with
// --cpuprofile (what default.pgo is made from); a path that cannot be
// written stops the command before it touches the store, and commands
// that do no work of their own do not take the flag.
func TestCPUProfileFlag(t *testing.T) {
	dir := t.TempDir()
	db, prof := filepath.Join(dir, "p.db"), filepath.Join(dir, "ingest.pprof")
	if out, err := runCmd(t, "ingest", "--cpuprofile", prof, "--db", db, "seeds"); err != nil {
		t.Fatalf("ingest --cpuprofile: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(prof)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the profile is not gzipped protobuf, as pprof writes it: %v", err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"samples", "cpu", "nanoseconds"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("the profile has no %q sample type: not a CPU profile", want)
		}
	}

	// serve writes its profile when it stops.
	serveProf := filepath.Join(dir, "serve.pprof")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--cpuprofile", serveProf, "--db", filepath.Join(dir, "s.db"), "--seeds", "",
			"--addr", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard)
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve --cpuprofile: %v", err)
	}
	if raw, err := os.ReadFile(serveProf); err != nil || len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
		t.Errorf("serve's profile: %d bytes, %v; want a gzipped profile", len(raw), err)
	}

	db2 := filepath.Join(dir, "q.db")
	_, err = runCmd(t, "ingest", "--cpuprofile", filepath.Join(dir, "no", "such", "dir", "x.pprof"), "--db", db2, "seeds")
	if err == nil || !strings.Contains(err.Error(), "--cpuprofile") {
		t.Errorf("an unwritable --cpuprofile: err %v, want one naming the flag", err)
	}
	if _, err := os.Stat(db2); err == nil {
		t.Errorf("the command ran after its profile could not be written")
	}
	if _, err := runCmd(t, "backup", "--cpuprofile", prof, "--db", db, filepath.Join(dir, "b.db")); err == nil ||
		!strings.Contains(err.Error(), "not defined: -cpuprofile") {
		t.Errorf("backup took --cpuprofile: %v", err)
	}
}
