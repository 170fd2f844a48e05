package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"podcastgraph/internal/pagegen"
)

type obj = map[string]any

// ourEpisode and peerEpisode write an episode of the catalogue as each
// server's answer to the nested query does, straight from the catalogue
// (not through the views).
func ourEpisode(e *catEpisode, c *catalogue) obj {
	var guests, topics []any
	for _, g := range e.guests {
		var eps []any
		for _, ge := range g.episodes[:min(5, len(g.episodes))] {
			eps = append(eps, obj{"code": ge.code, "title": ge.title})
		}
		guests = append(guests, obj{"name": g.name, "role": g.role, "organization": nil, "episodes": obj{"nodes": eps}})
	}
	for _, t := range e.topics {
		topics = append(topics, obj{"name": c.topic[t].name})
	}
	return obj{"code": e.code, "title": e.title, "releaseDate": e.date.String(), "guests": guests, "topics": topics}
}

func peerEpisode(e *catEpisode, c *catalogue) obj {
	var guests, topics []any
	for _, g := range e.guests {
		var eps []any
		for _, ge := range g.episodes[:min(5, len(g.episodes))] {
			eps = append(eps, obj{"episodeByEpisodeId": obj{"code": ge.code, "title": ge.title}})
		}
		guests = append(guests, obj{"guestByGuestId": obj{"name": g.name, "role": g.role, "organization": g.organization,
			"episodeGuestsByGuestId": obj{"nodes": eps}}})
	}
	for _, t := range e.topics {
		topics = append(topics, obj{"topicByTopicId": obj{"name": c.topic[t].name}})
	}
	return obj{"code": e.code, "title": e.title, "releaseDate": e.date.String(),
		"episodeGuestsByEpisodeId": obj{"nodes": guests}, "episodeTopicsByEpisodeId": obj{"nodes": topics}}
}

// nestedPage returns both servers' answers to the nested query for page
// k of 20.
func nestedPage(c *catalogue, k int) (ours, peer obj) {
	var o, p []any
	for i := k * 20; i < min((k+1)*20, len(c.episodes)); i++ {
		o = append(o, ourEpisode(c.newest(i), c))
		p = append(p, peerEpisode(c.newest(i), c))
	}
	return obj{"data": obj{"episodes": obj{"totalCount": len(c.episodes), "nodes": o}}},
		obj{"data": obj{"allEpisodes": obj{"totalCount": len(c.episodes), "nodes": p}}}
}

func encode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCheckAnswer checks both servers' answers to the nested page
// against the catalogue: as they should be, and with each kind of
// mistake the check is there to catch.
func TestCheckAnswer(t *testing.T) {
	c := catalogueOf(90, pagegen.Options{Shows: 1, Seed: 1})
	want := c.page(1, 20, nested)
	ours, peer := nestedPage(c, 1)
	if err := checkAnswer(encode(t, ours), "episodes", false, want); err != nil {
		t.Errorf("our answer: %v", err)
	}
	if err := checkAnswer(encode(t, peer), "episodes", true, want); err != nil {
		t.Errorf("the peer's answer: %v", err)
	}
	if err := checkAnswer(encode(t, ours), "episodes", false, c.page(2, 20, nested)); err == nil {
		t.Error("page 1 passes for page 2")
	}
	// An episode with two guests or more, to swap them.
	two := slices.IndexFunc(want.Nodes, func(e episodeView) bool { return len(e.Guests) > 1 })
	if two < 0 {
		t.Fatal("no episode with two guests on the page")
	}
	nodes := func(v obj) []any { return v["data"].(obj)["episodes"].(obj)["nodes"].([]any) }
	for name, spoil := range map[string]func(v obj){
		"episodes swapped":   func(v obj) { n := nodes(v); n[0], n[1] = n[1], n[0] },
		"an episode missing": func(v obj) { v["data"].(obj)["episodes"].(obj)["nodes"] = nodes(v)[1:] },
		"totalCount":         func(v obj) { v["data"].(obj)["episodes"].(obj)["totalCount"] = 89 },
		"title":              func(v obj) { nodes(v)[3].(obj)["title"] = "Something else" },
		"date":               func(v obj) { nodes(v)[3].(obj)["releaseDate"] = "2001-01-01" },
		"topic missing":      func(v obj) { e := nodes(v)[0].(obj); e["topics"] = e["topics"].([]any)[1:] },
		"guests swapped":     func(v obj) { g := nodes(v)[two].(obj)["guests"].([]any); g[0], g[1] = g[1], g[0] },
		"guest's episode gone": func(v obj) {
			g := nodes(v)[two].(obj)["guests"].([]any)[0].(obj)
			g["episodes"] = obj{"nodes": []any{}}
		},
		"errors":  func(v obj) { v["errors"] = []any{obj{"message": "boom"}} },
		"no data": func(v obj) { v["data"] = nil },
	} {
		t.Run(name, func(t *testing.T) {
			v, _ := nestedPage(c, 1)
			spoil(v)
			if err := checkAnswer(encode(t, v), "episodes", false, want); err == nil {
				t.Error("the check passes")
			}
		})
	}
}

// TestCheckGuestAnswers checks a guest and a guest's page of episodes,
// each in both servers' shapes.
func TestCheckGuestAnswers(t *testing.T) {
	c := catalogueOf(200, pagegen.Options{Shows: 1, Seed: 1})
	slug := c.busiest(1)[0]
	g := c.guest[slug]
	var ours, peer []any
	for _, e := range g.episodes {
		ours = append(ours, obj{"code": e.code, "title": e.title, "releaseDate": e.date.String()})
		peer = append(peer, obj{"episodeByEpisodeId": obj{"code": e.code, "title": e.title, "releaseDate": e.date.String()}})
	}
	answers := []struct {
		name, at string
		peer     bool
		body     obj
		want     any
	}{
		{"ours, guest", "guest", false, obj{"data": obj{"guest": obj{"name": g.name, "role": "x", "episodeCount": len(g.episodes), "episodes": obj{"nodes": ours}}}},
			c.guestView(slug, 100, fields{date: true})},
		{"peer, guest", "guest", true, obj{"data": obj{"guestBySlug": obj{"name": g.name, "episodeCount": len(g.episodes), "episodeGuestsByGuestId": obj{"nodes": peer}}}},
			c.guestView(slug, 100, fields{date: true})},
		{"ours, guest filter page", "episodes", false, obj{"data": obj{"episodes": obj{"totalCount": len(g.episodes), "nodes": ours}}},
			c.guestPage(slug, 20, fields{date: true})},
		{"peer, guest filter page", "guest.episodes", true, obj{"data": obj{"guestBySlug": obj{"episodeGuestsByGuestId": obj{"totalCount": len(g.episodes), "nodes": peer}}}},
			c.guestPage(slug, 20, fields{date: true})},
	}
	for _, a := range answers {
		t.Run(a.name, func(t *testing.T) {
			if err := checkAnswer(encode(t, a.body), a.at, a.peer, a.want); err != nil {
				t.Error(err)
			}
			// One more episode than the guest has, or one fewer.
			b := strings.Replace(string(encode(t, a.body)), `"code":"`+g.episodes[0].code+`",`, "", 1)
			if err := checkAnswer([]byte(b), a.at, a.peer, a.want); err == nil {
				t.Error("passes without its newest episode's code")
			}
		})
	}
}

// TestFromPeer renames an answer as PostGraphile writes it.
func TestFromPeer(t *testing.T) {
	var v any
	in := `{"allEpisodes":{"totalCount":2,"nodes":[{"code":"A 1","episodeGuestsByEpisodeId":{"nodes":[{"guestByGuestId":{"name":"Ana",
		"episodeGuestsByGuestId":{"nodes":[{"episodeByEpisodeId":{"code":"A 1"}}]}}}]},
		"episodeTopicsByEpisodeId":{"nodes":[{"topicByTopicId":{"name":"AI"}}]}}]}}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(fromPeer(v))
	want := `{"episodes":{"nodes":[{"code":"A 1","guests":[{"episodes":{"nodes":[{"code":"A 1"}]},"name":"Ana"}],"topics":[{"name":"AI"}]}],"totalCount":2}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestSamples(t *testing.T) {
	for _, tc := range []struct {
		size, n int
		want    []int
	}{
		{1, 25, []int{0}},
		{3, 25, []int{0, 1, 2}},
		{500, 5, []int{0, 124, 249, 374, 499}},
	} {
		if got := samples(tc.size, tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("samples(%d, %d) = %v, want %v", tc.size, tc.n, got, tc.want)
		}
	}
}
