package store_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/podcast"
	"podcastgraph/store"
)

// mention is a name an episode's text uses, said n times.
func mention(name string, n int) ingest.Mention {
	return ingest.Mention{Name: name, Slug: ingest.Slugify(name), Count: n, Evidence: "We talk about " + name + "."}
}

// mentioning is page with the names its description uses; the hash
// follows them, so a changed list is a changed page.
func mentioning(name string, n int, day string, names ...ingest.Mention) *ingest.Document {
	d := page(name, n, day, nil, nil)
	d.Episode.Discovered = names
	d.SHA256 = fmt.Sprintf("%s-%s-%v", d.SHA256, day, names)
	return d
}

// onShow moves a document to another show.
func onShow(d *ingest.Document, slug string) *ingest.Document {
	d.Show.Slug, d.Show.Title, d.Show.Code = slug, slug, ""
	return d
}

func discoveredSlugs(t *testing.T, st *store.Store, q store.TopicQuery) []string {
	t.Helper()
	q.Window = store.Window{First: 100, Last: -1}
	p, err := st.Topics(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != len(p.Slugs) {
		t.Errorf("topics %+v: total %d, %d slugs", q, p.Total, len(p.Slugs))
	}
	return p.Slugs
}

// topicEpisodes returns the numbers of a topic's episodes (NUMBER ASC),
// checking the count and the date order agree with them.
func topicEpisodes(t *testing.T, st *store.Store, slug string) []int {
	t.Helper()
	ctx := context.Background()
	var byNum []int
	for _, order := range []store.EpisodeOrder{{}, {ByDate: true}} {
		p := query(t, st, store.EpisodeQuery{Topic: slug, Order: order, Window: store.Window{First: 100, Last: -1}, WantTotal: true})
		var nums []int
		for _, k := range p.Keys {
			nums = append(nums, k.Number)
		}
		if p.Total != len(nums) {
			t.Errorf("topic %s: total %d, %d episodes", slug, p.Total, len(nums))
		}
		if order.ByDate {
			eps, _ := st.EpisodesByKey(ctx, p.Keys)
			for i := 1; i < len(eps); i++ {
				if eps[i].ReleaseDate.Days() < eps[i-1].ReleaseDate.Days() {
					t.Errorf("topic %s by date: %v before %v", slug, eps[i-1].ReleaseDate, eps[i].ReleaseDate)
				}
			}
			slices.Sort(nums)
			if !slices.Equal(nums, byNum) {
				t.Errorf("topic %s: by date %v, by number %v", slug, nums, byNum)
			}
		} else {
			byNum = nums
		}
	}
	n, err := st.EpisodeCounts(ctx, []store.Scope{store.DiscoveredScope(slug)})
	if err != nil {
		t.Fatal(err)
	}
	if n[0] != len(byNum) {
		t.Errorf("topic %s: count %d, %d episodes", slug, n[0], len(byNum))
	}
	return byNum
}

func mentionsOf(t *testing.T, st *store.Store, show string, n int) []store.Mention {
	t.Helper()
	out, err := st.DiscoveredTopics(context.Background(), []podcast.EpisodeKey{{Show: show, Number: n}})
	if err != nil {
		t.Fatal(err)
	}
	return out[0]
}

func verify(t *testing.T, st *store.Store) {
	t.Helper()
	if _, err := st.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestDiscoveredTopicNeedsTwoEpisodesOfAShow(t *testing.T) {
	st := open(t)
	ctx := context.Background()
	discovered := store.TopicQuery{Discovered: true}
	apply(t, st, mentioning("p1.txt", 1, "2024-01-01", mention("Grafana Cloud", 2), mention("Coroot", 1)))
	verify(t, st)
	if got := discoveredSlugs(t, st, discovered); len(got) != 0 {
		t.Fatalf("after one episode: discovered %v, want none", got)
	}
	if got := mentionsOf(t, st, "devops-paradox", 1); len(got) != 0 {
		t.Fatalf("after one episode: episode 1 has %v", got)
	}
	if ts, _ := st.TopicsBySlug(ctx, []string{"grafana-cloud"}); ts[0] != nil {
		t.Fatalf("after one episode: topic %+v", ts[0])
	}

	// Another show naming it does not count for this one.
	apply(t, st, onShow(mentioning("other.txt", 1, "2024-01-05", mention("Grafana Cloud", 1)), "other-show"))
	verify(t, st)
	if got := discoveredSlugs(t, st, discovered); len(got) != 0 {
		t.Fatalf("one episode in each of two shows: discovered %v, want none", got)
	}

	apply(t, st, mentioning("p2.txt", 2, "2024-01-08", mention("Grafana Cloud", 1)))
	verify(t, st)
	if got := discoveredSlugs(t, st, discovered); !slices.Equal(got, []string{"grafana-cloud"}) {
		t.Fatalf("after two episodes: discovered %v", got)
	}
	ts, err := st.TopicsBySlug(ctx, []string{"grafana-cloud", "coroot"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (podcast.Topic{Slug: "grafana-cloud", Name: "Grafana Cloud", Discovered: true}); ts[0] == nil || !equalTopic(*ts[0], want) {
		t.Fatalf("topic: %+v, want %+v", ts[0], want)
	}
	if ts[1] != nil {
		t.Fatalf("coroot, named by one episode: %+v", ts[1])
	}
	// Its episodes are the show's that name it, not the other show's.
	if got := topicEpisodes(t, st, "grafana-cloud"); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("episodes %v, want [1 2]", got)
	}
	want := []store.Mention{{Slug: "grafana-cloud", Name: "Grafana Cloud", Evidence: "We talk about Grafana Cloud.", Count: 2}}
	if got := mentionsOf(t, st, "devops-paradox", 1); !slices.Equal(got, want) {
		t.Fatalf("episode 1: %+v, want %+v (coroot is no topic)", got, want)
	}
	if got := mentionsOf(t, st, "other-show", 1); len(got) != 0 {
		t.Fatalf("the other show's episode: %+v, want none", got)
	}
	// Curated topics are listed as before; both kinds together.
	if got := discoveredSlugs(t, st, store.TopicQuery{}); len(got) != 0 {
		t.Fatalf("curated topics: %v", got)
	}
	if got := discoveredSlugs(t, st, store.TopicQuery{Curated: true, Discovered: true}); !slices.Equal(got, []string{"grafana-cloud"}) {
		t.Fatalf("both kinds: %v", got)
	}
}

func equalTopic(a, b podcast.Topic) bool {
	return a.Slug == b.Slug && a.Name == b.Name && a.Discovered == b.Discovered && len(a.Aliases) == len(b.Aliases)
}

func TestDiscoveredTopicsFollowChangedPages(t *testing.T) {
	st := open(t)
	apply(t, st,
		mentioning("p1.txt", 1, "2024-01-01", mention("Coroot", 1), mention("Grafana Cloud", 1)),
		mentioning("p2.txt", 2, "2024-01-08", mention("Grafana Cloud", 3), mention("Coroot", 1)),
		mentioning("p3.txt", 3, "2024-01-15", mention("Coroot", 1)),
	)
	verify(t, st)
	if got := topicEpisodes(t, st, "coroot"); !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("coroot: %v", got)
	}
	// Rank order is the extractor's, per episode.
	var slugs []string
	for _, m := range mentionsOf(t, st, "devops-paradox", 2) {
		slugs = append(slugs, m.Slug)
	}
	if !slices.Equal(slugs, []string{"grafana-cloud", "coroot"}) {
		t.Fatalf("episode 2's topics %v, want the extractor's order", slugs)
	}

	// Page 2 no longer names Grafana Cloud: one episode left, no topic.
	apply(t, st, mentioning("p2.txt", 2, "2024-01-08", mention("Coroot", 1)))
	verify(t, st)
	if got := discoveredSlugs(t, st, store.TopicQuery{Discovered: true}); !slices.Equal(got, []string{"coroot"}) {
		t.Fatalf("after the change: %v", got)
	}
	if got := topicEpisodes(t, st, "grafana-cloud"); len(got) != 0 {
		t.Fatalf("grafana-cloud after the change: %v", got)
	}
	// A page's date moves: its topic's date index follows.
	apply(t, st, mentioning("p1.txt", 1, "2024-02-01", mention("Coroot", 1), mention("Grafana Cloud", 1)))
	verify(t, st)
	if got := topicEpisodes(t, st, "coroot"); !slices.Equal(got, []int{1, 2, 3}) {
		t.Fatalf("coroot after a date change: %v", got)
	}
	// A page's own episode changes number: its mentions move with it.
	apply(t, st, mentioning("p3.txt", 4, "2024-01-15", mention("Coroot", 1)))
	verify(t, st)
	if got := topicEpisodes(t, st, "coroot"); !slices.Equal(got, []int{1, 2, 4}) {
		t.Fatalf("coroot after a number change: %v", got)
	}
	// Pages stop naming it, one by one.
	apply(t, st, mentioning("p1.txt", 1, "2024-02-01"), mentioning("p2.txt", 2, "2024-01-08"))
	verify(t, st)
	if got := discoveredSlugs(t, st, store.TopicQuery{Discovered: true}); len(got) != 0 {
		t.Fatalf("after every page but one dropped it: %v", got)
	}
	if got := mentionsOf(t, st, "devops-paradox", 4); len(got) != 0 {
		t.Fatalf("episode 4: %+v", got)
	}
}

func TestCuratedTopicsWin(t *testing.T) {
	st := open(t)
	if err := st.SetVocabulary(context.Background(), []podcast.Topic{{Slug: "coroot", Name: "Coroot"}}); err != nil {
		t.Fatal(err)
	}
	apply(t, st,
		mentioning("p1.txt", 1, "2024-01-01", mention("Coroot", 1), mention("Pyroscope", 1)),
		mentioning("p2.txt", 2, "2024-01-08", mention("Coroot", 1), mention("Pyroscope", 1)),
	)
	verify(t, st)
	if got := discoveredSlugs(t, st, store.TopicQuery{Discovered: true}); !slices.Equal(got, []string{"pyroscope"}) {
		t.Fatalf("discovered %v, want pyroscope alone (coroot is curated)", got)
	}
	if got := mentionsOf(t, st, "devops-paradox", 1); len(got) != 1 || got[0].Slug != "pyroscope" {
		t.Fatalf("episode 1: %+v", got)
	}
}

func TestDiscoveredTopicsOfFeedItems(t *testing.T) {
	st := open(t)
	show := feedShow("history-hour", "History Hour", "guid-hh")
	a, b := item(show, "a", 0, "2024-03-01"), item(show, "b", 0, "2024-03-08")
	a.Episode.Discovered = []ingest.Mention{mention("Abraham Lincoln", 2)}
	b.Episode.Discovered = []ingest.Mention{mention("Abraham Lincoln", 1)}
	apply(t, st, a, b)
	verify(t, st)
	if got := topicEpisodes(t, st, "abraham-lincoln"); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("abraham-lincoln: %v", got)
	}
	if got := mentionsOf(t, st, "history-hour", 1); len(got) != 1 || got[0].Name != "Abraham Lincoln" {
		t.Fatalf("item a: %+v", got)
	}
}

// TestDiscoveredTopicsRandomWrites applies random versions of pages (their
// names, numbers, dates and shows changing) in random batches, and checks
// after each write that the index of discovered topics is what the
// mentions make it (Verify), and at the end that it equals a store built
// from the last versions alone.
func TestDiscoveredTopicsRandomWrites(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	names := []string{"Coroot", "Grafana Cloud", "Pyroscope", "Raspberry Pi", "Initech"}
	version := func(p int) *ingest.Document {
		var ms []ingest.Mention
		for _, i := range r.Perm(len(names))[:r.IntN(4)] {
			ms = append(ms, mention(names[i], 1+r.IntN(3)))
		}
		d := mentioning(fmt.Sprintf("p%d.txt", p), 1+r.IntN(12), fmt.Sprintf("2024-01-%02d", 1+r.IntN(28)), ms...)
		if r.IntN(3) == 0 {
			onShow(d, "other-show")
		}
		return d
	}
	st := open(t)
	last := map[string]*ingest.Document{}
	for range 60 {
		var batch []*ingest.Document
		for range 1 + r.IntN(4) {
			d := version(r.IntN(10))
			if slices.ContainsFunc(batch, func(o *ingest.Document) bool { return o.Name == d.Name }) {
				continue
			}
			batch = append(batch, d)
			last[d.Name] = d
		}
		apply(t, st, batch...)
		verify(t, st)
	}
	fresh := open(t)
	var all []*ingest.Document
	for _, name := range slices.Sorted(maps.Keys(last)) {
		all = append(all, last[name])
	}
	apply(t, fresh, all...)
	for _, q := range []store.TopicQuery{{Discovered: true}, {Discovered: true, ByCount: true}} {
		got, want := discoveredSlugs(t, st, q), discoveredSlugs(t, fresh, q)
		if !slices.Equal(got, want) {
			t.Fatalf("topics %+v: %v, built afresh %v", q, got, want)
		}
		for _, slug := range want {
			if a, b := topicEpisodes(t, st, slug), topicEpisodes(t, fresh, slug); !slices.Equal(a, b) {
				t.Errorf("topic %s: episodes %v, built afresh %v", slug, a, b)
			}
		}
	}
}
