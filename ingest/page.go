package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"podcastgraph/internal/podcast"
)

// This file reads the layout of a page: the header, the release date, the
// show's name, the listing of other episodes glued together by
// "info_outline<show>", the page's own episode, the guests' contact sections
// and the show's boilerplate links.

// MaxPageSize is the largest page Parse accepts, in bytes.
const MaxPageSize = 1 << 20

// glue is the stray icon name that separates the episodes of a page.
const glue = "info_outline"

// Parse turns one page into a Document. name is the page's file name
// (Document.Name); SHA256 is the hex SHA-256 of data. vocab finds topics;
// nil means DefaultVocabulary().
//
// Parse never panics. A page it cannot read yields a *ParseError naming the
// document and, where there is one, the line: a page over MaxPageSize, an
// empty page, NUL bytes or invalid UTF-8, no "CODE NUMBER: title" header, a
// "Release Date:" line that is malformed or impossible, no show name.
// Recoverable oddities become Document.Warnings.
func Parse(name string, data []byte, vocab *Vocabulary) (*Document, error) {
	return parse(name, data, vocab, nil)
}

func parse(name string, data []byte, vocab *Vocabulary, memo *Memo) (*Document, error) {
	if len(data) > MaxPageSize {
		return nil, parseErr(name, 0, "page is %d bytes, over the %d-byte limit", len(data), MaxPageSize)
	}
	if len(name) > MaxDocNameBytes {
		return nil, parseErr(quote(name), 0, "document name is %d bytes, over the %d-byte limit", len(name), MaxDocNameBytes)
	}
	if err := checkBytes(name, data); err != nil {
		return nil, err
	}
	if vocab == nil {
		vocab = DefaultVocabulary()
	}
	sum := sha256.Sum256(data)
	p := &page{name: name, lines: splitLines(string(data)), vocab: vocab, memo: memo}
	if err := p.readHead(); err != nil {
		return nil, err
	}
	p.readBody()
	doc := p.document()
	doc.SHA256 = hex.EncodeToString(sum[:])
	return doc, nil
}

// checkBytes rejects empty pages, NUL bytes and invalid UTF-8, naming the line.
func checkBytes(name string, data []byte) error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		n, col := position(data, i)
		return parseErr(name, n, "binary data: NUL byte at column %d", col)
	}
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				n, col := position(data, i)
				return parseErr(name, n, "invalid UTF-8: byte 0x%02x at column %d", data[i], col)
			}
			i += size
		}
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\uFEFF")))) == 0 {
		return parseErr(name, 0, "empty file")
	}
	return nil
}

// position returns the 1-based line and column (in bytes) of offset i.
func position(data []byte, i int) (line, col int) {
	before := data[:i]
	start := bytes.LastIndexAny(before, "\r\n") + 1
	line = 1 + bytes.Count(before, []byte("\n"))
	// Lone CRs end lines too.
	line += bytes.Count(before, []byte("\r")) - bytes.Count(before, []byte("\r\n"))
	return line, i - start + 1
}

// page is the state of one Parse.
type page struct {
	name  string
	lines []line
	vocab *Vocabulary
	memo  *Memo // nil: no memo
	warn  warnings

	code   string
	number int
	title  string
	date   *podcast.Date
	show   string // the show's name
	// headLine and showLine are the numbers of the header and show lines.
	headLine, showLine int
	next               int // index into lines of the first body line

	items     []*item
	contacts  []*contact
	showLinks []podcast.Link
}

// item is one "#N: text" entry of the page, a listing entry or the page's own.
type item struct {
	number    int
	line      int
	paras     []para
	text      string // paragraphs joined, boilerplate and "..." cut (by finishItems)
	truncated bool   // the text ended with "..." or "…"
}

// para is one line of an item's text.
type para struct {
	text        string
	blankBefore bool
}

// contact is one "<Name>'s contact information:" section.
type contact struct {
	name  string
	line  int
	links []podcast.Link
}

// readHead reads the header, the release date and the show's name.
func (p *page) readHead() error {
	i := p.skipBlank(0)
	if i == len(p.lines) {
		return parseErr(p.name, 0, "empty file")
	}
	h := p.lines[i]
	code, num, title, ok := parseHeader(h.text)
	if !ok {
		return parseErr(p.name, h.num, "no header line: want \"CODE NUMBER: title\", got %s", quote(h.text))
	}
	p.code, p.number, p.title = code, num, title
	p.headLine = h.num
	if title == "" {
		p.warn.add(h.num, "header has no episode title")
	}
	i = p.skipBlank(i + 1)
	if i < len(p.lines) {
		l := p.lines[i]
		if value, ok := cutLabel(l.text, "release date"); ok {
			d, err := parseDate(value)
			if err != "" {
				return parseErr(p.name, l.num, "%s release date %s: want MM/DD/YYYY", err, quote(value))
			}
			p.date = &d
			i = p.skipBlank(i + 1)
		} else {
			p.warn.add(l.num, "no \"Release Date:\" line after the header")
		}
	}
	if i < len(p.lines) {
		if l := p.lines[i].text; !isItemStart(l) && !strings.HasPrefix(l, glue) {
			p.show = l
			p.showLine = p.lines[i].num
			p.next = i + 1
			return nil
		}
	}
	// No show line: the listing's glue ("info_outlineDevOps Paradox") names it.
	for _, l := range p.lines[i:] {
		if rest, ok := strings.CutPrefix(l.text, glue); ok && rest != "" && !isItemStart(rest) {
			p.show = rest
			p.showLine = l.num
			p.next = i
			p.warn.add(p.lineNum(i), "no show name line; took %s from the listing", quote(rest))
			return nil
		}
	}
	return parseErr(p.name, p.lineNum(i), "no show name after the header")
}

// lineNum returns the number of lines[i], or the last line's number past the end.
func (p *page) lineNum(i int) int {
	if i < len(p.lines) {
		return p.lines[i].num
	}
	if len(p.lines) == 0 {
		return 0
	}
	return p.lines[len(p.lines)-1].num
}

func (p *page) skipBlank(i int) int {
	for i < len(p.lines) && p.lines[i].text == "" {
		i++
	}
	return i
}

// parseHeader reads "DOP 316: title" (also "DOP #316: title" and a dash
// instead of the colon).
func parseHeader(s string) (code string, num int, title string, ok bool) {
	code, rest, found := strings.Cut(s, " ")
	if !found || !isShowCode(code) {
		return "", 0, "", false
	}
	rest = strings.TrimPrefix(strings.TrimLeft(rest, " "), "#")
	digits := 0
	for digits < len(rest) && digits < 7 && '0' <= rest[digits] && rest[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits > 6 {
		return "", 0, "", false
	}
	num, _ = strconv.Atoi(rest[:digits])
	rest = strings.TrimLeft(rest[digits:], " ")
	switch {
	case strings.HasPrefix(rest, ":"):
		rest = rest[1:]
	case strings.HasPrefix(rest, "-"), strings.HasPrefix(rest, "–"), strings.HasPrefix(rest, "—"):
		_, size := utf8.DecodeRuneInString(rest)
		rest = rest[size:]
	default:
		if rest != "" {
			return "", 0, "", false
		}
	}
	return code, num, strings.TrimSpace(rest), true
}

// isShowCode reports whether s is a show code: 1 to 12 upper-case letters or
// digits, starting with a letter ("DOP", "GS1").
func isShowCode(s string) bool {
	if len(s) == 0 || len(s) > 12 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// cutLabel returns what follows "label:" at the start of s, ignoring case.
func cutLabel(s, label string) (string, bool) {
	if len(s) < len(label) || !strings.EqualFold(s[:len(label)], label) {
		return "", false
	}
	rest := strings.TrimLeft(s[len(label):], " ")
	rest, ok := strings.CutPrefix(rest, ":")
	return strings.TrimSpace(rest), ok
}

// parseDate reads MM/DD/YYYY (one-digit month and day allowed) or
// YYYY-MM-DD. On failure it returns "malformed" or "impossible".
func parseDate(s string) (podcast.Date, string) {
	var y, m, d int
	var ok1, ok2, ok3 bool
	if parts := strings.Split(s, "/"); len(parts) == 3 {
		m, ok1 = atoiN(parts[0], 1, 2)
		d, ok2 = atoiN(parts[1], 1, 2)
		y, ok3 = atoiN(parts[2], 4, 4)
	} else if parts := strings.Split(s, "-"); len(parts) == 3 {
		y, ok1 = atoiN(parts[0], 4, 4)
		m, ok2 = atoiN(parts[1], 2, 2)
		d, ok3 = atoiN(parts[2], 2, 2)
	}
	if !ok1 || !ok2 || !ok3 {
		return podcast.Date{}, "malformed"
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Day() != d || t.Month() != time.Month(m) {
		return podcast.Date{}, "impossible"
	}
	return podcast.DateOf(t), ""
}

// atoiN parses s as a decimal number of min to max digits.
func atoiN(s string, min, max int) (int, bool) {
	if len(s) < min || len(s) > max {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// body states: where the next line of text belongs.
const (
	inNothing     = iota // between items
	inItem               // an item's text
	inContact            // a contact section's links
	inBoilerplate        // the show's links
)

// readBody reads the lines after the show's name into items, contact
// sections and the show's links.
func (p *page) readBody() {
	state := inNothing
	var cur *item
	var sect *contact
	pending := "" // a boilerplate label waiting for its URL on the next line
	blank := false
	for _, l := range p.lines[p.next:] {
		if l.text == "" {
			blank = true
			continue
		}
		segs := []string{l.text}
		if strings.Contains(l.text, glue) {
			segs = strings.Split(l.text, glue)
		}
		for k, seg := range segs {
			if k > 0 {
				// "info_outline" ends the current item; the show's name may follow.
				state, cur = inNothing, nil
				if len(seg) >= len(p.show) && strings.EqualFold(seg[:len(p.show)], p.show) {
					seg = seg[len(p.show):]
				}
			}
			seg = strings.TrimSpace(seg)
			if seg == "" {
				continue
			}
			if n, text, ok := parseItemStart(seg); ok {
				cur = &item{number: n, line: l.num}
				if text != "" {
					cur.paras = append(cur.paras, para{text: text})
				}
				p.items = append(p.items, cur)
				state, pending = inItem, ""
				continue
			}
			if who, ok := contactHeader(seg); ok {
				sect = &contact{name: who, line: l.num}
				p.contacts = append(p.contacts, sect)
				state, cur, pending = inContact, nil, ""
				continue
			}
			if label := showLabelAt(seg); label != "" && (state != inContact || label != "Slack:" || strings.TrimSpace(seg[len(label):]) == "") {
				state, cur = inBoilerplate, nil
				rest := strings.TrimSpace(seg[len(label):])
				pending = ""
				switch {
				case rest == "":
					pending = label
				case isURL(rest):
					p.showLinks = addLink(p.showLinks, showLink(label, rest))
				default:
					for _, link := range boilerplateLinks(seg) {
						p.showLinks = addLink(p.showLinks, link)
					}
				}
				continue
			}
			switch state {
			case inItem:
				cur.paras = append(cur.paras, para{text: seg, blankBefore: blank})
			case inContact:
				label, u, ok := splitLinkLine(seg)
				if !ok {
					p.warn.add(l.num, "text in %s's contact section ignored: %s", sect.name, quote(seg))
					continue
				}
				sect.links = addLink(sect.links, p.contactLink(l.num, label, u))
			case inBoilerplate:
				label, u, ok := splitLinkLine(seg)
				switch {
				case ok && label == "" && pending != "":
					p.showLinks = addLink(p.showLinks, showLink(pending, u))
				case ok && label != "":
					p.showLinks = addLink(p.showLinks, p.contactLink(l.num, label, u))
				case ok:
					p.showLinks = addLink(p.showLinks, podcast.Link{Kind: urlKind(u), URL: u})
				default:
					p.warn.add(l.num, "text after the show's links ignored: %s", quote(seg))
				}
				pending = ""
			default:
				if !strings.EqualFold(seg, p.show) {
					p.warn.add(l.num, "text outside any episode ignored: %s", quote(seg))
				}
			}
		}
		blank = false
	}
}

// contactLink builds a link from a "Label: URL" line, warning about labels
// it does not know (their kind is then guessed from the URL).
func (p *page) contactLink(n int, label, u string) podcast.Link {
	if label == "" {
		return podcast.Link{Kind: urlKind(u), URL: u}
	}
	kind, known := labelKind(label)
	if !known {
		p.warn.add(n, "unknown link label %s", quote(label))
	}
	if !known || kind == podcast.LinkOther {
		if k := urlKind(u); k != podcast.LinkOther {
			kind = k
		} else if !known {
			kind = podcast.LinkOther
		}
	}
	return podcast.Link{Kind: kind, URL: u, Label: label}
}

// isItemStart reports whether s starts an item: "#339: ...".
func isItemStart(s string) bool {
	_, _, ok := parseItemStart(s)
	return ok
}

// parseItemStart reads "#339: text".
func parseItemStart(s string) (n int, text string, ok bool) {
	if len(s) < 3 || s[0] != '#' {
		return 0, "", false
	}
	i := 1
	for i < len(s) && i <= 7 && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i == 1 || i > 7 || i >= len(s) || s[i] != ':' {
		return 0, "", false
	}
	n, _ = strconv.Atoi(s[1:i])
	return n, strings.TrimSpace(s[i+1:]), true
}

// contactHeader reads "Avery's contact information:" (also "Mathias'
// contact information:", curly apostrophes, "contact info").
func contactHeader(s string) (string, bool) {
	var head string
	for _, suffix := range []string{" contact information:", " contact information", " contact info:", " contact info"} {
		if n := len(s) - len(suffix); n > 0 && strings.EqualFold(s[n:], suffix) {
			head = s[:n]
			break
		}
	}
	if head == "" {
		return "", false
	}
	for _, poss := range []string{"'s", "\u2019s", "'", "\u2019"} {
		if name, ok := strings.CutSuffix(head, poss); ok && name != "" && len(name) <= 60 && strings.Count(name, " ") < 4 {
			return name, true
		}
	}
	return "", false
}

// document assembles the Document: the own episode, the listing, hosts,
// guests, topics and contact links.
func (p *page) document() *Document {
	p.finishItems()
	own, listing := p.split()
	doc := &Document{
		Name: p.name,
		Show: ShowFacts{
			Slug:  Slugify(p.show),
			Title: p.show,
			Code:  p.code,
			Links: p.showLinks,
		},
		Episode: EpisodeFacts{Number: p.number, Own: true, Title: p.title, ReleaseDate: p.date},
		Listing: make([]EpisodeFacts, 0, len(listing)),
	}
	if doc.Show.Links == nil {
		doc.Show.Links = []podcast.Link{}
	}
	if doc.Show.Slug == "" {
		p.warn.add(0, "show name %s gives no slug", quote(p.show))
	}
	if own != nil {
		doc.Episode.Description = own.text
		doc.Episode.Summary = opening(own.text)
	} else {
		p.warn.add(0, "no text for the page's own episode #%d", p.number)
	}
	doc.Episode.Topics = p.vocab.Match(p.title + "\n" + doc.Episode.Description)
	lm := p.listingMemo(listing)
	for i, it := range listing {
		var topics []string
		if e := lm.entry(i); e != nil {
			topics = slices.Clone(e.topics)
		} else {
			topics = p.vocab.Match(it.text)
		}
		doc.Listing = append(doc.Listing, EpisodeFacts{
			Number:    it.number,
			Summary:   it.text,
			Truncated: true,
			Topics:    topics,
		})
	}
	p.findPeople(doc, lm)
	people := slices.Clone(doc.Show.Hosts)
	for _, g := range doc.Guests {
		people = append(people, g.Name)
	}
	doc.Episode.Discovered = p.vocab.discover(doc.Episode.Description, people, p.show)
	at := lineOf{title: p.headLine, show: p.showLine, listing: make(map[int]int, len(listing))}
	if own != nil {
		at.own = own.line
	}
	for _, it := range listing {
		at.listing[it.number] = it.line
	}
	bound(doc, &p.warn, at)
	doc.Warnings = limitWarnings(p.warn.list())
	return doc
}

// finishItems sets the text of every item.
func (p *page) finishItems() {
	for _, it := range p.items {
		it.text, it.truncated = p.itemText(it)
		if it.truncated {
			it.text, _ = trimEllipsis(it.text)
		}
	}
}

// findPeople finds the hosts over all the page's texts, then the guests of
// each listing entry and of the own episode, to whom it gives the contact
// sections' links.
// The hosts are those the listing entries name, then those the own text
// names; entries the memo (lm, nil for none) has seen are not read again.
func (p *page) findPeople(doc *Document, lm *listingMemo) {
	nm := &namer{skip: make(map[string]bool)}
	for _, w := range strings.FieldsFunc(strings.ToLower(p.show), notWordRune) {
		nm.skip[w] = true
	}
	analyses := make([]*analysis, len(doc.Listing))
	named := make([][]string, len(doc.Listing)) // the hosts each entry names
	var hosts []string
	for i, e := range doc.Listing {
		if m := lm.entry(i); m != nil {
			named[i] = m.hosts
		} else {
			analyses[i] = nm.analyze(e.Summary)
			named[i] = nm.hostsIn(analyses[i])
		}
		hosts = addHosts(hosts, named[i])
	}
	// The contact sections' names are names on this page, even a word
	// that is not a name elsewhere ("Dev's contact information:").
	contactNamed := p.contactNames()
	for _, n := range contactNamed {
		if nm.allow == nil {
			nm.allow = make(map[string]bool)
		}
		nm.allow[n[0]] = true
	}
	own := nm.analyze(doc.Episode.Description)
	hosts = addHosts(hosts, nm.hostsIn(own))

	doc.Show.Hosts = hosts
	if doc.Show.Hosts == nil {
		doc.Show.Hosts = []string{}
	}
	gf := &guestFinder{namer: nm, vocab: p.vocab, hosts: make(map[string]bool)}
	for _, h := range doc.Show.Hosts {
		gf.hosts[strings.ToLower(h)] = true
	}
	with := strings.Join(hosts, "\x00")
	for i := range doc.Listing {
		e := &doc.Listing[i]
		drop := func(name string) {
			p.warn.add(0, "episode #%d: guest %s has no ASCII letters for a slug; dropped", e.Number, quote(name))
		}
		if m := lm.entry(i); m != nil && m.with == with {
			e.Guests = slices.Clone(m.guests)
			for _, name := range m.dropped {
				drop(name)
			}
			continue
		}
		a := analyses[i]
		if a == nil { // remembered, but found with other hosts
			a = nm.analyze(e.Summary)
		}
		var dropped []string
		e.Guests = gf.guests(a, func(name string) {
			dropped = append(dropped, name)
			drop(name)
		})
		lm.remember(i, e.Summary, &memoEntry{hosts: named[i], topics: e.Topics, with: with, guests: e.Guests, dropped: dropped})
	}
	var dropped []string
	drop := func(name string) { dropped = append(dropped, name) }
	doc.Guests = gf.guestsNamed(own, contactNamed, drop)
	if oneWordUnmatched(contactNamed, doc.Guests) {
		// A contact section names one word no guest starts with: read
		// again the sentences that only name that word (a stage name, "our
		// guest is the producer Velvetine"), which have no two capitalised
		// words and were skipped. Rare, so the common page pays nothing.
		nm.wide = true
		own = nm.analyze(doc.Episode.Description)
		nm.wide = false
		dropped = dropped[:0]
		doc.Guests = gf.guestsNamed(own, contactNamed, drop)
	}
	nm.allow = nil
	for _, name := range dropped {
		p.warn.add(0, "guest %s has no ASCII letters for a slug; dropped", quote(name))
	}
	if doc.Guests == nil {
		doc.Guests = []GuestFacts{}
	}
	p.attachContacts(doc.Guests)
}

// split picks the page's own item (the one numbered like the header; when
// several are, the last one not cut off by "...") and the listing (the other
// items in page order, the first of each number).
func (p *page) split() (own *item, listing []*item) {
	for _, it := range p.items {
		if it.number != p.number {
			continue
		}
		if own == nil || !it.truncated || own.truncated {
			own = it
		}
	}
	seen := make(map[int]bool)
	for _, it := range p.items {
		if it.number == p.number {
			continue
		}
		if seen[it.number] {
			p.warn.add(it.line, "episode #%d listed twice; keeping the first", it.number)
			continue
		}
		seen[it.number] = true
		listing = append(listing, it)
	}
	return own, listing
}

// itemText joins an item's lines into paragraphs separated by "\n\n" and
// cuts the show's boilerplate run into its end (its links are kept). When
// the item has blank lines, they separate paragraphs and the lines between
// them are joined (hard-wrapped text); otherwise each line is a paragraph.
// It also reports whether the text ends with "..." or "…".
func (p *page) itemText(it *item) (string, bool) {
	wrapped := false
	for _, pa := range it.paras[min(1, len(it.paras)):] {
		wrapped = wrapped || pa.blankBefore
	}
	var b strings.Builder
	for i, pa := range it.paras {
		text, rest := stripBoilerplate(pa.text)
		if i > 0 && text != "" {
			if !wrapped || pa.blankBefore {
				b.WriteString("\n\n")
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(text)
		if rest != "" {
			for _, link := range boilerplateLinks(rest) {
				p.showLinks = addLink(p.showLinks, link)
			}
			break
		}
	}
	text := strings.TrimSpace(b.String())
	_, cut := trimEllipsis(text)
	return text, cut
}

// oneWordUnmatched reports whether one of the one-word contact names starts
// no guest's name.
func oneWordUnmatched(named contactNames, guests []GuestFacts) bool {
	for _, n := range named {
		if len(n) == 1 && !slices.ContainsFunc(guests, func(g GuestFacts) bool {
			have := nameWords(g.Name)
			return len(have) > 0 && have[0] == n[0]
		}) {
			return true
		}
	}
	return false
}

// maxContactNames caps the contact sections whose names are looked for in
// the text, so that a page of many sections costs bounded work.
const maxContactNames = 2 * maxGuests

// contactNames returns the names the contact sections give (the first
// maxContactNames), as folded words without an honorific ("Dr. Amara" ->
// ["amara"]).
func (p *page) contactNames() contactNames {
	var out contactNames
	for _, c := range p.contacts {
		if len(out) == maxContactNames {
			break
		}
		if w := nameWords(c.name); len(w) > 0 {
			out = append(out, w)
		}
	}
	return out
}

// nameWords returns the words of a name as they are compared: folded
// (lower case, accents folded as in slugs but other scripts kept), an
// honorific ("Dr.", "Prof.") left out.
func nameWords(name string) []string {
	w := strings.FieldsFunc(foldText(name), func(r rune) bool { return r == ' ' || r == '.' || r == ',' })
	for len(w) > 1 && honorifics[w[0]] {
		w = w[1:]
	}
	return w
}

// attachContacts gives each contact section's links to the own episode's
// guest whose name starts with the name it gives: its first name ("Avery"),
// first names ("Rosa María") or full name; honorifics and accents aside.
func (p *page) attachContacts(guests []GuestFacts) {
	for _, c := range p.contacts {
		want := nameWords(c.name)
		matched := false
		for i := range guests {
			have := nameWords(guests[i].Name)
			if len(want) > 0 && len(want) <= len(have) && slices.Equal(want, have[:len(want)]) {
				for _, l := range c.links {
					guests[i].Links = addLink(guests[i].Links, l)
				}
				matched = true
				break
			}
		}
		if !matched {
			p.warn.add(c.line, "contact section for %s matches no guest of this episode", quote(c.name))
		}
		if len(c.links) == 0 {
			p.warn.add(c.line, "contact section for %s has no links", quote(c.name))
		}
	}
}

// summaryLen is the target length of an own episode's summary.
const summaryLen = 300

// opening returns the start of a description for a summary: whole sentences
// of the first paragraph up to about summaryLen bytes, or, when the first
// sentence alone is longer, that sentence cut at a word boundary with "…".
func opening(desc string) string {
	first, _, _ := strings.Cut(desc, "\n\n")
	if len(first) <= summaryLen {
		return first
	}
	end := 0
	for _, s := range splitSentences(first) {
		if s.end > summaryLen {
			break
		}
		end = s.end
	}
	if end > 0 {
		return first[:end]
	}
	cut := strings.LastIndexByte(first[:summaryLen], ' ')
	if cut <= 0 {
		cut = summaryLen
		for cut > 0 && !utf8.RuneStart(first[cut]) {
			cut--
		}
	}
	return strings.TrimRight(first[:cut], " ,;:-–—") + "…"
}
