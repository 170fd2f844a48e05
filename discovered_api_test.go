package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/podcast"
)

// TestDiscoveredTopicsAPI serves generated pages whose descriptions name
// technologies the vocabulary lacks, and asks for the discovered topics
// through the real server: the list, one topic by slug and by node id,
// its episodes, and an episode's discovered topics with their evidence.
// What it expects is what the extractor finds on each page (parsed here
// too), kept by the store's rule: a name at least two episodes of a show
// name.
func TestDiscoveredTopicsAPI(t *testing.T) {
	dir := t.TempDir()
	opts := pagegen.Options{Shows: 2, Seed: 5, Technologies: true}
	vocab := ingest.DefaultVocabulary()
	type pair struct{ slug, show string }
	episodes := map[pair][]int{} // episodes of a show naming a slug
	mentions := map[podcast.EpisodeKey][]ingest.Mention{}
	names := map[string]bool{}     // what the generator wrote
	written := map[pair][]string{} // pages of a show writing a name
	for i := range 80 {
		g := pagegen.Generate(i, opts)
		if err := os.WriteFile(filepath.Join(dir, g.Name), g.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, n := range g.Names {
			names[ingest.Slugify(n)] = true
			p := pair{ingest.Slugify(n), ingest.Slugify(g.Show)}
			written[p] = append(written[p], g.Name)
		}
		doc, err := ingest.Parse(g.Name, g.Data, vocab)
		if err != nil {
			t.Fatal(err)
		}
		k := podcast.EpisodeKey{Show: doc.Show.Slug, Number: doc.Episode.Number}
		mentions[k] = doc.Episode.Discovered
		for _, m := range doc.Episode.Discovered {
			p := pair{m.Slug, k.Show}
			episodes[p] = append(episodes[p], k.Number)
		}
	}
	want := map[string]int{} // discovered topic -> episodes
	for p, eps := range episodes {
		if len(eps) >= 2 {
			want[p.slug] += len(eps)
		}
	}
	if len(want) < 5 {
		t.Fatalf("only %d discovered topics expected: the generated pages name too little", len(want))
	}

	s := startServerOn(t, filepath.Join(t.TempDir(), "podcast.db"), "--seeds", dir)

	// The list: discovered only when asked; curated ones as before.
	var list struct {
		Curated, Discovered struct {
			TotalCount int
			Nodes      []struct {
				Slug, Kind   string
				EpisodeCount int
			}
		}
	}
	s.query(t, `{
		curated: topics(first: 100) { totalCount nodes { slug kind episodeCount } }
		discovered: topics(first: 100, kinds: [DISCOVERED], orderBy: {field: EPISODE_COUNT, direction: DESC}) {
			totalCount nodes { slug kind episodeCount } }
	}`, nil).must(t, &list)
	for _, n := range list.Curated.Nodes {
		if n.Kind != "CURATED" {
			t.Errorf("curated list holds %+v", n)
		}
	}
	got := map[string]int{}
	for i, n := range list.Discovered.Nodes {
		if n.Kind != "DISCOVERED" {
			t.Errorf("discovered list holds %+v", n)
		}
		if i > 0 && n.EpisodeCount > list.Discovered.Nodes[i-1].EpisodeCount {
			t.Errorf("not by episode count: %+v after %+v", n, list.Discovered.Nodes[i-1])
		}
		if !names[n.Slug] {
			t.Errorf("discovered topic %s: no generated page names it", n.Slug)
		}
		got[n.Slug] = n.EpisodeCount
	}
	if list.Discovered.TotalCount != len(want) || len(got) != len(want) {
		t.Errorf("discovered: total %d, %d listed, want %d", list.Discovered.TotalCount, len(got), len(want))
	}
	for slug, n := range want {
		if got[slug] != n {
			t.Errorf("discovered topic %s: %d episodes, want %d", slug, got[slug], n)
		}
	}

	t.Logf("%d discovered topics on 80 pages of 2 shows; the most named: %+v", len(want), list.Discovered.Nodes[0])

	// Against the names the generator wrote, kept by the same rule.
	truth := map[string]bool{}
	for p, pages := range written {
		if len(pages) >= 2 {
			truth[p.slug] = true
		}
	}
	right := 0
	for slug := range got {
		if truth[slug] {
			right++
		}
	}
	precision, recall := float64(right)/float64(len(got)), float64(right)/float64(len(truth))
	t.Logf("discovered topics against the names written: precision %.3f, recall %.3f (%d found, %d written)",
		precision, recall, len(got), len(truth))
	if precision < 0.9 || recall < 0.9 {
		t.Errorf("precision %.3f, recall %.3f: want 0.9 each", precision, recall)
	}

	// The most named one, by slug and by id, with its episodes.
	top := list.Discovered.Nodes[0].Slug
	var one struct {
		Topic struct {
			ID, Slug, Name, Kind string
			EpisodeCount         int
			Aliases              []string
			Episodes             struct {
				TotalCount int
				Nodes      []struct {
					Number int
					Show   struct{ Slug string }
				}
			}
		}
	}
	s.query(t, `query($slug: String!) { topic(slug: $slug) {
		id slug name kind episodeCount aliases
		episodes(first: 100) { totalCount nodes { number show { slug } } } } }`,
		map[string]any{"slug": top}).must(t, &one)
	tp := one.Topic
	if tp.Slug != top || tp.Kind != "DISCOVERED" || tp.Name == "" || tp.EpisodeCount != want[top] ||
		tp.Episodes.TotalCount != want[top] || len(tp.Episodes.Nodes) != want[top] || len(tp.Aliases) != 0 {
		t.Fatalf("topic(slug: %q) = %+v, want %d episodes", top, tp, want[top])
	}
	for _, e := range tp.Episodes.Nodes {
		if !slices.Contains(episodes[pair{top, e.Show.Slug}], e.Number) {
			t.Errorf("topic %s lists %s %d, which does not name it", top, e.Show.Slug, e.Number)
		}
	}
	var node struct {
		Node struct{ Slug, Kind string }
	}
	s.query(t, `query($id: ID!) { node(id: $id) { ... on Topic { slug kind } } }`,
		map[string]any{"id": tp.ID}).must(t, &node)
	if node.Node.Slug != top || node.Node.Kind != "DISCOVERED" {
		t.Fatalf("node(id: %q) = %+v", tp.ID, node.Node)
	}

	// An episode of it: its discovered topics, in the extractor's order,
	// only those that are topics of its show, with their evidence.
	e := tp.Episodes.Nodes[0]
	var ep struct {
		Episode struct {
			Topics           []struct{ Kind string }
			DiscoveredTopics []struct {
				Name, Evidence string
				Mentions       int
				Topic          struct {
					Slug, Kind   string
					EpisodeCount int
				}
			}
		}
	}
	s.query(t, `query($n: Int!, $show: String) { episode(number: $n, show: $show) {
		topics { kind }
		discoveredTopics { name evidence mentions topic { slug kind episodeCount } } } }`,
		map[string]any{"n": e.Number, "show": e.Show.Slug}).must(t, &ep)
	var wantSlugs, gotSlugs []string
	for _, m := range mentions[podcast.EpisodeKey{Show: e.Show.Slug, Number: e.Number}] {
		if len(episodes[pair{m.Slug, e.Show.Slug}]) >= 2 {
			wantSlugs = append(wantSlugs, m.Slug)
		}
	}
	for _, m := range ep.Episode.DiscoveredTopics {
		gotSlugs = append(gotSlugs, m.Topic.Slug)
		if m.Topic.Kind != "DISCOVERED" || m.Evidence == "" || m.Mentions < 1 || m.Topic.EpisodeCount != want[m.Topic.Slug] {
			t.Errorf("episode %d: %+v", e.Number, m)
		}
	}
	if !slices.Equal(gotSlugs, wantSlugs) || !slices.Contains(gotSlugs, top) {
		t.Errorf("episode %s %d: discovered topics %v, want %v", e.Show.Slug, e.Number, gotSlugs, wantSlugs)
	}
	for _, c := range ep.Episode.Topics {
		if c.Kind != "CURATED" {
			t.Errorf("Episode.topics holds a %s topic", c.Kind)
		}
	}
}
