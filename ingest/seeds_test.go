package ingest_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
)

// parseSeeds parses the two seed pages kept in testdata under their own names.
func parseSeeds(t *testing.T) (d316, d322 *ingest.Document) {
	t.Helper()
	vocab := ingest.DefaultVocabulary()
	parse := func(name string) *ingest.Document {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ingest.Parse(name, data, vocab)
		if err != nil {
			t.Fatalf("Parse(%s): %v", name, err)
		}
		return doc
	}
	return parse("000_3500f07eabefc183.txt"), parse("001_2069fb2803647d3f.txt")
}

// TestSeedsMatchRepo guards against the testdata copies drifting from seeds/.
func TestSeedsMatchRepo(t *testing.T) {
	for _, name := range []string{"000_3500f07eabefc183.txt", "001_2069fb2803647d3f.txt"} {
		a, err1 := os.ReadFile(filepath.Join("testdata", name))
		b, err2 := os.ReadFile(filepath.Join("..", "seeds", name))
		if err1 != nil || err2 != nil {
			t.Skipf("cannot compare %s: %v %v", name, err1, err2)
		}
		if string(a) != string(b) {
			t.Errorf("testdata/%s differs from seeds/%s", name, name)
		}
	}
}

// TestSeeds checks the facts the acceptance checks rely on.
func TestSeeds(t *testing.T) {
	d316, d322 := parseSeeds(t)
	date := func(y int, m time.Month, d int) *podcast.Date { return &podcast.Date{Year: y, Month: m, Day: d} }

	for _, doc := range []*ingest.Document{d316, d322} {
		s := doc.Show
		if s.Slug != "devops-paradox" || s.Title != "DevOps Paradox" || s.Code != "DOP" {
			t.Errorf("%s: show %q %q %q", doc.Name, s.Slug, s.Title, s.Code)
		}
		if !slices.Equal(s.Hosts, []string{"Darin", "Viktor"}) {
			t.Errorf("%s: hosts %q", doc.Name, s.Hosts)
		}
		wantLinks := []podcast.Link{
			{Kind: podcast.LinkYouTube, URL: "https://youtube.com/devopsparadox", Label: "YouTube channel"},
			{Kind: podcast.LinkApplePodcasts, URL: "https://www.devopsparadox.com/review-podcast/", Label: "Review the podcast on Apple Podcasts"},
			{Kind: podcast.LinkSlack, URL: "https://www.devopsparadox.com/slack/", Label: "Slack"},
		}
		if !slices.Equal(s.Links, wantLinks) {
			t.Errorf("%s: show links %+v", doc.Name, s.Links)
		}
		if len(doc.Warnings) != 0 {
			t.Errorf("%s: warnings %q", doc.Name, doc.Warnings)
		}
		if len(doc.SHA256) != 64 {
			t.Errorf("%s: sha256 %q", doc.Name, doc.SHA256)
		}

		// The listing: 339 down to 330, summaries only.
		var nums []int
		for _, e := range doc.Listing {
			nums = append(nums, e.Number)
			if e.Own || !e.Truncated || e.Title != "" || e.ReleaseDate != nil || e.Description != "" {
				t.Errorf("%s: listing #%d: %+v", doc.Name, e.Number, e)
			}
			for _, bad := range []string{"...", "…", "info_outline", "YouTube channel", "Review the podcast", "Connect with us"} {
				if strings.Contains(e.Summary, bad) {
					t.Errorf("%s: listing #%d summary contains %q: %q", doc.Name, e.Number, bad, e.Summary)
				}
			}
		}
		if !slices.Equal(nums, []int{339, 338, 337, 336, 335, 334, 333, 332, 331, 330}) {
			t.Errorf("%s: listing numbers %v", doc.Name, nums)
		}
		if e := listing(t, doc, 330); e.Summary != "In this short episode, Darin and Viktor reflect on the holiday season." {
			t.Errorf("#330 summary %q", e.Summary)
		}
		if e := listing(t, doc, 331); !strings.HasSuffix(e.Summary, "nobody fully anticipated.") {
			t.Errorf("#331 summary %q", e.Summary)
		}

		// Listing guests.
		for _, w := range []struct {
			n                    int
			name, role, org, bio string
		}{
			{339, "Anthony Eden", "", "DNSimple", ""},
			{335, "Peter Zaitsev", "co-founder", "Coroot", ""},
			{333, "Pete Hunt", "CEO", "Dagster", ""},
		} {
			e := listing(t, doc, w.n)
			checkGuest(t, e.Summary, e.Guests, w.name, w.role, w.org, w.bio)
		}
		for _, e := range doc.Listing {
			if n := len(e.Guests); n != map[int]int{339: 1, 335: 1, 333: 1}[e.Number] {
				t.Errorf("%s: listing #%d has %d guests: %+v", doc.Name, e.Number, n, e.Guests)
			}
		}

		// Topics.
		wantTopics := map[int][]string{339: {"dns"}, 335: {"observability", "ebpf"}}
		ai := 0
		for _, e := range doc.Listing {
			for _, slug := range wantTopics[e.Number] {
				if !slices.Contains(e.Topics, slug) {
					t.Errorf("%s: #%d topics %q lack %q", doc.Name, e.Number, e.Topics, slug)
				}
			}
			if slices.Contains(e.Topics, "ai") {
				ai++
			}
			if !slices.IsSorted(e.Topics) {
				t.Errorf("#%d topics not sorted: %q", e.Number, e.Topics)
			}
		}
		if ai < 4 {
			t.Errorf("%s: ai on %d listing episodes, want at least 4", doc.Name, ai)
		}
	}

	// The own episodes.
	own := []struct {
		doc     *ingest.Document
		number  int
		title   string
		date    *podcast.Date
		paras   int
		topic   string
		starts  string
		summary string
	}{
		{d316, 316, "Bringing Back the Original Internet Vision Using Tailscale", date(2025, 9, 17), 1, "vpn",
			"In this episode, Darin and Viktor speak with Avery Pennarun",
			"In this episode, Darin and Viktor speak with Avery Pennarun, CEO at Tailscale, on the evolving technology landscape, specifically focusing on the challenges and advancements in VPNs and connectivity."},
		{d322, 322, "How to Build Apps That Never Go Down Even When Servers Die", date(2025, 10, 29), 3, "peer-to-peer",
			"Peer-to-peer technology represents a fundamental shift",
			"Peer-to-peer technology represents a fundamental shift in how we think about data sovereignty and application architecture. Rather than relying on centralized servers and trusting specific endpoints, peer-to-peer systems allow users to verify data authenticity regardless of its source."},
	}
	for _, o := range own {
		e := o.doc.Episode
		if e.Number != o.number || !e.Own || e.Title != o.title || e.Truncated || *e.ReleaseDate != *o.date {
			t.Errorf("#%d: %+v", o.number, e)
		}
		if !strings.HasPrefix(e.Description, o.starts) || strings.Count(e.Description, "\n\n") != o.paras-1 {
			t.Errorf("#%d description: %q", o.number, e.Description)
		}
		for _, bad := range []string{"info_outline", "contact information", "LinkedIn", "YouTube", "Slack", "Connect with us", "\n\n\n"} {
			if strings.Contains(e.Description, bad) {
				t.Errorf("#%d description contains %q", o.number, bad)
			}
		}
		if e.Summary != o.summary {
			t.Errorf("#%d summary %q", o.number, e.Summary)
		}
		if !slices.Contains(e.Topics, o.topic) {
			t.Errorf("#%d topics %q lack %q", o.number, e.Topics, o.topic)
		}
		if len(e.Guests) != 0 {
			t.Errorf("#%d: own guests belong in Document.Guests, not Episode.Guests", o.number)
		}
	}
	if !strings.HasSuffix(d322.Episode.Description, "start experimenting with this technology today.") {
		t.Errorf("#322 description ends %q", d322.Episode.Description[len(d322.Episode.Description)-60:])
	}

	// Own guests, with their contact links.
	g := checkGuest(t, d316.Episode.Description, d316.Guests, "Avery Pennarun", "CEO", "Tailscale", "")
	if g != nil && !slices.Equal(g.Links, []podcast.Link{{Kind: podcast.LinkLinkedIn, URL: "https://www.linkedin.com/in/apenwarr/", Label: "LinkedIn"}}) {
		t.Errorf("Avery's links %+v", g.Links)
	}
	g = checkGuest(t, d322.Episode.Description, d322.Guests, "Mathias Buus Madsen", "co-founder", "Holepunch", "creator of the Pear Runtime")
	if g != nil && !slices.Equal(g.Links, []podcast.Link{{Kind: podcast.LinkLinkedIn, URL: "https://www.linkedin.com/in/mathiasbuus/", Label: "LinkedIn"}}) {
		t.Errorf("Mathias' links %+v", g.Links)
	}
	if len(d316.Guests) != 1 || len(d322.Guests) != 1 {
		t.Errorf("own guests: %d and %d, want 1 and 1", len(d316.Guests), len(d322.Guests))
	}

	// Exactly five distinct guests across the two seeds.
	slugs := map[string]bool{}
	for _, doc := range []*ingest.Document{d316, d322} {
		for _, g := range doc.Guests {
			slugs[g.Slug] = true
		}
		for _, e := range doc.Listing {
			for _, g := range e.Guests {
				slugs[g.Slug] = true
			}
		}
	}
	want := map[string]bool{"avery-pennarun": true, "mathias-buus-madsen": true, "anthony-eden": true, "peter-zaitsev": true, "pete-hunt": true}
	if len(slugs) != len(want) {
		t.Errorf("guest slugs %v, want %v", slugs, want)
	}
	for s := range want {
		if !slugs[s] {
			t.Errorf("no guest %s", s)
		}
	}
}

// listing returns the listing entry numbered n.
func listing(t *testing.T, doc *ingest.Document, n int) ingest.EpisodeFacts {
	t.Helper()
	for _, e := range doc.Listing {
		if e.Number == n {
			return e
		}
	}
	t.Fatalf("%s: no listing entry #%d", doc.Name, n)
	return ingest.EpisodeFacts{}
}

// checkGuest finds the guest called name in gs and checks role and
// organisation (role "" means any), that the bio contains bio, and that the
// evidence is a sentence of text naming them; it returns the guest or nil.
func checkGuest(t *testing.T, text string, gs []ingest.GuestFacts, name, role, org, bio string) *ingest.GuestFacts {
	t.Helper()
	for i, g := range gs {
		if g.Name != name {
			continue
		}
		if g.Slug != ingest.Slugify(name) || (role != "" && g.Role != role) || g.Organization != org || !strings.Contains(g.Bio, bio) {
			t.Errorf("guest %s: %+v", name, g)
		}
		if !strings.Contains(g.Evidence, name) || !strings.Contains(text, g.Evidence) || strings.Count(g.Evidence, ". ") > 1 {
			t.Errorf("guest %s: evidence %q", name, g.Evidence)
		}
		for _, h := range []string{"Darin", "Viktor"} {
			if strings.HasPrefix(g.Name, h) {
				t.Errorf("host %s as a guest", h)
			}
		}
		return &gs[i]
	}
	t.Errorf("no guest %s in %+v", name, gs)
	return nil
}
