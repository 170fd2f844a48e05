package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
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

// peerSearchQuery is the search workload's question to the peer.
const peerSearchQuery = `query($q: String!) { searchEpisodes(q: $q, first: 20) { totalCount nodes { code title rank(q: $q) headline(q: $q) } } }`

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
		// facets and totalCount; the peer's is PostgreSQL's full-text
		// search (rows.go's peerSearch), first 20 with rank, headline and
		// totalCount. Answers are checked for errors, and by checkSearch
		// for hits on both sides (not for the same ranking).
		name: "search, rotating 20 queries + highlights + facets", at: "search", rotate: "search",
		query:  `query($q: String!) { search(query: $q, first: 20) { totalCount edges { score highlights { field snippet } node { ... on Episode { code title } ... on Guest { name } ... on Topic { name } ... on Show { slug } } } facets { kinds { value count } shows { value count } topics { value count } years { value count } } } }`,
		peer:   peerSearchQuery,
		peerAt: "searchEpisodes",
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
		for _, text := range searchRotationFor(c) {
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

// searchRotation is the search workload's queries: five of each class
// (searchClasses, in this order), as search's figures test has them.
var searchRotation = []string{
	"kubernetes", "observability", "gitops", "microservices", "serverless",
	"platform engineering observability", "edge computing careers", "site reliability testing", "machine learning virtualization", "time series databases",
	"obsrevability", "kuberntes", "microservise", "virtualisation", "serverles",
	`"site reliability engineering"`, `"platform engineering"`, `"edge computing"`, `"machine learning"`, `"time series databases"`,
}

// searchStandIns are queries of each class that searchRotationFor puts in
// place of one whose words no episode of the generated pages says (the
// catalogue shape names time-series databases "TSDB" only), tried in
// order.
var searchStandIns = map[string][]string{
	"one word":    {"databases", "monitoring", "networking"},
	"three words": {"distributed systems databases", "open source licensing", "developer experience testing"},
	"phrase":      {`"distributed systems"`, `"open source"`, `"developer experience"`},
}

// searchRotationFor returns searchRotation with each query whose words
// no episode of c says (all of them, or the phrase) replaced by the first
// stand-in of its class that some episode says, so every query finds
// episodes on both sides whatever the pages' shape. The typos are kept:
// their words are the one-word class's. Without a catalogue (the seeds)
// it is searchRotation. It is worked out once per catalogue.
func searchRotationFor(c *catalogue) []string {
	if c == nil || len(c.episodes) == 0 {
		return searchRotation
	}
	if c.rotation != nil {
		return c.rotation
	}
	// said looks through the episodes until one says the query: a query
	// most pages say stops at the first few; only one nobody says reads
	// them all (each lowered in turn, none kept).
	said := func(query string) bool {
		var parts []string
		if p, ok := strings.CutPrefix(query, `"`); ok {
			parts = []string{strings.ToLower(strings.TrimSuffix(p, `"`))}
		} else {
			parts = strings.Fields(strings.ToLower(query))
		}
		return slices.ContainsFunc(c.episodes, func(e *catEpisode) bool {
			t := strings.ToLower(e.title + "\n" + strings.Join(e.paras, "\n"))
			for _, p := range parts {
				if !strings.Contains(t, p) {
					return false
				}
			}
			return true
		})
	}
	out := slices.Clone(searchRotation)
	for i, q := range out {
		class := searchClass(i)
		if class == "typo" || said(q) {
			continue
		}
		for _, alt := range searchStandIns[class] {
			if !slices.Contains(out, alt) && said(alt) {
				out[i] = alt
				break
			}
		}
	}
	c.rotation = out
	return out
}

// searchClasses are the classes of searchRotation's queries, five each.
var searchClasses = []string{"one word", "three words", "typo", "phrase"}

// searchClass returns the class of searchRotation[i].
func searchClass(i int) string { return searchClasses[i/5%len(searchClasses)] }

// searchAnswer is what checkSearch reads of a search answer: the total,
// the hits on the page, and how many of them show a match in <mark>.
type searchAnswer struct{ total, hits, marked int }

// readSearch reads a search answer, ours or (renamed by fromPeer) the
// peer's, at path.
func readSearch(body []byte, path string, peer bool) (searchAnswer, error) {
	var d struct {
		Data   any
		Errors []any
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return searchAnswer{}, err
	}
	if len(d.Errors) > 0 {
		return searchAnswer{}, fmt.Errorf("errors: %.300s", body)
	}
	if peer {
		d.Data = fromPeer(d.Data)
	}
	conn, _ := at(d.Data, path).(map[string]any)
	if conn == nil {
		return searchAnswer{}, fmt.Errorf("no %s in %.300s", path, body)
	}
	total, _ := conn["totalCount"].(float64)
	a := searchAnswer{total: int(total)}
	hits, _ := conn["edges"].([]any)
	if peer {
		hits, _ = conn["nodes"].([]any)
	}
	for _, h := range hits {
		a.hits++
		var marked bool
		if peer {
			s, _ := at(h, "headline").(string)
			marked = strings.Contains(s, "<mark>")
		} else {
			hl, _ := at(h, "highlights").([]any)
			for _, x := range hl {
				s, _ := at(x, "snippet").(string)
				marked = marked || strings.Contains(s, "<mark>")
			}
		}
		if marked {
			a.marked++
		}
	}
	return a, nil
}

// checkSearch posts each query of the search rotation to both sides and
// prints what each found. Ours must find something for every query, the
// peer for every one but the typos (PostgreSQL's full-text search has no
// typo tolerance); the rankings are not compared.
func checkSearch(client *http.Client, ours, peer side, q query, ob, pb [][]byte, c *catalogue) error {
	rotation := searchRotationFor(c)
	if len(ob) != len(rotation) || len(pb) != len(rotation) {
		return fmt.Errorf("%s: %d and %d bodies for %d queries", q.name, len(ob), len(pb), len(rotation))
	}
	fmt.Printf("search answers, ours (total, hits on the page, hits with a <mark>) and the peer's:\n")
	for i, text := range rotation {
		var got [2]searchAnswer
		for k, s := range []side{ours, peer} {
			body := [][][]byte{ob, pb}[k][i]
			resp, err := client.Post(s.url+"/graphql", "application/json", bytes.NewReader(body))
			if err != nil {
				return err
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if got[k], err = readSearch(b, s.at(q), s.peer); err != nil {
				return fmt.Errorf("%s, search %q: %w", s.name, text, err)
			}
		}
		fmt.Printf("  %-12s %-38q ours %6d %3d %3d │ peer %6d %3d %3d\n", searchClass(i), text,
			got[0].total, got[0].hits, got[0].marked, got[1].total, got[1].hits, got[1].marked)
		if err := searchAgrees(searchClass(i), got[0], got[1]); err != nil {
			return fmt.Errorf("search %q: %w", text, err)
		}
	}
	return nil
}

// searchAgrees says whether both sides' answers to a query of a class are
// sane: hits on both (the peer may find none for a typo), a full page
// when there are 20 or more, and on ours a highlighted match on the page.
func searchAgrees(class string, ours, peer searchAnswer) error {
	switch {
	case ours.total == 0:
		return errors.New("ours found nothing")
	case peer.total == 0 && class != "typo":
		return errors.New("the peer found nothing")
	case ours.hits != min(ours.total, 20) || peer.hits != min(peer.total, 20):
		return fmt.Errorf("pages of %d and %d hits for totals %d and %d", ours.hits, peer.hits, ours.total, peer.total)
	case ours.marked == 0:
		return errors.New("no highlighted match on our page")
	}
	return nil
}
