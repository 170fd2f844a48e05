package search

import (
	"html"
	"math/rand/v2"
	"strings"
	"testing"
)

// highlightAll is HighlightText as it was before it stopped reading at
// the snippet's end: every word of the text is read and marked, and the
// marks outside the snippet are skipped.
func highlightAll(field Field, text string, terms map[string]bool) (Highlight, bool) {
	var marks []token
	tokenize(text, func(tok token) {
		if terms[tok.term] {
			marks = append(marks, tok)
		}
	})
	if len(marks) == 0 {
		return Highlight{}, false
	}
	from, to := 0, len(text)
	if len(text) > snippetBytes {
		from = wordStart(text, marks[0].start-snippetBytes/4)
		to = wordEnd(text, from+snippetBytes)
	}
	var snip, plain strings.Builder
	if from > 0 {
		snip.WriteString("…")
		plain.WriteString("…")
	}
	at := from
	for _, m := range marks {
		if m.start < at || m.end > to {
			continue
		}
		snip.WriteString(html.EscapeString(text[at:m.start]) + "<mark>" + html.EscapeString(text[m.start:m.end]) + "</mark>")
		at = m.end
	}
	snip.WriteString(html.EscapeString(text[at:to]))
	plain.WriteString(text[from:to])
	if to < len(text) {
		snip.WriteString("…")
		plain.WriteString("…")
	}
	return Highlight{Field: field, Snippet: snip.String(), Text: plain.String()}, true
}

// A snippet is the same whether or not the words past it are read: texts
// of every length, the words looked for anywhere (at the start, in the
// snippet, just past it, far after it, several times, glued to
// punctuation, in other scripts and in ideographs), compared with the
// snippet of the whole text read.
func TestHighlightReadsUpToTheSnippet(t *testing.T) {
	vocab := []string{"kubernetes", "Kubernetes,", "observability", "filler", "words", "here", "É", "élan", "Straße",
		"数据库", "云", "don't", "it’s", "<tag>", "&", "secrets.", "\n", "a", "needle", "NEEDLE!", "x-ray", "42"}
	termSets := []map[string]bool{
		{"needle": true},
		{"kubernetes": true, "secrets": true},
		{"élan": true, "云": true},
		{"数据库": true, "words": true},
		{"dont": true, "its": true},
		{"absent": true},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		var b strings.Builder
		for n := r.IntN(160); n > 0; n-- {
			b.WriteString(vocab[r.IntN(len(vocab))])
			if r.IntN(4) > 0 {
				b.WriteByte(' ')
			}
		}
		text := b.String()
		terms := termSets[i%len(termSets)]
		got, gok := HighlightText(FieldDescription, text, terms)
		want, wok := highlightAll(FieldDescription, text, terms)
		if gok != wok || got != want {
			t.Fatalf("text %q, terms %v:\n got %v %+v\nwant %v %+v", text, terms, gok, got, wok, want)
		}
	}
}
