package main

import (
	"cmp"
	"fmt"
	"slices"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/podcast"
)

// A catalogue is what the generated pages state (pagegen.Generate's
// facts, never an answer of either server), merged the way a reader of
// every page would: an episode's guests are those its own page names, in
// that order, then any other a listing entry names; its topics are those
// its own text and its listing entries mention. Both servers' answers are
// checked against it, and the peer's rows are built from it.
type catalogue struct {
	episodes []*catEpisode // by number, then show slug: the API's NUMBER order, ascending; id is the index + 1
	guests   []*catGuest   // by slug; id is the index + 1
	topics   []catTopic    // every topic of the vocabulary, by slug; id is the index + 1
	guest    map[string]*catGuest
	topic    map[string]*catTopic
	rotation []string // the search rotation for these pages (searchRotationFor), once worked out
}

// catEpisode is an episode of the catalogue.
type catEpisode struct {
	id     int
	show   string // show slug
	number int
	code   string // "GS1 316", as the API writes it
	title  string // "" when only listings name the episode
	date   podcast.Date
	paras  []string    // the description's paragraphs (nil when only listings name the episode)
	guests []*catGuest // in the order the pages name them
	topics []string    // topic slugs, sorted
}

// catGuest is a guest of the catalogue. Role and organisation vary from
// page to page; the peer gets those of the page that says the most (the
// checks compare names, not these).
type catGuest struct {
	id                 int
	slug, name         string
	role, organization string
	episodes           []*catEpisode // newest first: the API's default order, NUMBER DESC
}

// catTopic is a topic of the vocabulary.
type catTopic struct {
	id         int
	slug, name string
}

// catalogueBuilder merges pages into a catalogue, one page at a time.
type catalogueBuilder struct {
	episodes map[podcast.EpisodeKey]*building
	guests   map[string]*catGuest
	said     map[string]int // how many of role, organization and bio the kept facts of a guest have; +10 from an own page
}

// building is an episode while pages are added.
type building struct {
	catEpisode
	own, listed []*catGuest
}

func newCatalogueBuilder() *catalogueBuilder {
	return &catalogueBuilder{episodes: map[podcast.EpisodeKey]*building{}, guests: map[string]*catGuest{}, said: map[string]int{}}
}

// add merges what page g states.
func (b *catalogueBuilder) add(g pagegen.Generated) {
	show := ingest.Slugify(g.Show)
	e := b.episode(show, g.Code, g.Number)
	e.title, e.date, e.paras = g.Title, g.ReleaseDate, g.Paragraphs
	e.topics = appendNew(e.topics, g.Topics...)
	for _, p := range g.Guests {
		e.own = appendGuest(e.own, b.person(p, true))
	}
	for n, ps := range g.Listing {
		l := b.episode(show, g.Code, n)
		for _, p := range ps {
			l.listed = appendGuest(l.listed, b.person(p, false))
		}
		l.topics = appendNew(l.topics, g.ListingTopics[n]...)
	}
}

func (b *catalogueBuilder) episode(show, code string, n int) *building {
	k := podcast.EpisodeKey{Show: show, Number: n}
	e := b.episodes[k]
	if e == nil {
		e = &building{catEpisode: catEpisode{show: show, number: n, code: fmt.Sprintf("%s %d", code, n)}}
		b.episodes[k] = e
	}
	return e
}

// person returns the guest p names, keeping the facts of the page that
// says the most about them (an own page before a listing).
func (b *catalogueBuilder) person(p pagegen.Person, own bool) *catGuest {
	slug := ingest.Slugify(p.Name)
	said := 0
	for _, s := range []string{p.Role, p.Organization, p.Bio} {
		if s != "" {
			said++
		}
	}
	if own {
		said += 10
	}
	g := b.guests[slug]
	if g == nil {
		g = &catGuest{slug: slug, name: p.Name}
		b.guests[slug] = g
		b.said[slug] = -1
	}
	if said > b.said[slug] {
		g.role, g.organization, b.said[slug] = p.Role, p.Organization, said
	}
	return g
}

// done returns the catalogue: ids given, each guest's episodes listed.
func (b *catalogueBuilder) done() *catalogue {
	c := &catalogue{guest: b.guests, topic: map[string]*catTopic{}}
	for _, e := range b.episodes {
		e.guests = e.own
		for _, g := range e.listed {
			e.guests = appendGuest(e.guests, g)
		}
		slices.Sort(e.topics)
		c.episodes = append(c.episodes, &e.catEpisode)
	}
	slices.SortFunc(c.episodes, func(a, b *catEpisode) int {
		return cmp.Or(cmp.Compare(a.number, b.number), cmp.Compare(a.show, b.show))
	})
	for i, e := range c.episodes {
		e.id = i + 1
	}
	for _, g := range b.guests {
		c.guests = append(c.guests, g)
	}
	slices.SortFunc(c.guests, func(a, b *catGuest) int { return cmp.Compare(a.slug, b.slug) })
	for i, g := range c.guests {
		g.id = i + 1
	}
	for i := len(c.episodes) - 1; i >= 0; i-- {
		for _, g := range c.episodes[i].guests {
			g.episodes = append(g.episodes, c.episodes[i])
		}
	}
	for i, t := range ingest.DefaultVocabulary().Topics() {
		c.topics = append(c.topics, catTopic{id: i + 1, slug: t.Slug, name: t.Name})
	}
	for i := range c.topics {
		c.topic[c.topics[i].slug] = &c.topics[i]
	}
	return c
}

func appendGuest(list []*catGuest, g *catGuest) []*catGuest {
	if slices.Contains(list, g) {
		return list
	}
	return append(list, g)
}

// appendNew appends the values of add not yet in list.
func appendNew(list []string, add ...string) []string {
	for _, s := range add {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

// newest returns the i-th episode of the API's default order, NUMBER DESC.
func (c *catalogue) newest(i int) *catEpisode { return c.episodes[len(c.episodes)-1-i] }

// byNumber returns episode n of the catalogue's first show, or nil.
func (c *catalogue) byNumber(n int) *catEpisode {
	for _, e := range c.episodes {
		if e.number == n {
			return e
		}
	}
	return nil
}

// busiest returns the slugs of the n guests with most episodes, ties
// broken by slug, both descending: the API's guests ordered by
// EPISODE_COUNT DESC.
func (c *catalogue) busiest(n int) []string {
	gs := slices.Clone(c.guests)
	slices.SortFunc(gs, func(a, b *catGuest) int {
		return cmp.Or(cmp.Compare(len(b.episodes), len(a.episodes)), cmp.Compare(b.slug, a.slug))
	})
	var out []string
	for _, g := range gs[:min(n, len(gs))] {
		out = append(out, g.slug)
	}
	return out
}

// fields says which parts of an episode a query asks for: code and title
// always.
type fields struct {
	date, topics  bool
	guests        bool
	guestEpisodes int // the first this many of each guest's episodes (code and title); 0: not asked
}

// The views are the meaningful content of an answer, the same for both
// servers: what is compared. Empty parts are left out, so an empty list
// and one not asked for compare equal.
type (
	episodeView struct {
		Code   string      `json:"code"`
		Title  string      `json:"title,omitempty"`
		Date   string      `json:"releaseDate,omitempty"`
		Guests []guestView `json:"guests,omitempty"`
		Topics []string    `json:"topics,omitempty"` // names
	}
	guestView struct {
		Name         string        `json:"name"`
		EpisodeCount int           `json:"episodeCount,omitempty"`
		Episodes     []episodeView `json:"episodes,omitempty"`
	}
	pageView struct {
		TotalCount int           `json:"totalCount"`
		Nodes      []episodeView `json:"nodes"`
	}
)

// episodeView returns what an answer says of e when f is asked.
func (c *catalogue) episodeView(e *catEpisode, f fields) episodeView {
	v := episodeView{Code: e.code, Title: e.title}
	if f.date && !e.date.IsZero() {
		v.Date = e.date.String()
	}
	if f.guests {
		for _, g := range e.guests {
			gv := guestView{Name: g.name}
			for _, ge := range g.episodes[:min(f.guestEpisodes, len(g.episodes))] {
				gv.Episodes = append(gv.Episodes, c.episodeView(ge, fields{}))
			}
			v.Guests = append(v.Guests, gv)
		}
	}
	if f.topics {
		for _, t := range e.topics {
			v.Topics = append(v.Topics, c.topic[t].name)
		}
	}
	return v
}

// page returns page k of size n of the default order (NUMBER DESC).
func (c *catalogue) page(k, n int, f fields) pageView {
	v := pageView{TotalCount: len(c.episodes), Nodes: []episodeView{}}
	for i := k * n; i < min((k+1)*n, len(c.episodes)); i++ {
		v.Nodes = append(v.Nodes, c.episodeView(c.newest(i), f))
	}
	return v
}

// lastPage returns the last n episodes of the default order.
func (c *catalogue) lastPage(n int, f fields) pageView {
	v := pageView{TotalCount: len(c.episodes), Nodes: []episodeView{}}
	for i := max(0, len(c.episodes)-n); i < len(c.episodes); i++ {
		v.Nodes = append(v.Nodes, c.episodeView(c.newest(i), f))
	}
	return v
}

// guestView returns guest slug with its count and first n episodes.
func (c *catalogue) guestView(slug string, n int, f fields) guestView {
	g := c.guest[slug]
	if g == nil {
		return guestView{}
	}
	v := guestView{Name: g.name, EpisodeCount: len(g.episodes)}
	for _, e := range g.episodes[:min(n, len(g.episodes))] {
		v.Episodes = append(v.Episodes, c.episodeView(e, f))
	}
	return v
}

// guestPage returns the first n episodes of guest slug, as a page.
func (c *catalogue) guestPage(slug string, n int, f fields) pageView {
	v := pageView{Nodes: []episodeView{}}
	if g := c.guest[slug]; g != nil {
		v.TotalCount = len(g.episodes)
		for _, e := range g.episodes[:min(n, len(g.episodes))] {
			v.Nodes = append(v.Nodes, c.episodeView(e, f))
		}
	}
	return v
}

// topicPage returns the first n episodes that mention topic and were
// released strictly after the date, newest first (ties by NUMBER DESC).
func (c *catalogue) topicPage(topic string, after podcast.Date, n int, f fields) pageView {
	var es []*catEpisode
	for i := range c.episodes {
		e := c.newest(i)
		if slices.Contains(e.topics, topic) && !e.date.IsZero() && after.Before(e.date) {
			es = append(es, e)
		}
	}
	slices.SortStableFunc(es, func(a, b *catEpisode) int { return cmp.Compare(b.date.Days(), a.date.Days()) })
	v := pageView{TotalCount: len(es), Nodes: []episodeView{}}
	for _, e := range es[:min(n, len(es))] {
		v.Nodes = append(v.Nodes, c.episodeView(e, f))
	}
	return v
}
