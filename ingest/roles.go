package ingest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads the job titles and organisations that go with a guest's
// name: "CEO at Tailscale", "co-founder of Holepunch and creator of the Pear
// Runtime", "a staff engineer at Acme", "Tailscale CEO", "VP of Engineering
// at Initech".

// roleHeads end a role phrase ("engineer" in "staff engineer").
var roleHeads = wordSet(`ceo cto coo cfo cio ciso cpo cmo cso cro vp svp evp president founder
	co-founder cofounder engineer developer advocate evangelist maintainer co-maintainer
	creator co-creator author co-author architect manager director head lead consultant
	researcher scientist professor chair chairman chairwoman chairperson officer owner
	partner sre analyst designer programmer contributor committer strategist specialist
	fellow ambassador champion instructor trainer executive principal commander economist
	historian journalist reporter editor writer producer composer drummer guitarist singer
	musician artist photographer investor physician`)

// roleModifiers may precede a role head ("senior staff engineer").
var roleModifiers = wordSet(`senior staff principal lead chief founding former distinguished
	software platform security cloud data devops site reliability solutions solution developer
	product engineering technical field core global general managing vice executive research
	infrastructure backend frontend full-stack ai ml database systems customer community
	marketing sales growth interim acting co deputy associate assistant technology operating
	financial information revenue open source independent release quality devrel open-source
	regional group team project program investment operations people design legal
	compliance risk incident`)

// ofHeads take "of FIELD" as part of the role ("VP of Engineering"); for the
// other heads "of" introduces the organisation ("CEO of Dagster").
var ofHeads = wordSet(`vp svp evp head director president lead manager`)

// workHeads name what someone made rather than where they work: "creator of
// the Pear Runtime" is a bio, not an organisation.
var workHeads = wordSet(`creator co-creator author co-author maintainer co-maintainer contributor committer`)

// roleAcronyms are role words usually written in upper case: a capitalised
// word before one of them belongs to the organisation ("Foxglove Data CEO").
var roleAcronyms = wordSet(`ceo cto coo cfo cio ciso cpo cmo cso cro vp svp evp sre ai ml`)

// fieldWords may follow a head such as "VP" without "of": "VP Engineering".
var fieldWords = wordSet(`engineering product marketing sales operations research design data
	infrastructure platform security people finance growth technology`)

// orgPreps introduce the organisation after a role.
var orgPreps = wordSet(`at of for from with`)

func isRoleHead(t token) bool { return t.kind == tokWord && roleHeads[t.lower] }
func isRoleMod(t token) bool  { return t.kind == tokWord && roleModifiers[t.lower] }

// rolePhrase reads a role starting at toks[i]: modifiers, a head, optionally
// "and"/"&"/"/" and another role ("CEO and co-founder"), and "of FIELD" after
// heads such as "VP". It returns the end (exclusive), the last head, and
// false when no role starts at i. Its work is linear in the role's length.
func rolePhrase(toks []token, i int) (end int, head string, ok bool) {
	return rolePhraseAt(toks, i, false)
}

// rolePhraseAt is rolePhrase; opens says that nothing before toks[i] can
// name an organisation (the start of an apposition), so that capitalised
// modifiers belong to the role: ", Senior Staff SRE at Orbital,".
func rolePhraseAt(toks []token, i int, opens bool) (end int, head string, ok bool) {
	end, head, ok = singleRole(toks, i, opens)
	if !ok {
		return 0, "", false
	}
	for end+1 < len(toks) && (toks[end].lower == "and" || toks[end].text == "&" || toks[end].text == "/") {
		e, h, more := singleRole(toks, end+1, true)
		if !more {
			break
		}
		end, head = e, h
	}
	if ofHeads[head] && end < len(toks) && fieldWords[toks[end].lower] && !(end+1 < len(toks) && isRoleHead(toks[end+1])) {
		end++ // "VP Engineering at Lumbre"
	} else if ofHeads[head] && end+1 < len(toks) && toks[end].lower == "of" {
		// "VP of Engineering at Acme": the field runs to the organisation's
		// preposition or the end.
		k := end + 1
		for k < len(toks) && k-end < 8 && toks[k].kind == tokWord && !(toks[k].lower == "at" || toks[k].lower == "for" || toks[k].lower == "from" || toks[k].lower == "with") {
			k++
		}
		if k > end+1 && (k == len(toks) || toks[k].kind == tokWord) {
			end = k
		}
	}
	return end, head, true
}

// singleRole reads modifiers and a head ("senior staff engineer"); opens as
// for rolePhraseAt.
func singleRole(toks []token, i int, opens bool) (end int, head string, ok bool) {
	k := i
	capMod := false
	for k < len(toks) && k-i < 6 && isRoleMod(toks[k]) && !(isRoleHead(toks[k]) && (k+1 >= len(toks) || !isRoleHead(toks[k+1]) && !isRoleMod(toks[k+1]))) {
		capMod = capMod || startsUpper(toks[k].text)
		k++
	}
	if k >= len(toks) || !isRoleHead(toks[k]) {
		return 0, "", false
	}
	if capMod && !titleWord(toks[k].text) && !opens {
		// "Foxglove Data CEO": a capitalised word before an acronym or
		// lower-case head belongs to the organisation.
		return 0, "", false
	}
	return k + 1, toks[k].lower, true
}

// startsRole reports whether a role phrase starts at toks[i].
func startsRole(toks []token, i int) bool {
	_, _, ok := singleRole(toks, i, false)
	return ok
}

// orgAt reads an organisation name starting at toks[i]: an optional "the",
// then words carrying a capital ("Tailscale", "DNSimple", "Cloud Native
// Computing Foundation"), joined by "&", "of", "and" or "for" only when
// another capitalised word follows. It returns the end (exclusive) and false
// when no organisation starts at i.
func orgAt(toks []token, i int) (start, end int, ok bool) {
	if i < len(toks) && toks[i].lower == "the" {
		i++
	}
	j := i
	for j < len(toks) && j-i < 8 {
		t := toks[j]
		if t.kind == tokWord && hasUpper(t.text) && !stopWordCapital(t) {
			j++
			if t.possessive {
				break
			}
			continue
		}
		if j > i && j+1 < len(toks) && (t.text == "&" || t.lower == "of" || t.lower == "and" || t.lower == "for") &&
			toks[j+1].kind == tokWord && startsUpper(toks[j+1].text) && !isRoleHead(toks[j+1]) && !stopWordCapital(toks[j+1]) &&
			!(t.lower == "and" && personAt(toks, j+1)) {
			j++
			continue
		}
		break
	}
	if j == i {
		return 0, 0, false
	}
	return i, j, true
}

// personAt reports whether a person's name seems to start at toks[i]: two
// name-shaped words ("of Mosaic and Yusuf al-Amin" is two parties, "Procter
// and Gamble" one).
func personAt(toks []token, i int) bool {
	return i+1 < len(toks) && looksLikeName(toks[i].text) && toks[i+1].kind == tokWord &&
		(looksLikeName(toks[i+1].text) || particleWord(toks[i+1].text) || nameParticles[toks[i+1].text])
}

// stopWordCapital reports whether t is a function word that happens to be
// capitalised ("The", "In") or a role ("CEO"): such words do not name
// organisations.
func stopWordCapital(t token) bool {
	switch t.lower {
	case "the", "a", "an", "in", "on", "at", "and", "or", "but", "this", "that", "he", "she", "they", "it", "we", "i":
		return true
	}
	return isRoleHead(t)
}

// titleWord reports whether w is capitalised with a lower-case rest
// ("Engineer", not "CEO" or "engineer").
func titleWord(w string) bool {
	return startsUpper(w) && strings.ToLower(w[1:]) == w[1:] && len(w) > 1
}

func startsUpper(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// affiliation is what an apposition or a title says about a person.
type affiliation struct {
	role, org, bio string
}

// merge fills the empty fields of a from b.
func (a *affiliation) merge(b affiliation) {
	if a.role == "" {
		a.role = b.role
	}
	if a.org == "" {
		a.org = b.org
	}
	if a.bio == "" {
		a.bio = b.bio
	}
}

// articles are dropped at the start of an apposition.
var articles = wordSet(`a an the our their his her its`)

// readApposition reads "CEO at Tailscale", "a staff engineer at Acme",
// "co-founder of Holepunch and creator of the Pear Runtime", "Acme's CTO" or
// "Acme CTO" from toks (the apposition's tokens, within sentence s). It
// reports whether the apposition holds a role; without one the whole text is
// returned as bio.
func readApposition(s string, toks []token) (affiliation, bool) {
	i := 0
	if i+1 < len(toks) && toks[i].lower == "who" && (toks[i+1].lower == "is" || toks[i+1].lower == "was") {
		i += 2
	}
	for i < len(toks) && (articles[toks[i].lower] || toks[i].lower == "now" || toks[i].lower == "currently") {
		i++ // "now a CISO at Nordlys Energi"
	}
	if i >= len(toks) {
		return affiliation{}, false
	}
	var a affiliation
	// Find the first role phrase; text before it is an organisation
	// ("Tailscale's CEO", "Acme CTO") or bio ("longtime contributor and").
	start, end, head := -1, 0, ""
	for k := i; k < len(toks); k++ {
		if e, h, ok := rolePhraseAt(toks, k, k == i); ok {
			start, end, head = k, e, h
			break
		}
	}
	if start < 0 {
		return affiliation{bio: spanText(s, toks, i, len(toks))}, false
	}
	var bio []string
	if start > i {
		if os, oe, ok := orgAt(toks, i); ok && os == i && oe == start {
			a.org = spanText(s, toks, i, start)
		} else {
			bio = append(bio, trimJoin(spanText(s, toks, i, start)))
		}
	}
	a.role = roleText(s, toks, start, end)
	rest := end
	if a.org == "" && rest < len(toks) && orgPreps[toks[rest].lower] {
		if workHeads[head] && toks[rest].lower == "of" {
			// "creator of the Pear Runtime": a work, not an employer.
			stop := rest + 1
			for stop < len(toks) && !(toks[stop].lower == "and" && stop+1 < len(toks) && startsRole(toks, stop+1)) {
				stop++
			}
			bio = append(bio, spanText(s, toks, start, stop))
			rest = stop
		} else if os, oe, ok := orgAt(toks, rest+1); ok {
			a.org = spanText(s, toks, os, oe)
			rest = oe
		}
	}
	if rest < len(toks) {
		bio = append(bio, trimJoin(spanText(s, toks, rest, len(toks))))
	}
	a.bio = strings.Join(nonEmpty(bio), ", ")
	return a, true
}

// roleText returns the role toks[i:j] as written ("Principal Engineer",
// "co-founder & CTO", "VP of Engineering").
func roleText(s string, toks []token, i, j int) string {
	return spanText(s, toks, i, j)
}

// spanText returns the text of toks[i:j] as written in s.
func spanText(s string, toks []token, i, j int) string {
	if i >= j {
		return ""
	}
	return s[toks[i].start:toks[j-1].end]
}

// trimJoin drops connecting words and punctuation at both ends of a
// fragment: "and early React team member" -> "early React team member".
func trimJoin(s string) string {
	for {
		t := strings.Trim(s, " ,;:-–—")
		for _, w := range []string{"and ", "& ", "as well as "} {
			t = strings.TrimPrefix(t, w)
		}
		for _, w := range []string{" and", " &"} {
			t = strings.TrimSuffix(t, w)
		}
		if t == s {
			return t
		}
		s = t
	}
}

func nonEmpty(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
