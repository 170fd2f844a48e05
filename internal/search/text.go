package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"golang.org/x/text/unicode/norm"
)

// token is a word of a text: its folded form and where it was.
type token struct {
	term       string
	start, end int // byte offsets in the text
}

// maxTermBytes bounds a term: longer words are cut (a URL, a hash).
const maxTermBytes = 64

// tokenize splits text into words: runs of letters, digits and marks
// (an apostrophe inside a word is dropped: "don't" is "dont"), each Han,
// Hiragana or Katakana character a word of its own (those scripts write
// no spaces). Terms are folded: lower case, accents removed.
func tokenize(text string, fn func(tok token)) {
	words(text, func(start, end int, ideograph bool) bool {
		if t := fold(text[start:end]); t != "" || ideograph {
			fn(token{term: t, start: start, end: end})
		}
		return true
	})
}

// words calls fn with where each of tokenize's words is in text, before
// it is folded, until fn returns false.
func words(text string, fn func(start, end int, ideograph bool) (more bool)) {
	start := -1
	for i, r := range text {
		switch {
		case isIdeograph(r):
			if start >= 0 && !fn(start, i, false) {
				return
			}
			start = -1
			if !fn(i, i+utf8.RuneLen(r), true) {
				return
			}
		case isWordRune(r):
			if start < 0 {
				start = i
			}
		case (r == '\'' || r == '’') && start >= 0 && i+1 < len(text) && isWordByte(text, i+utf8.RuneLen(r)):
			// inside a word: kept in the span, dropped by fold
		default:
			if start >= 0 && !fn(start, i, false) {
				return
			}
			start = -1
		}
	}
	if start >= 0 {
		fn(start, len(text), false)
	}
}

// foldASCII appends fold(w) to dst when w is ASCII, without allocating;
// false when it is not.
func foldASCII(dst []byte, w string) ([]byte, bool) {
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= utf8.RuneSelf:
			return dst, false
		case c == '\'':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	if len(dst) > maxTermBytes {
		dst = dst[:maxTermBytes]
	}
	return dst, true
}

// isWordRune reports whether r is a letter, a digit or a mark (ASCII
// answered without the Unicode tables).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isWordByte(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isIdeograph(r rune) bool {
	return r >= 0x2E80 && (unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r))
}

// fold lower-cases a word and removes its accents and apostrophes.
func fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	var out string
	if ascii {
		out = strings.ToLower(w)
		out = strings.ReplaceAll(out, "'", "")
	} else {
		var b strings.Builder
		for _, r := range norm.NFD.String(w) {
			if unicode.Is(unicode.Mn, r) || r == '\'' || r == '’' {
				continue
			}
			b.WriteRune(unicode.ToLower(r))
		}
		out = norm.NFC.String(b.String())
	}
	if len(out) > maxTermBytes {
		cut := maxTermBytes
		for cut > 0 && !utf8.RuneStart(out[cut]) {
			cut--
		}
		out = out[:cut]
	}
	return out
}

// stem returns the English stem of a folded term, or the term itself when
// it is not a word of the Latin alphabet or is short.
func stem(term string) string {
	if len(term) < 3 {
		return term
	}
	for i := 0; i < len(term); i++ {
		if c := term[i]; c < 'a' || c > 'z' {
			return term
		}
	}
	env := snowballstem.NewEnv(term)
	english.Stem(env)
	return env.Current()
}

// stopWords are English function words a query leaves out (unless it
// has nothing else, or quotes them in a phrase).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an and are as at be but by for from has have he her his i
		in is it its me my no not of on or our she so than that the their them they this to
		us was we were what when where which who will with you your`) {
		m[w] = true
	}
	return m
}()
