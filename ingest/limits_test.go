package ingest_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"podcastgraph/ingest"
)

const limitsHead = "DOP 1: A title\nRelease Date: 01/02/2025\nDevOps Paradox\n"

// TestTextIsBounded: every value a page can make over-long is cut to its
// limit (at a rune boundary, valid UTF-8) with a warning, never passed on
// to the store whole.
func TestTextIsBounded(t *testing.T) {
	word := "Kubernetes façade "
	long := func(n int) string { return strings.Repeat(word, n/len(word)+1) }
	url := "https://example.com/" + strings.Repeat("x", ingest.MaxURLBytes)
	tests := []struct {
		name, page string
		check      func(*ingest.Document) (int, int) // got, limit
		warning    string
	}{
		{"description", limitsHead + "info_outline#1: Darin and Viktor speak. " + long(ingest.MaxTextBytes+5000) + "\n",
			func(d *ingest.Document) (int, int) { return len(d.Episode.Description), ingest.MaxTextBytes },
			"the page's episode description is"},
		{"title", "DOP 1: " + long(2*ingest.MaxTitleBytes) + "\nRelease Date: 01/02/2025\nDevOps Paradox\ninfo_outline#1: Text.\n",
			func(d *ingest.Document) (int, int) { return len(d.Episode.Title), ingest.MaxTitleBytes },
			"the page's episode title is"},
		{"show slug", "DOP 1: T\nRelease Date: 01/02/2025\n" + strings.Repeat("Show ", 100) + "\ninfo_outline#1: Text.\n",
			func(d *ingest.Document) (int, int) { return len(d.Show.Slug), ingest.MaxSlugBytes },
			"show slug is 499 bytes, over 100"},
		{"listing summary", limitsHead + "#2: " + long(3*ingest.MaxSummaryBytes) + "...\ninfo_outlineDevOps Paradox\ninfo_outline#1: Text.\n",
			func(d *ingest.Document) (int, int) { return len(d.Listing[0].Summary), ingest.MaxSummaryBytes },
			"listing episode #2 summary is"},
		{"link", limitsHead + "info_outline#1: Darin and Viktor speak with Hana Sato, CTO at Mirrorline.\nHana's contact information:\nWebsite: " + url + "\n",
			func(d *ingest.Document) (int, int) { return len(d.Guests[0].Links), 0 },
			"link \"https://example.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ingest.Parse("long.txt", []byte(tt.page), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, limit := tt.check(doc); got > limit {
				t.Errorf("%d bytes, over the %d limit", got, limit)
			}
			if !strings.Contains(strings.Join(doc.Warnings, "\n"), tt.warning) {
				t.Errorf("no warning %q in %q", tt.warning, doc.Warnings)
			}
			if !utf8.ValidString(doc.Episode.Description + doc.Episode.Title + doc.Show.Slug) {
				t.Error("cut inside a rune")
			}
		})
	}
}

// TestLongDocumentNameFails: a document name no file system would give is
// a clear parse error, not a store error.
func TestLongDocumentNameFails(t *testing.T) {
	_, err := ingest.Parse(strings.Repeat("n", 40_000)+".txt", []byte(limitsHead+"info_outline#1: Text.\n"), nil)
	var pe *ingest.ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "document name is 40004 bytes, over the 255-byte limit") {
		t.Fatalf("err = %v", err)
	}
	if len(err.Error()) > 200 {
		t.Errorf("the error repeats the name whole: %d bytes", len(err.Error()))
	}
}

// TestWarningsAreBounded: a page that earns hundreds of warnings keeps
// MaxWarnings, the last saying how many more there were.
func TestWarningsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(limitsHead)
	for i := range 120 {
		b.WriteString("#" + strconv.Itoa(i+2) + ": " + strings.Repeat("Words go on. ", ingest.MaxSummaryBytes/10) + "...\ninfo_outlineDevOps Paradox\n")
	}
	b.WriteString("info_outline#1: Text.\n")
	doc, err := ingest.Parse("warn.txt", []byte(b.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Warnings) != ingest.MaxWarnings || !strings.HasSuffix(doc.Warnings[len(doc.Warnings)-1], "more warnings not shown") {
		t.Fatalf("%d warnings, last %q", len(doc.Warnings), doc.Warnings[len(doc.Warnings)-1])
	}
	for _, w := range doc.Warnings {
		if len(w) > ingest.MaxWarningBytes {
			t.Errorf("warning of %d bytes", len(w))
		}
	}
}

// TestSlugifyIsBounded: slugs are store keys; however long the name, a
// slug stays within MaxSlugBytes, cut between words when it can be.
func TestSlugifyIsBounded(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{strings.Repeat("Ab ", 60), strings.TrimSuffix(strings.Repeat("ab-", 33), "-")},
		{strings.Repeat("a", 300), strings.Repeat("a", ingest.MaxSlugBytes)},
		{"Avery Pennarun", "avery-pennarun"},
	} {
		if got := ingest.Slugify(tt.in); got != tt.want {
			t.Errorf("Slugify(%.20q...) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
