package pagegen_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
)

// TestGeneratedPagesParse parses 500 generated pages and checks that the
// parser extracts exactly the title, date, guests, hosts, links and topics
// the generator states.
func TestGeneratedPagesParse(t *testing.T) {
	vocab := ingest.DefaultVocabulary()
	opts := pagegen.Options{Shows: 3, Seed: 1}
	n := 500
	if testing.Short() {
		n = 100
	}
	guests, topics := 0, 0
	for i := 0; i < n; i++ {
		g := pagegen.Generate(i, opts)
		doc, err := ingest.Parse(g.Name, g.Data, vocab)
		if err != nil {
			t.Fatalf("%s: %v\n%s", g.Name, err, g.Data)
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Errorf("%s: %s\n%s", g.Name, fmt.Sprintf(format, args...), g.Data)
		}
		if doc.Show.Title != g.Show || doc.Show.Code != g.Code || doc.Episode.Number != g.Number {
			fail("show %q %q #%d", doc.Show.Title, doc.Show.Code, doc.Episode.Number)
		}
		if len(doc.Warnings) > 0 {
			fail("warnings %q", doc.Warnings)
		}
		if doc.Episode.Title != g.Title || doc.Episode.ReleaseDate == nil || *doc.Episode.ReleaseDate != g.ReleaseDate {
			fail("title %q, date %v; want %q, %v", doc.Episode.Title, doc.Episode.ReleaseDate, g.Title, g.ReleaseDate)
		}
		if !slices.Equal(doc.Episode.Topics, g.Topics) {
			fail("topics %q, want %q", doc.Episode.Topics, g.Topics)
		}
		topics += len(g.Topics)
		if !slices.Equal(doc.Show.Hosts, g.Hosts) {
			fail("hosts %q, want %q", doc.Show.Hosts, g.Hosts)
		}
		if len(doc.Show.Links) != 3 {
			fail("show links %+v", doc.Show.Links)
		}
		if got := people(doc.Guests, true); !slices.EqualFunc(got, g.Guests, samePerson) {
			fail("own guests\n got %+v\nwant %+v", got, g.Guests)
		}
		guests += len(g.Guests)
		if len(doc.Listing) != len(g.Listing) {
			fail("%d listing entries, want %d", len(doc.Listing), len(g.Listing))
		}
		for _, e := range doc.Listing {
			want, ok := g.Listing[e.Number]
			if !ok {
				fail("unexpected listing entry #%d", e.Number)
				continue
			}
			if got := people(e.Guests, false); !slices.EqualFunc(got, want, samePerson) {
				fail("listing #%d guests\n got %+v\nwant %+v", e.Number, got, want)
			}
			if want := g.ListingTopics[e.Number]; !slices.Equal(e.Topics, want) {
				fail("listing #%d topics %q, want %q", e.Number, e.Topics, want)
			}
		}
	}
	if guests < n/2 || topics < n {
		t.Errorf("only %d guests and %d topics on %d pages: the generator is not exercising the parser", guests, topics, n)
	}
}

func people(gs []ingest.GuestFacts, links bool) []pagegen.Person {
	out := []pagegen.Person{}
	for _, g := range gs {
		p := pagegen.Person{Name: g.Name, Role: g.Role, Organization: g.Organization, Bio: g.Bio}
		if links {
			p.Links = g.Links
		}
		out = append(out, p)
	}
	return out
}

func samePerson(a, b pagegen.Person) bool {
	return a.Name == b.Name && a.Role == b.Role && a.Organization == b.Organization && a.Bio == b.Bio &&
		slices.Equal(a.Links, b.Links)
}

func TestPageIsDeterministic(t *testing.T) {
	opts := pagegen.Options{Shows: 4, Seed: 7}
	for _, i := range []int{0, 1, 17, 999} {
		n1, d1 := pagegen.Page(i, opts)
		n2, d2 := pagegen.Page(i, opts)
		if n1 != n2 || !bytes.Equal(d1, d2) {
			t.Errorf("page %d differs between calls", i)
		}
		if want := fmt.Sprintf("gen_%06d.txt", i); n1 != want {
			t.Errorf("name %q, want %q", n1, want)
		}
	}
	for _, catalogue := range []bool{false, true} {
		_, a := pagegen.Page(5, pagegen.Options{Shows: 4, Seed: 1, Catalogue: catalogue})
		_, b := pagegen.Page(5, pagegen.Options{Shows: 4, Seed: 2, Catalogue: catalogue})
		_, c := pagegen.Page(5, pagegen.Options{Shows: 4, Seed: 1, Catalogue: catalogue})
		if bytes.Equal(a, b) {
			t.Errorf("catalogue=%v: the seed does not change the page", catalogue)
		}
		if !bytes.Equal(a, c) {
			t.Errorf("catalogue=%v: page 5 differs between calls", catalogue)
		}
	}
	_, a := pagegen.Page(5, pagegen.Options{Shows: 4, Seed: 1})
	_, b := pagegen.Page(5, pagegen.Options{Shows: 4, Seed: 1, Catalogue: true})
	if bytes.Equal(a, b) {
		t.Error("Catalogue does not change the page")
	}
}

// TestListingMatchesOwnPage checks that an episode's listing entry, on a
// later page, is the opening of its own page's description.
func TestListingMatchesOwnPage(t *testing.T) {
	for _, catalogue := range []bool{false, true} {
		t.Run(fmt.Sprintf("catalogue=%v", catalogue), func(t *testing.T) {
			listingMatchesOwnPage(t, pagegen.Options{Shows: 2, Seed: 3, Catalogue: catalogue})
		})
	}
}

func listingMatchesOwnPage(t *testing.T, opts pagegen.Options) {
	shows := opts.Shows
	vocab := ingest.DefaultVocabulary()
	parse := func(i int) *ingest.Document {
		name, data := pagegen.Page(i, opts)
		doc, err := ingest.Parse(name, data, vocab)
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	for n := 1; n <= 30; n++ {
		own := parse((n - 1) * shows) // show 0, episode n
		later := parse((n + 2) * shows)
		found := false
		for _, e := range later.Listing {
			if e.Number != n {
				continue
			}
			found = true
			if !strings.HasPrefix(own.Episode.Description, e.Summary) {
				t.Errorf("#%d: listing %q is not the opening of %q", n, e.Summary, own.Episode.Description)
			}
		}
		if !found {
			t.Errorf("#%d is not listed on the page of #%d", n, n+3)
		}
	}
}
