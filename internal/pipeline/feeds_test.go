package pipeline

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/fetch"
	"podcastgraph/store"
)

func TestReadFeedList(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feeds.txt")
	os.WriteFile(path, []byte("# comment\n\nhttps://a.example/feed.xml\n  http://b.example/rss  \nftp://c.example/x\nhttps://a.example/feed.xml\nnot a url\n"), 0o644)
	urls, warnings, err := ReadFeedList(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"https://a.example/feed.xml", "http://b.example/rss"}; !reflect.DeepEqual(urls, want) {
		t.Errorf("urls %q, want %q", urls, want)
	}
	want := []string{path + `:5: skipped: ftp://c.example/x: scheme "ftp" is not fetched: only http and https`,
		path + ":6: skipped: the same URL as line 3",
		path + `:7: skipped: not a url: scheme "" is not fetched: only http and https`}
	if !reflect.DeepEqual(warnings, want) {
		t.Errorf("warnings\n%q, want\n%q", warnings, want)
	}
	if _, _, err := ReadFeedList(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a missing list: %v", err)
	}
}

// A failing feed is not asked again until its delay is out (a round at
// once after the failure skips it), the delay doubles with each failure
// up to a cap, and a feed dropped from the list is forgotten.
func TestFeedBackoff(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "p.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	list := filepath.Join(t.TempDir(), "feeds.txt")
	os.WriteFile(list, []byte(srv.URL+"/feed\n"), 0o644)
	fd := &Feeds{Ingester: &Ingester{Store: st, Vocab: ingest.DefaultVocabulary()}, Fetcher: fetch.New(fetch.Config{AllowPrivate: true}),
		File: list, Every: time.Hour, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for i := range 3 {
		sum, err := fd.Round(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := 0 // waiting out its backoff
		if i == 0 {
			want = 1
		}
		if sum.Failed != want || sum.Total() != want {
			t.Fatalf("round %d: %+v", i, sum)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("%d requests in 3 rounds an hour apart at most, want 1 (the others wait out the backoff)", n)
	}
	if f := fd.failing[srv.URL+"/feed"]; f == nil || f.n != 1 {
		t.Fatalf("failures: %+v", f)
	}
	var got []time.Duration
	for n := 1; n <= 8; n++ {
		got = append(got, fd.backoff(n))
	}
	want := []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("backoff %v, want %v", got, want)
	}
	os.WriteFile(list, nil, 0o644)
	if _, err := fd.Round(ctx, nil); err != nil || len(fd.failing) != 0 {
		t.Fatalf("after the feed left the list: %v, %v", err, fd.failing)
	}
}
