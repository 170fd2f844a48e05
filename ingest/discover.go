package ingest

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// This file finds the names a text uses that the curated vocabulary does
// not list: products, technologies, organisations, places, people talked
// about ("Coroot", "Grafana Cloud", "Raspberry Pi", "Abraham Lincoln").
// They are candidates for discovered topics: the store makes one a topic
// of a show when several of the show's episodes name it (see store), so a
// name said once in passing never becomes one.
//
// A name is a run of one to five capitalised words ("Visual Studio Code"),
// or a word with a capital inside it ("eBPF", "DNSimple", "GitHub"), in the
// middle of a sentence. Not names:
//   - words that are capitalised for grammar: the first word of a sentence,
//     unless the text also writes it capitalised in mid-sentence, and a
//     list of function words, roles, months, days and podcast words;
//   - the people the text is about as guests or hosts (any run with one of
//     their names' words), and the show's own name;
//   - a run that is exactly a name or alias of a vocabulary topic: it is a
//     curated topic already ("Argo CD" is GitOps).
// Titles are not read: they capitalise every word.

// maxDiscovered caps the names kept from one text: those said most often,
// then first.
const maxDiscovered = 8

// maxNameWords is the longest run read as one name.
const maxNameWords = 5

// Mention is a name a text uses (see discover.go): a candidate discovered
// topic.
type Mention struct {
	Name     string `json:"name"`     // as first written: "Grafana Cloud"
	Slug     string `json:"slug"`     // "grafana-cloud"
	Count    int    `json:"count"`    // how often the text says it
	Evidence string `json:"evidence"` // the sentence that first says it
}

// nameAbbrevs are abbreviations that open a name: "St. Louis", "Mt. Hood".
var nameAbbrevs = wordSet(`st mt ft`)

// capWord reports whether t is a capitalised word (a role's word too:
// "Army Corps of Engineers"), not a contraction.
func capWord(t token) bool {
	return t.kind == tokWord && strings.ContainsFunc(t.text, isUpperRune) && !contraction(t.lower)
}

// nameJoins may join the capitalised words of one name.
var nameJoins = wordSet(`of & de la von van der`)

// grammarCaps are capitalised words that are not names, lower case.
var grammarCaps = wordSet(functionWords + `
one two three four five six seven eight nine ten eleven twelve twenty hundred thousand
first second third last next own same just only even still already always
never often sometimes today tomorrow yesterday now later soon meanwhile however
therefore moreover furthermore instead rather although though because if unless
once whereas whatever whoever wherever whenever yes okay ok well
is are was were be been being do does did have has had will would can could should may might must
meet welcome join joining joined listen hear learn discover explore find check follow
subscribe please thanks thank special bonus part episode episodes season
guest guests host hosts hello hi hey dear mr mrs ms dr prof sir
madam lady lord using expect along let lets let's get got make made take took see
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
founder cofounder co-founder ceo cto coo cfo cio ciso vp svp evp engineer engineers
director president vice head chief senior staff principal lead manager officer
architect advocate evangelist maintainer creator author developer developers
team member partner fellow
`)

// discover returns the names text uses, most said first, at most
// maxDiscovered. people are the names of the episode's guests and the show's
// hosts; show is the show's title.
func (v *Vocabulary) discover(text string, people []string, show string) []Mention {
	if !strings.ContainsFunc(text, isUpperRune) {
		return nil
	}
	personal := make(map[string]bool)
	for _, p := range people {
		for _, w := range matchWords(p) {
			personal[w] = true
		}
	}
	showWords := make(map[string]bool)
	for _, w := range matchWords(show) {
		showWords[w] = true
	}
	type seen struct {
		Mention
		first int // order of first mention
	}
	var found []*seen
	index := make(map[string]*seen)
	midCaps := make(map[string]bool)   // capitalised words seen in mid-sentence
	lowerSeen := make(map[string]bool) // words seen in lower case
	type run struct {
		name, first, sentence string // first: the run's first word
		// initial: the run opens its sentence, and nothing but its
		// being a name explains the capital (a role after it does:
		// "Quillbase CEO Jane Doe").
		initial bool
	}
	var runs []run
	var toks []token // each sentence's, in one buffer: runs keep none of them
	for _, s := range splitSentences(text) {
		toks = tokenize(toks[:0], s.text, "")
		if titleLike(toks) {
			continue // a heading: "Episode 52: Celebrating Our First Anniversary"
		}
		for i := 0; i < len(toks); {
			if !nameWord(toks[i]) {
				if toks[i].kind == tokWord && toks[i].text == toks[i].lower {
					lowerSeen[toks[i].lower] = true
				}
				i++
				continue
			}
			j := i + 1
			for j < len(toks) && j-i < maxNameWords && !toks[j-1].possessive {
				if nameWord(toks[j]) {
					j++
				} else if j+1 < len(toks) && nameJoins[toks[j].lower] && capWord(toks[j+1]) {
					j += 2 // "Bank of America", "Moss & Pine", "Army Corps of Engineers"
				} else if j+1 < len(toks) && toks[j].text == "." && nameAbbrevs[toks[j-1].lower] && nameWord(toks[j+1]) {
					j += 2 // "St. Louis"
				} else if j+1 < len(toks) && toks[j].text == "/" && toks[j].start == toks[j-1].end &&
					toks[j+1].start == toks[j].end && nameWord(toks[j+1]) {
					j += 2 // "CI/CD"
				} else {
					if isVersion(toks[j].text) {
						j++ // "Windows 11", "Web 3"
					}
					break
				}
			}
			if department(toks, i, j) {
				i = j
				continue
			}
			for k := i; k < j; k++ {
				if k > 0 {
					midCaps[toks[k].text] = true
				}
			}
			last := toks[j-1]
			name := s.text[toks[i].start : int(last.start)+len(last.text)] // without a possessive
			named := j < len(toks) && isRoleHead(toks[j])
			runs = append(runs, run{name: name, first: toks[i].text, initial: i == 0 && !named, sentence: s.text})
			i = j
		}
	}
	for _, r := range runs {
		name := r.name
		words := matchWords(name)
		if r.initial && !midCaps[r.first] && !innerCapital(r.first) {
			// The first word of a sentence is capitalised anyway. Alone, it
			// is a name only when the text capitalises it elsewhere too;
			// opening a longer run ("Visual Studio Code"), unless the text
			// also writes it in lower case ("Developers ...").
			_, rest, _ := strings.Cut(name, " ")
			if rest == "" {
				continue
			}
			if lowerSeen[lowerWord(r.first)] {
				name, words = rest, matchWords(rest)
			}
		}
		if len(words) == 0 || slices.ContainsFunc(words, func(w string) bool { return personal[w] }) ||
			!slices.ContainsFunc(words, func(w string) bool { return !showWords[w] }) || v.isPhrase(words) {
			continue
		}
		slug := Slugify(name)
		if slug == "" {
			continue
		}
		if m := index[slug]; m != nil {
			m.Count++
			continue
		}
		m := &seen{Mention: Mention{Name: name, Slug: slug, Count: 1, Evidence: r.sentence}, first: len(found)}
		index[slug] = m
		found = append(found, m)
	}
	slices.SortStableFunc(found, func(a, b *seen) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.first, b.first))
	})
	var out []Mention
	for _, m := range found[:min(len(found), maxDiscovered)] {
		out = append(out, m.Mention)
	}
	return out
}

// nameWord reports whether t may be a word of a name: a word with a
// capital letter, not only digits, not a grammar word, a role or a
// contraction ("I'm", "Don't").
func nameWord(t token) bool {
	return t.kind == tokWord && strings.ContainsFunc(t.text, isUpperRune) && !grammarCaps[t.lower] && !contraction(t.lower)
}

// contraction reports whether w (lower case) is a contraction: "i'm",
// "we're", "don't", "they've", "we'll", "i'd".
func contraction(w string) bool {
	i := strings.IndexAny(w, "'’")
	if i < 0 {
		return false
	}
	switch strings.TrimLeft(w[i:], "'’") {
	case "m", "re", "t", "ve", "ll", "d":
		return true
	}
	return false
}

// titleLike reports whether a sentence is a heading written in title
// case: of its four or more words with letters, at least three in five
// capitalised, and no full stop at its end. Every word of such a line is
// capitalised anyway, so none says it is a name.
func titleLike(toks []token) bool {
	words, caps := 0, 0
	for _, t := range toks {
		if t.kind != tokWord || !strings.ContainsFunc(t.text, unicode.IsLetter) {
			continue
		}
		words++
		if r := []rune(t.text)[0]; unicode.IsUpper(r) {
			caps++
		}
	}
	if words < 4 || caps*5 < words*3 {
		return false
	}
	// A sentence ends with a full stop; a heading does not ("They
	// compare Argo CD, Google Cloud and Visual Studio Code." is a list).
	last := toks[len(toks)-1].text
	return last != "." && last != "!" && last != "?"
}

// innerCapital reports whether w has a capital after its first letter
// ("eBPF", "GitHub", "DNSimple"): such words are names wherever they stand.
func innerCapital(w string) bool {
	for i, r := range w {
		if i > 0 && isUpperRune(r) {
			return true
		}
	}
	return false
}

// departments are what a role of ofHeads may be head of: "VP of
// Engineering", "head of Platform".
var departments = wordSet(`engineering platform platforms infrastructure product products marketing sales
	operations ops security research data design developer developers relations growth people
	technology technical it software devops sre reliability cloud support customer success strategy
	finance legal community education content partnerships`)

// department reports whether toks[i:j], after "of" and a role such as
// "head" or "VP", is a department rather than an organisation: a
// department's word, or followed by "at ORG" ("director of Infrastructure
// at Moss & Pine").
func department(toks []token, i, j int) bool {
	if i < 2 || toks[i-1].lower != "of" || !ofHeads[toks[i-2].lower] {
		return false
	}
	if j < len(toks) && (toks[j].lower == "at" || toks[j].lower == "for") {
		return true
	}
	for _, t := range toks[i:j] {
		if !departments[t.lower] && t.lower != "&" && t.lower != "of" {
			return false
		}
	}
	return true
}

// isVersion reports whether w is a small number that may end a name
// ("Web 3", "Windows 11"): one or two digits.
func isVersion(w string) bool {
	return len(w) <= 2 && strings.Trim(w, "0123456789") == ""
}

func isUpperRune(r rune) bool { return unicode.IsUpper(r) }

// isPhrase reports whether words (match tokens) are exactly a name or
// alias of a vocabulary topic.
func (v *Vocabulary) isPhrase(words []string) bool {
	for _, p := range v.phrases[words[0]] {
		if slices.Equal(p.tokens, words) {
			return true
		}
	}
	return false
}
