package search

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a query's text.
const (
	MaxQueryRunes = 1000
	MaxQueryWords = 32
)

// InputError is a query the index refuses: Arg names the argument.
type InputError struct {
	Arg, Msg string
}

func (e *InputError) Error() string { return e.Arg + ": " + e.Msg }

// qterm is a word the query requires.
type qterm struct {
	text   string
	prefix bool // the last word, being typed: matches terms it begins
	exact  bool // in a phrase: no typos, no prefix
}

// parsed is a query's text taken apart.
type parsed struct {
	terms    []qterm
	phrases  [][]int // indexes of terms, in phrase order
	excluded []string
}

// parse reads the query language: words, "exact phrases" (an unclosed
// quote runs to the end), -excluded words; the last bare word is a prefix
// unless the text ends with a space. Stop words outside phrases are
// dropped unless nothing else is left.
func parse(text string) (*parsed, error) {
	if !utf8.ValidString(text) {
		return nil, &InputError{"query", "is not valid UTF-8"}
	}
	if n := utf8.RuneCountInString(text); n > MaxQueryRunes {
		return nil, &InputError{"query", fmt.Sprintf("is %d characters long; at most %d", n, MaxQueryRunes)}
	}
	p := &parsed{}
	var stops []qterm
	inPhrase := false
	var phrase []int
	i := 0
	for i < len(text) {
		r, w := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '"':
			if inPhrase && len(phrase) > 0 {
				p.phrases = append(p.phrases, phrase)
			}
			phrase = nil
			inPhrase = !inPhrase
			i += w
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r):
			i += w
			continue
		}
		// A word: up to the next space or quote.
		j := i
		for j < len(text) {
			r, w := utf8.DecodeRuneInString(text[j:])
			if r == '"' || unicode.IsSpace(r) || unicode.IsControl(r) {
				break
			}
			j += w
		}
		word := text[i:j]
		i = j
		exclude := !inPhrase && strings.HasPrefix(word, "-")
		if exclude {
			word = word[1:]
		}
		last := j == len(text)
		var toks []string
		tokenize(word, func(t token) { toks = append(toks, t.term) })
		for k, t := range toks {
			switch {
			case exclude:
				p.excluded = append(p.excluded, t)
			case inPhrase:
				phrase = append(phrase, len(p.terms))
				p.terms = append(p.terms, qterm{text: t, exact: true})
			case stopWords[t]:
				stops = append(stops, qterm{text: t, prefix: last && k == len(toks)-1})
			default:
				p.terms = append(p.terms, qterm{text: t, prefix: last && k == len(toks)-1})
			}
		}
	}
	if inPhrase && len(phrase) > 0 {
		p.phrases = append(p.phrases, phrase)
	}
	if len(p.terms) == 0 {
		p.terms = stops
	}
	if len(p.terms)+len(p.excluded) > MaxQueryWords {
		return nil, &InputError{"query", fmt.Sprintf("has %d words; at most %d", len(p.terms)+len(p.excluded), MaxQueryWords)}
	}
	if len(p.terms) == 0 {
		return nil, &InputError{"query", "has no words to search for (only spaces, quotes, operators or punctuation)"}
	}
	for _, ph := range p.phrases {
		for _, k := range ph {
			p.terms[k].prefix = false
		}
	}
	return p, nil
}

// typoBudget is the typos a word of n letters may have: one from five
// letters, two from nine (as Meilisearch).
func typoBudget(n int) int {
	switch {
	case n >= 9:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}
