package ingest

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// This file reads a feed's XML into typed structs with encoding/xml. Three
// things stand between the raw bytes and the structs:
//
//   - repair: what podcast apps forgive and XML does not (a stray "&" or "<"
//     in text, an entity no one defined, bytes that are not UTF-8 in a feed
//     that says it is) is escaped or replaced before decoding, each repair a
//     warning naming its line;
//   - the decoder is lenient (Strict off, HTML's entities and its
//     self-closing elements known) and reads any encoding the XML prolog
//     declares (golang.org/x/net/html/charset), or UTF-16 with a BOM;
//   - namespaces are read by URI, never by prefix: a token reader renames
//     each element to a canonical "prefix:local" (both Podcasting 2.0 URIs
//     become "podcast:", iTunes' "itunes:", Atom's "atom:"...), so that the
//     struct tags below name elements unambiguously. A prefix used without
//     any declaration is taken for the usual namespace, with a warning.

// XML namespaces, by URI, and the canonical prefixes the structs use.
var feedSpaces = map[string]string{
	"http://www.itunes.com/dtds/podcast-1.0.dtd":                                  "itunes",
	"https://www.itunes.com/dtds/podcast-1.0.dtd":                                 "itunes",
	"https://podcastindex.org/namespace/1.0":                                      "podcast",
	"http://podcastindex.org/namespace/1.0":                                       "podcast",
	"https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md": "podcast",
	"http://purl.org/rss/1.0/modules/content/":                                    "content",
	"http://www.w3.org/2005/Atom":                                                 "atom",
	"http://purl.org/dc/elements/1.1/":                                            "dc",
	"http://www.w3.org/1999/02/22-rdf-syntax-ns#":                                 "rdf",
	"http://purl.org/rss/1.0/":                                                    "", // RSS 1.0 reads as RSS 2.0
	"http://backend.userland.com/rss2":                                            "",
	"http://www.w3.org/XML/1998/namespace":                                        "xml",
}

// undeclared maps prefixes that feeds use without declaring them to their
// usual namespace's canonical prefix.
var undeclared = map[string]string{"itunes": "itunes", "podcast": "podcast", "content": "content", "atom": "atom", "dc": "dc"}

// xmlChannel is an RSS channel (or an Atom feed: its elements are the
// atom: fields).
type xmlChannel struct {
	Title          xmlText       `xml:"title"`
	Link           string        `xml:"link"`
	Description    xmlText       `xml:"description"`
	Language       string        `xml:"language"`
	Image          xmlImage      `xml:"image"`
	Categories     []string      `xml:"category"`
	DCCreator      string        `xml:"dc:creator"`
	ITAuthor       string        `xml:"itunes:author"`
	ITSummary      xmlText       `xml:"itunes:summary"`
	ITImage        xmlHref       `xml:"itunes:image"`
	ITCategories   []xmlCategory `xml:"itunes:category"`
	ITExplicit     string        `xml:"itunes:explicit"`
	PCGUID         string        `xml:"podcast:guid"`
	PCLocked       string        `xml:"podcast:locked"`
	PCPersons      []xmlPerson   `xml:"podcast:person"`
	AtomLinks      []xmlAtomLink `xml:"atom:link"`
	AtomTitle      xmlText       `xml:"atom:title"`
	AtomSubtitle   xmlText       `xml:"atom:subtitle"`
	AtomAuthors    []xmlAtomName `xml:"atom:author"`
	AtomIcon       string        `xml:"atom:icon"`
	AtomLogo       string        `xml:"atom:logo"`
	AtomCategories []xmlAtomCat  `xml:"atom:category"`
	Items          []xmlItem     `xml:"item"`
	Entries        []xmlItem     `xml:"atom:entry"`
}

// xmlRoot is the document element: <rss> holds channels, <rdf:RDF> (RSS
// 1.0) a channel and the items beside it, an Atom <feed> is itself the
// channel (decoded into xmlChannel directly).
type xmlRoot struct {
	Channels []xmlChannel `xml:"channel"`
	Items    []xmlItem    `xml:"item"`
}

// xmlItem is an RSS item or an Atom entry.
type xmlItem struct {
	Title          xmlText       `xml:"title"`
	Link           string        `xml:"link"`
	Description    xmlText       `xml:"description"`
	GUID           string        `xml:"guid"`
	PubDate        string        `xml:"pubDate"`
	Enclosures     []xmlEnclose  `xml:"enclosure"`
	Categories     []string      `xml:"category"`
	Author         string        `xml:"author"`
	DCCreator      string        `xml:"dc:creator"`
	DCDate         string        `xml:"dc:date"`
	Content        xmlText       `xml:"content:encoded"`
	ITTitle        string        `xml:"itunes:title"`
	ITAuthor       string        `xml:"itunes:author"`
	ITSummary      xmlText       `xml:"itunes:summary"`
	ITSubtitle     string        `xml:"itunes:subtitle"`
	ITImage        xmlHref       `xml:"itunes:image"`
	ITDuration     string        `xml:"itunes:duration"`
	ITExplicit     string        `xml:"itunes:explicit"`
	ITSeason       string        `xml:"itunes:season"`
	ITEpisode      string        `xml:"itunes:episode"`
	ITEpisodeType  string        `xml:"itunes:episodeType"`
	PCSeason       string        `xml:"podcast:season"`
	PCEpisode      string        `xml:"podcast:episode"`
	PCPersons      []xmlPerson   `xml:"podcast:person"`
	PCTranscripts  []xmlTranscr  `xml:"podcast:transcript"`
	PCChapters     xmlChapters   `xml:"podcast:chapters"`
	AtomID         string        `xml:"atom:id"`
	AtomTitle      xmlText       `xml:"atom:title"`
	AtomPublished  string        `xml:"atom:published"`
	AtomUpdated    string        `xml:"atom:updated"`
	AtomLinks      []xmlAtomLink `xml:"atom:link"`
	AtomContent    xmlText       `xml:"atom:content"`
	AtomSummary    xmlText       `xml:"atom:summary"`
	AtomAuthors    []xmlAtomName `xml:"atom:author"`
	AtomCategories []xmlAtomCat  `xml:"atom:category"`
}

type xmlImage struct {
	URL string `xml:"url"`
}

type xmlHref struct {
	Href string `xml:"href,attr"`
}

// xmlCategory is an itunes:category, which may hold a subcategory.
type xmlCategory struct {
	Text string        `xml:"text,attr"`
	Subs []xmlCategory `xml:"itunes:category"`
}

type xmlPerson struct {
	Role  string `xml:"role,attr"`
	Group string `xml:"group,attr"`
	Href  string `xml:"href,attr"`
	Img   string `xml:"img,attr"`
	Name  string `xml:",chardata"`
}

type xmlEnclose struct {
	URL    string `xml:"url,attr"`
	Type   string `xml:"type,attr"`
	Length string `xml:"length,attr"`
}

type xmlTranscr struct {
	URL      string `xml:"url,attr"`
	Type     string `xml:"type,attr"`
	Language string `xml:"language,attr"`
	Rel      string `xml:"rel,attr"`
}

type xmlChapters struct {
	URL string `xml:"url,attr"`
}

type xmlAtomLink struct {
	Rel    string `xml:"rel,attr"`
	Href   string `xml:"href,attr"`
	Type   string `xml:"type,attr"`
	Length string `xml:"length,attr"`
}

type xmlAtomName struct {
	Name string `xml:"atom:name"`
}

type xmlAtomCat struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr"`
}

// xmlText is an element's text with any child elements written back as
// markup: an RSS description is HTML in CDATA or escaped, but sloppy feeds
// put the HTML in unescaped, and Atom's type="xhtml" content is elements.
// The result is HTML source either way (feed_html.go reads it).
type xmlText string

// UnmarshalXML collects the text and markup inside the element.
func (t *xmlText) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var b strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch x := tok.(type) {
		case xml.CharData:
			b.Write(x)
		case xml.StartElement:
			depth++
			b.WriteByte('<')
			b.WriteString(localName(x.Name.Local))
			for _, a := range x.Attr {
				b.WriteByte(' ')
				b.WriteString(localName(a.Name.Local))
				b.WriteString(`="`)
				xml.EscapeText(&b, []byte(a.Value))
				b.WriteByte('"')
			}
			b.WriteByte('>')
		case xml.EndElement:
			if depth == 0 {
				*t = xmlText(b.String())
				return nil
			}
			depth--
			b.WriteString("</")
			b.WriteString(localName(x.Name.Local))
			b.WriteByte('>')
		}
	}
}

// localName drops a canonical prefix: "atom:p" -> "p".
func localName(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// itemSpan is where one item sits in the (repaired) feed: its first and
// last lines, and its bytes (none when the feed was decoded from another
// encoding: the decoder's offsets are then into the decoded text).
type itemSpan struct {
	line, endLine int
	start, end    int64
}

// renamer is the token reader between the raw decoder and the structs: it
// gives every element and attribute its canonical name, drops namespace
// declarations, and records where each item or entry starts and ends.
type renamer struct {
	raw   *xml.Decoder
	stack []string // canonical names of the open elements
	// itemAt is the depth of items: 3 for rss/channel/item, 2 for an Atom
	// feed's entries and RSS 1.0's items. channels counts the channels
	// seen, spans the items of the first.
	channels  int
	spans     []itemSpan
	open      []int // indexes into spans of items still open
	warnedPfx map[string]bool
	warn      *warnings
	bareAtom  bool // the root is <feed> in no namespace: its elements are Atom's
	dropped   int  // items past MaxFeedItems, skipped
}

// Token returns the next token, renamed.
func (r *renamer) Token() (xml.Token, error) {
	off := r.raw.InputOffset()
	line, _ := r.raw.InputPos()
	tok, err := r.raw.Token()
	if err != nil {
		return nil, err
	}
	switch x := tok.(type) {
	case xml.StartElement:
		if len(r.stack) == 0 && x.Name.Space == "" && x.Name.Local == "feed" {
			// An Atom feed that forgot its namespace: read it as Atom.
			r.bareAtom = true
			r.warn.add(0, "<feed> does not declare the Atom namespace; read as Atom")
		}
		x.Name = r.rename(x.Name, true, line)
		attrs := x.Attr[:0:0]
		for _, a := range x.Attr {
			if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
				continue
			}
			a.Name = r.rename(a.Name, false, line)
			attrs = append(attrs, a)
		}
		x.Attr = attrs
		r.stack = append(r.stack, x.Name.Local)
		if len(r.stack) == 2 && x.Name.Local == "channel" {
			if r.channels++; r.channels > 1 {
				// Only the first channel is read: the others are
				// skipped unread, so that none escapes the item cap.
				r.stack = r.stack[:len(r.stack)-1]
				if err := r.raw.Skip(); err != nil {
					return nil, err
				}
				return nil, errSkip
			}
		}
		if r.isItem() && len(r.spans) >= MaxFeedItems {
			// Past the cap, items are skipped unread: a feed of millions
			// of tiny items costs no memory.
			r.stack = r.stack[:len(r.stack)-1]
			r.dropped++
			if err := r.raw.Skip(); err != nil {
				return nil, err
			}
			return nil, errSkip
		}
		if r.isItem() {
			r.open = append(r.open, len(r.spans))
			r.spans = append(r.spans, itemSpan{line: line, start: off})
		}
		return x, nil
	case xml.EndElement:
		x.Name = r.rename(x.Name, true, line)
		if r.isItem() && len(r.open) > 0 {
			i := r.open[len(r.open)-1]
			r.open = r.open[:len(r.open)-1]
			r.spans[i].end = r.raw.InputOffset()
			r.spans[i].endLine, _ = r.raw.InputPos()
		}
		if len(r.stack) > 0 {
			r.stack = r.stack[:len(r.stack)-1]
		}
		return x, nil
	case xml.CharData:
		return x.Copy(), nil
	case xml.Comment, xml.ProcInst, xml.Directive:
		return nil, errSkip
	}
	return tok, nil
}

// errSkip makes skipToken read the next token: comments, processing
// instructions and the DTD carry nothing the structs read.
var errSkip = errors.New("skip")

// skipping is the TokenReader the decoder of the structs reads: renamer
// without the tokens it skips.
type skipping struct{ r *renamer }

func (s skipping) Token() (xml.Token, error) {
	for {
		tok, err := s.r.Token()
		if err == errSkip {
			continue
		}
		return tok, err
	}
}

// isItem reports whether the innermost open element is an item of the
// first channel (or an entry of an Atom feed, an item of RSS 1.0).
func (r *renamer) isItem() bool {
	n := len(r.stack)
	if n == 0 {
		return false
	}
	switch name := r.stack[n-1]; {
	case n == 3 && name == "item" && r.stack[0] == "rss" && r.stack[1] == "channel":
		return r.channels == 1
	case n == 2 && name == "atom:entry" && r.stack[0] == "atom:feed":
		return true
	case n == 2 && name == "item" && r.stack[0] == "rdf:RDF":
		return true
	}
	return false
}

// rename returns the canonical name of an element or attribute: the
// namespace's prefix and the local name, "itunes:author".
func (r *renamer) rename(n xml.Name, element bool, line int) xml.Name {
	if n.Space == "" {
		if element && r.bareAtom {
			return xml.Name{Local: "atom:" + n.Local}
		}
		return xml.Name{Local: n.Local}
	}
	pfx, ok := feedSpaces[n.Space]
	if !ok {
		if p, known := undeclared[n.Space]; known && !strings.Contains(n.Space, "/") {
			// encoding/xml leaves an undeclared prefix as the space.
			if !r.warnedPfx[n.Space] {
				r.warnedPfx[n.Space] = true
				r.warn.add(line, "namespace prefix %q is used without being declared; read as the usual %s namespace", n.Space, p)
			}
			pfx, ok = p, true
		}
	}
	switch {
	case !ok:
		// An element of a namespace we do not read: a name no field has.
		return xml.Name{Local: "?" + n.Space + " " + n.Local}
	case pfx == "":
		return xml.Name{Local: n.Local}
	case !element && pfx == "xml":
		return xml.Name{Local: "xml:" + n.Local}
	}
	return xml.Name{Local: pfx + ":" + n.Local}
}

// htmlVoid are the HTML elements that never hold anything, which sloppy
// feeds put in descriptions unclosed ("<br>"). Not xml.HTMLAutoClose: it
// holds "link", which RSS uses with text.
var htmlVoid = []string{"br", "hr", "img", "input", "meta", "area", "col", "base", "basefont", "param", "wbr", "embed", "source", "track"}

// decodeFeed decodes data (already repaired and in UTF-8 or an encoding its
// prolog declares) into a channel and the spans of its items. The error is
// a *ParseError naming the line.
func decodeFeed(name string, data []byte, w *warnings) (*xmlChannel, []itemSpan, error) {
	raw := xml.NewDecoder(bytes.NewReader(data))
	raw.Strict = false
	raw.AutoClose = htmlVoid
	raw.Entity = xml.HTMLEntity
	// converted is set when the decoder reads data through a charset
	// reader: its offsets are then into the decoded text, not into data.
	converted := false
	raw.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		l := strings.ToLower(strings.TrimSpace(label))
		if strings.HasPrefix(l, "utf-16") || l == "utf-8" || l == "utf8" {
			return input, nil // UTF-16 was turned into UTF-8 already
		}
		rd, err := charset.NewReaderLabel(label, input)
		if err != nil {
			return nil, errors.New("unknown encoding " + quote(label))
		}
		converted = true
		return rd, nil
	}
	r := &renamer{raw: raw, warnedPfx: make(map[string]bool), warn: w}
	dec := xml.NewTokenDecoder(skipping{r})
	for {
		tok, err := dec.Token()
		if err != nil {
			if err == io.EOF {
				return nil, nil, parseErr(name, 0, "not a feed: no root element")
			}
			return nil, nil, xmlError(name, raw, err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			if cd, isText := tok.(xml.CharData); isText && len(bytes.TrimSpace(cd)) > 0 {
				line, _ := raw.InputPos()
				return nil, nil, parseErr(name, line, "not a feed: text before the root element")
			}
			continue
		}
		ch := &xmlChannel{}
		switch start.Name.Local {
		case "rss", "rdf:RDF":
			var root xmlRoot
			if err := dec.DecodeElement(&root, &start); err != nil {
				return nil, nil, xmlError(name, raw, err)
			}
			if len(root.Channels) == 0 {
				return nil, nil, parseErr(name, 0, "not a feed: <%s> holds no <channel>", start.Name.Local)
			}
			if r.channels > 1 {
				w.add(0, "the feed has %d channels; only the first is read", r.channels)
			}
			*ch = root.Channels[0]
			if start.Name.Local == "rdf:RDF" {
				ch.Items = root.Items
			}
		case "atom:feed":
			if err := dec.DecodeElement(ch, &start); err != nil {
				return nil, nil, xmlError(name, raw, err)
			}
			ch.Items, ch.Entries = ch.Entries, nil
		default:
			line, _ := raw.InputPos()
			return nil, nil, parseErr(name, line, "not a feed: the root element is <%s>, want <rss> (RSS) or <feed> (Atom)", localName(start.Name.Local))
		}
		if len(r.spans) != len(ch.Items) {
			// Cannot happen: the renamer and the structs see the same
			// elements. Keep going without spans rather than guess.
			return ch, nil, nil
		}
		if r.dropped > 0 {
			w.add(0, "the feed has %d items; only the first %d are read", MaxFeedItems+r.dropped, MaxFeedItems)
		}
		for i := range r.spans {
			if sp := &r.spans[i]; converted || sp.end > int64(len(data)) || sp.start > sp.end {
				sp.start, sp.end = 0, 0 // no bytes of data to digest: the item's fields are
			}
		}
		return ch, r.spans, nil
	}
}

// xmlError turns a decoding error into a *ParseError naming the line.
func xmlError(name string, raw *xml.Decoder, err error) error {
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return parseErr(name, syn.Line, "XML: %s", syn.Msg)
	}
	line, _ := raw.InputPos()
	return parseErr(name, line, "XML: %v", err)
}

// maxRepairWarnings caps the warnings kept about repairs of one feed (the
// last one says how many more there were).
const maxRepairWarnings = 20

// prepare turns raw feed bytes into bytes the decoder reads: UTF-16 (by its
// BOM) becomes UTF-8, a UTF-8 BOM is dropped, and outside CDATA sections,
// comments and the DTD a stray "&" or "<" is escaped and invalid UTF-8 (in
// a feed that does not declare another encoding) becomes U+FFFD. Each
// repair is a warning with its line. It returns data itself when nothing
// needed repair.
func prepare(name string, data []byte, w *warnings) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		out, _, err := transform.Bytes(unicode.BOMOverride(unicode.UTF8.NewDecoder()), data)
		if err != nil {
			return nil, parseErr(name, 0, "unreadable UTF-16: %v", err)
		}
		data = out
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	data = replaceControls(data, w)
	utf8Declared := declaresUTF8(data)
	rp := repairer{data: data, warn: w, line: 1}
	return rp.run(utf8Declared), nil
}

// replaceControls replaces the control characters XML 1.0 does not allow
// anywhere (below U+0020 but tab, newline and carriage return), in text,
// CDATA, comments or markup alike, by spaces, one warning per line that
// had any: the decoder would otherwise refuse the whole feed for one stray
// byte in one item. In UTF-8 such a byte is never part of another
// character, and a space keeps every offset and line as it was. It
// returns data itself when there is none.
func replaceControls(data []byte, w *warnings) []byte {
	var out []byte
	line, warned, repairs := 1, 0, 0
	for i, c := range data {
		switch {
		case c == '\n':
			line++
		case c < 0x20 && c != '\t' && c != '\r':
			if out == nil {
				out = bytes.Clone(data)
			}
			out[i] = ' '
			if line != warned {
				warned = line
				repairs++
				if repairs <= maxRepairWarnings {
					w.add(line, "control character U+%04X is not allowed in XML; replaced by a space", c)
				}
			}
		}
	}
	if repairs > maxRepairWarnings {
		w.add(warned, "%d more lines with control characters not shown", repairs-maxRepairWarnings)
	}
	if out == nil {
		return data
	}
	return out
}

// declaresUTF8 reports whether the XML prolog declares UTF-8 or nothing
// (XML's default).
func declaresUTF8(data []byte) bool {
	if !bytes.HasPrefix(data, []byte("<?xml")) {
		return true
	}
	end := bytes.Index(data, []byte("?>"))
	if end < 0 {
		return true
	}
	prolog := strings.ToLower(string(data[:end]))
	i := strings.Index(prolog, "encoding")
	if i < 0 {
		return true
	}
	rest := strings.TrimLeft(prolog[i+len("encoding"):], " =\t\"'")
	return strings.HasPrefix(rest, "utf-8") || strings.HasPrefix(rest, "utf8") || strings.HasPrefix(rest, "utf-16")
}

// repairer copies data with its repairs, lazily: out stays nil until the
// first repair.
type repairer struct {
	data     []byte
	out      []byte
	copied   int // data[:copied] is in out
	warn     *warnings
	line     int
	repairs  int
	lastLine int
}

func (rp *repairer) note(line int, format string, args ...any) {
	rp.repairs++
	if rp.repairs <= maxRepairWarnings {
		rp.warn.add(line, format, args...)
	} else if rp.repairs == maxRepairWarnings+1 {
		rp.lastLine = line
	}
}

// replace writes repl in place of data[i:j].
func (rp *repairer) replace(i, j int, repl string) {
	if rp.out == nil {
		rp.out = make([]byte, 0, len(rp.data)+len(rp.data)/16)
	}
	rp.out = append(rp.out, rp.data[rp.copied:i]...)
	rp.out = append(rp.out, repl...)
	rp.copied = j
}

func (rp *repairer) run(checkUTF8 bool) []byte {
	d := rp.data
	for i := 0; i < len(d); {
		c := d[i]
		switch {
		case c == '\n':
			rp.line++
			i++
		case c == '<':
			i = rp.markup(i)
		case c == '&':
			i = rp.amp(i)
		case c >= utf8.RuneSelf && checkUTF8:
			r, n := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && n <= 1 {
				rp.note(rp.line, "byte 0x%02x is not UTF-8; replaced by U+FFFD", c)
				rp.replace(i, i+1, "\uFFFD")
			}
			i += n
		default:
			i++
		}
	}
	if rp.repairs > maxRepairWarnings {
		rp.warn.add(rp.lastLine, "%d more repairs like these not shown", rp.repairs-maxRepairWarnings)
	}
	if rp.out == nil {
		return d
	}
	return append(rp.out, d[rp.copied:]...)
}

// markup handles a "<" at d[i]: CDATA sections, comments and the DTD are
// skipped whole (counting their lines), tags are read to their ">" (an
// "&" in an attribute is checked), and a "<" that starts nothing is
// escaped. It returns where to go on.
func (rp *repairer) markup(i int) int {
	d := rp.data
	rest := d[i:]
	skipTo := func(end string) int {
		j := bytes.Index(rest, []byte(end))
		if j < 0 {
			j = len(rest)
		} else {
			j += len(end)
		}
		rp.line += bytes.Count(rest[:j], []byte("\n"))
		return i + j
	}
	switch {
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		return skipTo("]]>")
	case bytes.HasPrefix(rest, []byte("<!--")):
		return skipTo("-->")
	case bytes.HasPrefix(rest, []byte("<!")):
		return rp.dtd(i)
	case bytes.HasPrefix(rest, []byte("<?")):
		return skipTo("?>")
	}
	if len(rest) < 2 || !isNameStart(rest[1]) && rest[1] != '/' {
		rp.note(rp.line, "stray \"<\" escaped")
		rp.replace(i, i+1, "&lt;")
		return i + 1
	}
	// A tag: go to its ">", minding quotes; an "&" in an attribute value
	// is checked like one in text.
	quote := byte(0)
	for j := i + 1; j < len(d); j++ {
		c := d[j]
		switch {
		case c == '\n':
			rp.line++
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0 && c == '&':
			j = rp.amp(j) - 1
		case quote != 0:
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j + 1
		case c == '<':
			return j // a tag never closed: let the decoder say so
		}
	}
	return len(d)
}

// dtd skips a <!DOCTYPE ...> with its internal subset. Entities it
// defines are not expanded (encoding/xml never does): a use of one is
// escaped below as an undefined entity, which keeps an entity bomb inert.
func (rp *repairer) dtd(i int) int {
	d := rp.data
	depth := 0
	for j := i; j < len(d); j++ {
		switch d[j] {
		case '\n':
			rp.line++
		case '<':
			depth++
		case '>':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(d)
}

// amp handles an "&" at d[i]: a character reference, one of XML's five
// entities or an HTML entity stays; anything else is escaped to "&amp;".
func (rp *repairer) amp(i int) int {
	d := rp.data
	j := i + 1
	for j < len(d) && j-i <= 40 && (isNameByte(d[j]) || d[j] == '#') {
		j++
	}
	if j < len(d) && d[j] == ';' && j > i+1 {
		ref := string(d[i+1 : j])
		switch {
		case ref[0] == '#':
			if validCharRef(ref[1:]) {
				return j + 1
			}
		case ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos":
			return j + 1
		default:
			if _, ok := xml.HTMLEntity[ref]; ok {
				return j + 1
			}
			rp.note(rp.line, "entity &%s; is not defined (a DTD's entities are not expanded); kept as text", ref)
			rp.replace(i, i+1, "&amp;")
			return j + 1
		}
	}
	rp.note(rp.line, "stray \"&\" escaped")
	rp.replace(i, i+1, "&amp;")
	return i + 1
}

// validCharRef reports whether "#123" or "#x1F" (without "#") names a
// character XML allows.
func validCharRef(s string) bool {
	base := 10
	if s != "" && (s[0] == 'x' || s[0] == 'X') {
		base, s = 16, s[1:]
	}
	if s == "" || len(s) > 8 {
		return false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v int
		switch {
		case '0' <= c && c <= '9':
			v = int(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			v = int(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			v = int(c-'A') + 10
		default:
			return false
		}
		n = n*base + v
	}
	r := rune(n)
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func isNameStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c == ':' || c >= utf8.RuneSelf
}

func isNameByte(c byte) bool {
	return isNameStart(c) || '0' <= c && c <= '9' || c == '-' || c == '.'
}
