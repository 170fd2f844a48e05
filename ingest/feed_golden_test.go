package ingest_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"podcastgraph/ingest"
)

// testFeeds returns the paths of testdata/*.xml.
func testFeeds(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.xml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no test feeds in testdata: %v", err)
	}
	return paths
}

// TestFeedGolden parses every testdata/NAME.xml and compares the Feed (or
// the error) with testdata/NAME.golden.json; -update rewrites the goldens.
func TestFeedGolden(t *testing.T) {
	vocab := ingest.DefaultVocabulary()
	for _, path := range testFeeds(t) {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".xml"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !ingest.IsFeed(data) {
				t.Errorf("IsFeed is false for %s", name)
			}
			var got any
			feed, err := ingest.ParseFeed(name, data, vocab)
			if err != nil {
				got = map[string]string{"error": err.Error()}
			} else {
				got = feed
			}
			out, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, '\n')
			golden := strings.TrimSuffix(path, ".xml") + ".golden.json"
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
		})
	}
}
