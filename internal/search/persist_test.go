package search

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// genCorpus returns entries of a generated corpus: words with their other
// forms (stems), accents and shared prefixes, so that every kind of match
// has something to find.
func genCorpus(r *rand.Rand, n int) (words []string, entries []*Entry) {
	roots := []string{"kubernetes", "observ", "platform", "engineer", "databas", "stream", "secur", "network", "cach",
		"zürich", "café", "résumé", "serverless", "virtual", "machin", "learn", "reliab", "edge", "comput", "deploy"}
	for _, root := range roots {
		words = append(words, root, root+"s", root+"ing", root+"ed", root+"ability")
	}
	for i := range 200 {
		words = append(words, fmt.Sprintf("w%c%c%d", 'a'+i%26, 'a'+i/26%26, i))
	}
	text := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteString([]string{" ", ", ", ". ", " - ", " "}[r.IntN(5)])
			}
			w := words[r.IntN(len(words))]
			if r.IntN(8) == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
		}
		return b.String()
	}
	pick := func(prefix string, max int) []string {
		var out []string
		for range r.IntN(max + 1) {
			out = append(out, fmt.Sprintf("%s%d", prefix, r.IntN(20)))
		}
		return out
	}
	for i := range n {
		switch i % 10 {
		case 0:
			e := &Entry{Kind: KindGuest, Key: fmt.Sprintf("g%d", i%40), Suggest: text(2)}
			e.Texts[FieldName], e.Texts[FieldRole], e.Texts[FieldOrganization] = e.Suggest, text(1), text(2)
			entries = append(entries, e)
		case 1:
			e := &Entry{Kind: KindTopic, Key: fmt.Sprintf("t%d", i%20), Suggest: text(1)}
			e.Texts[FieldName], e.Texts[FieldAlias] = e.Suggest, text(3)
			entries = append(entries, e)
		default:
			show := fmt.Sprintf("show%d", r.IntN(4))
			year := 2015 + r.IntN(10)
			e := &Entry{Kind: KindEpisode, Key: fmt.Sprintf("%s/%d", show, r.IntN(n)), Show: show, Year: year, Day: uint32(year*365 + r.IntN(365)),
				Topics: pick("t", 3), Guests: pick("g", 2), Suggest: text(3 + r.IntN(5))}
			e.Texts[FieldTitle], e.Texts[FieldSummary], e.Texts[FieldDescription] = e.Suggest, text(10), text(20+r.IntN(60))
			entries = append(entries, e)
		}
	}
	return words, entries
}

// TestLoadedAnswersAsSaved checks that an index loaded from a file
// answers every kind of query exactly as the index it was saved from, on
// a generated corpus with replaced and removed things, and goes on doing
// so after both take the same updates, a compaction and another save.
// The loaded one reads its postings from the file, mapped (where files
// can be mapped); the saved one and a third, never saved, keep theirs in
// the heap; all three must agree.
func TestLoadedAnswersAsSaved(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words, entries := genCorpus(r, 3000)
	ix, ref := New(), New()
	gen := uint64(0)
	for len(entries) > 0 {
		n := min(len(entries), 1+r.IntN(300))
		var removes []Ref
		if gen > 0 {
			removes = []Ref{{KindEpisode, fmt.Sprintf("show%d/%d", r.IntN(4), r.IntN(3000))}, {KindGuest, fmt.Sprintf("g%d", r.IntN(40))}}
		}
		gen++
		ix.Update(gen, removes, entries[:n])
		ref.Update(gen, removes, entries[:n])
		entries = entries[n:]
	}
	if ix.dead == 0 {
		t.Fatal("no dead docs: the corpus replaces nothing")
	}
	path := filepath.Join(t.TempDir(), "ix.search")
	heap := ix.HeapBytes()
	if _, err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && (back.region == nil || len(back.post) != 0 || back.HeapBytes() > heap-int64(len(back.mapped))) {
		t.Fatalf("loaded postings not read from the file: mapped %v, %d bytes in the heap; HeapBytes %d, %d saved",
			back.region != nil, len(back.post), back.HeapBytes(), heap)
	}
	// The arrays of numbers are views of the file too, and HeapBytes does
	// not count them.
	fileBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" {
		views := int64(len(back.mapped))
		for name, p := range map[string]struct {
			ptr  unsafe.Pointer
			size int64
		}{
			"docs":   {unsafe.Pointer(unsafe.SliceData(back.docs)), int64(len(back.docs)) * int64(unsafe.Sizeof(doc{}))},
			"meta":   {unsafe.Pointer(unsafe.SliceData(back.meta)), int64(len(back.meta)) * int64(unsafe.Sizeof(meta{}))},
			"gens":   {unsafe.Pointer(unsafe.SliceData(back.gens)), 8 * int64(len(back.gens))},
			"facets": {unsafe.Pointer(unsafe.SliceData(back.facets)), 4 * int64(len(back.facets))},
			"lists":  {unsafe.Pointer(unsafe.SliceData(back.lists)), int64(len(back.lists)) * int64(unsafe.Sizeof(plist{}))},
			"sugg":   {unsafe.Pointer(unsafe.SliceData(back.sugg[0])), int64(len(back.sugg[0])) * int64(unsafe.Sizeof(suggTok{}))},
		} {
			if !back.region.holds(p.ptr) {
				t.Errorf("loaded %s copied into the heap, not a view of the file", name)
			}
			if uintptr(p.ptr)%unsafe.Alignof(uint64(0)) != 0 {
				t.Errorf("loaded %s at %#x: not aligned", name, p.ptr)
			}
			views += p.size
		}
		if back.HeapBytes() > heap-views {
			t.Errorf("HeapBytes %d of a loaded index, %d of the one saved: the %d bytes of views are counted", back.HeapBytes(), heap, views)
		}
	}

	var queries []*Query
	typo := func(w string) string {
		b := []byte(w)
		i := r.IntN(len(b) - 1)
		b[i], b[i+1] = b[i+1], b[i]
		return string(b)
	}
	for i := range 400 {
		w, w2 := words[r.IntN(len(words))], words[r.IntN(len(words))]
		text := []string{w, w[:max(1, len(w)/2)], typo(w), w + " " + w2, `"` + w + " " + w2 + `"`, w + " -" + w2, w + " " + w2[:2],
			"the " + w, strings.ToUpper(w)}[i%9]
		q := &Query{Text: text, First: 1 + r.IntN(20), Offset: r.IntN(5), Facets: r.IntN(12)}
		switch r.IntN(6) {
		case 0:
			q.Show = fmt.Sprintf("show%d", r.IntN(5))
		case 1:
			q.Topic, q.Guest = fmt.Sprintf("t%d", r.IntN(20)), fmt.Sprintf("g%d", r.IntN(20))
		case 2:
			q.After, q.Before = uint32(2017*365), uint32(2021*365)
		case 3:
			q.Kinds = []Kind{KindGuest, KindTopic}
		case 4:
			q.Generation = uint64(1 + r.IntN(int(gen)))
		}
		queries = append(queries, q)
	}
	same2 := func(when string, ix, back *Index) {
		t.Helper()
		if ix.Len() != back.Len() || ix.Generation() != back.Generation() {
			t.Fatalf("%s: %d things at %d, loaded %d at %d", when, ix.Len(), ix.Generation(), back.Len(), back.Generation())
		}
		for _, q := range queries {
			want, werr := ix.Search(q)
			got, gerr := back.Search(q)
			if !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Fatalf("%s: %+v: loaded %+v, %v; saved %+v, %v", when, q, got, gerr, want, werr)
			}
			if want == nil || len(want.Hits) == 0 {
				continue
			}
			text := q.Text + " " + words[len(q.Text)%len(words)]
			wt, gt := ix.Terms(text, 10), back.Terms(text, 10)
			if !reflect.DeepEqual(gt, wt) {
				t.Fatalf("%s: terms of %q: loaded %v, saved %v", when, text, gt, wt)
			}
			for k := range numKinds {
				ws, gs := ix.Similar(wt, k, 5, want.Hits[0].Key, q.Generation), back.Similar(gt, k, 5, want.Hits[0].Key, q.Generation)
				if !reflect.DeepEqual(gs, ws) {
					t.Fatalf("%s: similar %v to %q: loaded %v, saved %v", when, k, text, gs, ws)
				}
			}
		}
		for i, w := range words {
			for _, p := range []string{w[:1], w[:min(3, len(w))], w, words[(i+1)%len(words)] + " " + w[:2]} {
				want, werr := ix.Suggest(p, 8, 0)
				got, gerr := back.Suggest(p, 8, 0)
				if !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
					t.Fatalf("%s: suggest %q: loaded %+v, %v; saved %+v, %v", when, p, got, gerr, want, werr)
				}
			}
		}
	}
	same := func(when string) {
		t.Helper()
		same2(when+", saved and loaded", ix, back)
		same2(when+", saved and never saved", ix, ref)
	}
	same("loaded")
	all := []*Index{ix, back, ref}
	_, more := genCorpus(rand.New(rand.NewPCG(3, 4)), 500)
	for _, x := range all {
		x.Update(gen+1, []Ref{{KindTopic, "t3"}}, more)
	}
	same("after an update")
	// The loaded index changed its arrays in place (docs marked gone,
	// lists moved): its own copies of those pages, never the file.
	if now, err := os.ReadFile(path); err != nil || string(now) != string(fileBytes) {
		t.Fatalf("the saved file changed under the index loaded from it (%v)", err)
	}
	// Remove an eighth and more of the things: each compacts.
	var gone []Ref
	for i := range 3000 {
		gone = append(gone, Ref{KindEpisode, fmt.Sprintf("show%d/%d", i%4, i)})
	}
	for _, x := range all {
		x.Update(gen+2, gone, nil)
		if x.dead != 0 {
			t.Fatalf("%d dead docs: no compaction", x.dead)
		}
	}
	same("after a compaction")
	if _, err := back.Save(path); err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		x.Update(gen+3, nil, more[:100])
	}
	same("saved again and updated")
}

// TestIDTableClash checks the table when different strings have the same
// hash (as real ones almost never do): each is still found, replaced and
// removed by itself.
func TestIDTableClash(t *testing.T) {
	names := []string{"a", "b", "c"}
	tab := newIDTable(0)
	is := func(s string) func(uint32) bool { return func(id uint32) bool { return names[id%3] == s } }
	const h = 42 // every string's hash
	for id, s := range names {
		tab.put(h, uint32(id), is(s))
	}
	for id, s := range names {
		if got, ok := tab.get(h, is(s)); !ok || got != uint32(id) {
			t.Fatalf("%q: %d, %v; want %d", s, got, ok, id)
		}
	}
	tab.del(h, is("a"))
	if _, ok := tab.get(h, is("a")); ok || tab.len() != 2 {
		t.Fatalf("a found after removal, or %d left", tab.len())
	}
	tab.put(h, 4, is("b")) // b again, under a new number
	tab.put(h, 3, is("a"))
	for s, want := range map[string]uint32{"a": 3, "b": 4, "c": 2} {
		if got, ok := tab.get(h, is(s)); !ok || got != want {
			t.Fatalf("%q: %d, %v; want %d", s, got, ok, want)
		}
	}
	if tab.len() != 3 {
		t.Fatalf("%d strings, want 3", tab.len())
	}
}

// TestLoadRefusesDamage checks that a saved index cut short, with a byte
// changed, or of another layout is an error (the feeder then rebuilds),
// never a panic or an index that answers wrong.
func TestLoadRefusesDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ix.search")
	if _, err := corpus().Save(path); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x10
	oldVersion := slices.Clone(good)
	oldVersion[len(fileMagic)] = 3
	for name, b := range map[string][]byte{
		"cut short": good[:len(good)-7], "a byte changed": flipped, "version 3": oldVersion,
		"empty": nil, "gob": []byte("\x0f\xff\x81\x03\x01\x01\x05saved\x01\xff\x82"),
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if ix, err := Load(p); err == nil {
				t.Fatalf("loaded %d things", ix.Len())
			}
		})
	}
	if ix, err := Load(path); err != nil || ix.Len() != corpus().Len() {
		t.Fatalf("the good file: %v", err)
	}
}

// TestIDTableChurn puts, replaces and removes many numbers in random
// order, with few distinct hashes among many strings, and checks the
// table against a map after each step: it grows, reuses removed slots and
// shrinks when rehashing without losing or confusing any string.
func TestIDTableChurn(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	tab := newIDTable(0)
	want := map[string]uint32{}
	names := map[uint32]string{}
	next := uint32(0)
	hash := func(s string) uint64 { return uint64(len(s)%7) * 0x9e3779b97f4a7c15 } // seven hashes in all
	is := func(s string) func(uint32) bool { return func(id uint32) bool { return names[id] == s } }
	for step := range 20000 {
		s := fmt.Sprintf("s%d", r.IntN(3000))
		if r.IntN(3) == 0 {
			tab.del(hash(s), is(s))
			delete(want, s)
		} else {
			next++
			names[next] = s
			tab.put(hash(s), next, is(s))
			want[s] = next
		}
		if step%997 == 0 || step == 19999 {
			if tab.len() != len(want) {
				t.Fatalf("step %d: %d numbers, want %d", step, tab.len(), len(want))
			}
			for i := range 3000 {
				s := fmt.Sprintf("s%d", i)
				got, ok := tab.get(hash(s), is(s))
				if w, wok := want[s]; ok != wok || got != w {
					t.Fatalf("step %d: %q: %d, %v; want %d, %v", step, s, got, ok, w, wok)
				}
			}
		}
	}
}
