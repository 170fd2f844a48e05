package search

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestImpactsFollowWrites: searches that read kept impacts answer exactly
// what walking the entries answers (scores to the last bit, totals,
// facets), on an index changed between the rounds, filtered or not.
func TestImpactsFollowWrites(t *testing.T) {
	words := []string{"kubernetes", "secrets", "cluster", "observability", "tracing", "kernel", "databases", "operators", "backups", "networks"}
	rng := rand.New(rand.NewPCG(1, 2))
	text := func(n int) string {
		s := ""
		for i := range n {
			if i > 0 {
				s += " "
			}
			s += words[rng.IntN(len(words))]
		}
		return s
	}
	shows := []string{"s", "t", "u"}
	entry := func(i int) *Entry {
		return ep(fmt.Sprintf("s/%d", i), text(2+rng.IntN(4)), text(5+rng.IntN(30)), shows[rng.IntN(len(shows))],
			2015+rng.IntN(10), []string{words[rng.IntN(4)]}, []string{fmt.Sprintf("g%d", rng.IntN(50))})
	}
	ix := New()
	var all []*Entry
	for i := range 3000 {
		all = append(all, entry(i))
	}
	for i := range 40 {
		all = append(all, guest(fmt.Sprintf("g%d", i), "Guest "+words[i%len(words)], text(2), text(1)))
	}
	ix.Update(1, nil, all)
	queries := []Query{
		{Text: "kubernetes", First: 20, Facets: 10},
		{Text: "kubernetes secrets", First: 20, Offset: 40, Facets: 10},
		{Text: "kubernetis", First: 20, Facets: 10},
		{Text: "obs", First: 10, Facets: 10},
		{Text: `"kubernetes secrets" -tracing`, First: 20, Facets: 10},
		{Text: `"cluster observability tracing"`, First: 20, Facets: 10},
		{Text: `"guest kernel"`, First: 20, Facets: 10}, // "guest" is in too few docs to keep
		{Text: "cluster", First: 20, Facets: 10, Kinds: []Kind{KindGuest}},
		{Text: "cluster", First: 20, Facets: 10, Show: "t", After: 2018 * 365},
		{Text: "databases operators", First: 20, Facets: 10, Topic: "secrets", Uncounted: FacetGuests},
	}
	search := func(q Query, cached bool) *Result {
		t.Helper()
		if !cached {
			old := minImpactList
			minImpactList = 1 << 31
			defer func() { minImpactList = old }()
		}
		res, err := ix.Search(&q)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for round := range 6 {
		gen := uint64(2 + round)
		for _, q := range queries {
			q.Generation = gen - 1
			// Twice: the first reads and keeps, the second reads what was kept.
			for range 2 {
				got, want := search(q, true), search(q, false)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("round %d, %q: with impacts\n%+v\nwalking the entries\n%+v", round, q.Text, got, want)
				}
				if want.Total == 0 && q.Kinds == nil && q.Show == "" && q.Topic == "" {
					t.Fatalf("round %d, %q: nothing found; the test tests nothing", round, q.Text)
				}
			}
		}
		if ix.impactBytes() == 0 {
			t.Fatalf("round %d: no impacts kept; the test tests nothing", round)
		}
		if kinds := ix.keptKinds(); !kinds[false] || !kinds[true] {
			t.Fatalf("round %d: kept lists of weights, of positions: %v; the test tests too little", round, kinds)
		}
		// Change a third of the episodes, remove some, add new ones.
		var changed []*Entry
		var removed []Ref
		for i := range 3000 {
			switch rng.IntN(6) {
			case 0, 1:
				changed = append(changed, entry(i))
			case 2:
				if round%2 == 0 {
					removed = append(removed, Ref{KindEpisode, fmt.Sprintf("s/%d", i)})
				}
			}
		}
		for i := range 100 {
			changed = append(changed, entry(3000+100*round+i))
		}
		ix.Update(gen, removed, changed)
		if ix.impactBytes() != 0 {
			t.Fatalf("round %d: impacts of the state before an update still kept", round)
		}
	}
}

// TestImpactsBudget: the cache keeps at most its budget, dropping the
// least recently read lists.
func TestImpactsBudget(t *testing.T) {
	c := impactCache{lists: map[listKey]*impactList{}}
	for id := range uint32(10) {
		l := &impactList{docs: make([]uint32, 100), w: make([]float64, 100), used: uint64(id)}
		c.lists[listKey{term: id}] = l
		c.bytes += l.bytes()
	}
	per := c.lists[listKey{}].bytes()
	c.lists[listKey{term: 2}].used = 100 // read last
	c.evict(4 * per)
	if c.bytes > 4*per || len(c.lists) != 4 {
		t.Fatalf("%d lists, %d bytes kept for a budget of %d", len(c.lists), c.bytes, 4*per)
	}
	for _, id := range []uint32{2, 9, 8, 7} {
		if c.lists[listKey{term: id}] == nil {
			t.Errorf("list %d, among the last read, was dropped", id)
		}
	}
}

// keptKinds returns which kinds of lists the cache holds: weights (false),
// positions (true).
func (ix *Index) keptKinds() map[bool]bool {
	c := &ix.impactCache
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[bool]bool{}
	for k := range c.lists {
		out[k.positions] = true
	}
	return out
}

// TestImpactsWhileWriting: searches on several goroutines share the kept
// lists and the hot column while the index is written to twenty times:
// none fails or panics (under go test -race, none races), and afterwards
// the kept lists answer as a walk of the entries does.
func TestImpactsWhileWriting(t *testing.T) {
	words := []string{"kubernetes", "secrets", "cluster", "observability", "tracing", "kernel"}
	entry := func(i, round int) *Entry {
		a, b := words[(i+round)%len(words)], words[(i*7+round)%len(words)]
		return ep(fmt.Sprintf("s/%d", i), a+" "+b, b+" "+a+" "+words[i%len(words)], "s", 2020+i%5, []string{words[i%3]}, nil)
	}
	ix := New()
	var all []*Entry
	for i := range 2000 {
		all = append(all, entry(i, 0))
	}
	ix.Update(1, nil, all)
	queries := []string{"kubernetes", "secrets cluster", `"cluster observability"`, "tracin", "kernel -secrets"}
	stop := make(chan struct{})
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				q := Query{Text: queries[(g+i)%len(queries)], First: 10, Facets: 5, Uncounted: FacetGuests}
				if _, err := ix.Search(&q); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for round := 1; round <= 20; round++ {
		var changed []*Entry
		for i := round * 37 % 100; i < 2000; i += 100 {
			changed = append(changed, entry(i, round))
		}
		ix.Update(uint64(1+round), nil, changed)
	}
	close(stop)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// After the writes, the kept lists answer as the entries do.
	for _, text := range queries {
		q := Query{Text: text, First: 10, Facets: 5}
		got, err := ix.Search(&q)
		if err != nil {
			t.Fatal(err)
		}
		old := minImpactList
		minImpactList = 1 << 31
		want, _ := ix.Search(&q)
		minImpactList = old
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q after concurrent writes: %+v, walking the entries %+v", text, got, want)
		}
	}
}

// TestImpactsBudgetSetting: an index told to keep nothing (a negative
// budget, --search-cache 0) keeps no list and answers the same; a small
// budget keeps at most that.
func TestImpactsBudgetSetting(t *testing.T) {
	build := func(budget int64) *Index {
		ix := New()
		ix.impactCache.budget = budget
		var all []*Entry
		for i := range 1500 {
			all = append(all, ep(fmt.Sprintf("s/%d", i), "kubernetes secrets", "cluster tracing kernel", "s", 2020, nil, nil))
		}
		ix.Update(1, nil, all)
		return ix
	}
	def, off, small := build(0), build(-1), build(20000)
	for _, text := range []string{"kubernetes", `"kubernetes secrets"`, "cluster tracing kernel"} {
		q := Query{Text: text, First: 10, Facets: 5}
		want, _ := def.Search(&q)
		for _, ix := range []*Index{off, small} {
			if got, _ := ix.Search(&q); !reflect.DeepEqual(got, want) {
				t.Errorf("%q with budget %d: %+v, want %+v", text, ix.impactCache.budget, got, want)
			}
		}
	}
	if n := len(off.impactCache.lists); n != 0 {
		t.Errorf("budget off: %d lists kept", n)
	}
	if len(def.impactCache.lists) == 0 {
		t.Error("default budget: no list kept; the test tests nothing")
	}
	if b := small.impactCache.bytes; b > 20000 || len(small.impactCache.lists) == 0 {
		t.Errorf("budget of 20,000 bytes: %d bytes in %d lists kept", b, len(small.impactCache.lists))
	}
}
