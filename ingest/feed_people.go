package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"podcastgraph/internal/podcast"
)

// This file finds the hosts and guests of a feed item. podcast:person tags
// are the strongest evidence: role "guest" (any case) is a guest, "host"
// or "co-host" a host, and a tag without a role is a host, as the
// Podcasting 2.0 specification says. When a feed tags no guest in any
// item, three weaker signals are read, each conservative (a wrong guest is
// worse than a missing one):
//
//   - the cleaned description, through the page extractor (guests.go);
//   - the title, in two clear forms: a numbered title opening with a name
//     and a comma ("123: Jane Doe, Acme") and a title ending "with NAME"
//     ("Scaling Postgres with Jane Doe"); the name's words must not be
//     topics, and a description that exists must name the person too;
//   - itunes:author lists that hold the show's own author (or a host) and
//     other names: "Jane Doe, Show Author".
//
// Hosts are never guests: a name that matches a host's (in full, ignoring
// case and accents) is dropped, and the text extractor skips names that
// start with a host's first name, as on pages.

// personRoles maps podcast:person roles (lower case) to what they make a
// person here; other roles (producer, editor...) are not read.
var personRoles = map[string]string{"guest": "guest", "host": "host", "co-host": "host", "cohost": "host", "": "host"}

// peopleFinder finds the people of one feed's items.
type peopleFinder struct {
	vocab *Vocabulary
	// author is the channel's itunes:author split into names, folded.
	author []string
	hosts  []string // the channel's hosts, as written
	// tagsOnly is set when the feed tags a guest in some item: its items
	// without a guest tag then have no guests.
	tagsOnly bool
	skip     map[string]bool // the words of the show's title
}

// itemPeople is what one item says of its people.
type itemPeople struct {
	hosts  []string // as written: the channel's, the item's tags', the text's first names
	guests []GuestFacts
}

// find returns the hosts and guests of item it, whose clean title and
// description are given; warnings go to w at line.
func (pf *peopleFinder) find(it *xmlItem, title, desc string, w *warnings, line int) itemPeople {
	var out itemPeople
	out.hosts = append(out.hosts, pf.hosts...)
	var tagged []GuestFacts
	for _, p := range it.PCPersons {
		name := cleanSpace(p.Name)
		role := strings.ToLower(strings.TrimSpace(p.Role))
		if name == "" {
			w.add(line, "podcast:person without a name ignored")
			continue
		}
		switch personRoles[role] {
		case "host":
			out.hosts = addName(out.hosts, name)
		case "guest":
			g := GuestFacts{Slug: personSlug(name), Name: name, Via: ViaTag, Evidence: personEvidence(p, name)}
			if u := strings.TrimSpace(p.Href); isURL(u) {
				g.Links = addLink(g.Links, podcast.Link{Kind: urlKind(u), URL: u})
			}
			if u := strings.TrimSpace(p.Img); isURL(u) {
				g.Image = u
			}
			tagged = mergeGuest(tagged, g)
		}
	}
	out.guests = tagged
	if pf.tagsOnly {
		out.guests = pf.notHosts(out.guests, out.hosts)
		return out
	}
	nm := &namer{skip: pf.skip}
	a := nm.analyze(desc)
	for _, h := range nm.hostsIn(a) {
		out.hosts = addName(out.hosts, h)
	}
	gf := &guestFinder{namer: nm, vocab: pf.vocab, hosts: make(map[string]bool)}
	for _, h := range out.hosts {
		first, _, _ := strings.Cut(foldText(h), " ")
		gf.hosts[first] = true
	}
	for _, g := range gf.guests(a, func(name string) {
		w.add(line, "guest %s has no ASCII letters for a slug; dropped", quote(name))
	}) {
		g.Via = ViaText
		out.guests = mergeGuest(out.guests, g)
	}
	if g, ok := pf.titleGuest(nm, title, desc); ok {
		out.guests = mergeGuest(out.guests, g)
	}
	for _, g := range pf.authorGuests(nm, it.ITAuthor, out.hosts) {
		out.guests = mergeGuest(out.guests, g)
	}
	out.guests = pf.notHosts(out.guests, out.hosts)
	return out
}

// notHosts drops the guests whose name is a host's or the show's author's.
func (pf *peopleFinder) notHosts(gs []GuestFacts, hosts []string) []GuestFacts {
	out := gs[:0]
	for _, g := range gs {
		n := foldText(g.Name)
		if slices.ContainsFunc(hosts, func(h string) bool { return foldText(h) == n }) || slices.Contains(pf.author, n) {
			continue
		}
		out = append(out, g)
	}
	return out
}

// personEvidence writes a podcast:person tag back as the evidence.
func personEvidence(p xmlPerson, name string) string {
	var b strings.Builder
	b.WriteString("<podcast:person")
	for _, a := range [][2]string{{"role", p.Role}, {"group", p.Group}, {"href", p.Href}} {
		if v := strings.TrimSpace(a[1]); v != "" {
			b.WriteString(" " + a[0] + `="` + v + `"`)
		}
	}
	b.WriteString(">" + name + "</podcast:person>")
	return b.String()
}

// personSlug is the slug of a tagged person: Slugify(name), or for a name
// with no Latin letters "person-" and a digest of the name (a tag is
// evidence enough to keep them).
func personSlug(name string) string {
	if s := Slugify(name); s != "" {
		return s
	}
	sum := sha256.Sum256([]byte(name))
	return "person-" + hex.EncodeToString(sum[:5])
}

// mergeGuest adds g to gs, or fills the empty facts of the guest already
// there with the same slug (the stronger evidence came first).
func mergeGuest(gs []GuestFacts, g GuestFacts) []GuestFacts {
	i := slices.IndexFunc(gs, func(x GuestFacts) bool { return x.Slug == g.Slug })
	if i < 0 {
		if len(gs) >= maxGuests {
			return gs
		}
		return append(gs, g)
	}
	have := &gs[i]
	have.Role = cmpOr(have.Role, g.Role)
	have.Organization = cmpOr(have.Organization, g.Organization)
	have.Bio = cmpOr(have.Bio, g.Bio)
	have.Image = cmpOr(have.Image, g.Image)
	for _, l := range g.Links {
		have.Links = addLink(have.Links, l)
	}
	return gs
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// addName appends name to names unless it is there (ignoring case and
// accents), keeping at most maxHosts.
func addName(names []string, name string) []string {
	f := foldText(name)
	if len(names) >= maxHosts || slices.ContainsFunc(names, func(n string) bool { return foldText(n) == f }) {
		return names
	}
	return append(names, name)
}

// titleGuest reads a guest from a title: "123: Jane Doe, Acme", "Ep. 12 -
// Jane Doe, CEO at Acme", "Scaling Postgres with Jane Doe".
func (pf *peopleFinder) titleGuest(nm *namer, title, desc string) (GuestFacts, bool) {
	toks := tokenize(nil, title, "")
	runs := nm.runs(toks)
	for _, r := range runs {
		if r.words < 2 || r.words > 4 || toks[r.last].possessive || !pf.personLike(toks, r) {
			continue
		}
		after := r.last + 1
		var aff affiliation
		switch {
		case numberedOpening(toks, r.first) && after < len(toks) && toks[after].text == ",":
			end := after + 1
			for end < len(toks) && !titleBreak(toks[end].text) {
				end++
			}
			if end == after+1 {
				continue
			}
			if a, ok := readApposition(title, toks[after+1:end]); ok {
				aff = a
			} else if os, oe, ok := orgAt(toks, after+1); ok && os == after+1 && oe == end {
				aff.org = spanText(title, toks, os, oe)
			} else {
				continue // "12: Platform Teams, Revisited"
			}
		case r.first > 0 && toks[r.first-1].lower == "with" && (after == len(toks) || titleBreak(toks[after].text) || toks[after].text == ","):
			if after < len(toks) && toks[after].text == "," {
				end := after + 1
				for end < len(toks) && !titleBreak(toks[end].text) {
					end++
				}
				if a, ok := readApposition(title, toks[after+1:end]); ok {
					aff = a
				}
			}
		default:
			continue
		}
		name := r.name(toks)
		if desc != "" && !mentions(desc, name, toks[r.last].text) {
			continue
		}
		slug := Slugify(name)
		if slug == "" {
			continue
		}
		return GuestFacts{Slug: slug, Name: name, Role: aff.role, Organization: aff.org, Bio: aff.bio, Via: ViaTitle, Evidence: title}, true
	}
	return GuestFacts{}, false
}

// personLike reports whether no word of the run is a topic (a product name
// is not a person: "with Apache Kafka").
func (pf *peopleFinder) personLike(toks []token, r nameRun) bool {
	for i := r.first; i <= r.last; i++ {
		if toks[i].kind == tokWord && pf.vocab.isTopicWord(foldText(toks[i].lower)) {
			return false
		}
	}
	return true
}

// numberedOpening reports whether toks[:i] is an episode number and a
// separator: "123:", "#123 -", "Ep. 12 |", "Episode 7:".
func numberedOpening(toks []token, i int) bool {
	j := 0
	if j < len(toks) && (toks[j].lower == "ep" || toks[j].lower == "episode" || toks[j].lower == "ep.") {
		j++
		if j < len(toks) && toks[j].text == "." {
			j++
		}
	}
	if j < len(toks) && toks[j].text == "#" {
		j++
	}
	if j >= len(toks) || !isDigits(toks[j].text) {
		return false
	}
	j++
	return j+1 == i && titleBreak(toks[j].text)
}

// titleBreak reports whether t separates parts of a title.
func titleBreak(t string) bool {
	switch t {
	case ":", "-", "–", "—", "|", "(", ")", "/", "·":
		return true
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// mentions reports whether text names the person: their full name or
// their last name, ignoring case and accents.
func mentions(text, name, last string) bool {
	t := foldText(text)
	return strings.Contains(t, foldText(name)) || strings.Contains(t, foldText(last))
}

// splitAuthors splits an author list: "A, B & C", "A and B", "A; B", "A / B".
func splitAuthors(s string) []string {
	s = strings.NewReplacer(" and ", ",", "&", ",", ";", ",", " / ", ",", " + ", ",").Replace(s)
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = cleanSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// authorGuests reads the guests of an item's itunes:author: the names
// beside the show's own author (or a host), when the list holds it.
func (pf *peopleFinder) authorGuests(nm *namer, author string, hosts []string) []GuestFacts {
	author = cleanSpace(author)
	if author == "" || len(pf.author) == 0 && len(hosts) == 0 {
		return nil
	}
	names := splitAuthors(author)
	own := func(n string) bool {
		f := foldText(n)
		return slices.Contains(pf.author, f) || slices.ContainsFunc(hosts, func(h string) bool { return foldText(h) == f })
	}
	if !slices.ContainsFunc(names, own) {
		return nil // an author list without the show's own: not ours to read
	}
	var out []GuestFacts
	for _, n := range names {
		if own(n) {
			continue
		}
		toks := tokenize(nil, n, "")
		runs := nm.runs(toks)
		if len(runs) != 1 || runs[0].first != 0 || runs[0].last != len(toks)-1 || runs[0].words < 2 || runs[0].words > 4 {
			continue // not a person's name, whole
		}
		if slug := Slugify(n); slug != "" {
			out = append(out, GuestFacts{Slug: slug, Name: runs[0].name(toks), Via: ViaAuthor, Evidence: "itunes:author: " + author})
		}
	}
	return out
}
