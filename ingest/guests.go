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
		if mayHoldName(s.text) || p.mentionsAllowed(s.text) {
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

// preCues precede a guest's name (or a group of names), perhaps with a role
// and an article between ("welcome back economist Rohan Mehta", "our guest
// this week is the producer Velvetine"). The table is the start of what a
// page may say, not a closed list: contact sections, appositions with a
// role and roles before a name add up with it (see read).
var preCues = phrases(`
	speak with | speaks with | spoke with | speaking with | talk with | talks with | talked with |
	talking with | talk to | talks to | talking to | chat with | chats with | chatted with |
	chatting with | sit down with | sits down with | sat down with | catch up with |
	catches up with | caught up with | joined by | welcome | welcomes | welcoming | welcomed |
	welcome back | welcomes back | interview | interviews | interviewed | interviewing |
	featuring | features | feature | guest | guests | guest is | guests are | guest this week is |
	guests this week are | guest today is | guests today are | joining us is | joining us are |
	joining us today is | joining us today are | joining us this week is | joining us this week are |
	with us is | with us are | with us today is | with us this week is | thrilled to have |
	excited to have | happy to have | pleased to have | delighted to have | honored to have |
	honoured to have | glad to have | conversation with | in conversation with | discussion with |
	roundtable with | panel with | hear from | meet | say hello to | introducing`)

// phrases builds a cue table from phrases separated by "|".
func phrases(list string) [][]string {
	var out [][]string
	for _, p := range strings.Split(list, "|") {
		if w := strings.Fields(p); len(w) > 0 {
			out = append(out, w)
		}
	}
	return out
}

// postCues follow a guest's name or group: "Jane Doe joins Darin and Viktor".
var postCues = wordSet(`join joins joined rejoin rejoins return returns`)

// personVerbs may follow a guest who opens a sentence ("Anthony Eden has
// been"). Only the present: a history page's "Lincoln was" or "Roosevelt
// founded" speaks about someone, not with them.
var personVerbs = wordSet(`has is leads runs shares explains discusses describes reflects brings
	returns tells explores walks talks dives digs breaks unpacks argues believes helps works knows
	thinks`)

// reportVerbs report what someone said or did elsewhere ("Jensen Huang told
// analysts", "as Satya Nadella says"): after a name they mark a person talked
// about, unless a cue or a contact section says otherwise.
var reportVerbs = wordSet(`said says told tells announced announces claimed claims warned warns
	wrote writes tweeted tweets posted posts testified declared stated noted admitted insisted
	reported confirmed predicted added put once famously reportedly`)

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
	from  int     // first token of the name as written: an honorific ("Dr.") or run.first
	cueAt int     // where a cue before the name would end: before a role and article ("the producer")
	app   []token // apposition, without its delimiters; nil if none
	paren []token // a parenthesis after the name that holds no role: "(she/her)", "(Quiver)", "(李伟)"
	end   int     // first token after the run and its apposition
	group int     // index of the first candidate of its group
}

// contactNames are the names a page's contact sections give ("Avery",
// "Rosa María", "Dev"), as folded words; a name run that starts with one
// of them is confirmed as a guest.
type contactNames [][]string

// confirms reports whether the run r of toks starts with one of the names,
// and whether it is exactly that name (a one-word stage name).
func (cn contactNames) confirms(toks []token, r nameRun) (starts, exact bool) {
	for _, n := range cn {
		k, i := 0, r.first
		for ; i <= r.last && k < len(n); i++ {
			if toks[i].kind != tokWord {
				continue
			}
			if foldText(toks[i].lower) != n[k] {
				break
			}
			k++
		}
		if k == len(n) {
			return true, i > r.last
		}
	}
	return false, false
}

// guests returns the guests named in a, in order of first mention. drop is
// told about names that yield no slug.
func (g *guestFinder) guests(a *analysis, drop func(name string)) []GuestFacts {
	return g.guestsNamed(a, nil, drop)
}

// guestsNamed is guests for a text whose page gives contact sections for
// named: a name the text gives in full that starts with one of them is a
// guest even without a cue ("Marisol Ferreira explains ..." beside
// "Marisol's contact information:"), and a one-word name that is exactly one
// of them is a guest when a cue or a role introduces it ("our guest this
// week is the producer Velvetine").
func (g *guestFinder) guestsNamed(a *analysis, named contactNames, drop func(name string)) []GuestFacts {
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
		cands := g.candidates(toks, runs, named)
		if len(cands) == 0 {
			continue
		}
		s := a.sents[si].text
		hostTalks := g.hostTalks(toks)
		for gi := 0; gi < len(cands); {
			gj := gi + 1
			for gj < len(cands) && cands[gj].group == gi {
				gj++
			}
			group := cands[gi:gj]
			pre := hasCueBefore(toks, group[0].cueAt, hostTalks)
			post, groupOrg := g.cueAfter(s, toks, group[len(group)-1])
			for _, c := range group {
				weighed++
				cued := pre || post
				if named != nil {
					starts, exact := named.confirms(toks, c.run)
					switch {
					case c.run.words == 1 && !(exact && (cued || c.cueAt < c.from || knownAs(toks, c.cueAt)) && !capitalAt(toks, c.run.last+1)):
						// A one-word name needs its contact section and an
						// introduction, and no capital after it: "Tomás Ó
						// Briain" is a name this reader cannot join.
						continue
					case starts:
						cued = true
					}
				}
				aff, ok := g.read(a, si, c, cued)
				if !ok {
					continue
				}
				if aff.org == "" && len(group) > 1 {
					_, aff.org = g.cueAfter(s, toks, c) // "Ana de la Cruz of Mosaic and ..."
				}
				if aff.org == "" {
					aff.org = groupOrg
				}
				name := spanName(toks, c.from, c.run.last)
				bare := name // without the honorific, as PersonSlug
				if c.from < c.run.first {
					bare = c.run.name(toks)
				}
				slug := Slugify(bare)
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
	// A one-word name is dropped when a guest's full name starts with it.
	return slices.DeleteFunc(out, func(one GuestFacts) bool {
		return !strings.Contains(one.Slug, "-") && slices.ContainsFunc(out, func(full GuestFacts) bool {
			return strings.HasPrefix(full.Slug, one.Slug+"-")
		})
	})
}

// capitalAt reports whether toks[i] is a capitalised word.
func capitalAt(toks []token, i int) bool {
	return i < len(toks) && toks[i].kind == tokWord && startsUpper(toks[i].text)
}

// knownAs reports whether "known as" ends just before toks[i].
func knownAs(toks []token, i int) bool {
	return i >= 2 && toks[i-2].lower == "known" && toks[i-1].lower == "as"
}

// candidates returns the runs of toks that may name a guest: two to four
// words (one when it is a contact section's name), not a host's first name,
// not possessive; with their appositions and groups.
func (g *guestFinder) candidates(toks []token, runs []nameRun, named contactNames) []candidate {
	var cands []candidate
	for _, r := range runs {
		if r.words > 4 || toks[r.last].possessive || g.hosts[toks[r.first].lower] {
			continue
		}
		if r.words < 2 {
			if _, exact := named.confirms(toks, r); !exact {
				continue
			}
		}
		from := honorificBefore(toks, r.first)
		if k := len(cands) - 1; k >= 0 && from < cands[k].end {
			continue // inside the previous name's apposition: "at Northwind Labs"
		}
		if starts, _ := named.confirms(toks, r); orgPosition(toks, from) && !starts {
			continue // "... from Northwind Labs join", "at Globex"; not "with help from Rafael Duarte"
		}
		c := candidate{run: r, from: from, cueAt: introStart(toks, from), end: r.last + 1, group: len(cands)}
		c.app, c.end = apposition(toks, r.last+1, g.namer)
		if c.app != nil && toks[r.last+1].text == "(" && !holdsRole(c.app) {
			// "(she/her), Staff Engineer at Fernwood,": the parenthesis
			// says who, the apposition after it what they do.
			c.paren, c.app = c.app, nil
			if c.end < len(toks) && toks[c.end].text == "," {
				if app, end := apposition(toks, c.end, g.namer); app != nil {
					c.app, c.end = app, end
				}
			}
		}
		if k := len(cands) - 1; k >= 0 {
			gap := toks[cands[k].end:c.from]
			switch {
			case joinsGroup(gap) || joinsGroup(afterOrg(gap)):
				// "Ana de la Cruz of Mosaic and Yusuf al-Amin from Beta Systems"
				c.group = cands[k].group
			case cands[k].app == nil && cands[k].paren == nil && modifierGap(gap):
				// "Morgan Stanley veteran Laura Chen": the first name
				// describes the second, whose cue it was.
				c.cueAt, c.group = cands[k].cueAt, cands[k].group
				cands = cands[:k]
			}
		}
		cands = append(cands, c)
	}
	return cands
}

// afterOrg returns what follows "of ORG", "from ORG" or "at ORG" at the
// start of gap, or nil when gap does not start so.
func afterOrg(gap []token) []token {
	if len(gap) < 3 || !(gap[0].lower == "of" || gap[0].lower == "from" || gap[0].lower == "at") {
		return nil
	}
	if _, oe, ok := orgAt(gap, 1); ok {
		return gap[oe:]
	}
	return nil
}

// introStart returns where the introduction of a name starting at toks[i]
// begins: before a role and an article ("welcome back economist Rohan
// Mehta", "our guest is the producer Velvetine", "joined by historian Dr.
// Keisha Whitfield"), else i.
func introStart(toks []token, i int) int {
	k := i
	for k > 0 && i-k < 6 && (isRoleHead(toks[k-1]) || isRoleMod(toks[k-1]) && k < i) && !startsUpper(toks[k-1].text) {
		k--
	}
	if k < i && k > 0 && articles[toks[k-1].lower] {
		k--
	}
	return k
}

// modifierGap reports whether the words between two names make the first a
// modifier of the second: one or two lower-case nouns, "Morgan Stanley
// veteran", "Google alum"; not a verb, a preposition or "and".
func modifierGap(gap []token) bool {
	if len(gap) == 0 || len(gap) > 2 {
		return false
	}
	for _, t := range gap {
		w := t.lower
		if t.kind != tokWord || t.text != w || stopWords[w] || personVerbs[w] || reportVerbs[w] ||
			hostVerbs[w] || postCues[w] || strings.HasSuffix(w, "s") || strings.HasSuffix(w, "ed") {
			return false
		}
	}
	return true
}

// holdsRole reports whether a role phrase starts anywhere in toks.
func holdsRole(toks []token) bool {
	for k := range toks {
		if _, _, ok := rolePhraseAt(toks, k, k == 0); ok {
			return true
		}
	}
	return false
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

// hostTalks reports whether toks name a host who speaks, explores,
// talks...: "Darin and Viktor explore this with Jane Doe" (a host verb
// within four words of a host's name).
func (g *guestFinder) hostTalks(toks []token) bool {
	for i, t := range toks {
		if t.kind != tokWord || !g.hosts[t.lower] {
			continue
		}
		for j := i + 1; j < len(toks) && j <= i+4; j++ {
			if hostVerbs[toks[j].lower] {
				return true
			}
		}
	}
	return false
}

// hasCueBefore reports whether a guest cue ends just before toks[i] (an
// optional comma between: "our guest, Jane Doe"). A bare "with" counts when
// a host of the sentence talks: "Darin and Viktor explore this with Jane
// Doe", not "Ruth and Malik follow his trip with John Muir".
func hasCueBefore(toks []token, i int, hostTalks bool) bool {
	if i > 0 && toks[i-1].text == "," {
		i--
	}
	for _, cue := range preCues {
		if i >= len(cue) && wordsAt(toks, i-len(cue), [][]string{cue}) > 0 {
			return true
		}
	}
	return hostTalks && i > 0 && toks[i-1].lower == "with"
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
// whether a cue or a contact section names it so) and returns what the text
// says about them. Without a cue, a role (in an apposition or before the
// name) or a "who" clause makes a guest only when the name is the subject
// of a present-tense verb that does not report speech ("Pete Hunt, CEO of
// Dagster, explores ..." but not "Satya Nadella, CEO of Microsoft,
// announced ..."), and a name opening its sentence does when a verb such as
// "has been" and a pronoun follow.
func (g *guestFinder) read(a *analysis, si int, c candidate, cued bool) (affiliation, bool) {
	s, toks := a.sents[si].text, a.tokens(si)
	var aff affiliation
	described := false
	if c.app != nil {
		app, appRole := readApposition(s, c.app)
		switch {
		case appRole:
			aff, described = app, true
		case c.app[0].lower == "who":
			// ", who founded Acme," is read below.
		default:
			if org, ok := orgApposition(s, c.app); ok {
				aff.org = org
			} else {
				aff.bio = app.bio
			}
		}
	}
	if !described {
		if pre, ok := roleBefore(s, toks, c.from); ok {
			if pre.org == "" && !freeRoles[lastWord(pre.role)] {
				pre.org = g.contextOrg(a, si, c.run)
			}
			pre.merge(aff)
			aff, described = pre, true
		} else if c.app != nil {
			if who, ok := whoClause(s, c.app); ok {
				who.merge(aff)
				aff, described = who, true
			}
		}
	}
	if c.paren != nil && aff.org == "" {
		if os, oe, ok := orgAt(c.paren, 0); ok && os == 0 && oe == len(c.paren) {
			aff.org = spanText(s, c.paren, os, oe) // "Nadia Haddad (Quiver)"
		}
	}
	if !described && c.from == 0 && c.end < len(toks) && personVerbs[toks[c.end].lower] {
		if facts, ok := g.pronounFacts(a, si); ok {
			facts.merge(aff)
			return facts, true
		}
	}
	if cued || described && talksNow(toks, c) {
		return aff, true
	}
	return affiliation{}, false
}

// freeRoles are professions that need no organisation: "historian Dr.
// Keisha Whitfield" is not guessed to work for the company the text names.
var freeRoles = wordSet(`economist historian journalist reporter writer editor producer composer
	drummer guitarist singer musician artist photographer investor physician professor researcher
	scientist consultant author analyst designer`)

// lastWord returns the last space-separated word of s in lower case.
func lastWord(s string) string {
	return strings.ToLower(s[strings.LastIndexByte(s, ' ')+1:])
}

// talksNow reports whether the candidate is the subject of a verb in the
// present that does not report speech: "explores", "joins", "talks with".
func talksNow(toks []token, c candidate) bool {
	j := c.end
	if j < len(toks) && (toks[j].text == "," || isDash(toks[j].text)) {
		j++
	}
	if j >= len(toks) || toks[j].kind != tokWord || toks[j].text != toks[j].lower {
		return false
	}
	w := toks[j].lower
	switch {
	case reportVerbs[w]:
		return false
	case personVerbs[w] || postCues[w]:
		return true
	}
	// Third person: "walks", "calls", "argues"; not "was", "this", "across".
	return len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") &&
		!strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is") && !stopWords[w]
}

// orgApposition reads an apposition that only places the person: "now at
// Cloudberry", "of Mosaic", "from Beta Systems".
func orgApposition(s string, app []token) (string, bool) {
	i := 0
	if i < len(app) && (app[i].lower == "now" || app[i].lower == "currently") {
		i++
	}
	if i+1 >= len(app) || !(app[i].lower == "at" || app[i].lower == "of" || app[i].lower == "from" || app[i].lower == "with") {
		return "", false
	}
	if os, oe, ok := orgAt(app, i+1); ok && oe == len(app) {
		return spanText(s, app, os, oe), true
	}
	return "", false
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
		return t.kind == tokWord && hasUpper(t.text) && !stopWordCapital(t) && !(i == 0 && stopWords[t.lower]) && !adjective(t.text)
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

// adjective reports whether a capitalised word is a hyphenated adjective
// ("Grammy-nominated", "Emmy-winning"), not an organisation.
func adjective(w string) bool {
	i := strings.LastIndexByte(w, '-')
	return i > 0 && i+1 < len(w) && lowerWord(w[i+1:]) == w[i+1:]
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
// the guest's name) that the text repeats most (at least twice), nearest
// the name on ties;
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
		if n < 2 {
			i = oe // named once: not what the text is about ("his new book, Paved Roads")
			continue
		}
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
