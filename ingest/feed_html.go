package ingest

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"podcastgraph/internal/podcast"
)

// This file turns the HTML of a feed's descriptions into clean text with
// golang.org/x/net/html's tokenizer: block elements (<p>, <br>, <li>,
// headings...) end paragraphs, which are joined by "\n\n" as a page's are;
// whitespace collapses; scripts and styles vanish; entities are decoded. A
// link keeps its text in the running text and becomes a Link (its URL,
// its text as the label); a link whose text is its URL, and a bare URL in
// the text, become a Link too.

// htmlText is the clean text of an HTML description and its links.
type htmlText struct {
	text  string
	links []podcast.Link
}

// blockElems end a paragraph where they open and close.
var blockElems = map[atom.Atom]bool{
	atom.P: true, atom.Br: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Tr: true, atom.Table: true, atom.Hr: true, atom.Pre: true,
	atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true, atom.Dd: true, atom.Dt: true,
}

// cleanHTML returns the clean text and the links of s, HTML or plain text.
func cleanHTML(s string) htmlText {
	if !strings.ContainsAny(s, "<&") {
		return plainText(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var paras []string
	var cur strings.Builder
	var links []podcast.Link
	skip := 0 // depth inside <script> or <style>
	var href string
	var anchor strings.Builder
	inA := false
	flush := func() {
		if t := cleanSpace(cur.String()); t != "" {
			paras = append(paras, t)
		}
		cur.Reset()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			flush()
			out := htmlText{text: strings.Join(paras, "\n\n"), links: links}
			for _, l := range bareLinks(out.text) {
				out.links = addLink(out.links, l)
			}
			return out
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			cur.WriteString(t)
			if inA {
				anchor.WriteString(t)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			switch {
			case a == atom.Script || a == atom.Style:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case a == atom.A && tt == html.StartTagToken:
				href, inA = "", true
				anchor.Reset()
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = strings.TrimSpace(string(v))
					}
				}
			case a == atom.A && tt == html.EndTagToken:
				if inA && isURL(href) {
					label := cleanSpace(anchor.String())
					if label == href || strings.TrimSuffix(label, "/") == strings.TrimSuffix(href, "/") {
						label = ""
					}
					links = addLink(links, podcast.Link{Kind: urlKind(href), URL: href, Label: label})
				}
				inA = false
			case blockElems[a]:
				flush()
			default:
				// Inline elements: a space keeps words apart where the
				// markup did ("<b>A</b><i>B</i>" stays "AB").
			}
		}
	}
}

// plainText cleans text without markup: lines become paragraphs.
func plainText(s string) htmlText {
	var paras []string
	for _, l := range strings.Split(s, "\n") {
		if t := cleanSpace(l); t != "" {
			paras = append(paras, t)
		}
	}
	out := htmlText{text: strings.Join(paras, "\n\n")}
	out.links = bareLinks(out.text)
	return out
}

// bareLinks returns the http(s) URLs written out in text.
func bareLinks(text string) []podcast.Link {
	var links []podcast.Link
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], "http")
		if j < 0 {
			break
		}
		i += j
		if i > 0 && isWordByte(text[i-1]) {
			i += 4
			continue
		}
		end := i
		for end < len(text) && text[end] > ' ' && text[end] != '"' && text[end] != '<' && text[end] != '>' {
			end++
		}
		u := strings.TrimRight(text[i:end], ".,;:!?)]'")
		if isURL(u) {
			links = addLink(links, podcast.Link{Kind: urlKind(u), URL: u})
		}
		i = max(end, i+4)
	}
	return links
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
