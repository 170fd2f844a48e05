package ingest_test

import (
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
			feed, err := ingest.ParseFeed(name, data, vocab)
			checkGolden(t, strings.TrimSuffix(path, ".xml")+".golden.json", feed, err)
		})
	}
}
