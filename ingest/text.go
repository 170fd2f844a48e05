package ingest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the text cleanup shared by the other concerns: turning raw
// page bytes into clean lines, collapsing whitespace, splitting sentences,
// tokenising words, and Slugify with its accent-folding table.

// line is one cleaned line of a page with its 1-based number.
type line struct {
	num  int
	text string
}

// splitLines turns page text (already known to be valid UTF-8 without NUL
// bytes) into cleaned lines: the BOM is dropped, CRLF and lone CR end lines,
// Unicode spaces become ASCII spaces, zero-width characters vanish, runs of
// spaces collapse and each line is trimmed. Blank lines are kept (as empty
// text) so that line numbers stay true.
func splitLines(s string) []line {
	s = strings.TrimPrefix(s, "\uFEFF")
	lines := make([]line, 0, strings.Count(s, "\n")+1)
	num := 0
	for len(s) > 0 {
		num++
		i := strings.IndexAny(s, "\r\n")
		var raw string
		if i < 0 {
			raw, s = s, ""
		} else {
			raw = s[:i]
			if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
				s = s[i+2:]
			} else {
				s = s[i+1:]
			}
		}
		lines = append(lines, line{num: num, text: cleanSpace(raw)})
	}
	return lines
}

// cleanSpace trims s and collapses every run of whitespace (ASCII or Unicode,
// including non-breaking and zero-width spaces) to one ASCII space. Plain
// ASCII text with single spaces is returned without copying.
func cleanSpace(s string) string {
	s = strings.TrimSpace(s)
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if isZeroWidth(r) || unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) {
				clean = false
				break
			}
			i += n - 1
			continue
		}
		if c < ' ' || c == 0x7f || (c == ' ' && i > 0 && s[i-1] == ' ') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case isZeroWidth(r):
			continue
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			space = true
			continue
		case r < ' ' || r == 0x7f:
			// Other control characters carry nothing readable.
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func isZeroWidth(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD':
		return true
	}
	return false
}

// isApostrophe reports whether r is an ASCII or typographic apostrophe.
func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' || r == '\u2018' }

// trimEllipsis removes a trailing "..." or "…" (and the space before it);
// it reports whether there was one.
func trimEllipsis(s string) (string, bool) {
	t := strings.TrimRight(s, " ")
	switch {
	case strings.HasSuffix(t, "..."):
		t = strings.TrimRight(t, ".")
	case strings.HasSuffix(t, "…"):
		t = strings.TrimSuffix(t, "…")
	default:
		return s, false
	}
	return strings.TrimRight(t, " "), true
}

// sentence is a span of text ending at a sentence boundary.
type sentence struct {
	text       string
	start, end int // byte offsets into the text that was split
}

// sentenceAbbrevs are words that end with a period without ending a sentence.
var sentenceAbbrevs = wordSet(`mr mrs ms dr prof st jr sr inc ltd co corp vs etc e.g i.e approx no
	dept est fig gen gov sen rep mt ft jan feb mar apr jun jul aug sep sept oct nov dec`)

// splitSentences splits text at '.', '!', '?' or '…' followed by a space and
// a capital letter, digit, quote or '#', and at paragraph breaks. It does not
// split after abbreviations ("Dr.", "Inc.") or single-letter initials.
func splitSentences(text string) []sentence {
	var out []sentence
	start := 0
	emit := func(end int) {
		seg := text[start:end]
		trimmed := strings.TrimSpace(seg)
		if trimmed != "" {
			off := start + strings.Index(seg, trimmed)
			out = append(out, sentence{text: trimmed, start: off, end: off + len(trimmed)})
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !sentenceEnders[c] {
			continue
		}
		if c == '\n' {
			emit(i)
			start = i + 1
			continue
		}
		end := -1
		switch {
		case c == '.' || c == '!' || c == '?':
			end = i + 1
		case c == 0xE2 && strings.HasPrefix(text[i:], "…"):
			end = i + len("…")
		default:
			continue
		}
		// Swallow runs of terminal punctuation and closing quotes.
		for end < len(text) && strings.IndexByte(".!?\"')]", text[end]) >= 0 {
			end++
		}
		for end < len(text) && (strings.HasPrefix(text[end:], "\u201D") || strings.HasPrefix(text[end:], "\u2019")) {
			end += len("\u201D")
		}
		if end >= len(text) || text[end] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(text[end+1:])
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || next == '"' || next == '\u201C' || next == '#' || next == '\'') {
			continue
		}
		if c == '.' && !endsSentence(text[start:i]) {
			continue
		}
		emit(end)
		start = end + 1
		i = end
	}
	emit(len(text))
	return out
}

// sentenceEnders marks the bytes that may end a sentence: '.', '!', '?',
// '\n' and the first byte of '…'.
var sentenceEnders = [256]bool{'.': true, '!': true, '?': true, '\n': true, 0xE2: true}

// endsSentence reports whether a period after s ends a sentence: not after a
// known abbreviation nor a single capital letter (an initial).
func endsSentence(s string) bool {
	j := strings.LastIndexAny(s, " (\"")
	word := s[j+1:]
	if word == "" {
		return true
	}
	if r, n := utf8.DecodeRuneInString(word); n == len(word) && unicode.IsUpper(r) {
		return false
	}
	return !sentenceAbbrevs[strings.ToLower(word)]
}

// tokKind says what a token is.
type tokKind uint8

const (
	tokWord  tokKind = iota // letters, digits and inner '-', '\'', '.'
	tokPunct                // any other single non-space character
)

// token is a word or punctuation mark of a sentence.
type token struct {
	text       string // the word without a possessive "'s"
	lower      string // text in lower case
	start, end int32  // byte offsets into the tokenised string
	kind       tokKind
	possessive bool // the word carried "'s" or a trailing "'" after s
}

// maxTokens caps the tokens read from one sentence so that a pathological
// page (a megabyte without a full stop) costs bounded work.
const maxTokens = 2000

// tokenize appends the words and punctuation marks of s to toks. low is s
// lower-cased with the same length (so that words can be sliced from it),
// or "" when lower-casing changed lengths.
func tokenize(toks []token, s, low string) []token {
	limit := len(toks) + maxTokens
	for i := 0; i < len(s) && len(toks) < limit; {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		if r == ' ' || unicode.IsSpace(r) {
			i += n
			continue
		}
		if !isWordRune(r) {
			toks = append(toks, token{text: s[i : i+n], lower: s[i : i+n], kind: tokPunct, start: int32(i), end: int32(i + n)})
			i += n
			continue
		}
		j := i + n
		for j < len(s) {
			r, n := rune(s[j]), 1
			if r >= utf8.RuneSelf {
				r, n = utf8.DecodeRuneInString(s[j:])
			}
			if isWordRune(r) {
				j += n
				continue
			}
			// Inner connectors: co-founder, O'Brien, Node.js, 2.0.
			if r == '-' || r == '.' || isApostrophe(r) {
				r2, _ := utf8.DecodeRuneInString(s[j+n:])
				if j+n < len(s) && isWordRune(r2) {
					j += n
					continue
				}
			}
			break
		}
		t := token{text: s[i:j], kind: tokWord, start: int32(i), end: int32(j)}
		// Possessives: "Tailscale's", "Mathias'".
		if k := possessiveCut(t.text); k >= 0 {
			t.text = t.text[:k]
			t.possessive = true
		} else if j < len(s) {
			if r, n := utf8.DecodeRuneInString(s[j:]); isApostrophe(r) && strings.HasSuffix(t.text, "s") {
				if r2, _ := utf8.DecodeRuneInString(s[j+n:]); j+n >= len(s) || !isWordRune(r2) {
					t.possessive = true
					j += n
					t.end = int32(j)
				}
			}
		}
		if low != "" {
			t.lower = low[t.start : int(t.start)+len(t.text)]
		} else {
			t.lower = lowerWord(t.text)
		}
		toks = append(toks, t)
		i = j
	}
	return toks
}

// possessiveCut returns where a trailing "'s" starts in w, or -1.
func possessiveCut(w string) int {
	n := len(w)
	if n < 3 || (w[n-1] != 's' && w[n-1] != 'S') {
		return -1
	}
	if w[n-2] == '\'' {
		return n - 2
	}
	if strings.HasSuffix(w[:n-1], "\u2019") && n > 4 {
		return n - 4
	}
	return -1
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// lowerWord lower-cases w, without allocating when it is already lower case.
func lowerWord(w string) string {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return strings.ToLower(w)
		}
	}
	return w
}

// wordSet builds a lookup set from a space-separated list of words.
func wordSet(words string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// Slugify returns s as lowercase ASCII words joined by '-': accented Latin
// letters are folded ("é" -> "e", "ß" -> "ss"), apostrophes vanish inside
// words ("O'Brien" -> "obrien"), every other run of non-alphanumerics
// becomes one '-'. Letters with no ASCII folding are dropped, so a name in a
// non-Latin script yields "" (callers treat "" as "no slug"). A slug is at
// most MaxSlugBytes long, cut between words when it can be (limits.go).
func Slugify(s string) string { return cutSlug(slugify(s)) }

// slugify is Slugify without the bound.
func slugify(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	for _, r := range s {
		if isApostrophe(r) {
			continue
		}
		var fold string
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		case 'A' <= r && r <= 'Z':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r + ('a' - 'A'))
			continue
		case r >= utf8.RuneSelf:
			fold = foldRune(r)
		}
		if fold == "" {
			dash = true
			continue
		}
		if dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = false
		b.WriteString(fold)
	}
	return b.String()
}

// foldRune returns the lower-case ASCII spelling of a Latin letter with
// diacritics, or "" when r has none.
func foldRune(r rune) string {
	if r >= cyrillicFirst && r <= cyrillicLast {
		return cyrillicFolds[unicode.ToLower(r)]
	}
	if r >= greekFirst && r <= greekLast {
		return greekFolds[unicode.ToLower(r)]
	}
	if r < accentFirst || r > accentLast {
		return ""
	}
	return accentTable[r-accentFirst]
}

const (
	cyrillicFirst, cyrillicLast = 0x400, 0x4FF
	greekFirst, greekLast       = 0x370, 0x3FF
)

// cyrillicFolds transliterates Cyrillic letters (Russian, Ukrainian,
// Belarusian, Serbian, Bulgarian), lower case, as in passports' Latin
// spellings: "Алексей Смирнов" -> "aleksei smirnov". Soft and hard signs
// vanish.
var cyrillicFolds = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ы': "y", 'э': "e", 'ю': "iu", 'я': "ia",
	'і': "i", 'ї': "i", 'є': "ie", 'ґ': "g", 'ў': "u", 'ђ': "dj", 'ј': "j", 'љ': "lj",
	'њ': "nj", 'ћ': "c", 'џ': "dz", 'ѕ': "dz",
}

// greekFolds transliterates Greek letters, lower case: "Νίκος" -> "nikos".
var greekFolds = map[rune]string{
	'α': "a", 'ά': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'έ': "e", 'ζ': "z",
	'η': "i", 'ή': "i", 'θ': "th", 'ι': "i", 'ί': "i", 'ϊ': "i", 'ΐ': "i", 'κ': "k",
	'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'ό': "o", 'π': "p", 'ρ': "r",
	'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y", 'ύ': "y", 'ϋ': "y", 'ΰ': "y", 'φ': "f",
	'χ': "ch", 'ψ': "ps", 'ω': "o", 'ώ': "o",
}

// accentTable folds the Latin-1 Supplement and Latin Extended-A and -B letters,
// both cases, indexed by rune - accentFirst. It is built once from
// accentFolds and never modified.
var accentTable = func() (t [accentLast - accentFirst + 1]string) {
	for _, f := range accentFolds {
		for _, r := range f.from {
			t[r-accentFirst] = f.to
			if u := unicode.ToUpper(r); u >= accentFirst && u <= accentLast && u != r {
				t[u-accentFirst] = f.to
			}
		}
	}
	return t
}()

const accentFirst, accentLast = 0xC0, 0x24F

// accentFolds is the folding table for Latin-1 and Latin Extended-A letters
// (lower case; accentTable adds the upper case).
var accentFolds = []struct{ from, to string }{
	{"àáâãäåāăą", "a"}, {"æ", "ae"}, {"çćĉċč", "c"}, {"ďđð", "d"},
	{"èéêëēĕėęě", "e"}, {"ĝğġģ", "g"}, {"ĥħ", "h"}, {"ìíîïĩīĭįı", "i"},
	{"ĳ", "ij"}, {"ĵ", "j"}, {"ķ", "k"}, {"ĺļľŀł", "l"}, {"ñńņňŉ", "n"},
	{"òóôõöøōŏő", "o"}, {"œ", "oe"}, {"ŕŗř", "r"}, {"śŝşšș", "s"}, {"ß", "ss"},
	{"ţťŧț", "t"}, {"ùúûüũūŭůűų", "u"}, {"ŵ", "w"}, {"ýÿŷ", "y"}, {"źżž", "z"},
	{"þ", "th"},
}

// foldText returns s lower-cased with accents folded to ASCII, keeping every
// other character; ASCII input is only lower-cased.
func foldText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return lowerWord(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		if f := foldRune(r); f != "" {
			b.WriteString(f)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
