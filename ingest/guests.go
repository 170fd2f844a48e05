package ingest

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// This file decides which candidate names (names.go) are guests, and reads
// each guest's role, organisation and bio (roles.go). A candidate is a guest
// when something in its sentence says so:
//
//   - an apposition with a role: "Avery Pennarun, CEO at Tailscale, ...";
//   - a role just before it: "co-founder Peter Zaitsev", "Tailscale CEO Avery Pennarun";
//   - a guest cue before it: "speak with", "joined by", "welcome", or "with"
//     in a sentence that names a host;
//   - a cue after it: "... joins Darin and Viktor", "... and ... from Acme join";
//   - or it opens the sentence as the subject of a verb such as "has been",
//     and "he" or "she" follows ("Anthony Eden has been in the DNS business
//     since the late nineties, when he was ...").
//
// Names joined by "and" or commas form a group that shares cues:
// "speak with Jane Doe and John Roe", "Jane Doe and John Roe from Acme join".

// maxGuests caps the guests read from one text.
const maxGuests = 16

// maxApposition caps the tokens of an apposition: "NAME, ROLE at ORG, ...".
const maxApposition = 24

// maxCandidates caps the candidate names weighed in one text, so that a
// pathological page costs bounded work.
const maxCandidates = 64

// analysis is one episode text split into sentences; tokens and name runs
// are computed for the sentences that need them.
type analysis struct {
	text  string
	sents []sentence
	toks  [][]token // by sentence; nil until tokens is called
	runs  [][]nameRun
	caps  map[string]int // lazily: how often each capitalised word occurs
}

// analyze splits text for host and guest finding.
func (p *namer) analyze(text string) *analysis {
	a := &analysis{text: text, sents: splitSentences(text)}
	a.toks = make([][]token, len(a.sents))
	a.runs = make([][]nameRun, len(a.sents))
	for i, s := range a.sents {
		if mayHoldName(s.text) {
			a.runs[i] = p.runs(a.tokens(i))
		}
	}
	return a
}

// tokens returns the tokens of sentence k.
func (a *analysis) tokens(k int) []token {
	if a.toks[k] == nil {
		s := a.sents[k].text
		low := strings.ToLower(s)
		if len(low) != len(s) {
			low = "" // tokenize lower-cases word by word
		}
		// English runs about one token per five bytes: this rarely grows.
		a.toks[k] = tokenize(make([]token, 0, len(s)/4+8), s, low)
	}
	return a.toks[k]
}

// guestFinder finds the guests of episode texts on one page.
type guestFinder struct {
	namer *namer
	vocab *Vocabulary
	hosts map[string]bool // hosts' first names, lower case
}

// preCues precede a guest's name (or a group of names).
var preCues = [][]string{
	{"speak", "with"}, {"speaks", "with"}, {"spoke", "with"}, {"speaking", "with"},
	{"talk", "with"}, {"talks", "with"}, {"talked", "with"}, {"talking", "with"},
	{"talk", "to"}, {"talks", "to"}, {"chat", "with"}, {"chats", "with"}, {"chatted", "with"},
	{"sit", "down", "with"}, {"sits", "down", "with"}, {"sat", "down", "with"},
	{"catch", "up", "with"}, {"catches", "up", "with"}, {"joined", "by"},
	{"welcome"}, {"welcomes"}, {"welcoming"}, {"welcomed"}, {"welcome", "back"}, {"welcomes", "back"}, {"interview"}, {"interviews"},
	{"interviewed"}, {"featuring"}, {"guest"}, {"guests"}, {"conversation", "with"},
	{"discussion", "with"}, {"hear", "from"}, {"meet"},
}

// postCues follow a guest's name or group: "Jane Doe joins Darin and Viktor".
var postCues = wordSet(`join joins joined rejoin rejoins return returns`)

// personVerbs may follow a guest who opens a sentence ("Anthony Eden has been").
var personVerbs = wordSet(`has is was spent started founded co-founded cofounded built leads led
	runs ran shares explains discusses describes reflects brings returns tells explores walks
	talks dives digs breaks unpacks argues believes says helped helps created wrote works worked
	knows thinks grew began brought`)

// pronouns show that a sentence's subject is a person.
var pronouns = wordSet(`he she his her him`)

// orgVerbs after a pronoun name the person's organisation: "In 2010 he
// started DNSimple". The value is the role the verb implies.
var orgVerbs = map[string]string{
	"started": "founder", "founded": "founder", "launched": "founder",
	"co-founded": "co-founder", "cofounded": "co-founder",
	"runs": "", "leads": "", "heads": "", "joined": "",
}

// candidate is a name run that may be a guest, with what follows it.
type candidate struct {
	run   nameRun
	app   []token // apposition, without its delimiters; nil if none
	end   int     // first token after the run and its apposition
	group int     // index of the first candidate of its group
}

// guests returns the guests named in a, in order of first mention. drop is
// told about names that yield no slug.
func (g *guestFinder) guests(a *analysis, drop func(name string)) []GuestFacts {
	var out []GuestFacts
	weighed := 0
	for si, runs := range a.runs {
		if len(runs) == 0 {
			continue
		}
		if weighed >= maxCandidates {
			break
		}
		toks := a.tokens(si)
		cands := g.candidates(toks, runs)
		if len(cands) == 0 {
			continue
		}
		s := a.sents[si].text
		withHost := g.mentionsHost(toks)
		for gi := 0; gi < len(cands); {
			gj := gi + 1
			for gj < len(cands) && cands[gj].group == gi {
				gj++
			}
			group := cands[gi:gj]
			pre := hasCueBefore(toks, group[0].run.first, withHost)
			post, groupOrg := g.cueAfter(s, toks, group[len(group)-1])
			for _, c := range group {
				weighed++
				aff, ok := g.read(a, si, c, pre || post)
				if !ok {
					continue
				}
				if aff.org == "" {
					aff.org = groupOrg
				}
				name := c.run.name(toks)
				slug := Slugify(name)
				if slug == "" {
					drop(name)
					continue
				}
				if i := slices.IndexFunc(out, func(g GuestFacts) bool { return g.Slug == slug }); i >= 0 {
					have := affiliation{role: out[i].Role, org: out[i].Organization, bio: out[i].Bio}
					have.merge(aff)
					out[i].Role, out[i].Organization, out[i].Bio = have.role, have.org, have.bio
					continue
				}
				if len(out) == maxGuests {
					return out
				}
				out = append(out, GuestFacts{
					Slug: slug, Name: name,
					Role: aff.role, Organization: aff.org, Bio: aff.bio,
					Evidence: s,
				})
			}
			gi = gj
		}
	}
	return out
}

// candidates returns the runs of toks that may name a guest: two to four
// words, not a host's first name, not possessive; with their appositions and
// groups.
func (g *guestFinder) candidates(toks []token, runs []nameRun) []candidate {
	var cands []candidate
	for _, r := range runs {
		if r.words < 2 || r.words > 4 || toks[r.last].possessive || g.hosts[toks[r.first].lower] {
			continue
		}
		if k := len(cands) - 1; k >= 0 && r.first < cands[k].end {
			continue // inside the previous name's apposition: "at Northwind Labs"
		}
		if orgPosition(toks, r.first) {
			continue // "... from Northwind Labs join", "at Globex"
		}
		c := candidate{run: r, end: r.last + 1, group: len(cands)}
		c.app, c.end = apposition(toks, r.last+1, g.namer)
		if k := len(cands) - 1; k >= 0 && joinsGroup(toks[cands[k].end:r.first]) {
			c.group = cands[k].group
		}
		cands = append(cands, c)
	}
	return cands
}

// orgPosition reports whether a name at toks[i] follows a preposition that
// introduces organisations ("at", "of", "for", "from"; but "hear from").
func orgPosition(toks []token, i int) bool {
	if i == 0 {
		return false
	}
	switch toks[i-1].lower {
	case "at", "of", "for":
		return true
	case "from":
		return i < 2 || toks[i-2].lower != "hear"
	}
	return false
}

// apposition returns the tokens of an apposition starting at toks[i] (", CEO
// at Tailscale,", "(CEO at Tailscale)", "— CEO at Tailscale —") and the index
// of the token after it: its closing delimiter, so that ", and" stays visible.
func apposition(toks []token, i int, p *namer) ([]token, int) {
	if i >= len(toks) {
		return nil, i
	}
	open := toks[i].text
	if open != "," && open != "(" && !isDash(open) {
		return nil, i
	}
	j := i + 1
	for j < len(toks) && j-i <= maxApposition && !closesApposition(toks[j].text, open) {
		j++
	}
	if j == i+1 || j-i > maxApposition {
		return nil, i
	}
	// "Jane Doe, John Roe and ..." is a list, not an apposition.
	if p.isNameWord(toks[i+1]) && i+2 < j && p.isNameWord(toks[i+2]) {
		return nil, i
	}
	end := j
	if open == "(" && j < len(toks) {
		end = j + 1 // the closing parenthesis belongs to the apposition
	}
	return toks[i+1 : j], end
}

func closesApposition(t, open string) bool {
	if open == "(" {
		return t == ")"
	}
	switch t {
	case ",", ";", ":", ")", ".", "!", "?":
		return true
	}
	return isDash(t)
}

func isDash(t string) bool { return t == "-" || t == "–" || t == "—" }

// joinsGroup reports whether the tokens between two names join them in a
// group: "and", ",", ", and", "&".
func joinsGroup(gap []token) bool {
	switch len(gap) {
	case 1:
		return gap[0].lower == "and" || gap[0].text == "," || gap[0].text == "&"
	case 2:
		return gap[0].text == "," && (gap[1].lower == "and" || gap[1].text == "&")
	}
	return false
}

// mentionsHost reports whether toks name one of the hosts.
func (g *guestFinder) mentionsHost(toks []token) bool {
	for _, t := range toks {
		if t.kind == tokWord && g.hosts[t.lower] {
			return true
		}
	}
	return false
}

// hasCueBefore reports whether a guest cue ends just before toks[i] (an
// optional comma between: "our guest, Jane Doe"). A bare "with" counts when
// the sentence names a host: "Darin and Viktor explore this with Jane Doe".
func hasCueBefore(toks []token, i int, withHost bool) bool {
	if i > 0 && toks[i-1].text == "," {
		i--
	}
	for _, cue := range preCues {
		if i >= len(cue) && wordsAt(toks, i-len(cue), [][]string{cue}) > 0 {
			return true
		}
	}
	return withHost && i > 0 && toks[i-1].lower == "with"
}

// cueAfter looks after a group's last candidate for "from ORG" / "of ORG"
// (the group's organisation) and a joining verb ("join", "joins").
func (g *guestFinder) cueAfter(s string, toks []token, last candidate) (cue bool, org string) {
	i := last.end
	if last.app != nil && i < len(toks) && (toks[i].text == "," || isDash(toks[i].text)) {
		i++ // the apposition's closing delimiter
	}
	if i+1 < len(toks) && (toks[i].lower == "from" || toks[i].lower == "of" || toks[i].lower == "at") {
		if os, oe, ok := orgAt(toks, i+1); ok {
			org = spanText(s, toks, os, oe)
			i = oe
			if i < len(toks) && toks[i].text == "," {
				i++
			}
		}
	}
	return i < len(toks) && postCues[toks[i].lower], org
}

// read decides whether candidate c of sentence si is a guest (cued says
// whether its group has a cue) and returns what the text says about them.
func (g *guestFinder) read(a *analysis, si int, c candidate, cued bool) (affiliation, bool) {
	s, toks := a.sents[si].text, a.tokens(si)
	var app affiliation
	appRole := false
	if c.app != nil {
		app, appRole = readApposition(s, c.app)
		if !appRole && c.app[0].lower == "who" {
			app.bio = "" // ", who founded Acme," is read below
		}
	}
	if appRole {
		return app, true
	}
	if pre, ok := roleBefore(s, toks, c.run.first); ok {
		if pre.org == "" {
			pre.org = g.contextOrg(a, si, c.run)
		}
		pre.merge(app)
		return pre, true
	}
	if c.app != nil {
		if aff, ok := whoClause(s, c.app); ok {
			aff.merge(app)
			return aff, true
		}
	}
	if cued {
		return app, true
	}
	if c.run.first == 0 && c.end < len(toks) && personVerbs[toks[c.end].lower] {
		if aff, ok := g.pronounFacts(a, si); ok {
			aff.merge(app)
			return aff, true
		}
	}
	return affiliation{}, false
}

// whoClause reads ", who founded Acme," or ", who started Acme,".
func whoClause(s string, app []token) (affiliation, bool) {
	if len(app) < 3 || app[0].lower != "who" {
		return affiliation{}, false
	}
	role, ok := orgVerbs[app[1].lower]
	if !ok {
		return affiliation{}, false
	}
	if os, oe, ok := orgAt(app, 2); ok {
		return affiliation{role: role, org: spanText(s, app, os, oe)}, true
	}
	return affiliation{}, false
}

// roleBefore reads a role written just before a name: "co-founder Peter
// Zaitsev", "Tailscale CEO Avery Pennarun", "Acme's CTO Jane Doe".
func roleBefore(s string, toks []token, first int) (affiliation, bool) {
	k := first - 1
	if k < 0 || !isRoleHead(toks[k]) {
		return affiliation{}, false
	}
	// Capitalised modifiers belong to the role only in a title-case role
	// ("Principal Engineer Jane Doe") or at the start of the sentence; else
	// they name the organisation ("Foxglove Data CEO Jane Doe").
	title := titleWord(toks[k].text)
	for k > 0 && first-k < 6 && (isRoleHead(toks[k-1]) || isRoleMod(toks[k-1]) ||
		(k > 1 && (toks[k-1].lower == "and" || toks[k-1].text == "&") && isRoleHead(toks[k-2]))) {
		if startsUpper(toks[k-1].text) && !title && k-1 > 0 && !roleAcronyms[toks[k-1].lower] {
			break
		}
		k--
	}
	a := affiliation{role: roleText(s, toks, k, first)}
	// The organisation: capitalised words, maybe joined by "&", "of" or
	// "and" ("Moss & Pine CEO ..."); not a capitalised stop word opening the
	// sentence ("The CEO ...").
	isOrg := func(i int) bool {
		t := toks[i]
		return t.kind == tokWord && hasUpper(t.text) && !stopWordCapital(t) && !(i == 0 && stopWords[t.lower])
	}
	o := k
	for o > 0 && k-o < 6 {
		if isOrg(o - 1) {
			o--
		} else if o > 1 && o < k && (toks[o-1].text == "&" || toks[o-1].lower == "of" || toks[o-1].lower == "and") && isOrg(o-2) {
			o -= 2
		} else {
			break
		}
	}
	if o < k {
		a.org = spanText(s, toks, o, k)
	}
	return a, true
}

// pronounFacts confirms that the subject of sentence si is a person ("he" or
// "she" in it or the next two sentences) and reads what the following
// sentences say about them: "In 2010 he started DNSimple", "She is the CTO
// of Acme".
func (g *guestFinder) pronounFacts(a *analysis, si int) (affiliation, bool) {
	person := false
	var aff affiliation
	for k := si; k < len(a.sents) && k <= si+3; k++ {
		toks, s := a.tokens(k), a.sents[k].text
		for i, t := range toks {
			if !pronouns[t.lower] {
				continue
			}
			if k <= si+2 {
				person = true
			}
			if aff.org != "" || i+2 >= len(toks) || (t.lower != "he" && t.lower != "she") {
				continue
			}
			if role, ok := orgVerbs[toks[i+1].lower]; ok {
				if os, oe, ok := orgAt(toks, i+2); ok {
					aff = affiliation{role: role, org: spanText(s, toks, os, oe)}
				}
				continue
			}
			if toks[i+1].lower == "is" {
				j := i + 2
				for j < len(toks) && articles[toks[j].lower] {
					j++
				}
				if end, _, ok := rolePhrase(toks, j); ok && end+1 < len(toks) && orgPreps[toks[end].lower] {
					if os, oe, ok := orgAt(toks, end+1); ok {
						aff = affiliation{role: roleText(s, toks, j, end), org: spanText(s, toks, os, oe)}
					}
				}
			}
		}
	}
	return aff, person
}

// contextOrg guesses the organisation of a guest introduced by a bare role
// ("delivering what co-founder Peter Zaitsev calls ..."): the capitalised
// word of the guest's sentence (not its first word, not a topic, a host or
// the guest's name) that the text repeats most, nearest the name on ties;
// failing that, the capitalised word the text uses most, at least twice.
func (g *guestFinder) contextOrg(a *analysis, si int, r nameRun) string {
	toks, s := a.tokens(si), a.sents[si].text
	best, bestCount, bestDist := "", 0, 0
	for i := 1; i < len(toks); {
		os, oe, ok := orgAt(toks, i)
		if !ok || os != i || (r.first <= i && i <= r.last) || !g.orgWord(toks[i]) {
			i++
			continue
		}
		if i < r.first && r.first < oe {
			oe = r.first // never run into the name
		}
		n := a.capCount(toks[i].text)
		dist := r.first - i
		if dist < 0 {
			dist = -dist + len(toks) // prefer words before the name
		}
		if n > bestCount || n == bestCount && dist < bestDist {
			best, bestCount, bestDist = spanText(s, toks, os, oe), n, dist
		}
		i = oe
	}
	if best != "" {
		return best
	}
	// The sentence names no organisation: take the capitalised word the
	// text repeats most (at least twice), other than the guest's own names.
	// This is rare (a bare role, and no organisation beside it) and
	// maxCandidates bounds how often it runs.
	own := toks[r.first : r.last+1]
	for k := range a.sents {
		toks := a.tokens(k)
		for i := 0; i < len(toks); i++ {
			if !g.orgWord(toks[i]) || slices.ContainsFunc(own, func(t token) bool { return t.text == toks[i].text }) {
				continue
			}
			os, oe, ok := orgAt(toks, i)
			if n := a.capCount(toks[i].text); ok && os == i && n >= 2 && n > bestCount {
				best, bestCount = spanText(a.sents[k].text, toks, os, oe), n
			}
		}
	}
	return best
}

// capCount returns how often w occurs in the text as a whole word; the
// counts of all capitalised words are taken in one pass, on first use.
func (a *analysis) capCount(w string) int {
	if a.caps == nil {
		a.caps = make(map[string]int)
		t := a.text
		for i := 0; i < len(t); {
			r, n := utf8.DecodeRuneInString(t[i:])
			if !isWordRune(r) {
				i += n
				continue
			}
			j := i + n
			for j < len(t) {
				r, n := utf8.DecodeRuneInString(t[j:])
				if !isWordRune(r) {
					break
				}
				j += n
			}
			if hasUpper(t[i:j]) {
				a.caps[t[i:j]]++
			}
			i = j
		}
	}
	return a.caps[w]
}

// orgWord reports whether t may name an organisation: capitalised, not a
// stop word, a topic, a host or a role.
func (g *guestFinder) orgWord(t token) bool {
	return t.kind == tokWord && hasUpper(t.text) && !stopWords[t.lower] && !g.hosts[t.lower] &&
		!isRoleHead(t) && !g.vocab.isTopicWord(foldText(t.lower))
}
