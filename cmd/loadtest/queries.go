package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"podcastgraph/internal/podcast"
)

// query is what a client app asks, by name; a rotating query sends each
// request with the next of a list of variables (see bodiesFor). at says
// where the answer's content is, and want what it should be (a view of
// the catalogue). peer is the same question to the PostGraphile peer, in
// its schema ("": none), whose answer, renamed by fromPeer, holds the
// content at peerAt (default at).
type query struct {
	name, query string
	rotate      string // "": the same variables every time; "page", "guest" or "search"
	at          string
	peer        string
	peerAt      string
	want        func(c *catalogue, a args) any
}

// args are what one request of a query asks for.
type args struct {
	page   int    // the page of 20, from the newest (rotating pages)
	guest  string // guest slug
	number int    // episode number
}

// The peer's fields for an episode's guests and topics, in the order the
// podcast graph gives them (the page's order; by slug).
const (
	peerTopics = `episodeTopicsByEpisodeId(orderBy: TOPIC_ID_ASC) { nodes { topicByTopicId { name } } }`
	peerNested = `totalCount nodes { code title releaseDate episodeGuestsByEpisodeId(orderBy: POSITION_ASC) { nodes { guestByGuestId { name role organization
  episodeGuestsByGuestId(first: 5, orderBy: EPISODE_ID_DESC) { nodes { episodeByEpisodeId { code title } } } } } } ` + peerTopics + ` }`
	peerGuest100 = `query($g: String!) { guestBySlug(slug: $g) { name role organization episodeCount
  episodeGuestsByGuestId(first: 100, orderBy: EPISODE_ID_DESC) { nodes { episodeByEpisodeId { code title releaseDate } } } } }`
)

var nested = fields{date: true, guests: true, guestEpisodes: 5, topics: true}

// since2001 is the filtered page's date.
var since2001 = podcast.Date{Year: 2001, Month: 1, Day: 1}

// queries are what a client app asks, by name.
var queries = []query{
	{
		name: "episode(number: N) + guests + topics", at: "episode",
		query:  `query($n: Int!) { episode(number: $n) { code title releaseDate summary guests { name role organization } topics { name } } }`,
		peer:   `query($n: Int!) { allEpisodes(condition: {number: $n}, first: 1) { nodes { code title releaseDate episodeGuestsByEpisodeId(orderBy: POSITION_ASC) { nodes { guestByGuestId { name role organization } } } ` + peerTopics + ` } } }`,
		peerAt: "episodes.nodes.0",
		want: func(c *catalogue, a args) any {
			return c.episodeView(c.byNumber(a.number), fields{date: true, guests: true, topics: true})
		},
	},
	{
		name: "nested: 20 episodes → guests → 5 episodes, topics", at: "episodes",
		query: `query { episodes(first: 20) { totalCount nodes { code title releaseDate guests { name role organization episodes(first: 5) { nodes { code title } } } topics { name } } } }`,
		peer:  `query { allEpisodes(first: 20, orderBy: ID_DESC) { ` + peerNested + ` } }`,
		want:  func(c *catalogue, a args) any { return c.page(0, 20, nested) },
	},
	{
		name: "guest(slug:) + 20 episodes", at: "guest",
		query: `query($g: String!) { guest(slug: $g) { name episodeCount episodes(first: 20) { nodes { code title } } } }`,
		peer:  `query($g: String!) { guestBySlug(slug: $g) { name episodeCount episodeGuestsByGuestId(first: 20, orderBy: EPISODE_ID_DESC) { nodes { episodeByEpisodeId { code title } } } } }`,
		want:  func(c *catalogue, a args) any { return c.guestView(a.guest, 20, fields{}) },
	},
	{
		name: "guest(slug:) + 100 episodes", at: "guest",
		query: `query($g: String!) { guest(slug: $g) { name role organization episodeCount episodes(first: 100) { nodes { code title releaseDate } } } }`,
		peer:  peerGuest100,
		want:  func(c *catalogue, a args) any { return c.guestView(a.guest, 100, fields{date: true}) },
	},
	{
		name: "filtered page: topic + date range", at: "episodes",
		query: `query { episodes(first: 20, filter: {topic: "ai", releasedAfter: "2001-01-01"}, orderBy: {field: RELEASE_DATE, direction: DESC}) { totalCount nodes { code title } } }`,
		peer:  `query { episodesByTopic(topicSlug: "ai", releasedAfter: "2001-01-01", first: 20) { totalCount nodes { code title } } }`,
		want:  func(c *catalogue, a args) any { return c.topicPage("ai", since2001, 20, fields{}) },
	},
	{
		name: "page of 20 + totalCount", at: "episodes",
		query: `query { episodes(first: 20) { totalCount nodes { code title } } }`,
		peer:  `query { allEpisodes(first: 20, orderBy: ID_DESC) { totalCount nodes { code title } } }`,
		want:  func(c *catalogue, a args) any { return c.page(0, 20, fields{}) },
	},
	{
		name: "last page of 20 + totalCount", at: "episodes",
		query: `query { episodes(last: 20) { totalCount nodes { code title } } }`,
		peer:  `query { allEpisodes(last: 20, orderBy: ID_DESC) { totalCount nodes { code title } } }`,
		want:  func(c *catalogue, a args) any { return c.lastPage(20, fields{}) },
	},
	{
		name: "guest filter page of 20", at: "episodes",
		query:  `query($g: String!) { episodes(first: 20, filter: {guest: $g}) { totalCount nodes { code title } } }`,
		peer:   `query($g: String!) { guestBySlug(slug: $g) { episodeGuestsByGuestId(first: 20, orderBy: EPISODE_ID_DESC) { totalCount nodes { episodeByEpisodeId { code title } } } } }`,
		peerAt: "guest.episodes",
		want:   func(c *catalogue, a args) any { return c.guestPage(a.guest, 20, fields{}) },
	},
	{
		name: "nested, rotating: page after a cursor", at: "episodes", rotate: "page",
		query: `query($after: String) { episodes(first: 20, after: $after) { totalCount nodes { code title releaseDate guests { name role organization episodes(first: 5) { nodes { code title } } } topics { name } } } }`,
		peer:  `query($after: Cursor) { allEpisodes(first: 20, after: $after, orderBy: ID_DESC) { ` + peerNested + ` } }`,
		want:  func(c *catalogue, a args) any { return c.page(a.page, 20, nested) },
	},
	{
		// Full-text search: twenty queries in turn, five of each class
		// (one word, three words, a typo, a phrase), with highlights,
		// facets and totalCount; answers are checked for errors only.
		name: "search, rotating 20 queries + highlights + facets", at: "search", rotate: "search",
		query: `query($q: String!) { search(query: $q, first: 20) { totalCount edges { score highlights { field snippet } node { ... on Episode { code title } ... on Guest { name } ... on Topic { name } ... on Show { slug } } } facets { kinds { value count } shows { value count } topics { value count } years { value count } } } }`,
	},
	{
		name: "guest(slug:) + 100 episodes, rotating guest", at: "guest", rotate: "guest",
		query: `query($g: String!) { guest(slug: $g) { name role organization episodeCount episodes(first: 100) { nodes { code title releaseDate } } } }`,
		peer:  peerGuest100,
		want:  func(c *catalogue, a args) any { return c.guestView(a.guest, 100, fields{date: true}) },
	},
}

// A side is a server the queries are sent to: the podcast graph, or the
// PostGraphile peer (its own query text, its answers renamed).
type side struct {
	name string
	url  string // requests go to url+"/graphql"
	peer bool
}

func (s side) text(q query) string {
	if s.peer {
		return q.peer
	}
	return q.query
}

func (s side) at(q query) string {
	if s.peer && q.peerAt != "" {
		return q.peerAt
	}
	return q.at
}

// cursors is the query that walks a side's pages of 20, newest first.
func (s side) cursors() string {
	if s.peer {
		return `query($after: Cursor) { allEpisodes(first: 20, after: $after, orderBy: ID_DESC) { pageInfo { endCursor hasNextPage } } }`
	}
	return `query($after: String) { episodes(first: 20, after: $after) { pageInfo { endCursor hasNextPage } } }`
}

// maxRotation bounds the variables a rotating query cycles through: 500
// pages of 20 are the whole of 10,000 episodes.
const maxRotation = 500

// bodiesFor returns the request bodies of q on side s, and what each asks
// for: one, or for a rotating query one per page (the cursors collected
// from the server) or per guest (the catalogue's busiest, or without one
// the server's). Only the variables the query declares are sent.
func bodiesFor(client *http.Client, s side, q query, fixed args, c *catalogue) ([][]byte, []args, error) {
	text := s.text(q)
	body := func(v map[string]any) []byte {
		for k := range v {
			if !strings.Contains(text, "$"+k) {
				delete(v, k)
			}
		}
		b, _ := json.Marshal(map[string]any{"query": text, "variables": v})
		return b
	}
	var out [][]byte
	var as []args
	switch q.rotate {
	case "":
		return [][]byte{body(map[string]any{"n": fixed.number, "g": fixed.guest})}, []args{fixed}, nil
	case "page":
		var after any // the first page, then each page's end cursor
		for len(out) < maxRotation {
			out = append(out, body(map[string]any{"after": after}))
			as = append(as, args{page: len(as)})
			var d struct {
				Data any
			}
			if err := ask(client, s.url, s.cursors(), map[string]any{"after": after}, &d); err != nil {
				return nil, nil, err
			}
			if s.peer {
				d.Data = fromPeer(d.Data)
			}
			end, _ := at(d.Data, "episodes.pageInfo.endCursor").(string)
			if next, _ := at(d.Data, "episodes.pageInfo.hasNextPage").(bool); !next || end == "" {
				break
			}
			after = end
		}
	case "guest":
		var slugs []string
		if c != nil {
			slugs = c.busiest(100)
		} else {
			var d struct {
				Data struct {
					Guests struct{ Nodes []struct{ Slug string } }
				}
			}
			if err := ask(client, s.url, `{ guests(first: 100, orderBy: {field: EPISODE_COUNT, direction: DESC}) { nodes { slug } } }`, nil, &d); err != nil {
				return nil, nil, err
			}
			for _, g := range d.Data.Guests.Nodes {
				slugs = append(slugs, g.Slug)
			}
		}
		for _, g := range slugs {
			out = append(out, body(map[string]any{"g": g}))
			as = append(as, args{guest: g})
		}
	case "search":
		for _, text := range searchRotation {
			out = append(out, body(map[string]any{"q": text}))
			as = append(as, args{})
		}
	}
	if len(out) == 0 {
		return nil, nil, fmt.Errorf("%s: nothing to rotate through", q.name)
	}
	return out, as, nil
}

// ask posts a query and decodes its answer into v.
func ask(client *http.Client, url, query string, vars map[string]any, v any) error {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, err := client.Post(url+"/graphql", "application/json", bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

// checkSamples posts a sample of bodies (the first, the last and evenly
// spaced ones between, 25 at most), uncompressed, and checks each answer:
// against the catalogue when there is one, else only that it is a 200
// without errors.
func checkSamples(client *http.Client, s side, q query, bodies [][]byte, as []args, c *catalogue) error {
	for _, i := range samples(len(bodies), 25) {
		resp, err := client.Post(s.url+"/graphql", "application/json", bytes.NewReader(bodies[i]))
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode != 200 || bytes.Contains(b, []byte(`"errors"`)):
			err = fmt.Errorf("%d %.500s", resp.StatusCode, b)
		case c != nil && q.want != nil:
			err = checkAnswer(b, s.at(q), s.peer, q.want(c, as[i]))
		}
		if err != nil {
			var sent struct{ Variables json.RawMessage }
			_ = json.Unmarshal(bodies[i], &sent)
			return fmt.Errorf("%s, %s, variables %s: %w", s.name, q.name, sent.Variables, err)
		}
	}
	return nil
}

// samples returns up to n indexes of a list of size size: the first, the
// last and evenly spaced ones between.
func samples(size, n int) []int {
	if size <= n {
		out := make([]int, size)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, n)
	for i := range out {
		out[i] = i * (size - 1) / (n - 1)
	}
	return out
}

// searchRotation is the search workload's queries: five of each class, as
// search's figures test has them.
var searchRotation = []string{
	"kubernetes", "observability", "gitops", "microservices", "serverless",
	"platform engineering observability", "edge computing careers", "site reliability testing", "machine learning virtualization", "time series databases",
	"obsrevability", "kuberntes", "microservise", "virtualisation", "serverles",
	`"site reliability engineering"`, `"platform engineering"`, `"edge computing"`, `"machine learning"`, `"time series databases"`,
}
