package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// feedShow is a feed's channel, named by its podcast:guid.
func feedShow(slug, title, guid string) ingest.ShowFacts {
	return ingest.ShowFacts{Slug: slug, Title: title, GUID: guid, FeedURL: "https://feeds.example.com/" + slug + ".xml"}
}

// item builds the Document of one feed item: number 0 when the feed
// numbers nothing, day "" when it has no pubDate.
func item(show ingest.ShowFacts, guid string, number int, day string, guests ...ingest.GuestFacts) *ingest.Document {
	d := &ingest.Document{
		Kind: ingest.KindFeedItem, Name: show.FeedURL + "#" + guid, SHA256: fmt.Sprintf("sha-%s-%s-%d", show.Slug, guid, number),
		Show: show,
		Episode: ingest.EpisodeFacts{Number: number, Own: true, GUID: guid, Title: "Item " + guid,
			Description: "About " + guid + ".", Summary: "About " + guid + "."},
		Guests: guests,
	}
	if day != "" {
		at, err := time.Parse(time.DateOnly, day)
		if err != nil {
			panic(err)
		}
		d.Episode.PublishedAt = &at
		d.Episode.ReleaseDate = date(day)
	}
	return d
}

// numbers returns the title of each episode of the show, by number.
func numbers(t *testing.T, st *store.Store, show string) map[int]string {
	t.Helper()
	p := query(t, st, store.EpisodeQuery{Show: show, Window: store.Window{First: 100, Last: -1}})
	out := map[int]string{}
	for _, e := range p.Episodes {
		out[e.Number] = ""
		if e.Title != nil {
			out[e.Number] = *e.Title
		}
	}
	return out
}

func wantNumbers(t *testing.T, st *store.Store, show string, want map[int]string) {
	t.Helper()
	got := numbers(t, st, show)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("episodes of %s:\n got %v\nwant %v", show, got, want)
	}
}

// A feed that numbers nothing is numbered in publication order as its
// items are first seen; the numbers stay across re-ingests, new items
// and items dropped from the feed.
func TestFeedItemsNumberedInPublicationOrder(t *testing.T) {
	st := open(t)
	show := feedShow("history-hour", "History Hour", "guid-history")
	// Newest first, as feeds list them; one item has no date.
	apply(t, st,
		item(show, "c", 0, "2025-03-01"),
		item(show, "undated", 0, ""),
		item(show, "a", 0, "2025-01-01"),
		item(show, "b", 0, "2025-02-01"),
	)
	first := map[int]string{1: "Item a", 2: "Item b", 3: "Item c", 4: "Item undated"}
	wantNumbers(t, st, "history-hour", first)

	// Ingested again, in another order: nothing moves.
	res := apply(t, st, item(show, "b", 0, "2025-02-01"), item(show, "a", 0, "2025-01-01"))
	for _, r := range res {
		if r.Status != store.Unchanged {
			t.Fatalf("%s: %s, want unchanged", r.Name, r.Status)
		}
	}
	// A new item and an older one the feed had left out get the next
	// numbers; an item dropped from the feed (c) stays.
	apply(t, st, item(show, "d", 0, "2025-04-01"), item(show, "old", 0, "2024-12-01"), item(show, "a", 0, "2025-01-01"))
	first[5], first[6] = "Item old", "Item d"
	wantNumbers(t, st, "history-hour", first)

	// Reopened, the store goes on from where it was.
	path := st.Path()
	st.Close()
	st2, err := store.Open(context.Background(), path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	apply(t, st2, item(show, "e", 0, "2025-05-01"))
	first[7] = "Item e"
	wantNumbers(t, st2, "history-hour", first)
	if _, err := st2.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Numbers a feed gives are kept when free; an item whose number another
// episode of its show holds (a season starting again at 1) gets the next
// free number, and an unnumbered trailer does not push the others along.
func TestFeedItemsKeepTheirNumbersWhenFree(t *testing.T) {
	st := open(t)
	show := feedShow("seasons", "Seasons", "guid-seasons")
	trailer := item(show, "trailer", 0, "2024-12-01")
	s2e1 := item(show, "s2e1", 1, "2025-06-01")
	s2e1.Episode.Season = 2
	apply(t, st, s2e1, item(show, "s1e2", 2, "2025-02-01"), item(show, "s1e1", 1, "2025-01-01"), trailer)
	wantNumbers(t, st, "seasons", map[int]string{1: "Item s1e1", 2: "Item s1e2", 3: "Item trailer", 4: "Item s2e1"})

	// A later item stating a number already held is given the next one.
	dup := item(show, "s2e2", 2, "2025-07-01")
	apply(t, st, dup)
	wantNumbers(t, st, "seasons", map[int]string{1: "Item s1e1", 2: "Item s1e2", 3: "Item trailer", 4: "Item s2e1", 5: "Item s2e2"})
	// Episode codes of a feed without a code come from its slug.
	es, err := st.EpisodesByKey(context.Background(), []podcast.EpisodeKey{{Show: "seasons", Number: 5}})
	if err != nil || es[0] == nil {
		t.Fatal(es, err)
	}
	if es[0].Code != "SEA 5" {
		t.Errorf("code %q, want SEA 5", es[0].Code)
	}
}

// Two shows whose titles slugify alike are two shows with two slugs,
// kept across restarts; a page's show keeps its slug, and a feed does not
// take it.
func TestShowsWithTheSameSlug(t *testing.T) {
	st := open(t)
	apply(t, st, corpus()...) // pages of devops-paradox
	one := feedShow("devops-paradox", "DevOps Paradox", "guid-one")
	two := feedShow("devops-paradox", "DevOps Paradox", "guid-two")
	noGUID := ingest.ShowFacts{Slug: "devops-paradox", Title: "DevOps Paradox", FeedURL: "https://elsewhere.example.com/feed"}
	apply(t, st, item(one, "x", 1, "2025-01-01"), item(two, "y", 1, "2025-01-01"))
	apply(t, st, item(noGUID, "z", 0, "2025-01-01"))
	// Again, in the other order, and with a changed item: same slugs.
	changed := item(one, "x", 1, "2025-01-01")
	changed.SHA256 += "-changed"
	apply(t, st, item(two, "y2", 2, "2025-01-02"), changed, page("c.txt", 340, "2025-11-01", nil, nil))

	page, err := st.Shows(context.Background(), store.Window{First: 10, Last: -1})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(page.Slugs, " "); got != "devops-paradox devops-paradox-2 devops-paradox-3 devops-paradox-4" {
		t.Fatalf("shows %s", got)
	}
	wantNumbers(t, st, "devops-paradox-2", map[int]string{1: "Item x"})
	wantNumbers(t, st, "devops-paradox-3", map[int]string{1: "Item y", 2: "Item y2"})
	wantNumbers(t, st, "devops-paradox-4", map[int]string{1: "Item z"})
	if got := numbers(t, st, "devops-paradox"); len(got) != 6 || got[340] != "Episode 340" {
		t.Fatalf("pages' show: %v", got)
	}
	if _, err := st.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A feed seen in the same write as pages of the slug it states does not
// take the pages' slug.
func TestPagesKeepTheirSlugInAMixedWrite(t *testing.T) {
	st := open(t)
	feed := feedShow("devops-paradox", "DevOps Paradox", "guid-feed")
	apply(t, st, item(feed, "x", 0, "2025-01-01"), corpus()[0])
	wantNumbers(t, st, "devops-paradox-2", map[int]string{1: "Item x"})
	if got := numbers(t, st, "devops-paradox"); got[316] != "Episode 316" {
		t.Fatalf("pages' show: %v", got)
	}
}

// Every fact a feed states is kept, merged into its show, episode and
// guest, and survives a reopen.
func TestFeedFactsKept(t *testing.T) {
	st := open(t)
	show := feedShow("history-hour", "History Hour", "guid-history")
	show.Author, show.Description, show.Image, show.Language = "Jo Host", "A history show.", "https://img.example.com/show.jpg", "en-gb"
	show.Categories = []string{"History", "Society & Culture > Documentary"}
	show.Locked = true
	yes := true
	jane := ingest.GuestFacts{Slug: "jane-doe", Name: "Jane Doe", Evidence: "Jane Doe", Via: ingest.ViaTag, Image: "https://img.example.com/jane.jpg"}
	d := item(show, "g1", 7, "2025-01-01", jane)
	at := time.Date(2025, 1, 1, 9, 30, 0, 0, time.FixedZone("", 3600))
	e := &d.Episode
	e.PublishedAt, e.Season, e.EpisodeType, e.Duration, e.Explicit = &at, 2, "full", 3723, &yes
	e.Image, e.Chapters, e.Categories = "https://img.example.com/ep.jpg", "https://example.com/ch.json", []string{"Rome"}
	e.Audio = &ingest.Enclosure{URL: "https://cdn.example.com/ep.mp3", Type: "audio/mpeg", Length: 12345}
	e.Transcripts = []ingest.Transcript{{URL: "https://example.com/t.vtt", Type: "text/vtt", Language: "en", Rel: "captions"}}
	apply(t, st, d)

	check := func(st *store.Store) {
		t.Helper()
		ctx := context.Background()
		shows, err := st.ShowsBySlug(ctx, []string{"history-hour"})
		if err != nil || shows[0] == nil {
			t.Fatal(shows, err)
		}
		wantShow := podcast.ShowFeed{GUID: "guid-history", FeedURL: show.FeedURL, Author: "Jo Host", Description: "A history show.",
			Image: show.Image, Language: "en-gb", Categories: show.Categories, Locked: true}
		if fmt.Sprint(shows[0].ShowFeed) != fmt.Sprint(wantShow) {
			t.Errorf("show feed facts %+v, want %+v", shows[0].ShowFeed, wantShow)
		}
		eps, err := st.EpisodesByKey(ctx, []podcast.EpisodeKey{{Show: "history-hour", Number: 7}})
		if err != nil || eps[0] == nil {
			t.Fatal(eps, err)
		}
		f := eps[0].EpisodeFeed
		if f.GUID != "g1" || f.FeedNumber != 7 || f.PublishedAt == nil || !f.PublishedAt.Equal(at) || f.PublishedAt.Location() != time.UTC ||
			f.Season != 2 || f.EpisodeType != "full" || f.Duration != 3723 || f.Explicit == nil || !*f.Explicit ||
			f.Image != e.Image || f.Chapters != e.Chapters || fmt.Sprint(f.Categories) != "[Rome]" ||
			f.Audio == nil || *f.Audio != (podcast.Enclosure{URL: e.Audio.URL, Type: "audio/mpeg", Length: 12345}) ||
			len(f.Transcripts) != 1 || f.Transcripts[0] != (podcast.Transcript{URL: "https://example.com/t.vtt", Type: "text/vtt", Language: "en", Rel: "captions"}) {
			t.Errorf("episode feed facts %+v", f)
		}
		if len(eps[0].Appearances) != 1 || eps[0].Appearances[0].Via != podcast.ViaTag {
			t.Errorf("appearances %+v", eps[0].Appearances)
		}
		if eps[0].Code != "HH 7" {
			t.Errorf("code %q", eps[0].Code)
		}
		heads, err := st.EpisodeHeadsByKey(ctx, []podcast.EpisodeKey{{Show: "history-hour", Number: 7}})
		if err != nil || heads[0] == nil || heads[0].GUID != "g1" || heads[0].Appearances[0].Via != podcast.ViaTag {
			t.Errorf("head %+v %v", heads[0], err)
		}
		gs, err := st.GuestsBySlug(ctx, []string{"jane-doe"})
		if err != nil || gs[0] == nil || gs[0].Image != jane.Image {
			t.Errorf("guest %+v %v", gs[0], err)
		}
	}
	check(st)
	path := st.Path()
	st.Close()
	st2, err := store.Open(context.Background(), path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	check(st2)
	if _, err := st2.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// guestsOf returns the slugs of the guests of a show's episodes, sorted.
func guestsOf(t *testing.T, st *store.Store, show string) string {
	t.Helper()
	p, err := st.Guests(context.Background(), store.GuestQuery{Show: show, Window: store.Window{First: 100, Last: -1}})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(p.Slugs, " ")
}

// Guests of different shows are one person only on evidence: the same
// organization or a link in common, never a name alone; within a show,
// one name is one guest as it always was.
func TestGuestsAcrossShows(t *testing.T) {
	st := open(t)
	a, b, c, d := feedShow("alpha", "Alpha", "ga"), feedShow("beta", "Beta", "gb"), feedShow("gamma", "Gamma", "gc"), feedShow("delta", "Delta", "gd")
	jane := func(org, link string) ingest.GuestFacts {
		g := guest("Jane Doe", "", org)
		if link != "" {
			g.Links = []podcast.Link{{Kind: podcast.LinkLinkedIn, URL: link}}
		}
		return g
	}
	apply(t, st,
		item(a, "a1", 1, "2025-01-01", jane("Acme", "https://www.linkedin.com/in/janedoe/")),
		item(a, "a2", 2, "2025-01-02", jane("Other Corp", "")), // same show: the same guest
	)
	apply(t, st,
		item(b, "b1", 1, "2025-01-01", jane("", "")),                                    // a name alone: another person
		item(c, "c1", 1, "2025-01-01", jane("ACME ", "")),                               // the same organization
		item(d, "d1", 1, "2025-01-01", jane("", "http://linkedin.com/in/janedoe")),      // a link in common
		item(b, "b2", 2, "2025-01-02", jane("", "https://example.com/jane-of-beta")),    // beta's Jane again
		item(feedShow("epsilon", "Epsilon", "ge"), "e1", 1, "2025-01-01", jane("", "")), // another name alone
	)
	want := map[string]string{"alpha": "jane-doe", "beta": "jane-doe-2", "gamma": "jane-doe", "delta": "jane-doe", "epsilon": "jane-doe-3"}
	check := func(st *store.Store, n1, n2 int) {
		t.Helper()
		for show, g := range want {
			if got := guestsOf(t, st, show); got != g {
				t.Errorf("guests of %s: %q, want %q", show, got, g)
			}
		}
		counts, err := st.EpisodeCounts(context.Background(), []store.Scope{store.GuestScope("jane-doe"), store.GuestScope("jane-doe-2")})
		if err != nil || counts[0] != n1 || counts[1] != n2 {
			t.Errorf("episode counts of jane-doe and jane-doe-2: %v %v, want %d and %d", counts, err, n1, n2)
		}
	}
	check(st, 4, 2)
	// Stable: beta's Jane now states Acme, and a new show's Jane follows
	// beta's link; reopened, nothing moves.
	path := st.Path()
	st.Close()
	st, err := store.Open(context.Background(), path, store.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	changed := item(b, "b1", 1, "2025-01-01", jane("Acme", ""))
	changed.SHA256 += "-2"
	apply(t, st, changed, item(feedShow("zeta", "Zeta", "gz"), "z1", 1, "2025-01-01", jane("", "https://example.com/jane-of-beta/")))
	want["zeta"] = "jane-doe-2"
	check(st, 4, 3)
	if _, err := st.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A feed's show is its identity: a renamed feed keeps its slug, and a
// feed item whose show has no slug is refused, naming the document, with
// nothing written.
func TestFeedShowIdentity(t *testing.T) {
	st := open(t)
	show := feedShow("old-name", "Old Name", "guid-x")
	apply(t, st, item(show, "a", 0, "2025-01-01"))
	renamed := feedShow("new-name", "New Name", "guid-x")
	apply(t, st, item(renamed, "b", 0, "2025-02-01"))
	wantNumbers(t, st, "old-name", map[int]string{1: "Item a", 2: "Item b"})

	bad := item(ingest.ShowFacts{Title: "", GUID: "guid-y"}, "c", 0, "2025-01-01")
	bad.Name = "bad-item"
	if p := store.Prepare(bad); p.Err() == nil {
		t.Error("Prepare accepted a feed item whose show has no slug")
	}
	gen, _ := st.Generation()
	_, err := st.Apply(context.Background(), []*ingest.Document{item(show, "d", 0, "2025-03-01"), bad}, store.ApplyOptions{})
	var de *store.DocumentError
	if !errors.As(err, &de) || de.Name != "bad-item" {
		t.Fatalf("apply: %v, want a DocumentError naming bad-item", err)
	}
	if g, _ := st.Generation(); g != gen {
		t.Error("a refused write moved the generation")
	}
	wantNumbers(t, st, "old-name", map[int]string{1: "Item a", 2: "Item b"})
}
