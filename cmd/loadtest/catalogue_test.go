package main

import (
	"fmt"
	"slices"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/podcast"
)

// catalogueOf builds the catalogue of pages 0..n-1.
func catalogueOf(n int, opts pagegen.Options) *catalogue {
	b := newCatalogueBuilder()
	for i := range n {
		b.add(pagegen.Generate(i, opts))
	}
	return b.done()
}

// TestCatalogueAgreesWithParser builds the catalogue of generated pages
// from the generator's facts and checks it against what the parser reads
// on the same pages, merged as the store merges them (own page first,
// then listings; topics of both): the two paths share only the pages.
func TestCatalogueAgreesWithParser(t *testing.T) {
	for _, opts := range []pagegen.Options{{Shows: 1, Seed: 1}, {Shows: 3, Seed: 7}} {
		t.Run(fmt.Sprintf("shows=%d", opts.Shows), func(t *testing.T) {
			const n = 150
			c := catalogueOf(n, opts)
			type parsed struct {
				code, title string
				date        podcast.Date
				guests      []string
				topics      []string
			}
			want := map[podcast.EpisodeKey]*parsed{}
			get := func(show string, num int) *parsed {
				k := podcast.EpisodeKey{Show: show, Number: num}
				if want[k] == nil {
					want[k] = &parsed{}
				}
				return want[k]
			}
			vocab := ingest.DefaultVocabulary()
			for i := range n {
				name, data := pagegen.Page(i, opts)
				doc, err := ingest.Parse(name, data, vocab)
				if err != nil {
					t.Fatal(err)
				}
				e := get(doc.Show.Slug, doc.Episode.Number)
				e.code, e.title, e.date = fmt.Sprintf("%s %d", doc.Show.Code, doc.Episode.Number), doc.Episode.Title, *doc.Episode.ReleaseDate
				own := []string{}
				for _, g := range doc.Guests {
					own = append(own, g.Slug)
				}
				e.guests = appendNew(own, e.guests...) // the own page's guests come first
				e.topics = appendNew(e.topics, doc.Episode.Topics...)
				for _, l := range doc.Listing {
					le := get(doc.Show.Slug, l.Number)
					for _, g := range l.Guests {
						le.guests = appendNew(le.guests, g.Slug)
					}
					le.topics = appendNew(le.topics, l.Topics...)
				}
			}
			if len(c.episodes) != len(want) || len(c.episodes) != n {
				t.Fatalf("%d episodes in the catalogue, %d parsed, %d pages", len(c.episodes), len(want), n)
			}
			guests := 0
			for i, e := range c.episodes {
				w := want[podcast.EpisodeKey{Show: e.show, Number: e.number}]
				if w == nil {
					t.Fatalf("episode %s %d was not parsed", e.show, e.number)
				}
				slices.Sort(w.topics)
				var got []string
				for _, g := range e.guests {
					got = append(got, g.slug)
				}
				if e.id != i+1 || e.code != w.code || e.title != w.title || e.date != w.date || !slices.Equal(got, w.guests) || !slices.Equal(e.topics, w.topics) {
					t.Errorf("episode %d: %s %q %v guests %q topics %q\nparsed %s %q %v guests %q topics %q",
						e.id, e.code, e.title, e.date, got, e.topics, w.code, w.title, w.date, w.guests, w.topics)
				}
				if i > 0 && (e.number < c.episodes[i-1].number || e.number == c.episodes[i-1].number && e.show <= c.episodes[i-1].show) {
					t.Errorf("episode %d (%s) out of NUMBER order", e.id, e.code)
				}
				guests += len(e.guests)
			}
			appearances := 0
			for _, g := range c.guests {
				for j, e := range g.episodes {
					if !slices.Contains(e.guests, g) || j > 0 && e.id >= g.episodes[j-1].id {
						t.Errorf("guest %s: episodes %v not newest first, or not theirs", g.slug, g.episodes)
					}
				}
				appearances += len(g.episodes)
			}
			if guests == 0 || appearances != guests {
				t.Errorf("%d appearances on episodes, %d on guests", guests, appearances)
			}
		})
	}
}

// TestCatalogueMerge feeds the builder facts the generator does not
// produce today: a listing naming a guest and a topic the own page does
// not, a listing arriving before the own page, and an episode only a
// listing names.
func TestCatalogueMerge(t *testing.T) {
	ana := pagegen.Person{Name: "Ana Lima", Role: "CTO", Organization: "Globex"}
	ben := pagegen.Person{Name: "Ben Okafor"}
	day := podcast.Date{Year: 2020, Month: 3, Day: 2}
	b := newCatalogueBuilder()
	b.add(pagegen.Generated{Show: "Show", Code: "S", Number: 3, Title: "Three", ReleaseDate: day,
		Topics: []string{"dns"}, Guests: []pagegen.Person{{Name: "Ana Lima"}},
		Listing:       map[int][]pagegen.Person{2: {ben, ana}, 1: nil},
		ListingTopics: map[int][]string{2: {"vpn", "ai"}, 1: {"linux"}}})
	b.add(pagegen.Generated{Show: "Show", Code: "S", Number: 2, Title: "Two", ReleaseDate: podcast.Date{Year: 2020, Month: 2, Day: 24},
		Topics: []string{"ai"}, Guests: []pagegen.Person{ana}})
	c := b.done()
	if len(c.episodes) != 3 {
		t.Fatalf("%d episodes, want 3", len(c.episodes))
	}
	one, two, three := c.episodes[0], c.episodes[1], c.episodes[2]
	names := func(gs []*catGuest) (out []string) {
		for _, g := range gs {
			out = append(out, g.name)
		}
		return out
	}
	if one.code != "S 1" || one.title != "" || !one.date.IsZero() || len(one.guests) != 0 || !slices.Equal(one.topics, []string{"linux"}) {
		t.Errorf("listed only: %+v", *one)
	}
	if two.title != "Two" || !slices.Equal(names(two.guests), []string{"Ana Lima", "Ben Okafor"}) || !slices.Equal(two.topics, []string{"ai", "vpn"}) {
		t.Errorf("own page after its listing: %q guests %q topics %q", two.title, names(two.guests), two.topics)
	}
	if three.id != 3 || !slices.Equal(three.topics, []string{"dns"}) {
		t.Errorf("episode 3: %+v", *three)
	}
	g := c.guest["ana-lima"]
	if g == nil || g.role != "CTO" || g.organization != "Globex" || len(g.episodes) != 2 || g.episodes[0] != three {
		t.Errorf("Ana Lima: %+v (the facts of the page that says most, episodes newest first)", g)
	}
	if busiest := c.busiest(2); !slices.Equal(busiest, []string{"ana-lima", "ben-okafor"}) {
		t.Errorf("busiest %q", busiest)
	}
}

// TestCatalogueViews checks the pages and lists the views cut from the
// catalogue against the episodes in NUMBER DESC order.
func TestCatalogueViews(t *testing.T) {
	c := catalogueOf(45, pagegen.Options{Shows: 1, Seed: 1})
	codes := func(v pageView) (out []string) {
		for _, e := range v.Nodes {
			out = append(out, e.Code)
		}
		return out
	}
	codeRange := func(from, to int) (out []string) {
		for n := from; n >= to; n-- {
			out = append(out, fmt.Sprintf("GS1 %d", n))
		}
		return out
	}
	if got := c.page(0, 20, fields{}); got.TotalCount != 45 || !slices.Equal(codes(got), codeRange(45, 26)) {
		t.Errorf("first page %d %q", got.TotalCount, codes(got))
	}
	if got := c.page(2, 20, fields{}); !slices.Equal(codes(got), codeRange(5, 1)) {
		t.Errorf("third page %q", codes(got))
	}
	if got := c.lastPage(20, fields{}); !slices.Equal(codes(got), codeRange(20, 1)) {
		t.Errorf("last page %q", codes(got))
	}
	ai := c.topicPage("ai", since2001, 100, fields{date: true})
	n := 0
	for _, e := range c.episodes {
		if slices.Contains(e.topics, "ai") {
			n++
		}
	}
	if ai.TotalCount != n || n == 0 || len(ai.Nodes) != n {
		t.Errorf("topic page: %d of %d, want %d", len(ai.Nodes), ai.TotalCount, n)
	}
	for i := 1; i < len(ai.Nodes); i++ {
		if ai.Nodes[i].Date >= ai.Nodes[i-1].Date {
			t.Errorf("topic page not newest first: %q", codes(ai))
		}
	}
	slug := c.busiest(1)[0]
	g := c.guestView(slug, 100, fields{date: true})
	if g.EpisodeCount != len(c.guest[slug].episodes) || g.EpisodeCount < 2 || len(g.Episodes) != g.EpisodeCount || g.Episodes[0].Date == "" {
		t.Errorf("guest view %+v", g)
	}
	v := c.episodeView(c.byNumber(45), nested)
	for i, gv := range v.Guests {
		if gv.Name != c.byNumber(45).guests[i].name || len(gv.Episodes) > 5 || len(gv.Episodes) == 0 || gv.Episodes[0].Code != "GS1 45" {
			t.Errorf("guest %d of the nested view: %+v", i, gv)
		}
	}
}

// TestSearchRotationFitsTheShape checks that the search rotation is the
// fixed one on default pages, and that on catalogue pages (which name
// time-series databases "TSDB" only) the queries no episode says are
// replaced by ones of their class that some episode says, so the check
// that both sides find episodes can pass on either shape.
func TestSearchRotationFitsTheShape(t *testing.T) {
	if got := searchRotationFor(catalogueOf(300, pagegen.Options{Shows: 1, Seed: 1})); !slices.Equal(got, searchRotation) {
		t.Errorf("default pages: rotation changed to %q", got)
	}
	cat := catalogueOf(300, pagegen.Options{Shows: 1, Seed: 1, Catalogue: true})
	got := searchRotationFor(cat)
	if len(got) != len(searchRotation) || slices.Contains(got, "time series databases") || slices.Contains(got, `"time series databases"`) {
		t.Fatalf("catalogue pages: rotation %q", got)
	}
	for i, q := range got {
		if q != searchRotation[i] && (searchClass(i) == "typo" || !slices.Contains(searchStandIns[searchClass(i)], q)) {
			t.Errorf("query %d (%s) became %q, not a stand-in of its class", i, searchClass(i), q)
		}
		if slices.Index(got, q) != i {
			t.Errorf("%q twice in the rotation", q)
		}
	}
	if got := searchRotationFor(nil); !slices.Equal(got, searchRotation) {
		t.Errorf("no catalogue: %q", got)
	}
}
