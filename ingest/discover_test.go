package ingest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
)

// On generated pages whose descriptions name products and technologies the
// vocabulary does not know, the names a page's own episode yields are
// those its text writes (precision) and it misses few of them (recall),
// each at least 0.9 over 2,000 pages of three shows. The generator says
// which names each page writes (pagegen.Generated.Names): guests'
// organisations, products, technologies; never people, never curated
// topics.
func TestDiscoveredNamesOnGeneratedPages(t *testing.T) {
	vocab := ingest.DefaultVocabulary()
	var tp, fp, fn int
	var wrong, missed []string
	for i := range 2000 {
		g := pagegen.Generate(i, pagegen.Options{Shows: 3, Seed: 7, Technologies: true})
		doc, err := ingest.Parse(g.Name, g.Data, vocab)
		if err != nil {
			t.Fatalf("%s: %v", g.Name, err)
		}
		var want []string
		for _, n := range g.Names {
			want = append(want, ingest.Slugify(n))
		}
		var got []string
		for _, m := range doc.Episode.Discovered {
			got = append(got, m.Slug)
			if slices.Contains(want, m.Slug) {
				tp++
			} else {
				fp++
				wrong = append(wrong, fmt.Sprintf("%s: %q in %q", g.Name, m.Name, m.Evidence))
			}
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				fn++
				missed = append(missed, fmt.Sprintf("%s: %s in %q", g.Name, w, doc.Episode.Description))
			}
		}
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	t.Logf("names: %d found, %d wrong, %d missed: precision %.3f, recall %.3f", tp, fp, fn, precision, recall)
	for _, w := range wrong[:min(len(wrong), 10)] {
		t.Logf("wrong: %s", w)
	}
	for _, m := range missed[:min(len(missed), 10)] {
		t.Logf("missed: %s", m)
	}
	if precision < 0.9 || recall < 0.9 {
		t.Errorf("precision %.3f, recall %.3f: want each at least 0.9", precision, recall)
	}
}

// A feed that is not about software (a history show): the names each
// item's description writes, hand-listed in history.truth.json, against
// the names its items yield. Reported, with floors at what the extractor
// reaches (a regression fails): places and people talked about are names
// too; a name split by an abbreviation ("St. Louis") is missed.
func TestDiscoveredNamesOnAHistoryFeed(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "discover", "history.xml"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "discover", "history.truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth map[string][]string
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}
	feed, err := ingest.ParseFeed("history.xml", data, ingest.DefaultVocabulary())
	if err != nil {
		t.Fatal(err)
	}
	var tp, fp, fn int
	for _, d := range feed.Items {
		want := map[string]bool{}
		for _, n := range truth[d.Episode.GUID] {
			want[ingest.Slugify(n)] = true
		}
		got := map[string]bool{}
		for _, m := range d.Episode.Discovered {
			got[m.Slug] = true
			if want[m.Slug] {
				tp++
			} else {
				fp++
				t.Logf("%s: not a name written there: %q", d.Episode.GUID, m.Name)
			}
		}
		for w := range want {
			if !got[w] {
				fn++
				t.Logf("%s: missed %s", d.Episode.GUID, w)
			}
		}
	}
	precision, recall := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
	t.Logf("history feed: %d names found, %d wrong, %d missed: precision %.3f, recall %.3f", tp, fp, fn, precision, recall)
	if len(feed.Items) != len(truth) || precision < 0.9 || recall < 0.85 {
		t.Errorf("%d items; precision %.3f, recall %.3f: want at least 0.9 and 0.85", len(feed.Items), precision, recall)
	}
}
