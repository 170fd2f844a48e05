package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"podcastgraph/internal/podcast"
)

// This file turns a feed (RSS 2.0, RSS 1.0 or Atom) into one Document per
// item: the channel's facts as the Show, the item as the own Episode, its
// people as Guests. FEEDS.md in this directory is the full account.

// MaxFeedSize is the largest feed ParseFeed accepts, in bytes: a feed of
// 10,000 episodes with long descriptions is about 50 MB.
const MaxFeedSize = 64 << 20

// MaxFeedItems is the most items ParseFeed reads from one feed (the
// longest-running daily shows have a few thousand episodes); the others
// are skipped unread, with a warning.
const MaxFeedItems = 20_000

// FeedSniffLen is how much of a file LooksLikeFeed needs.
const FeedSniffLen = 4 << 10

// Feed is what one feed says: a Document per item it could read, and why
// it could not read the others.
type Feed struct {
	Name  string      `json:"name"`  // the feed's file name
	Items []*Document `json:"items"` // in feed order, each Kind KindFeedItem
	// Failed are the items that could not be read, each a *ParseError
	// naming the item's line; the other items do not depend on them.
	Failed []*ParseError `json:"failed"`
	// Warnings are about the feed as a whole (repairs outside any item,
	// the channel's facts), as "line N: message".
	Warnings []string `json:"warnings"`
}

// IsFeed reports whether data is markup rather than a page: after a BOM
// and white space it starts with "<" (pages start with their header), or
// it is UTF-16. ParseFeed says what is wrong with markup that is no feed.
func IsFeed(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		return true
	}
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\uFEFF")), " \t\r\n")
	return len(data) > 0 && data[0] == '<'
}

// LooksLikeFeed reports whether head, the first FeedSniffLen bytes of a
// file whose name says nothing, is an RSS, RSS 1.0 or Atom feed: markup
// whose root element is one. Directory walks use it to pick feeds beside
// pages without taking in every XML or HTML file.
func LooksLikeFeed(head []byte) bool {
	if !IsFeed(head) {
		return false
	}
	if bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) {
		return true
	}
	for _, root := range []string{"<rss", "<feed", ":RDF", "<RDF"} {
		if bytes.Contains(head, []byte(root)) {
			return true
		}
	}
	return false
}

// ParseFeed turns a feed into Documents, one per item. name is the feed's
// file name; each item's Document is named name + "#" + the item's guid
// (or a digest of it when it is long or holds control characters, or of
// the title and date when the item has no guid, enclosure or link), and
// its SHA256 is that of the channel's facts and the item's own bytes, so
// that an unchanged item stays unchanged when others change. vocab finds
// topics; nil means DefaultVocabulary().
//
// ParseFeed never panics. A feed it cannot read at all yields a
// *ParseError naming the file and, where there is one, the line: over
// MaxFeedSize, empty, not XML, XML that is not RSS or Atom, XML too broken
// to repair. An item it cannot read is in Feed.Failed; the others are
// read. Repairs (a stray "&", an undefined entity, bytes that are not
// UTF-8) and odd values are warnings on the item they are in, or on the
// feed.
func ParseFeed(name string, data []byte, vocab *Vocabulary) (*Feed, error) {
	return ParseFeedAt(name, "", data, vocab)
}

// ParseFeedAt is ParseFeed for a feed fetched from url: url is the show's
// FeedURL when the feed names none of its own (atom:link rel="self").
func ParseFeedAt(name, url string, data []byte, vocab *Vocabulary) (*Feed, error) {
	if len(data) > MaxFeedSize {
		return nil, parseErr(name, 0, "feed is %d bytes, over the %d-byte feed limit", len(data), MaxFeedSize)
	}
	if len(name) > MaxDocNameBytes {
		return nil, parseErr(quote(name), 0, "document name is %d bytes, over the %d-byte limit", len(name), MaxDocNameBytes)
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\uFEFF")))) == 0 {
		return nil, parseErr(name, 0, "empty file")
	}
	if vocab == nil {
		vocab = DefaultVocabulary()
	}
	var w warnings
	clean, err := prepare(name, data, &w)
	if err != nil {
		return nil, err
	}
	ch, spans, err := decodeFeed(name, clean, &w)
	if err != nil {
		return nil, err
	}
	fr := &feedReader{name: name, url: strings.TrimSpace(url), data: clean, vocab: vocab, ch: ch, warn: &w}
	return fr.read(spans), nil
}

// feedReader is the state of one ParseFeed after decoding.
type feedReader struct {
	name  string
	url   string // where the feed was fetched from; "" for a file
	data  []byte
	vocab *Vocabulary
	ch    *xmlChannel
	warn  *warnings // about the feed; moved to items by line

	show    ShowFacts
	showSum [sha256.Size]byte // of the show's facts, part of every item's digest
	people  peopleFinder
}

// maxDupWarnings caps the warnings about items that repeat a guid.
const maxDupWarnings = 10

// itemsPerWorker is how many items make it worth another goroutine.
const itemsPerWorker = 32

// read builds the show's facts, then each item's Document.
func (fr *feedReader) read(spans []itemSpan) *Feed {
	fr.readShow()
	feed := &Feed{Name: fr.name, Items: make([]*Document, 0, len(fr.ch.Items))}
	itemWarn := make([]warnings, len(fr.ch.Items))
	// Repairs inside an item are that item's warnings.
	var rest warnings
	for _, x := range *fr.warn {
		k := -1
		if x.line > 0 && spans != nil {
			k, _ = slices.BinarySearchFunc(spans, x.line, func(s itemSpan, line int) int {
				switch {
				case s.endLine < line:
					return -1
				case s.line > line:
					return 1
				}
				return 0
			})
			if k >= len(spans) || spans[k].line > x.line || spans[k].endLine < x.line {
				k = -1
			}
		}
		if k >= 0 {
			itemWarn[k] = append(itemWarn[k], x)
		} else {
			rest = append(rest, x)
		}
	}
	// Items are read on every core: each depends only on the channel's
	// facts, read above and not changed after.
	docs := make([]*Document, len(fr.ch.Items))
	perrs := make([]*ParseError, len(fr.ch.Items))
	spanOf := func(k int) itemSpan {
		if spans == nil {
			return itemSpan{}
		}
		return spans[k]
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(fr.ch.Items)/itemsPerWorker+1) {
		wg.Go(func() {
			for k := int(next.Add(1) - 1); k < len(docs); k = int(next.Add(1) - 1) {
				docs[k], perrs[k] = fr.item(&fr.ch.Items[k], spanOf(k), itemWarn[k])
			}
		})
	}
	wg.Wait()
	seen := make(map[string]int, len(fr.ch.Items)) // item name -> line
	dups := 0
	for k, doc := range docs {
		if perrs[k] != nil {
			feed.Failed = append(feed.Failed, perrs[k])
			continue
		}
		if at, dup := seen[doc.Name]; dup {
			if dups++; dups <= maxDupWarnings {
				rest.add(spanOf(k).line, "item repeats the guid of the item at line %d; skipped", at)
			}
			continue
		}
		seen[doc.Name] = spanOf(k).line
		feed.Items = append(feed.Items, doc)
	}
	if dups > maxDupWarnings {
		rest.add(0, "%d more items repeat an earlier item's guid; skipped", dups-maxDupWarnings)
	}
	dropBoilerplate(feed.Items)
	if len(fr.ch.Items) == 0 {
		rest.add(0, "the feed has no items")
	}
	feed.Warnings = limitWarnings(rest.list())
	return feed
}

// readShow reads the channel's facts into fr.show and prepares the people
// finder.
func (fr *feedReader) readShow() {
	ch := fr.ch
	title := textOf(ch.Title)
	if title == "" {
		title = textOf(ch.AtomTitle)
	}
	s := ShowFacts{
		Title:    title,
		Slug:     Slugify(title),
		Hosts:    []string{},
		Links:    []podcast.Link{},
		GUID:     cleanSpace(ch.PCGUID),
		Author:   cleanSpace(ch.ITAuthor),
		Language: cleanSpace(ch.Language),
	}
	if s.Author == "" && len(ch.AtomAuthors) > 0 {
		s.Author = cleanSpace(ch.AtomAuthors[0].Name)
	}
	if s.Author == "" {
		s.Author = cleanSpace(ch.DCCreator)
	}
	for _, d := range []xmlText{ch.Description, ch.ITSummary, ch.AtomSubtitle} {
		if s.Description = cleanHTML(string(d)).text; s.Description != "" {
			break
		}
	}
	for _, u := range []string{ch.ITImage.Href, ch.Image.URL, ch.AtomLogo, ch.AtomIcon} {
		if u = strings.TrimSpace(u); isURL(u) {
			s.Image = u
			break
		}
	}
	for _, l := range ch.AtomLinks {
		href := strings.TrimSpace(l.Href)
		switch strings.ToLower(l.Rel) {
		case "self":
			if s.FeedURL == "" && isURL(href) {
				s.FeedURL = href
			}
		case "alternate", "":
			if isURL(href) {
				s.Links = addLink(s.Links, podcast.Link{Kind: urlKind(href), URL: href, Label: "website"})
			}
		}
	}
	if s.FeedURL == "" && isURL(fr.url) {
		s.FeedURL = fr.url
	}
	if u := strings.TrimSpace(ch.Link); isURL(u) {
		s.Links = addLink(s.Links, podcast.Link{Kind: urlKind(u), URL: u, Label: "website"})
	}
	s.Categories = categories(ch.ITCategories, ch.Categories, ch.AtomCategories)
	if v := strings.TrimSpace(ch.PCLocked); v != "" {
		locked, ok := parseExplicit(v)
		if !ok {
			fr.warn.add(0, "podcast:locked %s is neither yes nor no; ignored", quote(v))
		}
		s.Locked = locked && ok
	}
	for _, p := range ch.PCPersons {
		if personRoles[strings.ToLower(strings.TrimSpace(p.Role))] == "host" {
			if name := cleanSpace(p.Name); name != "" {
				s.Hosts = addName(s.Hosts, name)
			}
		}
	}
	if s.Slug == "" {
		// A title with no Latin letters (or none): the author's, else a
		// digest of the show's identity.
		s.Slug = Slugify(s.Author)
		if s.Slug == "" {
			sum := sha256.Sum256([]byte(cmpOr(s.GUID, cmpOr(s.FeedURL, fr.name))))
			s.Slug = "show-" + hex.EncodeToString(sum[:5])
		}
		fr.warn.add(0, "show title %s gives no slug; using %q", quote(title), s.Slug)
	}
	b := bounder{warn: fr.warn}
	b.slugWarn(s.Title, "show")
	b.cut(&s.Title, MaxTitleBytes, "show title")
	b.cut(&s.Author, MaxNameBytes, "show author")
	b.cut(&s.Description, MaxTextBytes, "show description")
	b.cut(&s.Language, MaxNameBytes, "show language")
	b.cut(&s.GUID, MaxNameBytes, "show guid")
	b.url(&s.FeedURL, "show feed URL")
	b.url(&s.Image, "show image")
	for i := range s.Hosts {
		b.cut(&s.Hosts[i], MaxNameBytes, "host name")
	}
	s.Links = b.links(s.Links, "show")
	fr.show = s
	js, _ := json.Marshal(s)
	fr.showSum = sha256.Sum256(js)

	fr.people = peopleFinder{vocab: fr.vocab, hosts: s.Hosts, skip: make(map[string]bool)}
	for _, a := range splitAuthors(s.Author) {
		fr.people.author = append(fr.people.author, foldText(a))
	}
	for _, wd := range strings.FieldsFunc(strings.ToLower(title), notWordRune) {
		fr.people.skip[wd] = true
	}
	for _, it := range ch.Items {
		for _, p := range it.PCPersons {
			if personRoles[strings.ToLower(strings.TrimSpace(p.Role))] == "guest" {
				fr.people.tagsOnly = true
			}
		}
	}
}

// maxCategories caps the categories kept for a show or an episode.
const maxCategories = 32

// categories returns the categories as written, "Parent > Child" for a
// nested itunes:category, without repeats.
func categories(it []xmlCategory, plain []string, atom []xmlAtomCat) []string {
	var out []string
	add := func(c string) {
		c = cleanSpace(c)
		if c != "" && len(out) < maxCategories && len(c) <= MaxNameBytes && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, c := range it {
		add(c.Text)
		for _, sub := range c.Subs {
			if t := cleanSpace(sub.Text); t != "" {
				add(cleanSpace(c.Text) + " > " + t)
			}
		}
	}
	for _, c := range plain {
		add(c)
	}
	for _, c := range atom {
		add(cmpOr(c.Label, c.Term))
	}
	return out
}

// textOf returns an element's text, cleaned of markup.
func textOf(t xmlText) string {
	s := string(t)
	if strings.ContainsAny(s, "<&") {
		return strings.ReplaceAll(cleanHTML(s).text, "\n\n", " ")
	}
	return cleanSpace(s)
}

// item builds the Document of one item; its warnings start with those of
// the repairs in it.
func (fr *feedReader) item(it *xmlItem, sp itemSpan, w warnings) (*Document, *ParseError) {
	line := sp.line
	title := textOf(it.Title)
	if title == "" {
		title = textOf(it.AtomTitle)
	}
	if title == "" {
		title = cleanSpace(it.ITTitle)
	}
	var desc htmlText
	for _, d := range []xmlText{it.Content, it.Description, it.AtomContent, it.AtomSummary, it.ITSummary} {
		if desc = cleanHTML(string(d)); desc.text != "" {
			break
		}
	}
	e := EpisodeFacts{Own: true, Title: title, Description: desc.text, Summary: opening(desc.text), Links: desc.links}
	if e.Links == nil {
		e.Links = []podcast.Link{}
	}
	// The audio: the first enclosure with a URL, or Atom's rel=enclosure.
	for _, enc := range it.Enclosures {
		if u := strings.TrimSpace(enc.URL); u != "" {
			e.Audio = &Enclosure{URL: u, Type: cleanSpace(enc.Type), Length: length(enc.Length)}
			break
		}
	}
	link := strings.TrimSpace(it.Link)
	for _, l := range it.AtomLinks {
		href := strings.TrimSpace(l.Href)
		switch strings.ToLower(l.Rel) {
		case "enclosure":
			if e.Audio == nil && href != "" {
				e.Audio = &Enclosure{URL: href, Type: cleanSpace(l.Type), Length: length(l.Length)}
			}
		case "alternate", "":
			if link == "" {
				link = href
			}
		}
	}
	if e.Audio != nil && !isURL(e.Audio.URL) {
		w.add(line, "enclosure URL %s is not an http(s) URL; ignored", quote(e.Audio.URL))
		e.Audio = nil
	}
	// Identity: the guid, else the enclosure's URL, else the link.
	e.GUID = cleanSpace(it.GUID)
	if e.GUID == "" {
		e.GUID = cleanSpace(it.AtomID)
	}
	if e.GUID == "" && e.Audio != nil {
		e.GUID = e.Audio.URL
	}
	if e.GUID == "" {
		e.GUID = link
	}
	// Dates.
	for _, d := range []string{it.PubDate, it.DCDate, it.AtomPublished, it.AtomUpdated} {
		if d = strings.TrimSpace(d); d == "" {
			continue
		}
		t, ok := parseFeedDate(d)
		if !ok {
			w.add(line, "date %s is not a date this reads; ignored", quote(d))
			continue
		}
		rd := podcast.DateOf(t) // the day the publisher wrote, in its zone
		e.ReleaseDate = &rd
		u := t.UTC()
		e.PublishedAt = &u
		break
	}
	if e.GUID == "" {
		if title == "" {
			return nil, parseErr(fr.name, line, "item has no guid, enclosure, link or title: nothing names it")
		}
		date := ""
		if e.PublishedAt != nil {
			date = e.PublishedAt.Format("2006-01-02T15:04:05Z")
		}
		sum := sha256.Sum256([]byte(title + "\x00" + date))
		e.GUID = "urn:sha256:" + hex.EncodeToString(sum[:8])
		w.add(line, "item has no guid, enclosure or link; named by its title and date")
	}
	fr.numbers(it, &e, &w, line)
	e.Image = strings.TrimSpace(it.ITImage.Href)
	if e.Image != "" && !isURL(e.Image) {
		w.add(line, "itunes:image %s is not an http(s) URL; ignored", quote(e.Image))
		e.Image = ""
	}
	for _, t := range it.PCTranscripts {
		if u := strings.TrimSpace(t.URL); isURL(u) {
			e.Transcripts = append(e.Transcripts, Transcript{URL: u, Type: cleanSpace(t.Type), Language: cleanSpace(t.Language), Rel: cleanSpace(t.Rel)})
		}
	}
	if u := strings.TrimSpace(it.PCChapters.URL); isURL(u) {
		e.Chapters = u
	}
	e.Categories = categories(nil, it.Categories, it.AtomCategories)
	e.Topics = fr.vocab.Match(title + "\n" + desc.text)

	people := fr.people.find(it, title, desc.text, &w, line)
	show := fr.show
	show.Hosts = people.hosts
	if show.Hosts == nil {
		show.Hosts = []string{}
	}
	show.Links = slices.Clone(show.Links)
	show.Categories = slices.Clone(show.Categories)
	named := append(slices.Concat(show.Hosts, fr.show.Hosts), show.Author)
	for _, g := range people.guests {
		named = append(named, g.Name)
	}
	e.Discovered = fr.vocab.discover(desc.text, named, show.Title)
	doc := &Document{
		Name:    fr.itemName(e.GUID),
		Kind:    KindFeedItem,
		Show:    show,
		Episode: e,
		Listing: []EpisodeFacts{},
		Guests:  people.guests,
	}
	if doc.Guests == nil {
		doc.Guests = []GuestFacts{}
	}
	boundItem(doc, &w, line)
	doc.Warnings = limitWarnings(w.list())
	h := sha256.New()
	h.Write(fr.showSum[:])
	h.Write([]byte(strings.Join(show.Hosts, "\x00")))
	if sp.end > sp.start && sp.end <= int64(len(fr.data)) {
		h.Write(fr.data[sp.start:sp.end])
	} else {
		js, _ := json.Marshal(it)
		h.Write(js)
	}
	doc.SHA256 = hex.EncodeToString(h.Sum(nil))
	return doc, nil
}

// numbers reads the item's episode and season numbers, type, duration
// and explicit flag.
func (fr *feedReader) numbers(it *xmlItem, e *EpisodeFacts, w *warnings, line int) {
	for _, v := range []struct{ tag, s string }{{"itunes:episode", it.ITEpisode}, {"podcast:episode", it.PCEpisode}} {
		if s := strings.TrimSpace(v.s); s != "" {
			if n, ok := parseCount(s); ok {
				e.Number = n
				break
			}
			w.add(line, "%s %s is not an episode number; ignored", v.tag, quote(s))
		}
	}
	for _, v := range []struct{ tag, s string }{{"itunes:season", it.ITSeason}, {"podcast:season", it.PCSeason}} {
		if s := strings.TrimSpace(v.s); s != "" {
			if n, ok := parseCount(s); ok {
				e.Season = n
				break
			}
			w.add(line, "%s %s is not a season number; ignored", v.tag, quote(s))
		}
	}
	if s := strings.TrimSpace(it.ITEpisodeType); s != "" {
		switch t := strings.ToLower(s); t {
		case "full", "trailer", "bonus":
			e.EpisodeType = t
		default:
			w.add(line, "itunes:episodeType %s is none of full, trailer, bonus; ignored", quote(s))
		}
	}
	if s := strings.TrimSpace(it.ITDuration); s != "" {
		if d, ok := parseDuration(s); ok {
			e.Duration = d
		} else {
			w.add(line, "itunes:duration %s is not a duration; ignored", quote(s))
		}
	}
	if s := strings.TrimSpace(it.ITExplicit); s != "" {
		if x, ok := parseExplicit(s); ok {
			e.Explicit = &x
		} else {
			w.add(line, "itunes:explicit %s is neither yes nor no; ignored", quote(s))
		}
	}
}

// maxGUIDName is the longest guid used as it is in an item's name; a
// longer one is replaced by a digest.
const maxGUIDName = 200

// itemName returns the Document name of the item with guid g.
func (fr *feedReader) itemName(g string) string {
	ok := len(g) <= maxGUIDName && utf8.ValidString(g)
	for i := 0; ok && i < len(g); i++ {
		ok = g[i] > ' ' && g[i] != 0x7f
	}
	if ok {
		return fr.name + "#" + g
	}
	sum := sha256.Sum256([]byte(g))
	return fr.name + "#sha256:" + hex.EncodeToString(sum[:8])
}

// length reads an enclosure's length in bytes; 0 when unknown.
func length(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// boundItem cuts an item's values to the limits (limits.go).
func boundItem(doc *Document, w *warnings, line int) {
	b := bounder{warn: w, line: line}
	for i := range doc.Show.Hosts {
		b.cut(&doc.Show.Hosts[i], MaxNameBytes, "host name")
	}
	e := &doc.Episode
	b.cut(&e.Title, MaxTitleBytes, "item title")
	item := func() string { return "item" }
	b.episode(e, item)
	b.cut(&e.GUID, MaxURLBytes, "item guid")
	b.url(&e.Image, "item image")
	b.url(&e.Chapters, "item chapters")
	if e.Audio != nil {
		if b.url(&e.Audio.URL, "item enclosure"); e.Audio.URL == "" {
			e.Audio = nil
		} else {
			b.cut(&e.Audio.Type, MaxNameBytes, "item enclosure type")
		}
	}
	ts := e.Transcripts[:0]
	for _, t := range e.Transcripts {
		if b.url(&t.URL, "item transcript"); t.URL != "" {
			b.cut(&t.Type, MaxNameBytes, "transcript type")
			b.cut(&t.Language, MaxNameBytes, "transcript language")
			b.cut(&t.Rel, MaxNameBytes, "transcript rel")
			ts = append(ts, t)
		}
	}
	e.Transcripts = ts
	if len(e.Transcripts) == 0 {
		e.Transcripts = nil
	}
	doc.Guests = b.guests(doc.Guests, item)
	for i := range doc.Guests {
		b.url(&doc.Guests[i].Image, "guest "+quote(doc.Guests[i].Name)+" image")
	}
}

// url drops *u when it is over MaxURLBytes, warning.
func (b bounder) url(u *string, what string) {
	if len(*u) > MaxURLBytes {
		b.warn.add(b.line, "%s URL is %d bytes, over %d; dropped", what, len(*u), MaxURLBytes)
		*u = ""
	}
}

// minBoilerplateItems is how many items a feed needs before a name many
// of them use counts as boilerplate.
const minBoilerplateItems = 6

// dropBoilerplate removes from the items' discovered names those that two
// in five or more of a feed's items use (of six or more): the show's
// sign-off, its slogan, its hosts' home towns ("I'm Adam Curry in the
// Heart of Hill Country Texas"); a name in most episodes tells an app
// nothing about one. It also removes names with a word of a host's name
// that any item tags (items that tag no host still name them). Each
// item's digest then covers what was dropped, so that items are written
// again when that changes.
func dropBoilerplate(items []*Document) {
	hostWords := make(map[string]bool)
	for _, d := range items {
		for _, h := range d.Show.Hosts {
			for _, w := range matchWords(h) {
				hostWords[w] = true
			}
		}
	}
	uses := make(map[string]int)
	var dropped []string
	for _, d := range items {
		for _, m := range d.Episode.Discovered {
			uses[m.Slug]++
			if slices.ContainsFunc(matchWords(m.Name), func(w string) bool { return hostWords[w] }) {
				dropped = append(dropped, m.Slug)
			}
		}
	}
	if len(items) >= minBoilerplateItems {
		for slug, n := range uses {
			if 5*n >= 2*len(items) {
				dropped = append(dropped, slug)
			}
		}
	}
	if len(dropped) == 0 {
		return
	}
	slices.Sort(dropped)
	dropped = slices.Compact(dropped)
	salt := "\x00dropped\x00" + strings.Join(dropped, "\x00")
	for _, d := range items {
		d.Episode.Discovered = slices.DeleteFunc(d.Episode.Discovered, func(m Mention) bool {
			_, found := slices.BinarySearch(dropped, m.Slug)
			return found
		})
		sum := sha256.Sum256([]byte(d.SHA256 + salt))
		d.SHA256 = hex.EncodeToString(sum[:])
	}
}
