package ingest_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"podcastgraph/ingest"
)

// TestParseErrors checks each kind of unreadable page: a *ParseError naming
// the document and, where there is one, the line.
func TestParseErrors(t *testing.T) {
	const good = "DOP 316: Title\nRelease Date: 09/17/2025\nDevOps Paradox\ninfo_outline#316: Text.\n"
	tests := []struct {
		name string
		data string
		line int
		msg  string // a part of the message
		text string // the whole Error() text, when given
	}{
		{"empty", "", 0, "empty file", "x.txt: empty file"},
		{"whitespace only", " \r\n\t\n\n  ", 0, "empty file", ""},
		{"BOM only", "\uFEFF\n", 0, "empty file", ""},
		{"NUL byte", "DOP 316: Title\nRelease\x00 Date: 09/17/2025\n", 2, "NUL byte at column 8", ""},
		{"invalid UTF-8", "DOP 316: Title\nRelease Date: 09/17/2025\nDevOps \xff Paradox\n", 3, "invalid UTF-8: byte 0xff at column 8", ""},
		{"invalid UTF-8 after CRLF lines", "DOP 316: T\r\nRelease Date: 09/17/2025\r\n\r\nX \xc3\x28\r\n", 4, "invalid UTF-8", ""},
		{"no header", "Some page\nRelease Date: 09/17/2025\n", 1, `no header line: want "CODE NUMBER: title", got "Some page"`, ""},
		{"header after blank lines", "\n\n#316: Text\n", 3, "no header line", ""},
		{"header without number", "DOP: Title\n", 1, "no header line", ""},
		{"lower-case code", "dop 316: Title\n", 1, "no header line", ""},
		{"impossible date", "DOP 316: Title\n\nRelease Date: 02/30/2025\nDevOps Paradox\n", 3, `impossible release date "02/30/2025"`,
			`x.txt:3: impossible release date "02/30/2025": want MM/DD/YYYY`},
		{"month 13", "DOP 316: Title\nRelease Date: 13/01/2025\nDevOps Paradox\n", 2, "impossible release date", ""},
		{"malformed date", "DOP 316: Title\nRelease Date: September 17th\nDevOps Paradox\n", 2, `malformed release date "September 17th"`, ""},
		{"empty date", "DOP 316: Title\nRelease Date:\nDevOps Paradox\n", 2, "malformed release date", ""},
		{"no show name", "DOP 316: Title\nRelease Date: 09/17/2025\n", 2, "no show name", ""},
		{"too big", good + strings.Repeat("x", ingest.MaxPageSize), 0, "over the 1048576-byte limit", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ingest.Parse("x.txt", []byte(tt.data), nil)
			if err == nil {
				t.Fatalf("no error; document %+v", doc)
			}
			var pe *ingest.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v, want *ingest.ParseError", err, err)
			}
			if pe.Doc != "x.txt" || pe.Line != tt.line || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("got %+v, want line %d and message containing %q", *pe, tt.line, tt.msg)
			}
			prefix := "x.txt: "
			if tt.line > 0 {
				prefix = "x.txt:" + strconv.Itoa(tt.line) + ": "
			}
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("Error() = %q, want prefix %q", err.Error(), prefix)
			}
			if tt.text != "" && err.Error() != tt.text {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.text)
			}
		})
	}
	if _, err := ingest.Parse("x.txt", []byte(good), nil); err != nil {
		t.Errorf("the well-formed page fails: %v", err)
	}
}

// TestWarnings checks recoverable oddities: the page parses, with a warning.
func TestWarnings(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"no release date", "DOP 1: T\nDevOps Paradox\ninfo_outline#1: Text.\n", `line 2: no "Release Date:" line`},
		{"no own text", "DOP 1: T\nRelease Date: 01/02/2025\nDevOps Paradox\n#2: Other...\n", "no text for the page's own episode #1"},
		{"contact for nobody", "DOP 1: T\nRelease Date: 01/02/2025\nDevOps Paradox\ninfo_outline#1: Darin and Viktor talk.\nCarla's contact information:\nGitHub: https://github.com/carla\n",
			`line 5: contact section for "Carla" matches no guest`},
		{"unknown link label", "DOP 1: T\nRelease Date: 01/02/2025\nDevOps Paradox\ninfo_outline#1: Darin and Viktor speak with Ben Okafor, CTO at Barbaz.\nBen's contact information:\nSignal: https://signal.example/ben\n",
			`line 6: unknown link label "Signal"`},
		{"stray text", "DOP 1: T\nRelease Date: 01/02/2025\nDevOps Paradox\nhello\ninfo_outline#1: Text.\n", `line 4: text outside any episode ignored: "hello"`},
		{"listed twice", "DOP 1: T\nRelease Date: 01/02/2025\nDevOps Paradox\n#2: A...\ninfo_outlineDevOps Paradox\n#2: B...\ninfo_outline#1: Text.\n", "line 6: episode #2 listed twice"},
		{"no show line", "DOP 1: T\nRelease Date: 01/02/2025\n#2: A...\ninfo_outlineDevOps Paradox\ninfo_outline#1: Text.\n", `no show name line; took "DevOps Paradox" from the listing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ingest.Parse("w.txt", []byte(tt.data), nil)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, w := range doc.Warnings {
				found = found || strings.Contains(w, tt.want)
			}
			if !found {
				t.Errorf("warnings %q lack %q", doc.Warnings, tt.want)
			}
		})
	}
}
