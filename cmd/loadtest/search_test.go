package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPeerSearchBodies checks the search workload's translation: the peer
// is sent the same twenty queries, each as the variable q of its
// searchEpisodes connection (first 20, totalCount, rank and headline).
func TestPeerSearchBodies(t *testing.T) {
	var q query
	for _, x := range queries {
		if x.rotate == "search" {
			q = x
		}
	}
	if q.peer == "" {
		t.Fatal("the search workload has no peer query")
	}
	bodies, _, err := bodiesFor(nil, side{name: "peer", peer: true}, q, args{number: 1, guest: "g"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(bodies) != len(searchRotation) {
		t.Fatalf("%d bodies, want %d", len(bodies), len(searchRotation))
	}
	for i, b := range bodies {
		var sent struct {
			Query     string
			Variables map[string]any
		}
		if err := json.Unmarshal(b, &sent); err != nil {
			t.Fatal(err)
		}
		if len(sent.Variables) != 1 || sent.Variables["q"] != searchRotation[i] {
			t.Errorf("body %d: variables %v, want only q = %q", i, sent.Variables, searchRotation[i])
		}
		for _, want := range []string{"searchEpisodes(q: $q, first: 20)", "totalCount", "headline(q: $q)", "rank(q: $q)"} {
			if !strings.Contains(sent.Query, want) {
				t.Errorf("body %d: the query lacks %s", i, want)
			}
		}
	}
}

// TestReadSearch reads both sides' answers and checks what makes them
// agree: hits on both but a peer's typo, full pages, our highlights.
func TestReadSearch(t *testing.T) {
	ours, err := readSearch([]byte(`{"data":{"search":{"totalCount":2,"edges":[
		{"highlights":[{"field":"title","snippet":"<mark>Kubernetes</mark> at scale"}]},{"highlights":[]}]}}}`), "search", false)
	if err != nil || ours != (searchAnswer{total: 2, hits: 2, marked: 1}) {
		t.Fatalf("ours: %+v, %v", ours, err)
	}
	peer, err := readSearch([]byte(`{"data":{"searchEpisodes":{"totalCount":25,"nodes":[`+
		strings.Repeat(`{"headline":"on <mark>kubernet</mark>"},`, 19)+`{"headline":"none"}]}}}`), "searchEpisodes", true)
	if err != nil || peer != (searchAnswer{total: 25, hits: 20, marked: 19}) {
		t.Fatalf("peer: %+v, %v", peer, err)
	}
	if _, err := readSearch([]byte(`{"errors":[{"message":"boom"}]}`), "search", false); err == nil {
		t.Error("an answer with errors was read")
	}
	none := searchAnswer{}
	for _, c := range []struct {
		class      string
		ours, peer searchAnswer
		ok         bool
	}{
		{"one word", ours, peer, true},
		{"typo", ours, none, true},
		{"phrase", ours, none, false},
		{"one word", none, peer, false},
		{"one word", ours, searchAnswer{total: 25, hits: 10, marked: 10}, false},
		{"one word", searchAnswer{total: 1, hits: 1}, peer, false},
	} {
		if err := searchAgrees(c.class, c.ours, c.peer); (err == nil) != c.ok {
			t.Errorf("%s, ours %+v, peer %+v: %v, want ok %v", c.class, c.ours, c.peer, err, c.ok)
		}
	}
}
