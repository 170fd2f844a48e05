package ingest_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"podcastgraph/ingest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the parser's output")

// testPages returns the paths of testdata/*.txt.
func testPages(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test pages in testdata: %v", err)
	}
	return paths
}

// TestGolden parses every testdata/NAME.txt and compares the Document (or
// the error) with testdata/NAME.golden.json; -update rewrites the goldens.
func TestGolden(t *testing.T) {
	vocab := ingest.DefaultVocabulary()
	for _, path := range testPages(t) {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := ingest.Parse(name, data, vocab)
			checkGolden(t, strings.TrimSuffix(path, ".txt")+".golden.json", doc, err)
		})
	}
}

// checkGolden compares v (or err, when not nil) as indented JSON with the
// golden file; -update rewrites the file instead.
func checkGolden(t *testing.T, golden string, v any, err error) {
	t.Helper()
	if err != nil {
		v = map[string]string{"error": err.Error()}
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./ingest -update to create it)", err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("%s differs from the parser's output (go test ./ingest -update rewrites it; review with git diff)\n%s", golden, firstDiff(string(want), string(out)))
	}
}

// firstDiff describes the first differing line of two texts.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\nwant " + wl + "\n got " + gl
		}
	}
	return ""
}
