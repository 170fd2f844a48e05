package ingest_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"podcastgraph/ingest"
)

// TestLayoutTolerance parses the seed page written in other ways — CRLF,
// a BOM, lone CRs, trailing blanks, non-breaking spaces, blank lines, "…" for
// "..." — and expects the same Document.
func TestLayoutTolerance(t *testing.T) {
	data, err := os.ReadFile("testdata/000_3500f07eabefc183.txt")
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	variants := map[string]string{
		"CRLF":            strings.ReplaceAll(page, "\n", "\r\n"),
		"BOM and CRLF":    "\uFEFF" + strings.ReplaceAll(page, "\n", "\r\n"),
		"lone CR":         strings.ReplaceAll(page, "\n", "\r"),
		"trailing blanks": strings.ReplaceAll(page, "\n", " \t \n"),
		"NBSP":            strings.ReplaceAll(strings.ReplaceAll(page, ": ", ":\u00a0"), " and ", "\u00a0and\u202f"),
		"blank lines":     strings.ReplaceAll(page, "\n", "\n\n"),
		"ellipsis":        regexp.MustCompile(`\.\.\.\n`).ReplaceAllString(page, "…\n"),
		"zero-width":      strings.ReplaceAll(page, "Avery", "\u200bAvery"),
	}
	vocab := ingest.DefaultVocabulary()
	want := canonical(t, "p.txt", []byte(page), vocab)
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			if v == page {
				t.Fatal("the variant does not change the page")
			}
			if got := canonical(t, "p.txt", []byte(v), vocab); got != want {
				t.Errorf("document differs:\n%s", firstDiff(want, got))
			}
		})
	}
}

// canonical parses a page and returns its Document as JSON without the SHA.
func canonical(t *testing.T, name string, data []byte, vocab *ingest.Vocabulary) string {
	t.Helper()
	doc, err := ingest.Parse(name, data, vocab)
	if err != nil {
		t.Fatal(err)
	}
	doc.SHA256 = ""
	out, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// TestOwnWins checks that a listing entry numbered like the page's own
// episode is skipped, and that the own episode keeps its full text.
func TestOwnWins(t *testing.T) {
	page := "DOP 7: Title\nRelease Date: 01/02/2025\nDevOps Paradox\n" +
		"#8: Next one...\ninfo_outlineDevOps Paradox\n" +
		"#7: Cut short in the listing...\ninfo_outlineDevOps Paradox\n" +
		"info_outline#7: The full text. It goes on.\nA second paragraph.\n"
	doc, err := ingest.Parse("o.txt", []byte(page), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Listing) != 1 || doc.Listing[0].Number != 8 || doc.Listing[0].Summary != "Next one" {
		t.Errorf("listing %+v", doc.Listing)
	}
	if e := doc.Episode; e.Description != "The full text. It goes on.\n\nA second paragraph." || e.Summary != "The full text. It goes on." || e.Truncated {
		t.Errorf("own episode %+v", e)
	}
}

// TestSummary checks the own episode's summary: whole sentences up to about
// 300 bytes, or a long first sentence cut at a word.
func TestSummary(t *testing.T) {
	long := strings.Repeat("word ", 80) + "end."
	tests := []struct{ desc, want string }{
		{"One. Two.\nThree.", "One. Two."},
		{strings.Repeat("A short sentence. ", 30), strings.TrimSpace(strings.Repeat("A short sentence. ", 16))},
		{long, strings.TrimSpace(long[:300]) + "…"},
	}
	for _, tt := range tests {
		doc, err := ingest.Parse("s.txt", ownPage(tt.desc), nil)
		if err != nil {
			t.Fatal(err)
		}
		if doc.Episode.Summary != tt.want {
			t.Errorf("summary of %.40q…\n got %q\nwant %q", tt.desc, doc.Episode.Summary, tt.want)
		}
	}
}
