package search

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unsafe"
)

func ep(key, title, desc, show string, year int, topics, guests []string) *Entry {
	e := &Entry{Kind: KindEpisode, Key: key, Show: show, Year: year, Topics: topics, Guests: guests, Suggest: title}
	e.Texts[FieldTitle], e.Texts[FieldDescription] = title, desc
	if year > 0 {
		e.Day = uint32(year * 365)
	}
	return e
}

func guest(slug, name, role, org string) *Entry {
	e := &Entry{Kind: KindGuest, Key: slug, Suggest: name}
	e.Texts[FieldName], e.Texts[FieldRole], e.Texts[FieldOrganization] = name, role, org
	return e
}

func corpus() *Index {
	ix := New()
	ix.Update(1, nil, []*Entry{
		ep("s/1", "Kubernetes secrets done right", "We talk about secret management in clusters.", "s", 2023, []string{"kubernetes"}, []string{"avery"}),
		ep("s/2", "Observability with eBPF", "Tracing the kernel. Kubernetes gets a mention at the end.", "s", 2024, []string{"ebpf"}, nil),
		ep("s/3", "The café economy", "A chat about coffee, naïve résumés and Zürich.", "t", 2024, nil, []string{"avery"}),
		ep("s/4", "Running databases", "Databases on Kubernetes: running stateful sets, operators and backups.", "s", 2025, []string{"kubernetes", "databases"}, nil),
		ep("s/5", "Peer to peer networks", "Why peer networks to peer nodes matter; not about kubernetes secrets.", "t", 0, nil, nil),
		guest("avery", "Avery Pennarun", "CEO", "Tailscale"),
		guest("kelsey", "Kelsey Hightower", "engineer", "Google"),
		ep("s/6", "東京のポッドキャスト", "日本語の説明", "t", 2025, nil, nil),
	})
	return ix
}

func keys(t *testing.T, ix *Index, q string) []string {
	t.Helper()
	res, err := ix.Search(&Query{Text: q, First: 20, Facets: 10})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Key)
	}
	return out
}

func TestRanking(t *testing.T) {
	ix := corpus()
	for _, tc := range []struct {
		q    string
		want []string // in order; a prefix of the hits when more follow
		all  bool     // want is every hit
	}{
		// The title match beats descriptions that say it once.
		{q: "kubernetes ", want: []string{"s/1"}},
		{q: "kubernetes secrets ", want: []string{"s/1", "s/5"}, all: true},
		// Stemming: "running" and "run" are one word.
		{q: "run ", want: []string{"s/4"}, all: true},
		// Accents and case fold both ways.
		{q: "CAFE ", want: []string{"s/3"}, all: true},
		{q: "zurich resume ", want: []string{"s/3"}, all: true},
		{q: "résumé ", want: []string{"s/3"}, all: true},
		// Typos: one in a word of five letters or more, exact first.
		{q: "kubernetse ", want: []string{"s/1"}},
		{q: "tailscael ", want: []string{"avery"}, all: true},
		{q: "ebp ", want: nil, all: true}, // four letters: no typo allowed
		// Prefix of the last word.
		{q: "tails", want: []string{"avery"}, all: true},
		{q: "avery penn", want: []string{"avery"}, all: true},
		// Phrase and exclusion.
		{q: `"peer networks"`, want: []string{"s/5"}, all: true},
		{q: `"networks peer"`, want: nil, all: true},
		{q: `kubernetes -secrets `, want: []string{"s/4", "s/2"}, all: true},
		{q: `kubernetes -secret `, want: []string{"s/4", "s/2"}, all: true},
		// Unicode scripts without spaces.
		{q: "東京", want: []string{"s/6"}, all: true},
		// Stop words only: kept rather than nothing.
		{q: "the ", want: []string{"s/3", "s/2"}, all: true}, // title first
	} {
		t.Run(tc.q, func(t *testing.T) {
			got := keys(t, ix, tc.q)
			if tc.all {
				if !slices.Equal(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
				return
			}
			if len(got) < len(tc.want) || !slices.Equal(got[:len(tc.want)], tc.want) {
				t.Fatalf("got %v, want it to begin %v", got, tc.want)
			}
		})
	}
	// The exclusion removed exactly the pages that say secrets.
	if got := keys(t, ix, "kubernetes -secrets "); slices.Contains(got, "s/1") || slices.Contains(got, "s/5") {
		t.Fatalf("excluded word's pages returned: %v", got)
	}
}

func TestFacetsSumToTotal(t *testing.T) {
	ix := corpus()
	res, err := ix.Search(&Query{Text: "kubernetes", First: 2, Facets: 10})
	if err != nil {
		t.Fatal(err)
	}
	sum := func(l []FacetCount) (n int) {
		for _, f := range l {
			n += f.Count
		}
		return n
	}
	kinds := 0
	for _, c := range res.Facets.Kinds {
		kinds += c
	}
	if res.Total != 4 || kinds != res.Total || sum(res.Facets.Shows) != res.Facets.Kinds[KindEpisode] {
		t.Fatalf("total %d, kinds %v, shows %v", res.Total, res.Facets.Kinds, res.Facets.Shows)
	}
	// One of the four has no date.
	if sum(res.Facets.Years) != 3 || len(res.Hits) != 2 || !res.HasNext {
		t.Fatalf("years %v, hits %v", res.Facets.Years, res.Hits)
	}
	// Filters narrow the result set and the facets with it.
	res, err = ix.Search(&Query{Text: "kubernetes", First: 20, Facets: 10, Topic: "databases"})
	if err != nil || res.Total != 1 || res.Hits[0].Key != "s/4" {
		t.Fatalf("topic filter: %+v %v", res, err)
	}
	res, err = ix.Search(&Query{Text: "kubernetes", First: 20, Facets: 10, After: 2024*365 - 1})
	if err != nil || res.Total != 2 {
		t.Fatalf("date filter: %+v %v", res, err)
	}
	res, err = ix.Search(&Query{Text: "avery", First: 20, Facets: 10, Kinds: []Kind{KindGuest}})
	if err != nil || res.Total != 1 || res.Hits[0].Kind != KindGuest {
		t.Fatalf("kind filter: %+v %v", res, err)
	}
	// Each facet left uncounted comes back empty; the others as counted
	// with all of them.
	full, err := ix.Search(&Query{Text: "kubernetes", First: 2, Facets: 10})
	if err != nil || len(full.Facets.Shows) == 0 || len(full.Facets.Topics) == 0 || len(full.Facets.Guests) == 0 || len(full.Facets.Years) == 0 {
		t.Fatalf("facets: %+v %v", full.Facets, err)
	}
	for _, skip := range []FacetSet{FacetShows, FacetTopics, FacetGuests, FacetYears, FacetTopics | FacetGuests, FacetShows | FacetTopics | FacetGuests | FacetYears} {
		res, err := ix.Search(&Query{Text: "kubernetes", First: 2, Facets: 10, Uncounted: skip})
		if err != nil {
			t.Fatal(err)
		}
		want := full.Facets
		for _, f := range []struct {
			set  FacetSet
			list *[]FacetCount
		}{{FacetShows, &want.Shows}, {FacetTopics, &want.Topics}, {FacetGuests, &want.Guests}, {FacetYears, &want.Years}} {
			if skip&f.set != 0 {
				*f.list = []FacetCount{}
			}
		}
		if !reflect.DeepEqual(res.Facets, want) || !reflect.DeepEqual(res.Hits, full.Hits) || res.Total != full.Total {
			t.Errorf("uncounted %04b: %+v, want %+v", skip, res.Facets, want)
		}
	}
}

func TestReplaceAndPersist(t *testing.T) {
	ix := corpus()
	ix.Update(2, nil, []*Entry{ep("s/1", "Service meshes", "Sidecars everywhere.", "s", 2023, nil, nil)})
	if got := keys(t, ix, "secrets "); slices.Contains(got, "s/1") {
		t.Fatalf("old text still found: %v", got)
	}
	if got := keys(t, ix, "sidecars "); !slices.Equal(got, []string{"s/1"}) {
		t.Fatalf("new text: %v", got)
	}
	// A search at generation 1 does not see what generation 2 wrote.
	res, _ := ix.Search(&Query{Text: "sidecars", First: 5, Generation: 1})
	if res.Total != 0 {
		t.Fatalf("generation 2's page seen at 1: %+v", res.Hits)
	}
	var buf bytes.Buffer
	path := t.TempDir() + "/ix"
	if _, err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = buf
	for _, q := range []string{"sidecars ", "kubernetes", "tails", `"peer networks"`} {
		if a, b := keys(t, ix, q), keys(t, back, q); !slices.Equal(a, b) {
			t.Fatalf("%q: %v before save, %v after load", q, a, b)
		}
	}
	if back.Generation() != 2 {
		t.Fatalf("generation %d after load", back.Generation())
	}
}

func TestHighlight(t *testing.T) {
	h, ok := HighlightText(FieldDescription, "Databases on <Kubernetes>: running stateful sets", map[string]bool{"kubernetes": true, "running": true})
	if !ok || h.Snippet != "Databases on &lt;<mark>Kubernetes</mark>&gt;: <mark>running</mark> stateful sets" || h.Field.String() != "description" {
		t.Fatalf("%+v", h)
	}
	long := strings.Repeat("filler words here ", 40) + "the needle is here " + strings.Repeat("more words ", 40)
	h, ok = HighlightText(FieldDescription, long, map[string]bool{"needle": true})
	if !ok || !strings.Contains(h.Snippet, "<mark>needle</mark>") || len(h.Text) > 260 || !strings.HasPrefix(h.Text, "…") {
		t.Fatalf("%+v", h)
	}
}

func TestSuggest(t *testing.T) {
	ix := corpus()
	got, err := ix.Suggest("kub", 5, 0)
	if err != nil || len(got) != 1 || got[0].Text != "Kubernetes secrets done right" {
		t.Fatalf("%+v %v", got, err)
	}
	got, _ = ix.Suggest("aver", 5, 0)
	if len(got) != 1 || got[0].Kind != KindGuest || got[0].Weight != 2 {
		t.Fatalf("%+v", got)
	}
	got, _ = ix.Suggest("secrets kub", 5, 0)
	if len(got) != 1 {
		t.Fatalf("%+v", got)
	}
	if _, err := ix.Suggest(" -- ", 5, 0); err == nil {
		t.Fatal("no error for a prefix without words")
	}
	// A prefix is bounded as a query is: by characters, then words.
	for prefix, says := range map[string]string{
		strings.Repeat("a", MaxQueryRunes+1):        "prefix: is 1001 characters long; at most 1000",
		strings.Repeat("w ", MaxQueryWords+1) + "x": "prefix: has 34 words; at most 32",
	} {
		if _, err := ix.Suggest(prefix, 5, 0); err == nil || err.Error() != says {
			t.Errorf("a prefix of %d bytes: %v, want %q", len(prefix), err, says)
		}
	}
	if _, err := ix.Suggest(strings.Repeat("a", MaxQueryRunes), 5, 0); err != nil {
		t.Errorf("a prefix of %d characters: %v", MaxQueryRunes, err)
	}
}

func TestBadQueries(t *testing.T) {
	ix := corpus()
	for _, q := range []string{"", "   ", `""`, "- -", strings.Repeat("a", 1001), "\x00\x01", strings.Repeat("word ", 40)} {
		if _, err := ix.Search(&Query{Text: q, First: 5}); err == nil {
			t.Errorf("%.40q: no error", q)
		} else if ie, ok := err.(*InputError); !ok || ie.Arg != "query" {
			t.Errorf("%.40q: %v", q, err)
		}
	}
	for _, q := range []string{`"unbalanced quote`, "ünïcödé", "Ελληνικά", "العربية", "हिन्दी", "🙂 kubernetes", "a\tb\nc"} {
		if _, err := ix.Search(&Query{Text: q, First: 5}); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
}

func TestMoreLikeThis(t *testing.T) {
	ix := corpus()
	terms := ix.Terms("Kubernetes secrets done right. We talk about secret management in clusters.", 10)
	if len(terms) == 0 || terms[0].Term == "we" {
		t.Fatalf("terms: %+v", terms)
	}
	hits := ix.Similar(terms, KindEpisode, 3, "s/1", 0)
	if len(hits) == 0 || hits[0].Key != "s/5" || slices.ContainsFunc(hits, func(h Hit) bool { return h.Key == "s/1" }) {
		t.Fatalf("similar: %+v", hits)
	}
}

func TestCompactionKeepsAnswers(t *testing.T) {
	ix := corpus()
	queries := []string{"kubernetes", "tails", `"peer networks"`, "kubernetes -secrets ", "cafe"}
	before := map[string][]string{}
	for _, q := range queries {
		before[q] = keys(t, ix, q)
	}
	// Rewrite every episode many times: enough dead docs to compact.
	for round := range 300 {
		ix.Update(uint64(2+round), nil, []*Entry{
			ep("s/2", "Observability with eBPF", "Tracing the kernel. Kubernetes gets a mention at the end.", "s", 2024, []string{"ebpf"}, nil),
			ep("s/4", "Running databases", "Databases on Kubernetes: running stateful sets, operators and backups.", "s", 2025, []string{"kubernetes", "databases"}, nil),
			ep("s/3", "The café economy", "A chat about coffee, naïve résumés and Zürich.", "t", 2024, nil, []string{"avery"}),
			ep("s/9", "Throwaway", "Words nobody keeps.", "s", 2020, nil, nil),
		})
		ix.Update(uint64(2+round), []Ref{{KindEpisode, "s/9"}}, nil)
	}
	if len(ix.docs) > 200 {
		t.Fatalf("%d docs for %d live things: never compacted", len(ix.docs), ix.Len())
	}
	for _, q := range queries {
		if got := keys(t, ix, q); !slices.Equal(got, before[q]) {
			t.Errorf("%q: %v after compaction, %v before", q, got, before[q])
		}
	}
	if got := keys(t, ix, "throwaway"); len(got) != 0 {
		t.Errorf("removed page found: %v", got)
	}
	if s, _ := ix.Suggest("caf", 5, 0); len(s) != 1 || s[0].Key != "s/3" {
		t.Errorf("suggest after compaction: %+v", s)
	}
	res, _ := ix.Search(&Query{Text: "kubernetes", First: 10, Facets: 10, Topic: "databases"})
	if res.Total != 1 || res.Facets.Topics[0].Count != 1 {
		t.Errorf("facets after compaction: %+v", res)
	}
}

// TestHeapBytesGrowsWithTheIndex: the size the collector policy counts
// starts small and grows with what is indexed, by at least the text.
func TestHeapBytesGrowsWithTheIndex(t *testing.T) {
	ix := New()
	empty := ix.HeapBytes()
	var entries []*Entry
	text := 0
	for i := range 2000 {
		e := &Entry{Kind: KindEpisode, Key: fmt.Sprintf("show/%d", i), Show: "show", Suggest: fmt.Sprintf("Episode %d about distributed systems", i)}
		e.Texts[0] = fmt.Sprintf("Title %d on eBPF, kernels and networking number%d", i, i)
		text += len(e.Texts[0])
		entries = append(entries, e)
	}
	ix.Update(1, nil, entries)
	if got := ix.HeapBytes(); got < empty+int64(text) {
		t.Errorf("HeapBytes %d after indexing %d bytes of text (empty: %d)", got, text, empty)
	}
}

// foldASCII is fold without allocating, for the ASCII words highlighting
// looks up: it must fold them the same.
func TestFoldASCII(t *testing.T) {
	for _, w := range []string{"Kubernetes", "don't", "O'Brien", "SRE", "x86", "a", strings.Repeat("Ab", 40), strings.Repeat("a'", 70), "''"} {
		got, ok := foldASCII(nil, w)
		if !ok || string(got) != fold(w) {
			t.Errorf("foldASCII(%q) = %q, %v; fold gives %q", w, got, ok, fold(w))
		}
	}
	for _, w := range []string{"Zoë", "Søren", "don’t"} {
		if _, ok := foldASCII(nil, w); ok {
			t.Errorf("foldASCII(%q) folded a word that is not ASCII", w)
		}
	}
}

// The hot per-doc record is one cache line's half: a search reads it for
// every doc it finds.
func TestMetaSize(t *testing.T) {
	if n := unsafe.Sizeof(meta{}); n != 32 {
		t.Errorf("meta is %d bytes, want 32", n)
	}
}

func TestIsWordRune(t *testing.T) {
	for r := rune(0); r < 0x80; r++ {
		want := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if got := isWordRune(r); got != want {
			t.Errorf("isWordRune(%q) = %v, want %v", r, got, want)
		}
	}
}

func TestDecimalAfter(t *testing.T) {
	for _, c := range [][2]uint32{{999, 2024}, {2024, 999}, {2024, 2023}, {7, 10}, {10, 7}, {0, 9}, {32767, 4}, {5, 5}} {
		want := strconv.Itoa(int(c[0])) > strconv.Itoa(int(c[1]))
		if got := decimalAfter(c[0], c[1]); got != want {
			t.Errorf("decimalAfter(%d, %d) = %v, want %v", c[0], c[1], got, want)
		}
	}
}

// BenchmarkUpdate indexes a generated corpus of 3,000 things in batches
// of 100 (about 80 words of text each): the index's share of an ingest.
//
//	go test -run '^$' -bench Update -benchmem ./internal/search/
func BenchmarkUpdate(b *testing.B) {
	_, entries := genCorpus(rand.New(rand.NewPCG(7, 8)), 3000)
	for b.Loop() {
		ix := New()
		for i := 0; i < len(entries); i += 100 {
			ix.Update(uint64(1+i/100), nil, entries[i:min(i+100, len(entries))])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(entries)), "ns/thing")
}
