package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

const testFeed = `<?xml version="1.0"?>
<rss version="2.0"><channel><title>Feed Show</title>
<item><title>One</title><guid>1</guid></item>
<item><description>nothing names this item</description></item>
<item><title>Two</title><guid>2</guid></item>
</channel></rss>
`

// TestExpandFindsFeedsByContent: a directory walk lists pages by name and
// feeds by content, whatever their name; other files are left out.
func TestExpandFindsFeedsByContent(t *testing.T) {
	dir := t.TempDir()
	_, page := pagegen.Page(1, pagegen.Options{Shows: 1, Seed: 1})
	for name, data := range map[string][]byte{
		"a.txt":      page,
		"show.rss":   []byte(testFeed),
		"feed":       []byte("\uFEFF" + testFeed),
		"notes.xml":  []byte(`<?xml version="1.0"?><config><a/></config>`),
		"index.html": []byte("<!DOCTYPE html><html></html>"),
		"README.md":  []byte("# hi"),
		".hidden":    []byte(testFeed),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, skipped, err := Expand([]string{dir})
	if err != nil || len(skipped) != 0 {
		t.Fatal(err, skipped)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if want := []string{"a.txt", "feed", "show.rss"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Expand = %q; want %q", names, want)
	}
}

// TestFeedBesidePages: a feed ingested beside pages yields one result with
// its item counts; a bad item fails alone and the good ones are stored;
// ingesting again finds every item unchanged.
func TestFeedBesidePages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "p.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	name, page := pagegen.Page(1, pagegen.Options{Shows: 1, Seed: 1})
	for n, data := range map[string][]byte{name: page, "show.xml": []byte(testFeed)} {
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, _, err := Expand([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	ing := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: 1, Settle: -1}
	var out bytes.Buffer
	sum, err := ing.Files(ctx, files, &out)
	if err != nil {
		t.Fatal(err)
	}
	if sum != (Summary{Added: 3, Failed: 1}) {
		t.Errorf("summary %+v; want 3 added (a page, two items), 1 failed (an item)", sum)
	}
	want := "added     show.xml: feed, 3 items (2 added, 0 updated, 0 unchanged, 1 failed), 2 episodes, 0 guests, 0 topics, 0 warnings\n" +
		"  failed  show.xml:4: item has no guid, enclosure, link or title: nothing names it\n"
	if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "added     "+name+": ") {
		t.Errorf("output:\n%s\nwant the page's line and:\n%s", out.String(), want)
	}
	rep, err := st.Verify(ctx)
	if err != nil || rep.Documents != 3 {
		t.Fatalf("store after: %+v, %v", rep, err)
	}
	out.Reset()
	sum, err = ing.Files(ctx, files, &out)
	if err != nil || sum != (Summary{Unchanged: 3, Failed: 1, Unread: 1}) {
		t.Errorf("again: %+v, %v\n%s", sum, err, out.String())
	}
	if !strings.Contains(out.String(), "unchanged show.xml: feed, 3 items (0 added, 0 updated, 2 unchanged, 1 failed)") {
		t.Errorf("again:\n%s", out.String())
	}
}

// TestFeedUnreadable: a feed that cannot be read is one failed result
// naming the file and line, and stores nothing.
func TestFeedUnreadable(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "p.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ing := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: 8}
	res, err := ing.Apply(ctx, []Page{
		{Name: "cut.xml", Data: []byte("<rss><channel>\n<item><title>x</ti")},
		{Name: "html.xml", Data: []byte("<html></html>")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != "failed" || res[0].Items != nil || res[0].Error != "cut.xml:2: XML: unexpected EOF" {
		t.Errorf("cut short: %+v", res[0])
	}
	if res[1].Status != "failed" || !strings.Contains(res[1].Error, "html.xml:1: not a feed") {
		t.Errorf("html: %+v", res[1])
	}
	var sum Summary
	for _, r := range res {
		sum.Add(r)
	}
	if rep, err := st.Verify(ctx); err != nil || rep.Documents != 0 || sum.Failed != 2 {
		t.Errorf("store %+v, %v; summary %+v", rep, err, sum)
	}
}

// TestReadPageFeedLimit: a feed may be larger than a page.
func TestReadPageFeedLimit(t *testing.T) {
	dir := t.TempDir()
	big := "<rss><channel><title>t</title><item><guid>1</guid><title>x</title><description>" +
		strings.Repeat("word ", ingest.MaxPageSize/4) + "</description></item></channel></rss>"
	if err := os.WriteFile(filepath.Join(dir, "big.xml"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "big.txt"), []byte("DOP 1: x\n"+strings.Repeat("word ", ingest.MaxPageSize/4)), 0o644); err != nil {
		t.Fatal(err)
	}
	if p := ReadPage(filepath.Join(dir, "big.xml")); p.Err != nil || len(p.Data) != len(big) {
		t.Errorf("feed: %d of %d bytes, %v", len(p.Data), len(big), p.Err)
	}
	if p := ReadPage(filepath.Join(dir, "big.txt")); len(p.Data) != ingest.MaxPageSize+1 {
		t.Errorf("page: read %d bytes; want the limit and one", len(p.Data))
	}
	// A feed far over the feed limit (a sparse 1 GB file) is read only to
	// the limit and one byte, and fails naming the limit.
	huge := filepath.Join(dir, "huge.xml")
	if err := os.WriteFile(huge, []byte("<rss><channel>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, 1<<30); err != nil {
		t.Fatal(err)
	}
	p := ReadPage(huge)
	if p.Err != nil || len(p.Data) != ingest.MaxFeedSize+1 {
		t.Fatalf("1 GB feed: read %d bytes, %v", len(p.Data), p.Err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "p.db"), store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	res, err := (&Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: 8}).Apply(ctx, []Page{p})
	if err != nil || res[0].Status != "failed" || res[0].Error != "huge.xml: file is over the 67108864-byte feed limit" {
		t.Errorf("1 GB feed: %+v, %v", res, err)
	}
}

// A feed lists its newest items first, and a long one takes several
// writes: items that carry no number are still numbered in publication
// order, oldest 1, however the writes split them.
func TestLongUnnumberedFeedNumberedOldestFirst(t *testing.T) {
	ctx := context.Background()
	const n = 40
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Long Show</title>`)
	for i := n; i >= 1; i-- { // newest first, as feeds are
		fmt.Fprintf(&b, `<item><title>Item %d</title><guid>g-%d</guid><pubDate>%s</pubDate><description>Text %d.</description></item>`,
			i, i, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.RFC1123Z), i)
	}
	b.WriteString(`</channel></rss>`)
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "p.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ing := &Ingester{Store: st, Vocab: ingest.DefaultVocabulary(), Batch: 16}
	res, err := ing.Apply(ctx, []Page{{Name: "long.xml", Data: []byte(b.String())}})
	if err != nil || len(res) != 1 || res[0].Status == "failed" {
		t.Fatalf("Apply: %+v %v", res, err)
	}
	keys := make([]podcast.EpisodeKey, n)
	for i := range keys {
		keys[i] = podcast.EpisodeKey{Show: "long-show", Number: i + 1}
	}
	eps, err := st.EpisodesByKey(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range eps {
		if want := fmt.Sprintf("Item %d", i+1); e == nil || e.Title == nil || *e.Title != want {
			t.Fatalf("episode %d: %+v, want %q", i+1, e, want)
		}
	}
}
