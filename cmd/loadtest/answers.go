package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The shapes of the podcast graph's answers, as far as the views need
// them; a PostGraphile answer is first renamed into the same shape
// (fromPeer).
type (
	apiEpisode struct {
		Code, Title, ReleaseDate string
		Guests                   []apiGuest
		Topics                   []struct{ Name string }
	}
	apiGuest struct {
		Name         string
		EpisodeCount int
		Episodes     apiPage
	}
	apiPage struct {
		TotalCount int
		Nodes      []apiEpisode
	}
)

func (e apiEpisode) view() episodeView {
	v := episodeView{Code: e.Code, Title: e.Title, Date: e.ReleaseDate}
	for _, g := range e.Guests {
		v.Guests = append(v.Guests, g.view())
	}
	for _, t := range e.Topics {
		v.Topics = append(v.Topics, t.Name)
	}
	return v
}

func (g apiGuest) view() guestView {
	v := guestView{Name: g.Name, EpisodeCount: g.EpisodeCount}
	for _, e := range g.Episodes.Nodes {
		v.Episodes = append(v.Episodes, e.view())
	}
	return v
}

func (p apiPage) view() pageView {
	v := pageView{TotalCount: p.TotalCount, Nodes: []episodeView{}}
	for _, e := range p.Nodes {
		v.Nodes = append(v.Nodes, e.view())
	}
	return v
}

// peerFields rename the peer's fields to the podcast graph's: name is the
// new name; a join table's connection (unwrap set) becomes the connection
// of the rows it joins to, or with list their plain list.
var peerFields = map[string]struct {
	name, unwrap string
	list         bool
}{
	"allEpisodes":              {name: "episodes"},
	"episodesByTopic":          {name: "episodes"},
	"guestBySlug":              {name: "guest"},
	"episodeGuestsByEpisodeId": {name: "guests", unwrap: "guestByGuestId", list: true},
	"episodeTopicsByEpisodeId": {name: "topics", unwrap: "topicByTopicId", list: true},
	"episodeGuestsByGuestId":   {name: "episodes", unwrap: "episodeByEpisodeId"},
}

// fromPeer renames a decoded PostGraphile answer into the podcast graph's
// shape. What it does not recognise it leaves as it is, for the
// comparison to find.
func fromPeer(v any) any {
	switch v := v.(type) {
	case []any:
		for i := range v {
			v[i] = fromPeer(v[i])
		}
		return v
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			x = fromPeer(x)
			f, ok := peerFields[k]
			if !ok {
				out[k] = x
				continue
			}
			if conn, ok := x.(map[string]any); ok && f.unwrap != "" {
				nodes, _ := conn["nodes"].([]any)
				for i, n := range nodes {
					if m, ok := n.(map[string]any); ok {
						nodes[i] = m[f.unwrap]
					}
				}
				if f.list {
					x = nodes
				}
			}
			out[f.name] = x
		}
		return out
	}
	return v
}

// at walks a dotted path ("episodes.nodes.0") into a decoded answer; nil
// when it is not there.
func at(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// checkAnswer compares the meaningful content of a server's answer (body)
// at path with want, a view of the catalogue; peer says the answer is
// PostGraphile's. It returns an error naming the first difference, or the
// answer's errors.
func checkAnswer(body []byte, path string, peer bool, want any) error {
	var resp struct {
		Data   any
		Errors json.RawMessage
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return fmt.Errorf("answer is not JSON (%v): %.300s", err, body)
	}
	if len(resp.Errors) > 0 && string(resp.Errors) != "null" {
		return fmt.Errorf("answer has errors: %.500s", resp.Errors)
	}
	data := resp.Data
	if peer {
		data = fromPeer(data)
	}
	found := at(data, path)
	if found == nil {
		return fmt.Errorf("answer has no %s: %.300s", path, body)
	}
	part, err := json.Marshal(found)
	if err != nil {
		return err
	}
	var got any
	switch want.(type) {
	case episodeView:
		var e apiEpisode
		err = json.Unmarshal(part, &e)
		got = e.view()
	case guestView:
		var g apiGuest
		err = json.Unmarshal(part, &g)
		got = g.view()
	case pageView:
		var p apiPage
		err = json.Unmarshal(part, &p)
		got = p.view()
	default:
		return fmt.Errorf("no view of %T", want)
	}
	if err != nil {
		return fmt.Errorf("%s: %v: %.300s", path, err, part)
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		return fmt.Errorf("%s differs from the generator's truth:\n%s", path, firstDifference(g, w))
	}
	return nil
}

// firstDifference shows got and want around where they first differ.
func firstDifference(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-120)
	clip := func(b []byte) string { return string(b[min(from, len(b)):min(i+120, len(b))]) }
	return fmt.Sprintf("  got  …%s…\n  want …%s…", clip(got), clip(want))
}
