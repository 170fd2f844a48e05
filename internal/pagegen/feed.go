package pagegen

import (
	"fmt"
	"html"
	"strings"
)

// Feed returns an RSS 2.0 feed of the first n episodes of generated show 1,
// newest first as feeds list them: each item has the text of the
// episode's own page (its title and description, the description's
// paragraphs as HTML in CDATA), a guid, a pubDate, an itunes:episode
// number, a duration and an enclosure, and names its guests in the text
// only (no podcast:person tags), so that a feed ingest does the work a
// page ingest does on the same text.
func Feed(n int, opts Options) []byte {
	sh := newShow(0)
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>%s</title>
<link>https://generated.example/</link>
<description>A generated show.</description>
<itunes:author>%s &amp; %s</itunes:author>
`, sh.title, sh.hosts[0], sh.hosts[1])
	for k := n; k >= 1; k-- {
		e := episodeOf(opts, sh, k, 1)
		fmt.Fprintf(&b, `<item>
<title>%s</title>
<guid isPermaLink="false">gen-%d</guid>
<pubDate>%s</pubDate>
<itunes:episode>%d</itunes:episode>
<itunes:duration>%d:%02d</itunes:duration>
<enclosure url="https://cdn.generated.example/%d.mp3" length="%d" type="audio/mpeg"/>
<content:encoded><![CDATA[<p>%s</p>]]></content:encoded>
</item>
`, html.EscapeString(e.title), k, e.date.Format("Mon, 02 Jan 2006 15:04:05 -0700"), k, 20+k%40, k%60, k, 1000*k,
			strings.Join(e.paras, "</p>\n<p>"))
	}
	b.WriteString("</channel>\n</rss>\n")
	return []byte(b.String())
}
