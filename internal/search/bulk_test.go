package search

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestBulkLayoutAsGrown checks that an index whose postings are laid out
// once at the end (a rebuild) holds every list byte for byte as one whose
// lists grew entry by entry, answers alike, and stays alike through later
// updates (which must move its exact-size lists to grow them) and a
// compaction.
func TestBulkLayoutAsGrown(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	words, all := genCorpus(r, 4000)
	// A rebuild reads each thing once: keep the last entry of each.
	seen := map[string]bool{}
	var entries []*Entry
	for i := len(all) - 1; i >= 0; i-- {
		if k := fmt.Sprint(all[i].Kind, all[i].Key); !seen[k] {
			seen[k] = true
			entries = append(entries, all[i])
		}
	}
	grown, bulk := New(), New()
	bulk.beginBulk()
	if bulk.bulk == nil {
		t.Fatal("an empty index did not start collecting")
	}
	gen := uint64(0)
	for rest := entries; len(rest) > 0; {
		n := min(len(rest), 1+r.IntN(400))
		gen++
		grown.Update(gen, nil, rest[:n])
		bulk.Update(gen, nil, rest[:n])
		rest = rest[n:]
	}
	if len(bulk.post) != 0 {
		t.Fatalf("%d bytes of postings written before the layout", len(bulk.post))
	}
	bulk.endBulk()
	if bulk.bulk != nil || len(bulk.post) != len(grown.post)-grown.waste-sumSlack(grown) {
		t.Fatalf("laid out %d bytes; the grown index holds %d in its lists", len(bulk.post), len(grown.post)-grown.waste-sumSlack(grown))
	}
	if len(bulk.lists) != len(grown.lists) {
		t.Fatalf("%d lists laid out, %d grown", len(bulk.lists), len(grown.lists))
	}
	for i := range grown.lists {
		g, b := grown.lists[i], bulk.lists[i]
		if g.Len != b.Len || g.N != b.N || g.Last != b.Last || b.Cap != b.Len ||
			!bytes.Equal(grown.listBytes(&g), bulk.listBytes(&b)) {
			t.Fatalf("term %q: grown %+v, laid out %+v", grown.terms.str(uint32(i)), g, b)
		}
	}

	same := func(when string) {
		t.Helper()
		for i, w := range words {
			w2 := words[(i*7+3)%len(words)]
			for _, text := range []string{w, w[:max(1, len(w)/2)], w + " " + w2, `"` + w + " " + w2 + `"`, w + " -" + w2} {
				q := &Query{Text: text, First: 10, Facets: 5}
				want, werr := grown.Search(q)
				got, gerr := bulk.Search(q)
				if !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
					t.Fatalf("%s: %q: laid out %+v, %v; grown %+v, %v", when, text, got, gerr, want, werr)
				}
			}
		}
	}
	same("built")
	_, more := genCorpus(rand.New(rand.NewPCG(7, 8)), 600)
	for _, x := range []*Index{grown, bulk} {
		x.Update(gen+1, []Ref{{KindTopic, "t3"}, {KindEpisode, entries[5].Key}}, more)
	}
	same("updated")
	grown.compact()
	bulk.compact()
	same("compacted")
}

// sumSlack returns the room a grown index's lists have beyond their bytes.
func sumSlack(ix *Index) int {
	n := 0
	for _, p := range ix.lists {
		n += int(p.Cap - p.Len)
	}
	return n
}

// TestBulkOnlyWhenEmpty checks that an index already holding postings
// does not collect: its lists grow as they come.
func TestBulkOnlyWhenEmpty(t *testing.T) {
	ix := corpus()
	ix.beginBulk()
	if ix.bulk != nil {
		t.Fatal("collecting on an index that holds postings")
	}
	ix.endBulk()
	if got := keys(t, ix, "kubernetes"); len(got) == 0 {
		t.Fatal("no answer after endBulk on a grown index")
	}
}
