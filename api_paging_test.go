package main

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"

	"podcastgraph/internal/podcast"
)

type pageResult struct {
	Edges []struct {
		Cursor string
		Node   struct{ Number int }
	}
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	TotalCount int
}

func numbersOf(p pageResult) []int {
	var out []int
	for _, e := range p.Edges {
		out = append(out, e.Node.Number)
	}
	return out
}

const pageQuery = `query($first: Int, $after: String, $last: Int, $before: String, $order: EpisodeOrder, $filter: EpisodeFilter) {
  episodes(first: $first, after: $after, last: $last, before: $before, orderBy: $order, filter: $filter) {
    edges { cursor node { number } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  }
}`

func (s *testServer) episodes(t *testing.T, vars map[string]any) pageResult {
	t.Helper()
	var d struct{ Episodes pageResult }
	s.query(t, pageQuery, vars).must(t, &d)
	return d.Episodes
}

func TestPaginationThroughSeeds(t *testing.T) {
	s := startServer(t)
	orders := map[string]struct {
		order map[string]any
		want  []int
	}{
		"default":    {nil, []int{339, 338, 337, 336, 335, 334, 333, 332, 331, 330, 322, 316}},
		"number asc": {map[string]any{"field": "NUMBER", "direction": "ASC"}, []int{316, 322, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339}},
		"date desc":  {map[string]any{"field": "RELEASE_DATE", "direction": "DESC"}, []int{322, 316, 339, 338, 337, 336, 335, 334, 333, 332, 331, 330}},
		"date asc":   {map[string]any{"field": "RELEASE_DATE", "direction": "ASC"}, []int{316, 322, 330, 331, 332, 333, 334, 335, 336, 337, 338, 339}},
	}
	for name, o := range orders {
		t.Run(name, func(t *testing.T) {
			var fwd []int
			var after any
			for i := 0; ; i++ {
				p := s.episodes(t, map[string]any{"first": 5, "after": after, "order": o.order})
				if p.TotalCount != 12 {
					t.Errorf("totalCount %d", p.TotalCount)
				}
				if p.PageInfo.HasPreviousPage != (i > 0) {
					t.Errorf("page %d hasPreviousPage = %v", i, p.PageInfo.HasPreviousPage)
				}
				fwd = append(fwd, numbersOf(p)...)
				if *p.PageInfo.EndCursor != p.Edges[len(p.Edges)-1].Cursor || *p.PageInfo.StartCursor != p.Edges[0].Cursor {
					t.Errorf("pageInfo cursors do not match edges")
				}
				if !p.PageInfo.HasNextPage {
					break
				}
				after = *p.PageInfo.EndCursor
			}
			if !slices.Equal(fwd, o.want) {
				t.Errorf("forward %v, want %v", fwd, o.want)
			}
			var bwd []int
			var before any
			for i := 0; ; i++ {
				p := s.episodes(t, map[string]any{"last": 5, "before": before, "order": o.order})
				if p.PageInfo.HasNextPage != (i > 0) {
					t.Errorf("backward page %d hasNextPage = %v", i, p.PageInfo.HasNextPage)
				}
				bwd = append(numbersOf(p), bwd...)
				if !p.PageInfo.HasPreviousPage {
					break
				}
				before = *p.PageInfo.StartCursor
			}
			if !slices.Equal(bwd, o.want) {
				t.Errorf("backward %v, want %v", bwd, o.want)
			}
		})
	}
}

func TestFilters(t *testing.T) {
	s := startServer(t)
	cases := []struct {
		name   string
		filter map[string]any
		want   []int
	}{
		{"guest", map[string]any{"guest": "avery-pennarun"}, []int{316}},
		{"topic", map[string]any{"topic": "peer-to-peer"}, []int{322}},
		{"show", map[string]any{"show": "devops-paradox"}, []int{339, 338, 337, 336, 335, 334, 333, 332, 331, 330, 322, 316}},
		{"unknown show", map[string]any{"show": "nope"}, nil},
		{"released after", map[string]any{"releasedAfter": "2025-09-17"}, []int{322}},
		{"released before", map[string]any{"releasedBefore": "2025-10-29"}, []int{316}},
		{"range", map[string]any{"releasedAfter": "2025-01-01", "releasedBefore": "2025-12-31"}, []int{322, 316}},
		{"guest and topic", map[string]any{"guest": "peter-zaitsev", "topic": "ebpf"}, []int{335}},
		{"guest and other topic", map[string]any{"guest": "peter-zaitsev", "topic": "vpn"}, nil},
		{"topic and range", map[string]any{"topic": "vpn", "releasedAfter": "2025-01-01"}, []int{316}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := s.episodes(t, map[string]any{"first": 100, "filter": c.filter})
			if got := numbersOf(p); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
			if p.TotalCount != len(c.want) {
				t.Errorf("totalCount %d, want %d", p.TotalCount, len(c.want))
			}
		})
	}
}

func TestBoundsAndErrors(t *testing.T) {
	s := startServer(t)
	cases := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"first too big", `{ episodes(first: 101) { totalCount } }`, nil},
		{"first negative", `{ episodes(first: -1) { totalCount } }`, nil},
		{"last too big", `{ guests(last: 1000) { totalCount } }`, nil},
		{"nested first", `{ guests { nodes { episodes(first: 500) { totalCount } } } }`, nil},
		{"malformed cursor", `{ episodes(after: "not-a-cursor") { totalCount } }`, nil},
		// "en:" and two bytes: the right list and order, a sort key no
		// episode can have; the store refuses it.
		{"cursor with a short sort key", pageQuery, map[string]any{"after": "ZW46AAE"}},
		{"cursor of another order", pageQuery, map[string]any{"after": "ZW46AAABTGRldm9wcy1wYXJhZG94", "order": map[string]any{"field": "RELEASE_DATE", "direction": "ASC"}}},
		{"bad date", `{ episodes(filter: {releasedAfter: "2025-02-30"}) { totalCount } }`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.query(t, c.query, c.vars)
			if r.code() != "BAD_USER_INPUT" {
				t.Errorf("errors %+v, want BAD_USER_INPUT", r.Errors)
			}
		})
	}
	t.Run("unknown lookups are null", func(t *testing.T) {
		var d map[string]any
		s.query(t, `{ episode(number: 9999) { title } guest(slug: "nobody") { name } topic(slug: "nothing") { name }
			show(slug: "nope") { title } node(id: "bm9wZQ") { id } nodes(ids: ["bm9wZQ", "R3Vlc3Q6bm9ib2R5"]) { id } }`, nil).must(t, &d)
		for _, k := range []string{"episode", "guest", "topic", "show", "node"} {
			if d[k] != nil {
				t.Errorf("%s = %v, want null", k, d[k])
			}
		}
		if n := d["nodes"].([]any); len(n) != 2 || n[0] != nil || n[1] != nil {
			t.Errorf("nodes = %v", n)
		}
	})
	// The executor is rewritten after generation (internal/gqlpatch): an
	// error deep in lists still names its field by its full path, once
	// for every object it occurs in.
	t.Run("nested errors carry their paths", func(t *testing.T) {
		r := s.query(t, `{ episodes(first: 12, orderBy: {field: NUMBER, direction: ASC}) { nodes { number guests { name episodes(first: 500) { totalCount } } } } }`, nil)
		if r.code() != "BAD_USER_INPUT" || len(r.Errors) < 5 {
			t.Fatalf("errors %+v, want BAD_USER_INPUT for each guest of each episode", r.Errors)
		}
		seen := map[string]bool{}
		for _, e := range r.Errors {
			p := e.Path
			ok := len(p) == 6 && p[0] == "episodes" && p[1] == "nodes" && p[3] == "guests" && p[5] == "episodes"
			if ok {
				i, iNum := p[2].(float64)
				j, jNum := p[4].(float64)
				ok = iNum && jNum && i >= 0 && i < 12 && j >= 0
			}
			key := fmt.Sprint(p)
			if !ok || seen[key] {
				t.Errorf("error path %v (duplicate: %t)", p, seen[key])
			}
			seen[key] = true
		}
	})
	t.Run("syntax error has a code", func(t *testing.T) {
		r := s.query(t, `{ episodes(`, nil)
		if r.code() == "" {
			t.Errorf("errors %+v carry no code", r.Errors)
		}
	})
}

func TestNodeRoundTrips(t *testing.T) {
	s := startServer(t)
	var d struct {
		Show     struct{ ID string }
		Episodes struct{ Nodes []struct{ ID string } }
		Guests   struct{ Nodes []struct{ ID string } }
		Topics   struct{ Nodes []struct{ ID string } }
	}
	s.query(t, `{ show { id } episodes(first: 100) { nodes { id } } guests { nodes { id } } topics(first: 100) { nodes { id } } }`, nil).must(t, &d)
	ids := []string{d.Show.ID}
	for _, l := range [][]struct{ ID string }{d.Episodes.Nodes, d.Guests.Nodes, d.Topics.Nodes} {
		for _, n := range l {
			ids = append(ids, n.ID)
		}
	}
	if len(ids) < 1+12+5+10 {
		t.Fatalf("only %d ids", len(ids))
	}
	for _, id := range ids {
		var one struct {
			Node struct {
				ID       string
				Typename string `json:"__typename"`
			}
		}
		s.query(t, `query($id: ID!) { node(id: $id) { id __typename } }`, map[string]any{"id": id}).must(t, &one)
		if one.Node.ID != id {
			t.Errorf("node(%s) = %+v", id, one.Node)
		}
	}
	// An id names a node only in the form the node gives: the same
	// episode written another way resolves to nothing, so a node's id is
	// always the id it was asked by.
	var ep struct {
		Node *struct{ ID string }
	}
	s.query(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": d.Episodes.Nodes[0].ID}).must(t, &ep)
	typ, key, ok := podcast.ParseID(d.Episodes.Nodes[0].ID)
	if !ok || typ != "Episode" || ep.Node == nil {
		t.Fatalf("episode id %s: %s %v %v", d.Episodes.Nodes[0].ID, typ, key, ok)
	}
	for _, other := range []string{"0" + key[1], "+" + key[1], key[1] + " "} {
		id := base64.RawURLEncoding.EncodeToString([]byte("Episode:" + key[0] + ":" + other))
		ep.Node = nil
		s.query(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}).must(t, &ep)
		if ep.Node != nil {
			t.Errorf("node(%q, %s) = %s: another form of the id resolved", "Episode:"+key[0]+":"+other, id, ep.Node.ID)
		}
	}
	var many struct{ Nodes []struct{ ID string } }
	s.query(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}).must(t, &many)
	for i, n := range many.Nodes {
		if n.ID != ids[i] {
			t.Errorf("nodes[%d] = %s, want %s", i, n.ID, ids[i])
		}
	}
}

func TestNestedAndGet(t *testing.T) {
	s := startServer(t)
	var d struct {
		Guest struct {
			CoGuests []struct{ Slug string }
			Topics   []struct{ Slug string }
			Episodes struct {
				Nodes []struct {
					Previous    *struct{ Number int }
					Next        *struct{ Number int }
					Appearances []struct {
						Evidence string
						Guest    struct{ Slug string }
						Episode  struct{ Number int }
					}
				}
			}
		}
		Topic struct {
			EpisodeCount int
			Guests       []struct{ Slug string }
			Related      []struct{ Slug string }
		}
	}
	s.get(t, `{ guest(slug: "avery-pennarun") { coGuests { slug } topics { slug }
	  episodes { nodes { previous { number } next { number } appearances { evidence guest { slug } episode { number } } } } }
	  topic(slug: "ebpf") { episodeCount guests { slug } related { slug } } }`, nil).must(t, &d)
	eps := d.Guest.Episodes.Nodes
	if len(eps) != 1 || eps[0].Previous != nil || eps[0].Next == nil || eps[0].Next.Number != 322 {
		t.Fatalf("avery's episode neighbours = %+v", eps)
	}
	a := eps[0].Appearances
	if len(a) != 1 || a[0].Guest.Slug != "avery-pennarun" || a[0].Episode.Number != 316 || !strings.Contains(a[0].Evidence, "Avery Pennarun") {
		t.Errorf("appearances = %+v", a)
	}
	if !hasSlug(d.Guest.Topics, "vpn") {
		t.Errorf("avery topics = %v", d.Guest.Topics)
	}
	if d.Topic.EpisodeCount != 1 || !hasSlug(d.Topic.Guests, "peter-zaitsev") || !hasSlug(d.Topic.Related, "observability") {
		t.Errorf("ebpf = %+v", d.Topic)
	}
	r := s.get(t, `mutation { x }`, nil)
	if r.status == 200 && len(r.Errors) == 0 {
		t.Errorf("GET mutation accepted")
	}
}

func hasSlug(l []struct{ Slug string }, slug string) bool {
	for _, x := range l {
		if x.Slug == slug {
			return true
		}
	}
	return false
}
