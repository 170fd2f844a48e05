package search_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"podcastgraph/internal/benchstore"
	"podcastgraph/internal/podcast"
	"podcastgraph/internal/search"
)

var update = flag.Bool("update", false, "rewrite the golden answers in testdata")

// goldenPages is the size of the generated store the golden answers are
// read from.
const goldenPages = 3000

// TestGoldenAnswers runs a few hundred varied queries (every class: one
// word, several, typos, prefixes, phrases, exclusions, filters by show,
// topic, guest and date, kinds, generations, offsets, facets) on an index
// of a generated store, with dead docs and a later generation in it, and
// compares every answer (hits, order, scores, totals, facets, terms, the
// highlights of the episodes found)
// with testdata/golden_answers.txt, which the code before the search
// loop was made cheaper wrote (-update rewrites it). A faster search
// must answer the same.
func TestGoldenAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a store of generated pages")
	}
	ctx := context.Background()
	st, err := benchstore.New(t.TempDir(), goldenPages)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f, err := search.Open(ctx, st, search.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ix := f.Index()
	base := ix.Generation()

	// Slugs the filters name, from the facets of everything.
	all, err := ix.Search(&search.Query{Text: "the", First: 1, Facets: 1000})
	if err != nil {
		t.Fatal(err)
	}
	values := func(fc []search.FacetCount) []string {
		var out []string
		for _, c := range fc {
			out = append(out, c.Value)
		}
		return out
	}
	shows, topics, guests := values(all.Facets.Shows), values(all.Facets.Topics), values(all.Facets.Guests)
	if len(shows) == 0 || len(topics) < 5 || len(guests) < 5 {
		t.Fatalf("facets of everything: %d shows, %d topics, %d guests", len(shows), len(topics), len(guests))
	}
	slices.Sort(shows)
	slices.Sort(topics)
	slices.Sort(guests)

	// A later generation: some episodes rewritten (their old docs dead),
	// some guests gone, a new show.
	var entries []*search.Entry
	var removes []search.Ref
	for i := range 40 {
		e := &search.Entry{Kind: search.KindEpisode, Key: fmt.Sprintf("%s/%d", shows[0], 1+i*7), Show: shows[0],
			Day: podcast.DateOf(time.Date(2019, 1, 1+i*9, 0, 0, 0, 0, time.UTC)).Days(), Year: 2019,
			Topics: []string{topics[i%len(topics)]}, Guests: []string{guests[(i*3)%len(guests)]},
			Suggest: "Rewritten kubernetes observability episode " + strconv.Itoa(i)}
		e.Texts[search.FieldTitle] = e.Suggest
		e.Texts[search.FieldSummary] = "platform engineering with serverless microservices and gitops"
		e.Texts[search.FieldDescription] = strings.Repeat("site reliability engineering in practice, edge computing careers. ", 1+i%4)
		entries = append(entries, e)
	}
	for i := range 10 {
		removes = append(removes, search.Ref{Kind: search.KindGuest, Key: guests[(i*5)%len(guests)]})
	}
	show := &search.Entry{Kind: search.KindShow, Key: "golden-show", Suggest: "Golden Kubernetes Hour"}
	show.Texts[search.FieldTitle] = show.Suggest
	entries = append(entries, show)
	ix.Update(base+1, removes, entries)
	sn, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()

	var out bytes.Buffer
	for i, q := range goldenQueries(shows, topics, guests, base) {
		res, err := ix.Search(&q)
		fmt.Fprintf(&out, "## %d %q off=%d first=%d kinds=%v show=%q topic=%q guest=%q after=%d before=%d facets=%d gen=%d\n",
			i, q.Text, q.Offset, q.First, q.Kinds, q.Show, q.Topic, q.Guest, q.After, q.Before, q.Facets, q.Generation)
		if err != nil {
			fmt.Fprintf(&out, "error %v\n", err)
			continue
		}
		fmt.Fprintf(&out, "total %d next %v\n", res.Total, res.HasNext)
		for _, h := range res.Hits {
			fmt.Fprintf(&out, "hit %v %s %s typos=%d\n", h.Kind, h.Key, strconv.FormatFloat(h.Score, 'g', -1, 64), h.Typos)
		}
		if q.Facets > 0 {
			// Without the guests, the topics may be counted from the
			// topics' sets instead of the hits' own: the same counts.
			q2 := q
			q2.Uncounted = search.FacetGuests
			res2, err := ix.Search(&q2)
			want, got := res.Facets, res2.Facets
			if err != nil || want.Kinds != got.Kinds || !slices.Equal(want.Shows, got.Shows) || !slices.Equal(want.Topics, got.Topics) ||
				!slices.Equal(want.Years, got.Years) || len(got.Guests) != 0 || !reflect.DeepEqual(res2.Hits, res.Hits) {
				t.Fatalf("%+v without guests: %+v, %v; want %+v", q, got, err, want)
			}
			// Without topics and guests, the hits' other facets are read
			// from a column of their own (hotMeta): the same counts.
			q2.Uncounted = search.FacetGuests | search.FacetTopics
			res3, err := ix.Search(&q2)
			got = res3.Facets
			if err != nil || want.Kinds != got.Kinds || !slices.Equal(want.Shows, got.Shows) || len(got.Topics) != 0 ||
				!slices.Equal(want.Years, got.Years) || len(got.Guests) != 0 || !reflect.DeepEqual(res3.Hits, res.Hits) {
				t.Fatalf("%+v without topics and guests: %+v, %v; want %+v", q, got, err, want)
			}
			fmt.Fprintf(&out, "kinds %v\n", res.Facets.Kinds)
			for _, fc := range []struct {
				name string
				list []search.FacetCount
			}{{"shows", res.Facets.Shows}, {"topics", res.Facets.Topics}, {"guests", res.Facets.Guests}, {"years", res.Facets.Years}} {
				fmt.Fprintf(&out, "%s", fc.name)
				for _, c := range fc.list {
					fmt.Fprintf(&out, " %s=%d", c.Value, c.Count)
				}
				out.WriteByte('\n')
			}
		}
		// The highlights of the episodes' texts, as the search field
		// makes them.
		eachHighlight(t, sn, res, func(e *podcast.Episode, hl search.Highlight) {
			fmt.Fprintf(&out, "highlight %s/%d %v %q %q\n", e.Show, e.Number, hl.Field, hl.Snippet, hl.Text)
		})
		var terms []string
		for t := range res.Terms {
			terms = append(terms, t)
		}
		slices.Sort(terms)
		fmt.Fprintf(&out, "terms %s\n", strings.Join(terms, " "))
	}
	path := filepath.Join("testdata", "golden_answers.txt")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got := out.Bytes(); !bytes.Equal(got, want) {
		g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				// The query's header is the last "##" line before.
				head := ""
				for j := i; j >= 0; j-- {
					if strings.HasPrefix(w[j], "## ") {
						head = w[j]
						break
					}
				}
				t.Fatalf("answers differ from %s at line %d, in %s:\ngot  %s\nwant %s", path, i+1, head, g[i], w[i])
			}
		}
		t.Fatalf("answers differ from %s: %d lines, want %d", path, len(g), len(w))
	}
}

// goldenQueries returns the queries of TestGoldenAnswers: the same every
// run (a seeded generator).
func goldenQueries(shows, topics, guests []string, base uint64) []search.Query {
	words := []string{
		"kubernetes", "observability", "gitops", "microservices", "serverless", "platform", "engineering",
		"site", "reliability", "testing", "edge", "computing", "careers", "machine", "learning", "virtualization",
		"time", "series", "databases", "incident", "response", "linux", "kernel", "scheduler", "runtime",
		"quarkline", "otterdb", "larkspur", "nimblemq", "cindermesh", "kitesql", "marigold", "corvid",
		"priya", "gustavo", "okafor", "nakamura", "quillbase", "globex", "mirrorline", "kestrel",
		"practice", "scale", "teams", "hype", "changed", "talk", "running", "runs", "rewritten", "golden",
		"ceo", "founder", "maintainer", "advocate", "cloud", "google", "react", "javascript", "argo",
		"zoe", "soren", "alvarez", "angstrom", "obrien", "o'brien", "ines", "josé", "dijk", "moss",
	}
	typos := []string{
		"obsrevability", "kuberntes", "microservise", "virtualisation", "serverles", "enginering", "reliabilty",
		"databse", "kubernetse", "obervability", "platfrom", "incidnet", "schedulre", "maintaner", "javascirpt",
		"quarklin", "larksupr", "observabilityy", "virtualizaton", "xqzvwkyt",
	}
	prefixes := []string{"kub", "obs", "mic", "ser", "plat", "eng", "rel", "data", "le", "ma", "gu", "pr", "k", "q", "zeph"}
	phrases := []string{
		`"site reliability engineering"`, `"platform engineering"`, `"edge computing"`, `"machine learning"`,
		`"time series databases"`, `"reliability site"`, `"incident response"`, `"kubernetes observability"`,
		`"in practice"`, `"without the hype"`, `"google cloud"`, `"site reliability`,
	}
	r := rand.New(rand.NewPCG(17, 2026))
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	day := func(y int) uint32 {
		return podcast.DateOf(time.Date(y, time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)).Days()
	}
	var qs []search.Query
	for i := range 450 {
		var text string
		switch i % 9 {
		case 0:
			text = pick(words) + " "
		case 1:
			text = pick(words)
		case 2:
			text = pick(words) + " " + pick(words) + " "
			if r.IntN(3) == 0 {
				text = strings.Trim(pick(phrases[:5]), `"`) + " " // its words, unquoted
			}
		case 3:
			text = pick(typos) + " "
		case 4:
			text = pick(words) + " " + pick(prefixes)
		case 5:
			text = pick(phrases)
		case 6:
			text = pick(words) + " -" + pick(words) + " "
		case 7:
			text = pick(phrases) + " " + pick(words) + " -" + pick(words)
		case 8:
			text = pick(typos) + " " + pick(words) + " " + pick(prefixes)
		}
		q := search.Query{Text: text, First: []int{0, 1, 5, 10, 20}[r.IntN(5)], Facets: []int{0, 3, 10, 100}[r.IntN(4)]}
		if r.IntN(4) == 0 {
			q.Offset = r.IntN(30)
		}
		switch r.IntN(20) {
		case 0:
			q.Show = pick(shows)
		case 1:
			q.Topic = pick(topics)
		case 2:
			q.Guest = pick(guests)
		case 3:
			q.After = day(2015 + r.IntN(10))
		case 4:
			q.Before = day(2015 + r.IntN(10))
		case 5:
			q.After, q.Before = day(2012+r.IntN(6)), day(2018+r.IntN(8))
		case 6:
			q.Topic, q.Guest = pick(topics), pick(guests)
		case 7:
			q.Show = "no-such-show"
		}
		switch r.IntN(6) {
		case 0:
			q.Kinds = []search.Kind{search.KindEpisode}
		case 1:
			q.Kinds = []search.Kind{search.KindGuest, search.KindTopic}
		case 2:
			q.Kinds = []search.Kind{search.KindShow, search.KindEpisode}
		}
		switch r.IntN(8) {
		case 0:
			q.Generation = base
		case 1:
			q.Generation = base - 1
		}
		qs = append(qs, q)
	}
	// Empty and refused texts.
	qs = append(qs, search.Query{Text: "   ", First: 10}, search.Query{Text: `"" -`, First: 10}, search.Query{Text: "the of and", First: 10, Facets: 10})
	return qs
}
