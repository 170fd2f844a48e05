package ingest_test

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"podcastgraph/ingest"
)

// addSeeds adds the files at paths, then each of more, to f's corpus.
func addSeeds(f *testing.F, paths []string, more ...string) {
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range more {
		f.Add([]byte(s))
	}
}

// FuzzParse checks that Parse never panics and returns either a Document or
// a *ParseError naming the document, that what it returns is coherent, and
// that ParseMemo returns the same when its memo has seen the page.
// The seed corpus is every page in testdata plus a few edge cases.
func FuzzParse(f *testing.F) {
	addSeeds(f, testPages(f),
		"", "\uFEFF", "DOP 1:", "DOP 1: T\nRelease Date: 1/1/2025\nS\n#2: a...\ninfo_outline",
		"DOP 1: T\nS\ninfo_outline#1: A B, CEO at C, and D E, CTO at F, join G and H.\nA's contact information:\nX: https://x.com/a\n",
		"DOP 1: T\nS\ninfo_outline#1: "+strings.Repeat("Ab Cd, CEO of Ef and ", 50)+"\n",
		"DOP 1: T\r\nRelease Date: 13/45/2025\r\n",
	)
	vocab := ingest.DefaultVocabulary()
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ingest.Parse("f.txt", data, vocab)
		if err != nil {
			var pe *ingest.ParseError
			if !errors.As(err, &pe) || pe.Doc != "f.txt" || pe.Line < 0 || doc != nil {
				t.Fatalf("error %T %v with document %v", err, err, doc)
			}
			return
		}
		if doc.Name != "f.txt" || len(doc.SHA256) != 64 || !doc.Episode.Own || doc.Warnings == nil || doc.Listing == nil {
			t.Fatalf("incoherent document %+v", doc)
		}
		for _, e := range doc.Listing {
			if e.Own || e.Number == doc.Episode.Number {
				t.Fatalf("listing entry #%d is the own episode", e.Number)
			}
		}
		// A one-word guest (a stage name) needs a contact section.
		contacts := strings.Contains(strings.ToLower(string(data)), "contact info")
		check := func(gs []ingest.GuestFacts) {
			for _, g := range gs {
				if g.Slug == "" || g.Slug != ingest.PersonSlug(g.Name) || !strings.Contains(g.Name, " ") && !contacts || g.Evidence == "" {
					t.Fatalf("bad guest %+v", g)
				}
				if !utf8.ValidString(g.Name + g.Role + g.Organization + g.Bio + g.Evidence) {
					t.Fatalf("guest with invalid UTF-8 %+v", g)
				}
			}
		}
		check(doc.Guests)
		for _, e := range doc.Listing {
			check(e.Guests)
		}
		memo := ingest.NewMemo(0)
		for range 2 {
			if again, err := ingest.ParseMemo("f.txt", data, vocab, memo); err != nil || !reflect.DeepEqual(again, doc) {
				t.Fatalf("with a memo: %v\n%+v\nwithout:\n%+v", err, again, doc)
			}
		}
	})
}

// TestLargePages parses pathological pages near MaxPageSize: every one
// parses, and what a page can make the parser keep stays bounded (guests
// per text, links per guest, hosts). The go test timeout bounds their time;
// they run in tens of milliseconds each because the parser is linear.
func TestLargePages(t *testing.T) {
	if testing.Short() {
		t.Skip("large pages")
	}
	head := "DOP 1: T\nRelease Date: 01/02/2025\nDevOps Paradox\ninfo_outline#1: "
	fill := func(unit string) []byte {
		return []byte(head + strings.Repeat(unit, (ingest.MaxPageSize-len(head))/len(unit)))
	}
	var items strings.Builder
	items.WriteString(head + "x\n")
	for i := 2; items.Len() < ingest.MaxPageSize-200; i++ {
		fmt.Fprintf(&items, "#%d: Ab Cd, CEO at Ef, joins Gh and Ij. co-founder Kl Mn says Op.\ninfo_outline\n", i)
	}
	var links strings.Builder
	links.WriteString(head + "Darin and Viktor speak with Ab Cd.\nAb's contact information:\n")
	for i := 0; links.Len() < ingest.MaxPageSize-100; i++ {
		fmt.Fprintf(&links, "X: https://x.com/a%d\n", i)
	}
	pages := map[string][]byte{
		"appositions":    fill("Ab Cd, CEO of Ef and "),
		"bare roles":     fill("co-founder Ab Cd calls Xy. "),
		"role chains":    fill("he is CEO and "),
		"subjects":       fill("Ab Cd has been. He is. "),
		"host pairs":     fill("Ab and Cd speak. "),
		"labels":         fill("x Slack: "),
		"one sentence":   fill("Ab Cd Ef Gh "),
		"list of names":  fill("Darin and Viktor speak with Ab Cd, Ef Gh, and "),
		"glue":           fill("info_outline"),
		"paragraphs":     fill("Ab Cd, CEO at Ef, joins Gh and Ij.\n"),
		"links":          []byte(links.String()),
		"distinct items": []byte(items.String()),
	}
	vocab := ingest.DefaultVocabulary()
	for name, data := range pages {
		t.Run(name, func(t *testing.T) {
			doc, err := ingest.Parse("big.txt", data, vocab)
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Show.Hosts) > 8 || len(doc.Guests) > 16 {
				t.Errorf("%d hosts, %d guests", len(doc.Show.Hosts), len(doc.Guests))
			}
			for _, g := range doc.Guests {
				if len(g.Links) > 32 {
					t.Errorf("%s has %d links", g.Name, len(g.Links))
				}
			}
			if name == "links" && (len(doc.Guests) != 1 || len(doc.Guests[0].Links) == 0) {
				t.Errorf("guests %+v: the links page should keep some links of its guest", doc.Guests)
			}
			for _, e := range doc.Listing {
				if len(e.Guests) > 16 {
					t.Errorf("#%d has %d guests", e.Number, len(e.Guests))
				}
			}
		})
	}
}
