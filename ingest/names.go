package ingest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file recognises the words of people's names: a capitalised word with
// a lower-case rest ("Avery", "Zoë", "Jean-Luc", "O'Brien", "McDonald"),
// that is not a known non-person word. Runs of two to four of them (with
// particles such as "van" or "de", and initials such as "F.") are candidate
// names; guests.go decides which candidates are guests.

// functionWords are the articles, pronouns, prepositions, conjunctions and
// quantifiers that are capitalised only to open a sentence or a title:
// never part of a person's name (stopWords) nor of a name (grammarCaps).
const functionWords = `
a an the this that these those there their they them then than thus hence here
his her hers him he she it its we our us you your yours i me my mine who whom whose
which what when where why how whether while whilst as at by for from in into of on
onto off out over under up down with within without about above across after against
along among around before behind below beneath beside besides between beyond but
despite during except inside like near since through throughout till to toward
towards until upon via and or nor so yet also both either neither each every all any
some many much more most few less least other another such no not none nothing
nobody everyone everybody everything someone somebody something anyone anything
`

// stopWords are capitalised words that are never part of a person's name:
// words that start sentences, titles, roles, months and days, and the
// product and company names the pages mention. Lower case.
var stopWords = wordSet(functionWords + `
one two three four five six seven eight nine ten eleven twelve sixteen twenty
first second third last next new old own same just only even still already always
never often sometimes today tomorrow yesterday now later soon meanwhile however
therefore moreover furthermore instead rather although though because if unless
once whereas whatever whoever wherever whenever yes okay ok well why
meet welcome join joining joined listen hear learn discover explore find check follow
subscribe please thanks thank special bonus part episode episodes season show shows
podcast podcasts guest guests host hosts hello hi hey dear mr mrs ms dr prof sir
lady lord saint st using writing current every tests deployments bring device
founder cofounder co-founder ceo cto engineer engineers director president vice head
chief senior staff principal lead manager officer architect advocate evangelist
maintainer creator author developer developers team member partner fellow
january february march july september october november december
monday tuesday wednesday thursday friday saturday sunday
christmas easter thanksgiving eve holiday holidays day days week weeks year years
google cloud apple microsoft amazon aws azure web services facebook meta twitter
linkedin github gitlab youtube slack discord docker kubernetes linux windows mac
macbook macos ios android iphone ipad chrome firefox safari netflix uber spotify
airbnb tesla nvidia intel amd ibm oracle salesforce openai anthropic chatgpt
copilot gemini argo flux helm terraform ansible puppet jenkins prometheus grafana
datadog splunk elastic elasticsearch kafka redis postgres postgresql mysql mongodb
react angular vue svelte node deno python java javascript typescript rust ruby
rails golang kotlin swift scala haskell erlang elixir apache visual studio code
dev devops ops devsecops gitops finops mlops platform platforms engineering
security network networking data database databases containers container
actions pipelines pipeline runtime framework foundation conference summit
series revolution industrial valley silicon internet world wide open source
private public north south east west america american europe european asia
africa australia united states kingdom california san francisco york london
paradox wasm webassembly native computing observability automation`)

// nameParticles may sit inside a name between capitalised words, one or two
// in a row ("van der", "de la"); Irish ones are capitalised ("Tomás Ó
// Briain").
var nameParticles = wordSet(`van von de der den del della di da du la le los las dos das ter ten bin ibn bint al el
	Ó Ní Nic Uí`)

// hyphenParticles start a lower-case name word joined by a hyphen:
// "al-Amin", "el-Sayed", "bin-Talal".
var hyphenParticles = wordSet(`al el ad ud ul ar as ash at az bin ibn abu abd ben`)

// honorifics may precede a name ("Dr. Amara Nwosu", "Sir Francis Drake").
// They are kept in the name as written and left out of its slug.
var honorifics = wordSet(`dr prof professor sir dame mr mrs ms mx rev`)

// PersonSlug returns the slug of a person's name: Slugify of the name
// without a leading honorific, so that "Dr. Amara Nwosu" and "Amara Nwosu"
// are one person ("amara-nwosu"). The slugs of the guests Parse finds are
// made this way, while GuestFacts.Name keeps the name as written.
func PersonSlug(name string) string {
	name = strings.TrimSpace(name)
	for {
		first, rest, ok := strings.Cut(name, " ")
		if !ok || len(first) > len("professor.") || !honorifics[strings.ToLower(strings.TrimSuffix(first, "."))] || strings.TrimSpace(rest) == "" {
			break
		}
		name = strings.TrimSpace(rest)
	}
	return Slugify(name)
}

// particleWord reports whether w is a lower-case particle joined to a
// capitalised name word by a hyphen ("al-Amin"): a word inside a name, never
// its first.
func particleWord(w string) bool {
	pre, rest, ok := strings.Cut(w, "-")
	return ok && hyphenParticles[pre] && looksLikeName(rest)
}

// namePrefixes may carry a second capital: "McDonald", "DeShawn", "LeBron".
var namePrefixes = wordSet(`Mc Mac De Di Da Du Le La Van Von Fitz`)

// looksLikeName reports whether w is shaped like a word of a person's name:
// an upper-case letter, then lower-case letters, with a second capital only
// after '-', an apostrophe or a prefix such as "Mc". All-caps words ("AI",
// "CD"), camel case ("GitHub", "DevOps") and words with digits are not.
func looksLikeName(w string) bool {
	prevUpper, afterJoin, sawLower := false, false, false
	for i, r := range w {
		switch {
		case i == 0:
			if !unicode.IsUpper(r) {
				return false
			}
			prevUpper = true
			continue
		case r == '-' || isApostrophe(r):
			if afterJoin {
				return false
			}
			afterJoin, prevUpper = true, false
			continue
		case unicode.IsUpper(r):
			if prevUpper || !(afterJoin || namePrefixes[w[:i]]) {
				return false
			}
			prevUpper = true
		case unicode.IsLower(r):
			prevUpper = false
			sawLower = true
		default:
			return false
		}
		afterJoin = false
	}
	return sawLower && !afterJoin
}

// isInitial reports whether w is a single capital letter ("F" of "John F.
// Kennedy").
func isInitial(w string) bool {
	r, n := utf8.DecodeRuneInString(w)
	return n == len(w) && unicode.IsUpper(r)
}

// hasUpper reports whether w has an upper-case letter anywhere: such words
// can name organisations ("DNSimple", "eBay").
func hasUpper(w string) bool {
	for _, r := range w {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
}

// nameRun is a candidate person name: toks[first..last] inclusive. Leading
// initials ("J. R. Okonkwo") are part of the run; an honorific before it
// ("Dr.") is not (see candidate.from).
type nameRun struct {
	first, last int
	words       int // capitalised words, not counting particles; leading initials count as one
}

// name returns the run's name as written, single-spaced ("John F. Kennedy").
func (r nameRun) name(toks []token) string { return spanName(toks, r.first, r.last) }

// spanName returns the words of toks[first..last] single-spaced, an
// initial's period kept.
func spanName(toks []token, first, last int) string {
	var b strings.Builder
	for i := first; i <= last; i++ {
		if toks[i].kind != tokWord {
			b.WriteByte('.') // the period of an initial or honorific
			continue
		}
		if i > first {
			b.WriteByte(' ')
		}
		b.WriteString(toks[i].text)
	}
	return b.String()
}

// namer finds candidate names on one page; skip holds extra non-name words
// (the words of the show's title), allow words that are names on this page
// although they are stop words elsewhere (a contact section's "Dev"); both
// lower case.
type namer struct {
	skip  map[string]bool
	allow map[string]bool
	wide  bool // also read sentences that name an allowed word alone
}

// isNameWord reports whether t can be a word of a name on this page.
func (p *namer) isNameWord(t token) bool {
	if t.kind != tokWord || !looksLikeName(t.text) {
		return false
	}
	return p.allow[t.lower] || !stopWords[t.lower] && !p.skip[t.lower]
}

// honorificBefore returns the index of an honorific just before toks[i]
// ("Dr." or "Sir"), or i when there is none.
func honorificBefore(toks []token, i int) int {
	switch {
	case i >= 2 && toks[i-1].text == "." && honorifics[toks[i-2].lower] && startsUpper(toks[i-2].text):
		return i - 2
	case i >= 1 && toks[i-1].kind == tokWord && honorifics[toks[i-1].lower] && startsUpper(toks[i-1].text):
		return i - 1
	}
	return i
}

// runs returns the maximal runs of name words in toks, of any length; a
// possessive word ends its run.
func (p *namer) runs(toks []token) []nameRun {
	var out []nameRun
	for i := 0; i < len(toks); i++ {
		if !p.isNameWord(toks[i]) {
			continue
		}
		r := nameRun{first: i, last: i, words: 1}
		// Leading initials: "J. R. Okonkwo", "J. Okonkwo".
		for r.first >= 2 && toks[r.first-1].text == "." && isInitial(toks[r.first-2].text) && r.first-2 > lastEnd(out) {
			r.first -= 2
		}
		if r.first < i {
			r.words++
		}
		for j := i; !toks[j].possessive; r.last = j {
			switch {
			case j+1 < len(toks) && (p.isNameWord(toks[j+1]) || toks[j+1].kind == tokWord && particleWord(toks[j+1].text)):
				j++
			case j+2 < len(toks) && toks[j+1].kind == tokWord && nameParticles[toks[j+1].text] && p.isNameWord(toks[j+2]):
				j += 2
			case j+3 < len(toks) && toks[j+1].kind == tokWord && nameParticles[toks[j+1].text] &&
				toks[j+2].kind == tokWord && nameParticles[toks[j+2].text] && p.isNameWord(toks[j+3]):
				j += 3 // "de la Cruz", "van der Berg"
			case j+3 < len(toks) && isInitial(toks[j+1].text) && toks[j+2].text == "." && p.isNameWord(toks[j+3]):
				j += 3
			default:
				j = -1
			}
			if j < 0 {
				break
			}
			r.words++
		}
		out = append(out, r)
		i = r.last
	}
	return out
}

// mentionsAllowed reports whether, in a wide reading, s holds one of the
// page's allowed name words (a contact section's "Velvetine"), so that a
// sentence naming only that word is tokenised.
func (p *namer) mentionsAllowed(s string) bool {
	if !p.wide || len(p.allow) == 0 {
		return false
	}
	low := foldText(s)
	for w := range p.allow {
		if strings.Contains(low, w) {
			return true
		}
	}
	return false
}

// lastEnd returns the last token of the last run in runs, or -1.
func lastEnd(runs []nameRun) int {
	if len(runs) == 0 {
		return -1
	}
	return runs[len(runs)-1].last
}

// mayHoldName reports whether s may hold a candidate name or a pair of
// hosts, so that other sentences need not be tokenised: two capitalised
// words in a row, or joined by "and", a particle or an initial ("Jane Doe",
// "Darin and Viktor", "Lena van Dijk"). Words with non-ASCII letters count
// as capitalised, to be safe.
func mayHoldName(s string) bool {
	prev, bridged := false, false // previous word capitalised; a joining word since
	for s != "" {
		i := strings.IndexByte(s, ' ')
		w := s
		if i >= 0 {
			w, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if w == "" {
			continue
		}
		c := w[0]
		// Capitalised: "Avery", "Zoë", and "O'Brien" / "D'Angelo".
		// An initial ("J.") counts too: "J. R. Okonkwo".
		capital := c >= utf8.RuneSelf || ('A' <= c && c <= 'Z' && len(w) > 1 && (w[1] >= utf8.RuneSelf || 'a' <= w[1] && w[1] <= 'z' || w[1] == '\'' || w[1] == '.' && len(w) == 2))
		if !capital {
			for j := 1; j < len(w); j++ {
				if w[j] >= utf8.RuneSelf {
					capital = true
					break
				}
			}
		}
		switch {
		case capital && prev:
			return true
		case prev && !bridged && (w == "and" || nameParticles[w] || len(w) == 2 && 'A' <= c && c <= 'Z' && w[1] == '.'):
			bridged = true
		default:
			prev, bridged = capital, false
		}
	}
	return false
}
