package search

import (
	"html"
	"strings"
	"unicode/utf8"
)

// Highlight is a snippet of a field's text with the words the query
// matched: Snippet is HTML (the text escaped, each match in <mark>),
// Text the same snippet as plain text.
type Highlight struct {
	Field   Field
	Snippet string
	Text    string
}

// snippetBytes is about how much text a snippet shows.
const snippetBytes = 200

// HighlightText returns the snippet of text around the words of terms, or
// false when the text has none of them.
func HighlightText(field Field, text string, terms map[string]bool) (Highlight, bool) {
	var marks []token
	var buf [2 * maxTermBytes]byte
	// A word that starts with an ASCII byte folds to a term that starts
	// with that byte in lower case: most words start with one no term
	// does, and are passed without folding or looking them up.
	var first [2]uint64 // by ASCII byte
	for t := range terms {
		if len(t) > 0 && t[0] < utf8.RuneSelf {
			first[t[0]>>6] |= 1 << (t[0] & 63)
		}
	}
	// Once the first word is found the snippet's bounds are known, and
	// the words that start past them are not read.
	from, to, bounded := 0, len(text), false
	words(text, func(start, end int, ideograph bool) bool {
		if start >= to {
			return false
		}
		if c := text[start]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if first[c>>6]&(1<<(c&63)) == 0 {
				return true
			}
		}
		// Most words are ASCII: folded in buf, looked up without a string.
		if t, ok := foldASCII(buf[:0], text[start:end]); ok {
			if len(t) > 0 && terms[string(t)] {
				marks = append(marks, token{start: start, end: end})
			}
		} else if t := fold(text[start:end]); (t != "" || ideograph) && terms[t] {
			marks = append(marks, token{term: t, start: start, end: end})
		}
		if len(marks) > 0 && !bounded && len(text) > snippetBytes {
			from = wordStart(text, marks[0].start-snippetBytes/4)
			to, bounded = wordEnd(text, from+snippetBytes), true
		}
		return true
	})
	if len(marks) == 0 {
		return Highlight{}, false
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
		snip.WriteString(html.EscapeString(text[at:m.start]))
		snip.WriteString("<mark>")
		snip.WriteString(html.EscapeString(text[m.start:m.end]))
		snip.WriteString("</mark>")
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

// wordStart moves i back to the start of the word it is in (0 if
// negative).
func wordStart(text string, i int) int {
	if i <= 0 {
		return 0
	}
	for i > 0 && text[i-1] != ' ' && text[i-1] != '\n' {
		i--
	}
	return i
}

// wordEnd moves i forward to the end of the word it is in.
func wordEnd(text string, i int) int {
	if i >= len(text) {
		return len(text)
	}
	for i < len(text) && text[i] != ' ' && text[i] != '\n' {
		i++
	}
	return i
}
