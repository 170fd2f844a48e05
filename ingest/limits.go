package ingest

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"podcastgraph/internal/podcast"
)

// This file bounds the text a page can put in a Document. A page is at most
// MaxPageSize bytes, but nothing else stops one line from being a title, a
// name or a slug a megabyte long, and slugs become store keys. Over a
// limit, the value is cut (at a word boundary when there is one in its last
// quarter, else at a rune boundary) and a warning names what was cut; a URL
// is dropped instead, since a cut URL leads nowhere. Limits are in bytes of
// UTF-8, far above anything a real page states (the seeds' longest name is
// 19 bytes, their longest description 1.5 KB).
const (
	// MaxDocNameBytes is the longest document name Parse accepts: a file
	// name on most file systems. A longer name is a ParseError.
	MaxDocNameBytes = 255
	// MaxSlugBytes bounds a show's or a guest's slug, cut between words.
	MaxSlugBytes = 100
	// MaxNameBytes bounds names, roles, organisations, hosts, show codes
	// and link labels.
	MaxNameBytes = 200
	// MaxTitleBytes bounds an episode's title and the show's title.
	MaxTitleBytes = 500
	// MaxSummaryBytes bounds an episode's summary.
	MaxSummaryBytes = 1 << 10
	// MaxTextBytes bounds a description, a guest's bio and the evidence
	// sentence.
	MaxTextBytes = 64 << 10
	// MaxURLBytes bounds a link's URL; a longer link is dropped.
	MaxURLBytes = 2 << 10
	// MaxWarnings bounds a document's warnings (the last one then says how
	// many more there were); MaxWarningBytes bounds each.
	MaxWarnings     = 50
	MaxWarningBytes = 300
)

// lineOf says where a document's values came from, for warnings: the
// header (title, code), the show's line, the own episode's first line and
// each listing entry's, by number.
type lineOf struct {
	title, show, own int
	listing          map[int]int
}

// bounder cuts a document's values to the limits, warning of each cut
// about the line the value came from (0: the whole page).
type bounder struct {
	warn *warnings
	line int
}

// bound cuts every value of doc to its limit.
func bound(doc *Document, w *warnings, at lineOf) {
	b := bounder{warn: w, line: at.show}
	b.slugWarn(doc.Show.Title, "show")
	b.cut(&doc.Show.Title, MaxTitleBytes, "show title")
	b.line = at.title
	b.cut(&doc.Show.Code, MaxNameBytes, "show code")
	b.line = 0
	for i := range doc.Show.Hosts {
		b.cut(&doc.Show.Hosts[i], MaxNameBytes, "host name")
	}
	doc.Show.Links = b.links(doc.Show.Links, "show")
	b.line = at.title
	b.cut(&doc.Episode.Title, MaxTitleBytes, "the page's episode title")
	b.line = at.own
	own := func() string { return "the page's episode" }
	b.episode(&doc.Episode, own)
	doc.Guests = b.guests(doc.Guests, own)
	for i := range doc.Listing {
		e := &doc.Listing[i]
		b.line = at.listing[e.Number]
		b.episode(e, func() string { return "listing episode #" + itoa(e.Number) })
	}
}

// episode bounds an episode's values; what names it in warnings (called
// only to warn: a page's values are nearly always within their limits).
func (b bounder) episode(e *EpisodeFacts, what func() string) {
	if len(e.Title) > MaxTitleBytes || len(e.Summary) > MaxSummaryBytes || len(e.Description) > MaxTextBytes ||
		!linksFit(e.Links) {
		w := what()
		b.cut(&e.Title, MaxTitleBytes, w+" title") // listing entries have none
		b.cut(&e.Summary, MaxSummaryBytes, w+" summary")
		b.cut(&e.Description, MaxTextBytes, w+" description")
		e.Links = b.links(e.Links, w)
	}
	e.Guests = b.guests(e.Guests, what)
}

// guests drops guests whose name is over MaxNameBytes (no real name is;
// cut, it would be another person's) and bounds the rest.
func (b bounder) guests(gs []GuestFacts, what func() string) []GuestFacts {
	out := gs[:0:0]
	for _, g := range gs {
		if len(g.Name) > MaxNameBytes {
			b.warn.add(b.line, "%s: guest name %s is %d bytes, over %d; dropped", what(), quote(g.Name), len(g.Name), MaxNameBytes)
			continue
		}
		if len(slugify(g.Name)) > MaxSlugBytes {
			b.slugWarn(g.Name, "guest "+quote(g.Name))
		}
		b.guest(&g)
		out = append(out, g)
	}
	if gs != nil && len(out) == 0 {
		return []GuestFacts{}
	}
	return out
}

func (b bounder) guest(g *GuestFacts) {
	if len(g.Role) <= MaxNameBytes && len(g.Organization) <= MaxNameBytes && len(g.Bio) <= MaxTextBytes &&
		len(g.Evidence) <= MaxTextBytes && linksFit(g.Links) {
		return // the usual case: nothing to cut, no name to quote
	}
	what := "guest " + quote(g.Name)
	b.cut(&g.Role, MaxNameBytes, what+" role")
	b.cut(&g.Organization, MaxNameBytes, what+" organization")
	b.cut(&g.Bio, MaxTextBytes, what+" bio")
	b.cut(&g.Evidence, MaxTextBytes, what+" evidence")
	g.Links = b.links(g.Links, what)
}

// linksFit reports whether every link is within its limits.
func linksFit(ls []podcast.Link) bool {
	for _, l := range ls {
		if len(l.URL) > MaxURLBytes || len(l.Label) > MaxNameBytes {
			return false
		}
	}
	return true
}

// links drops links whose URL is over MaxURLBytes and cuts long labels,
// returning a new slice when it changes anything (links may be shared).
func (b bounder) links(ls []podcast.Link, what string) []podcast.Link {
	if linksFit(ls) {
		return ls
	}
	out := make([]podcast.Link, 0, len(ls))
	for _, l := range ls {
		if len(l.URL) > MaxURLBytes {
			b.warn.add(b.line, "%s: link %s is %d bytes, over %d; dropped", what, quote(l.URL), len(l.URL), MaxURLBytes)
			continue
		}
		b.cut(&l.Label, MaxNameBytes, what+" link label")
		out = append(out, l)
	}
	return out
}

// cut shortens *s to at most max bytes, warning when it does.
func (b bounder) cut(s *string, max int, what string) {
	if len(*s) <= max {
		return
	}
	n := len(*s)
	*s = cutText(*s, max)
	b.warn.add(b.line, "%s is %d bytes, over %d; cut to %d", what, n, max, len(*s))
}

// slugWarn warns when the slug of name is cut (Slugify cuts it).
func (b bounder) slugWarn(name, what string) {
	if n := len(slugify(name)); n > MaxSlugBytes {
		b.warn.add(b.line, "%s slug is %d bytes, over %d; cut to %q", what, n, MaxSlugBytes, Slugify(name))
	}
}

// cutSlug shortens a slug to MaxSlugBytes, between words when a word
// boundary falls in its last quarter (two long names should not collapse
// to one short slug).
func cutSlug(s string) string {
	if len(s) <= MaxSlugBytes {
		return s
	}
	cut := s[:MaxSlugBytes+1]
	if i := strings.LastIndexByte(cut, '-'); i >= MaxSlugBytes*3/4 {
		cut = cut[:i]
	} else { // a slug is ASCII: any byte is a boundary
		cut = cut[:MaxSlugBytes]
	}
	return strings.TrimRight(cut, "-")
}

// cutText returns s cut to at most max bytes: after the last space in its
// last quarter, else at a rune boundary; trailing spaces dropped.
func cutText(s string, max int) string {
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexAny(s[:cut+1], " \n\t"); i >= max*3/4 {
		cut = i
	}
	return strings.TrimRight(s[:cut], " \n\t")
}

// limitWarnings keeps at most MaxWarnings warnings of at most
// MaxWarningBytes each.
func limitWarnings(ws []string) []string {
	for i, w := range ws {
		if len(w) > MaxWarningBytes {
			ws[i] = cutText(w, MaxWarningBytes-len("…")) + "…"
		}
	}
	if len(ws) > MaxWarnings {
		more := len(ws) - (MaxWarnings - 1)
		ws = append(ws[:MaxWarnings-1], itoa(more)+" more warnings not shown")
	}
	return ws
}

func itoa(n int) string { return strconv.Itoa(n) }
