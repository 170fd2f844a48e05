package pagegen_test

import (
	"fmt"
	"slices"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
)

// TestCataloguePagesParse parses catalogue pages from the start of a show,
// its middle and far into it (where guests' names take two middle names),
// and checks that the parser extracts exactly the guests, topics and links
// the generator stated, for the own episode and every listing entry.
func TestCataloguePagesParse(t *testing.T) {
	vocab := ingest.DefaultVocabulary()
	opts := pagegen.Options{Shows: 1, Seed: 1, Catalogue: true}
	per := 120
	if testing.Short() {
		per = 30
	}
	var pages []int
	for _, from := range []int{0, 20_000, 400_000} {
		for i := range per {
			pages = append(pages, from+i)
		}
	}
	size, topics, guests := 0, 0, 0
	for _, i := range pages {
		g := pagegen.Generate(i, opts)
		doc, err := ingest.Parse(g.Name, g.Data, vocab)
		if err != nil {
			t.Fatalf("%s: %v\n%s", g.Name, err, g.Data)
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("%s: %s\n%s", g.Name, fmt.Sprintf(format, args...), g.Data)
		}
		size += len(g.Data)
		topics += len(g.Topics)
		guests += len(g.Guests)
		if doc.Show.Title != g.Show || doc.Episode.Number != g.Number || !slices.Equal(doc.Show.Hosts, g.Hosts) {
			fail("show %q #%d hosts %q", doc.Show.Title, doc.Episode.Number, doc.Show.Hosts)
		}
		if len(doc.Warnings) > 0 {
			fail("warnings %q", doc.Warnings)
		}
		if got := people(doc.Guests, true); !slices.EqualFunc(got, g.Guests, samePerson) {
			fail("own guests\n got %+v\nwant %+v", got, g.Guests)
		}
		if !slices.Equal(doc.Episode.Topics, g.Topics) {
			fail("own topics %q, want %q", doc.Episode.Topics, g.Topics)
		}
		if len(doc.Listing) != len(g.Listing) || len(g.ListingTopics) != len(g.Listing) {
			fail("%d listing entries, want %d (%d with topics)", len(doc.Listing), len(g.Listing), len(g.ListingTopics))
		}
		for _, e := range doc.Listing {
			if got := people(e.Guests, false); !slices.EqualFunc(got, g.Listing[e.Number], samePerson) {
				fail("listing #%d guests\n got %+v\nwant %+v", e.Number, got, g.Listing[e.Number])
			}
			if want := g.ListingTopics[e.Number]; !slices.Equal(e.Topics, want) {
				fail("listing #%d topics %q, want %q", e.Number, e.Topics, want)
			}
		}
	}
	// The shape: pages of about 8 KB, about six topics and 1.4 guests an
	// episode.
	n := len(pages)
	if avg := size / n; avg < 7_000 || avg > 9_000 {
		t.Errorf("pages average %d bytes, want about 8 KB", avg)
	}
	if avg := float64(topics) / float64(n); avg < 4.5 || avg > 7.5 {
		t.Errorf("%.1f topics an episode, want about 6", avg)
	}
	if avg := float64(guests) / float64(n); avg < 1.1 || avg > 1.7 {
		t.Errorf("%.1f guests an episode, want about 1.4", avg)
	}
}

// TestCatalogueShape checks the distributions of a catalogue of 10,000
// episodes: a third as many guests as episodes, most on a few episodes
// and some regulars on 150-250; every topic of the vocabulary on 7-25% of
// the episodes (within sampling noise).
func TestCatalogueShape(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 10,000 pages")
	}
	const n = 10_000
	opts := pagegen.Options{Shows: 1, Seed: 1, Catalogue: true}
	onGuest := map[string]int{}
	onTopic := map[string]int{}
	for i := range n {
		g := pagegen.Generate(i, opts)
		for _, p := range g.Guests {
			onGuest[ingest.Slugify(p.Name)]++
		}
		for _, s := range g.Topics {
			onTopic[s]++
		}
	}
	if got := len(onGuest); got < n*30/100 || got > n*37/100 {
		t.Errorf("%d guests on %d episodes, want about a third as many", got, n)
	}
	var counts []int
	regulars := 0
	for _, c := range onGuest {
		counts = append(counts, c)
		if c >= 150 {
			regulars++
		}
	}
	slices.Sort(counts)
	if most := counts[len(counts)-1]; most > 250 {
		t.Errorf("a guest is on %d episodes, want at most 250", most)
	}
	// Regulars in residence for all of their 4,000 episodes: those from
	// the fifth to the twelfth.
	if regulars < 6 {
		t.Errorf("%d guests on 150 episodes or more, want at least 6; most: %v", regulars, counts[len(counts)-12:])
	}
	if median := counts[len(counts)/2]; median > 4 {
		t.Errorf("the median guest is on %d episodes, want a few", median)
	}
	if p95 := counts[len(counts)*95/100]; p95 > 20 {
		t.Errorf("95%% of guests are on up to %d episodes, want few", p95)
	}
	vocab := ingest.DefaultVocabulary().Topics()
	for _, tp := range vocab {
		share := float64(onTopic[tp.Slug]) / n
		if share < 0.065 || share > 0.26 {
			t.Errorf("topic %s is on %.1f%% of the episodes, want 7-25%%", tp.Slug, 100*share)
		}
	}
	if len(onTopic) != len(vocab) {
		t.Errorf("%d topics on episodes, want the vocabulary's %d", len(onTopic), len(vocab))
	}
}
