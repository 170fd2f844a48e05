package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// copyFeeds copies feeds of ingest/testdata into a new directory, with
// one seed page beside them, and returns it.
func copyFeeds(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join("ingest", "testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	page, err := os.ReadFile("seeds/000_3500f07eabefc183.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "000_3500f07eabefc183.txt"), page, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestFeedsThroughTheServer: feeds (the two public ones and made-up ones)
// beside a page in the seeds directory are ingested at start-up by
// content, parsed and stored, and answer through the API: shows with
// their facts, items numbered in publication order, guests from tags
// (hosts not among them), one person across two shows on a shared link,
// guests from untagged text, titles and author lists.
func TestFeedsThroughTheServer(t *testing.T) {
	dir := copyFeeds(t, "podcasting20.xml", "podcast-namespace-example.xml", "feed_show_a.xml", "feed_show_b.xml",
		"feed_untagged.xml", "feed_latin1.xml")
	db := filepath.Join(t.TempDir(), "podcast.db")
	srv := startServerOn(t, db, "--seeds", dir, "--admin-token", testAdminToken)

	var shows struct {
		Shows struct {
			Nodes []struct {
				Slug, Title   string
				GUID, FeedURL *string
				EpisodeCount  int
			}
		}
	}
	srv.query(t, `{ shows(first: 50) { nodes { slug title guid feedUrl episodeCount } } }`, nil).must(t, &shows)
	got := map[string]int{}
	for _, s := range shows.Shows.Nodes {
		got[s.Slug] = s.EpisodeCount
		if s.Slug == "podcasting-2-0" && (s.GUID == nil || *s.GUID != "917393e3-1b1e-5cef-ace4-edaa54e1f810" || s.FeedURL != nil) {
			t.Errorf("podcasting-2-0: the podcast:guid it states, and no feed URL (it has no atom:link rel=self): %+v", s)
		}
		if s.Slug == "podcasting-2-0-namespace-example" && (s.GUID == nil || *s.GUID != "y0ur-gu1d-g035-h3r3") {
			t.Errorf("namespace example: %+v", s)
		}
	}
	want := map[string]int{"podcasting-2-0": 56, "podcasting-2-0-namespace-example": 3, "data-over-coffee": 1, "the-queue": 1,
		"ship-it-weekly": 5, "les-voix-de-lhistoire": 1}
	for slug, n := range want {
		if got[slug] != n {
			t.Errorf("show %s: %d episodes; want %d (all: %v)", slug, got[slug], n, got)
		}
	}
	if got["devops-paradox"] < 10 {
		t.Errorf("the page's show: %v", got)
	}

	// Items without numbers are numbered in publication order.
	var ep struct {
		First, Last struct {
			Title       string
			GUID        string
			PublishedAt string
		}
	}
	srv.query(t, `{ first: episode(number: 1, show: "podcasting-2-0") { title guid publishedAt }
		last: episode(number: 56, show: "podcasting-2-0") { title guid publishedAt } }`, nil).must(t, &ep)
	if ep.First.Title != "Episode 2: We Have Liftoff!" || ep.Last.Title != "Episode 57: Rebel Rubes" || ep.First.PublishedAt >= ep.Last.PublishedAt {
		t.Errorf("numbered in publication order: first %+v, last %+v", ep.First, ep.Last)
	}

	type guest struct {
		Slug, Name   string
		EpisodeCount int
	}
	guestsOf := func(show string) []string {
		var g struct{ Guests struct{ Nodes []guest } }
		srv.query(t, `query($s: String) { guests(first: 100, filter: {show: $s}) { nodes { slug name episodeCount } } }`,
			map[string]any{"s": show}).must(t, &g)
		var names []string
		for _, n := range g.Guests.Nodes {
			names = append(names, n.Name)
		}
		sort.Strings(names)
		return names
	}
	if g := strings.Join(guestsOf("podcasting-2-0"), "|"); g != `Brian of London|Graham Krizek|Hass McCook|Nikolai "OKIN" Tjongarero` {
		t.Errorf("podcasting-2-0 guests: %s", g)
	}
	if g := strings.Join(guestsOf("ship-it-weekly"), "|"); g != "Carlos Mendes|Kenji Watanabe|Priya Raman" {
		t.Errorf("ship-it-weekly guests (untagged): %s", g)
	}
	if g := strings.Join(guestsOf("les-voix-de-lhistoire"), "|"); g != "" {
		t.Errorf("a history show's people talked about became guests: %s", g)
	}
	// Jane Doe is tagged in two shows with the same link: one person.
	var jane struct {
		Guest *struct {
			EpisodeCount int
			Episodes     struct {
				Nodes []struct{ Show struct{ Slug string } }
			}
			Appearances []struct{ Via string }
		}
	}
	srv.query(t, `{ guest(slug: "jane-doe") { episodeCount episodes { nodes { show { slug } } } } }`, nil).must(t, &jane)
	if jane.Guest == nil || jane.Guest.EpisodeCount != 2 {
		t.Fatalf("jane-doe: %+v", jane.Guest)
	}

	// A feed through POST /admin/ingest: one answer with its item counts.
	data, err := os.ReadFile(filepath.Join("ingest", "testdata", "feed_tagged.xml"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"documents": []map[string]string{
		{"name": "feed_tagged.xml", "data": base64.StdEncoding.EncodeToString(data)},
		{"name": "broken.xml", "data": base64.StdEncoding.EncodeToString([]byte("<rss><channel>\n<item>"))},
	}})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/ingest", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Results []struct {
			Name, Status, Error string
			Items               *struct{ Added, Failed int }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || len(res.Results) != 2 {
		t.Fatalf("admin ingest: %v %+v", err, res)
	}
	if r := res.Results[0]; r.Status != "added" || r.Items == nil || r.Items.Added != 2 {
		t.Errorf("feed_tagged.xml: %+v", r)
	}
	if r := res.Results[1]; r.Status != "failed" || !strings.Contains(r.Error, "broken.xml:2: XML: unexpected EOF") {
		t.Errorf("broken.xml: %+v", r)
	}
	if g := strings.Join(guestsOf("garden-talk"), "|"); g != "Wormy|Zoë Ångström|王小明" {
		t.Errorf("garden-talk guests: %s", g)
	}
}

// TestIngestCommandFeeds: `ingest` prints one line per feed with its item
// counts, fails (exit 1) when an item or a feed failed, after storing
// every good item, and finds every item unchanged the second time.
func TestIngestCommandFeeds(t *testing.T) {
	dir := copyFeeds(t, "feed_malformed.xml", "feed_broken.xml", "feed_atom.xml")
	db := filepath.Join(t.TempDir(), "podcast.db")
	out, err := runCmd(t, "ingest", "--db", db, dir)
	if err == nil {
		t.Fatalf("ingest succeeded with a broken feed and a bad item:\n%s", out)
	}
	for _, line := range []string{
		"added     feed_atom.xml: feed, 1 items (1 added, 0 updated, 0 unchanged, 0 failed), 1 episodes, 1 guests, 0 topics, 0 warnings\n",
		"failed    feed_broken.xml:7: XML: unexpected EOF\n",
		"added     feed_malformed.xml: feed, 5 items (4 added, 0 updated, 0 unchanged, 1 failed)",
		"  failed  feed_malformed.xml:37: item has no guid, enclosure, link or title: nothing names it\n",
		"  warning feed_malformed.xml: feed_malformed.xml#m-1: line 11: stray \"&\" escaped\n",
		"8 documents: 6 added, 0 updated, 0 unchanged, 2 failed\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	out, _ = runCmd(t, "ingest", "--db", db, dir)
	if !strings.Contains(out, "8 documents: 0 added, 0 updated, 6 unchanged, 2 failed") {
		t.Errorf("second ingest:\n%s", out)
	}
}

// TestWatchFeeds: with --watch, a feed written into the seeds directory
// under any name is ingested once it settles; an XML file that is no
// feed is left alone.
func TestWatchFeeds(t *testing.T) {
	dir := copyFeeds(t)
	s := startServerOn(t, filepath.Join(t.TempDir(), "w.db"), "--seeds", dir, "--watch")
	data, err := os.ReadFile(filepath.Join("ingest", "testdata", "feed_show_a.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "coffee.rss"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.xml"), []byte(`<?xml version="1.0"?><notes/>`), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var d struct{ Show *struct{ EpisodeCount int } }
		s.query(t, `{ show(slug: "data-over-coffee") { episodeCount } }`, nil).must(t, &d)
		if d.Show != nil && d.Show.EpisodeCount == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("watched feed not ingested:\n%s", s.logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // notes.xml has settled too
	logs := s.logs.String()
	if !strings.Contains(logs, "watch: feed added") || strings.Contains(logs, "notes.xml") {
		t.Errorf("watch logs:\n%s", logs)
	}
}

// TestIngestServerFeeds: `ingest --server` sends feeds as it sends pages
// and prints the server's feed lines.
func TestIngestServerFeeds(t *testing.T) {
	dir := copyFeeds(t, "feed_malformed.xml", "feed_atom.xml")
	s := startServer(t, "--admin-token", testAdminToken)
	out, err := runCmd(t, "ingest", "--server", s.URL, "--token", testAdminToken, dir)
	if err == nil || !strings.Contains(out, "added     feed_atom.xml: feed, 1 items (1 added") ||
		!strings.Contains(out, "added     feed_malformed.xml: feed, 5 items (4 added, 0 updated, 0 unchanged, 1 failed)") ||
		!strings.Contains(out, "7 documents: 5 added, 0 updated, 1 unchanged, 1 failed") {
		t.Errorf("ingest --server: %v\n%s", err, out)
	}
}
