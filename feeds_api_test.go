package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/store"
)

// feedItem builds the Document a feed parser makes of one item.
func feedItem(show ingest.ShowFacts, guid string, number int, published string, guests ...ingest.GuestFacts) *ingest.Document {
	at, err := time.Parse(time.RFC3339, published)
	if err != nil {
		panic(err)
	}
	return &ingest.Document{
		Kind: ingest.KindFeedItem, Name: show.FeedURL + "#" + guid, SHA256: "sha-" + guid,
		Show: show,
		Episode: ingest.EpisodeFacts{Number: number, Own: true, GUID: guid, Title: "Item " + guid, PublishedAt: &at,
			Description: "About " + guid + ".", Summary: "About " + guid + "."},
		Guests: guests,
	}
}

// Two shows from feeds beside the seed pages' show, in one file, through
// the real server: each show's episodes, guests, counts and facts, the
// lookups across shows, and pages' episodes unchanged.
func TestFeedShowsThroughTheAPI(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "podcast.db")
	// The seed pages first, as a server's start-up ingests them.
	if err := startServerOn(t, db, "--seeds", "seeds").stop(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	history := ingest.ShowFacts{Slug: "history-hour", Title: "History Hour", GUID: "9b024349-ccf0-5f69-a609-6b82873eab3c",
		FeedURL: "https://feeds.example.com/history.xml", Author: "Jo Host", Language: "en-gb",
		Description: "Stories from the past.", Image: "https://img.example.com/hh.jpg", Categories: []string{"History"}}
	// A feed of a show titled as the seed pages' show, which is another.
	paradox := ingest.ShowFacts{Slug: "devops-paradox", Title: "DevOps Paradox", GUID: "another-show",
		FeedURL: "https://feeds.example.com/paradox.xml"}
	yes := true
	jane := ingest.GuestFacts{Slug: "jane-doe", Name: "Jane Doe", Role: "Historian", Evidence: "Jane Doe", Via: ingest.ViaTag,
		Image: "https://img.example.com/jane.jpg"}
	rome := feedItem(history, "rome", 0, "2025-02-01T10:00:00+01:00", jane)
	rome.Episode.Season, rome.Episode.EpisodeType, rome.Episode.Duration, rome.Episode.Explicit = 1, "full", 3600, &yes
	rome.Episode.Audio = &ingest.Enclosure{URL: "https://cdn.example.com/rome.mp3", Type: "audio/mpeg", Length: 5000}
	rome.Episode.Transcripts = []ingest.Transcript{{URL: "https://example.com/rome.vtt", Type: "text/vtt", Language: "en"}}
	rome.Episode.Categories = []string{"Ancient", "Rome"}
	rome.Episode.Chapters = "https://example.com/rome.json"
	if _, err := st.Apply(ctx, []*ingest.Document{
		rome, // newest first, as feeds list them
		feedItem(history, "greece", 0, "2025-01-01T10:00:00Z"),
		feedItem(paradox, "p316", 316, "2025-01-01T10:00:00Z", ingest.GuestFacts{Slug: "sam-lee", Name: "Sam Lee", Evidence: "Sam Lee", Via: ingest.ViaTitle}),
	}, store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	srv := startServerOn(t, db, "--seeds", "seeds")

	var shows struct {
		Shows struct {
			Nodes []struct {
				Slug, Title                 string
				GUID, FeedURL, Author, Code *string
				Categories                  []string
				EpisodeCount                int
			}
		}
	}
	srv.query(t, `{ shows { nodes { slug title guid feedUrl author code categories episodeCount } } }`, nil).must(t, &shows)
	got := map[string]int{}
	for _, s := range shows.Shows.Nodes {
		got[s.Slug] = s.EpisodeCount
		switch s.Slug {
		case "history-hour":
			if s.GUID == nil || *s.GUID != history.GUID || *s.FeedURL != history.FeedURL || *s.Author != "Jo Host" ||
				strings.Join(s.Categories, ",") != "History" || s.Code != nil {
				t.Errorf("history-hour: %+v", s)
			}
		case "devops-paradox":
			if s.GUID != nil || s.FeedURL != nil || s.Author != nil || len(s.Categories) != 0 || s.Code == nil || *s.Code != "DOP" {
				t.Errorf("the pages' show has feed facts: %+v", s)
			}
		}
	}
	if len(got) != 3 || got["history-hour"] != 2 || got["devops-paradox-2"] != 1 || got["devops-paradox"] < 10 {
		t.Fatalf("shows and their episode counts: %v", got)
	}

	var eps struct {
		Episodes struct {
			TotalCount int
			Nodes      []json.RawMessage
		}
		Guests struct {
			TotalCount int
			Nodes      []struct{ Slug, Name, Image string }
		}
	}
	srv.query(t, `{
		episodes(filter: {show: "history-hour"}, orderBy: {field: NUMBER, direction: ASC}) { totalCount nodes {
			number code guid feedNumber publishedAt season episodeType duration explicit image chapters
			audio { url type length } transcripts { url type language rel } categories(first: 1)
			appearances { via guest { slug } } } }
		guests(filter: {show: "history-hour"}) { totalCount nodes { slug name image } }
	}`, nil).must(t, &eps)
	if eps.Episodes.TotalCount != 2 || len(eps.Episodes.Nodes) != 2 {
		t.Fatalf("history-hour episodes: %+v", eps.Episodes)
	}
	wantRome := `{"number":2,"code":"HH 2","guid":"rome","feedNumber":null,"publishedAt":"2025-02-01T09:00:00Z","season":1,` +
		`"episodeType":"full","duration":3600,"explicit":true,"image":null,"chapters":"https://example.com/rome.json",` +
		`"audio":{"url":"https://cdn.example.com/rome.mp3","type":"audio/mpeg","length":5000},` +
		`"transcripts":[{"url":"https://example.com/rome.vtt","type":"text/vtt","language":"en","rel":null}],` +
		`"categories":["Ancient"],"appearances":[{"via":"TAG","guest":{"slug":"jane-doe"}}]}`
	if string(eps.Episodes.Nodes[1]) != wantRome {
		t.Errorf("the second episode (published last):\n got %s\nwant %s", eps.Episodes.Nodes[1], wantRome)
	}
	if !strings.Contains(string(eps.Episodes.Nodes[0]), `"number":1,"code":"HH 1","guid":"greece"`) {
		t.Errorf("the first episode (published first): %s", eps.Episodes.Nodes[0])
	}
	if eps.Guests.TotalCount != 1 || eps.Guests.Nodes[0].Slug != "jane-doe" || eps.Guests.Nodes[0].Image != jane.Image {
		t.Errorf("history-hour guests: %+v", eps.Guests)
	}

	// A later version of the feed drops greece and adds carthage: greece
	// stays, carthage is numbered next.
	if err := srv.stop(); err != nil {
		t.Fatal(err)
	}
	if st, err = store.Open(ctx, db, store.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Apply(ctx, []*ingest.Document{feedItem(history, "carthage", 0, "2025-03-01T10:00:00Z"), rome},
		store.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	srv = startServerOn(t, db, "--seeds", "seeds")
	var later struct {
		Show struct {
			EpisodeCount int
			Episodes     struct {
				Nodes []struct {
					Number int
					GUID   string
				}
			}
		}
	}
	srv.query(t, `{ show(slug: "history-hour") { episodeCount episodes { nodes { number guid } } } }`, nil).must(t, &later)
	if fmt.Sprint(later.Show.Episodes.Nodes) != "[{3 carthage} {2 rome} {1 greece}]" || later.Show.EpisodeCount != 3 {
		t.Errorf("history-hour after a later feed: %+v", later.Show)
	}

	// Episode 316: the pages' and the other feed's. Without show: an error
	// naming the argument; with it, each show's.
	r := srv.query(t, `{ episode(number: 316) { code } }`, nil)
	if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, `"show"`) ||
		!strings.Contains(r.Errors[0].Message, "devops-paradox, devops-paradox-2") {
		t.Errorf("episode 316 without show: %s %+v", r.code(), r.Errors)
	}
	var one struct {
		Page, Feed, Alone *struct {
			Code        string
			GUID        *string
			PublishedAt *string
			Audio       *struct{ URL string }
			Transcripts []any
			Categories  []string
			Appearances []struct{ Via string }
			Show        struct{ Slug string }
		}
	}
	const fields = `{ code guid publishedAt audio { url } transcripts { url } categories appearances { via } show { slug } }`
	srv.query(t, `{ page: episode(number: 316, show: "devops-paradox") `+fields+`
		feed: episode(number: 316, show: "devops-paradox-2") `+fields+`
		alone: episode(number: 1) `+fields+` }`, nil).must(t, &one)
	if p := one.Page; p == nil || p.Code != "DOP 316" || p.GUID != nil || p.PublishedAt != nil || p.Audio != nil ||
		len(p.Transcripts) != 0 || len(p.Categories) != 0 || len(p.Appearances) == 0 || p.Appearances[0].Via != "TEXT" {
		t.Errorf("the page's episode: %+v", p)
	}
	if f := one.Feed; f == nil || f.Code != "DP 316" || f.GUID == nil || *f.GUID != "p316" || len(f.Appearances) != 1 || f.Appearances[0].Via != "TITLE" {
		t.Errorf("the feed's episode 316: %+v", f)
	}
	if a := one.Alone; a == nil || a.Show.Slug != "history-hour" || a.Code != "HH 1" {
		t.Errorf("episode 1 without show (only history-hour has one): %+v", a)
	}
}
