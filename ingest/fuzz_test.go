package ingest_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"podcastgraph/ingest"
)

// FuzzParse checks that Parse never panics and returns either a Document or
// a *ParseError naming the document, and that what it returns is coherent.
// The seed corpus is every page in testdata plus a few edge cases.
func FuzzParse(f *testing.F) {
	for _, path := range testPages(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "\uFEFF", "DOP 1:", "DOP 1: T\nRelease Date: 1/1/2025\nS\n#2: a...\ninfo_outline",
		"DOP 1: T\nS\ninfo_outline#1: A B, CEO at C, and D E, CTO at F, join G and H.\nA's contact information:\nX: https://x.com/a\n",
		"DOP 1: T\nS\ninfo_outline#1: " + strings.Repeat("Ab Cd, CEO of Ef and ", 50) + "\n",
		"DOP 1: T\r\nRelease Date: 13/45/2025\r\n",
	} {
		f.Add([]byte(s))
	}
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
		check := func(gs []ingest.GuestFacts) {
			for _, g := range gs {
				if g.Slug == "" || g.Slug != ingest.Slugify(g.Name) || !strings.Contains(g.Name, " ") || g.Evidence == "" {
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
	})
}
