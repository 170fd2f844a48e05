package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// handPage writes an episode page of show ("Hand Show", code HS; or
// "Other Show", OS) whose own text names guest (a name, or "") and
// topics (phrases of the curated vocabulary).
func handPage(t *testing.T, dir, show, code string, n int, date, guest, topics string) {
	t.Helper()
	with := "look back at"
	if guest != "" {
		with = "speak with " + guest + " about"
	}
	if date != "" {
		date = "Release Date: " + date + "\n"
	}
	page := fmt.Sprintf("%s %d: Episode %d\n%s%s\ninfo_outline#%d: In this episode, Darin and Viktor %s %s.\nConnect with us at:\n",
		code, n, n, date, show, n, with, topics)
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s_%03d.txt", code, n)), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
}

type relatedAnswer struct {
	Episode struct {
		Related struct {
			TotalCount int
			PageInfo   struct {
				HasNextPage bool
				EndCursor   string
			}
			Edges []struct {
				Cursor       string
				Score        float64
				Node         struct{ Code string }
				SharedGuests []struct{ Slug string }
				SharedTopics []struct{ Slug string }
				SharedTerms  []string
			}
		}
	}
}

const relatedQuery = `query($n: Int!, $first: Int, $after: String) { episode(number: $n, show: "hand-show") {
	related(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
		edges { cursor score node { code } sharedGuests { slug } sharedTopics { slug } sharedTerms } } } }`

// TestRelatedEpisodesRanking serves hand-written pages where the right
// order is plain: the episode sharing the guest and both topics first,
// then the guest alone (on another show), then the rare topic, then the
// common topic (on every page), ties by the later release.
func TestRelatedEpisodesRanking(t *testing.T) {
	dir := t.TempDir()
	handPage(t, dir, "Hand Show", "HS", 1, "01/10/2024", "Alice Smith, CTO at Acme,", "eBPF and distributed systems")
	handPage(t, dir, "Other Show", "OS", 2, "02/10/2024", "Alice Smith, CTO at Acme,", "careers")
	handPage(t, dir, "Hand Show", "HS", 3, "03/10/2024", "Bob Jones", "eBPF")
	handPage(t, dir, "Hand Show", "HS", 4, "04/10/2024", "Carol White", "distributed systems")
	handPage(t, dir, "Hand Show", "HS", 5, "01/05/2020", "Alice Smith, CTO at Acme,", "eBPF and distributed systems")
	for i := 6; i < 16; i++ {
		handPage(t, dir, "Hand Show", "HS", i, fmt.Sprintf("05/%02d/2023", i), "", "distributed systems")
	}
	s := startServerOn(t, filepath.Join(t.TempDir(), "podcast.db"), "--seeds", dir, "--admin-token", testAdminToken)

	var a relatedAnswer
	s.query(t, relatedQuery, map[string]any{"n": 1, "first": 100}).must(t, &a)
	r := a.Episode.Related
	var codes []string
	for _, e := range r.Edges {
		codes = append(codes, e.Node.Code)
	}
	// The common topic's ten fillers and HS 4 tie: latest release first.
	want := []string{"HS 5", "OS 2", "HS 3", "HS 4", "HS 15", "HS 14", "HS 13", "HS 12", "HS 11", "HS 10", "HS 9", "HS 8", "HS 7", "HS 6"}
	if !slices.Equal(codes, want) || r.TotalCount != len(want) {
		t.Fatalf("related of HS 1: %v (total %d), want %v", codes, r.TotalCount, want)
	}
	reasons := func(i int) (guests, topics []string) {
		for _, g := range r.Edges[i].SharedGuests {
			guests = append(guests, g.Slug)
		}
		for _, tp := range r.Edges[i].SharedTopics {
			topics = append(topics, tp.Slug)
		}
		return guests, topics
	}
	for i, w := range []struct{ guests, topics []string }{
		{[]string{"alice-smith"}, []string{"ebpf", "distributed-systems"}},
		{[]string{"alice-smith"}, nil},
		{nil, []string{"ebpf"}},
		{nil, []string{"distributed-systems"}},
	} {
		g, tp := reasons(i)
		if !slices.Equal(g, w.guests) || !slices.Equal(tp, w.topics) {
			t.Errorf("edge %d (%s): guests %v topics %v, want %v %v", i, codes[i], g, tp, w.guests, w.topics)
		}
	}
	for i := 1; i < len(r.Edges); i++ {
		if r.Edges[i].Score > r.Edges[i-1].Score {
			t.Errorf("edge %d scores %v above edge %d's %v", i, r.Edges[i].Score, i-1, r.Edges[i-1].Score)
		}
	}
	if r.Edges[3].Score != r.Edges[13].Score {
		t.Errorf("same reasons, different scores: %v %v", r.Edges[3].Score, r.Edges[13].Score)
	}

	// Paging: pages of 4 with after give the same list.
	var paged []string
	after := any(nil)
	for range 10 {
		var p relatedAnswer
		s.query(t, relatedQuery, map[string]any{"n": 1, "first": 4, "after": after}).must(t, &p)
		for _, e := range p.Episode.Related.Edges {
			paged = append(paged, e.Node.Code)
		}
		if !p.Episode.Related.PageInfo.HasNextPage {
			break
		}
		after = p.Episode.Related.PageInfo.EndCursor
	}
	if !slices.Equal(paged, want) {
		t.Errorf("paged by 4: %v, want %v", paged, want)
	}
	for _, bad := range []map[string]any{{"n": 1, "first": 101}, {"n": 1, "first": -1}, {"n": 1, "after": "nope"}} {
		if code := s.query(t, relatedQuery, bad).code(); code != "BAD_USER_INPUT" {
			t.Errorf("%v: code %q, want BAD_USER_INPUT", bad, code)
		}
	}

	// Re-ingesting a changed page: HS 5 loses Alice and eBPF, so it drops
	// to the common topic's tier; HS 3 gains Alice and rises to the top.
	handPage(t, dir, "Hand Show", "HS", 5, "01/05/2020", "", "distributed systems")
	handPage(t, dir, "Hand Show", "HS", 3, "03/10/2024", "Alice Smith, CTO at Acme,", "eBPF")
	if out, err := runCmd(t, "ingest", "--server", s.URL, "--token", testAdminToken, dir); err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	s.query(t, relatedQuery, map[string]any{"n": 1, "first": 100}).must(t, &a)
	codes = codes[:0]
	for _, e := range a.Episode.Related.Edges {
		codes = append(codes, e.Node.Code)
	}
	want = []string{"HS 3", "OS 2", "HS 4", "HS 15", "HS 14", "HS 13", "HS 12", "HS 11", "HS 10", "HS 9", "HS 8", "HS 7", "HS 6", "HS 5"}
	if !slices.Equal(codes, want) {
		t.Errorf("after re-ingest: %v, want %v", codes, want)
	}
}

// TestTimelineCoGuestsRelatedTopics checks Topic.timeline (months summing
// to the topic's episodes, undated ones apart, a show filter, paging),
// Guest.coGuestsConnection (counts, shared episodes, symmetry) and
// Topic.relatedConnection on hand-written pages, through HTTP.
func TestTimelineCoGuestsRelatedTopics(t *testing.T) {
	dir := t.TempDir()
	alice, bob, carol := "Alice Smith, CTO at Acme,", "Bob Jones, engineer at Initech,", "Carol White, CEO at Globex,"
	handPage(t, dir, "Hand Show", "HS", 1, "01/10/2024", alice+" and "+bob, "eBPF and distributed systems")
	handPage(t, dir, "Hand Show", "HS", 2, "01/20/2024", alice+" and "+bob, "eBPF")
	handPage(t, dir, "Hand Show", "HS", 3, "03/10/2023", alice+" and "+carol, "distributed systems")
	handPage(t, dir, "Hand Show", "HS", 4, "", carol, "distributed systems and eBPF")
	handPage(t, dir, "Other Show", "OS", 1, "01/02/2024", "", "distributed systems")
	s := startServerOn(t, filepath.Join(t.TempDir(), "podcast.db"), "--seeds", dir)

	type month struct {
		Month string
		Count int
	}
	var tl struct {
		Topic struct {
			EpisodeCount   int
			All, Hs, Paged struct {
				TotalCount, UndatedCount int
				Nodes                    []month
				PageInfo                 struct{ HasNextPage bool }
			}
		}
	}
	s.query(t, `{ topic(slug: "distributed-systems") { episodeCount
		all: timeline { totalCount undatedCount nodes { month count } pageInfo { hasNextPage } }
		hs: timeline(show: "hand-show") { totalCount undatedCount nodes { month count } pageInfo { hasNextPage } }
		paged: timeline(first: 1, after: "dG06MjAyMy0wMw") { totalCount undatedCount nodes { month count } pageInfo { hasNextPage } } } }`, nil).must(t, &tl)
	want := []month{{"2023-03", 1}, {"2024-01", 2}}
	sum := tl.Topic.All.UndatedCount
	for _, m := range tl.Topic.All.Nodes {
		sum += m.Count
	}
	if !slices.Equal(tl.Topic.All.Nodes, want) || tl.Topic.All.UndatedCount != 1 || sum != tl.Topic.EpisodeCount || sum != 4 {
		t.Errorf("timeline %+v, episodeCount %d; want %v and 1 undated", tl.Topic.All, tl.Topic.EpisodeCount, want)
	}
	if hs := tl.Topic.Hs; !slices.Equal(hs.Nodes, []month{{"2023-03", 1}, {"2024-01", 1}}) || hs.UndatedCount != 1 {
		t.Errorf("hand-show timeline %+v", hs)
	}
	if p := tl.Topic.Paged; !slices.Equal(p.Nodes, []month{{"2024-01", 2}}) || p.PageInfo.HasNextPage {
		t.Errorf("timeline after 2023-03: %+v", p)
	}

	type coGuests struct {
		TotalCount int
		Edges      []struct {
			Node               struct{ Slug string }
			SharedEpisodeCount int
			SharedEpisodes     []struct{ Code string }
		}
	}
	var cg struct {
		Alice, Bob, Carol struct{ CoGuestsConnection coGuests }
	}
	q := `coGuestsConnection { totalCount edges { node { slug } sharedEpisodeCount sharedEpisodes { code } } }`
	s.query(t, `{ alice: guest(slug: "alice-smith") { `+q+` } bob: guest(slug: "bob-jones") { `+q+` } carol: guest(slug: "carol-white") { `+q+` } }`, nil).must(t, &cg)
	a := cg.Alice.CoGuestsConnection
	if a.TotalCount != 2 || len(a.Edges) != 2 || a.Edges[0].Node.Slug != "bob-jones" || a.Edges[0].SharedEpisodeCount != 2 ||
		a.Edges[1].Node.Slug != "carol-white" || a.Edges[1].SharedEpisodeCount != 1 {
		t.Fatalf("alice's co-guests: %+v", a)
	}
	if codes := []string{a.Edges[0].SharedEpisodes[0].Code, a.Edges[0].SharedEpisodes[1].Code}; !slices.Equal(codes, []string{"HS 2", "HS 1"}) {
		t.Errorf("alice and bob shared %v, want HS 2, HS 1", codes)
	}
	for name, c := range map[string]coGuests{"bob": cg.Bob.CoGuestsConnection, "carol": cg.Carol.CoGuestsConnection} {
		if c.TotalCount != 1 || c.Edges[0].Node.Slug != "alice-smith" || c.Edges[0].SharedEpisodeCount != len(c.Edges[0].SharedEpisodes) {
			t.Errorf("%s's co-guests: %+v (not symmetric with alice's)", name, c)
		}
	}

	var rt struct {
		Topic struct {
			RelatedConnection struct {
				TotalCount int
				Edges      []struct {
					Node               struct{ Slug string }
					SharedEpisodeCount int
				}
			}
		}
	}
	s.query(t, `{ topic(slug: "ebpf") { relatedConnection { totalCount edges { node { slug } sharedEpisodeCount } } } }`, nil).must(t, &rt)
	r := rt.Topic.RelatedConnection
	if r.TotalCount != 1 || r.Edges[0].Node.Slug != "distributed-systems" || r.Edges[0].SharedEpisodeCount != 2 {
		t.Errorf("ebpf's related topics: %+v", r)
	}
}
