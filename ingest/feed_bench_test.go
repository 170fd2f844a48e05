package ingest_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"podcastgraph/ingest"
)

// syntheticFeed returns an untagged RSS feed of n items shaped like a
// weekly interview show's: an HTML description of three paragraphs naming
// a guest with a role, links, iTunes tags.
func syntheticFeed(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Bench Show</title><itunes:author>Darin Pope</itunes:author><description>A show.</description>
`)
	first := []string{"Jane", "Omar", "Priya", "Kenji", "Lena", "Carlos", "Ada", "Tomas"}
	last := []string{"Doe", "Haddad", "Raman", "Watanabe", "van Dijk", "Mendes", "Okafor", "Novak"}
	for i := range n {
		name := first[i%len(first)] + " " + last[(i/len(first))%len(last)]
		fmt.Fprintf(&b, `<item><title>%d: %s, Northwind %d</title><guid isPermaLink="false">bench-%d</guid>
<pubDate>Mon, %d Jan 2024 10:00:00 +0000</pubDate><itunes:episode>%d</itunes:episode><itunes:duration>%d:%02d</itunes:duration>
<enclosure url="https://cdn.example/%d.mp3" length="1234" type="audio/mpeg"/>
<content:encoded><![CDATA[<p>Darin and Viktor speak with %s, CTO at Northwind %d, about Kubernetes, GitOps and platform engineering.</p>
<p>%s has been building internal platforms for a decade; she explains what went wrong with the first one and why observability came first the second time.</p>
<p>Links: <a href="https://northwind%d.example/">Northwind</a> &middot; <a href="https://www.linkedin.com/in/guest%d">LinkedIn</a></p>]]></content:encoded>
</item>
`, i+1, name, i, i, i%28+1, i+1, 30+i%30, i%60, i, name, i, name, i, i)
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}

// BenchmarkParseFeed parses a real feed (the Podcasting 2.0 show's, 56
// items) and a synthetic untagged one of 1,000 items, and reports items
// (episodes) per second. Decoding the XML takes one core; the items are
// then read on every core.
func BenchmarkParseFeed(b *testing.B) {
	real, err := os.ReadFile("testdata/podcasting20.xml")
	if err != nil {
		b.Fatal(err)
	}
	vocab := ingest.DefaultVocabulary()
	for _, c := range []struct {
		name string
		data []byte
	}{{"podcasting20", real}, {"synthetic1000", syntheticFeed(1000)}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			items := 0
			for b.Loop() {
				f, err := ingest.ParseFeed(c.name+".xml", c.data, vocab)
				if err != nil || len(f.Failed) > 0 {
					b.Fatal(err, f.Failed)
				}
				items += len(f.Items)
			}
			b.ReportMetric(float64(items)/b.Elapsed().Seconds(), "episodes/s")
		})
	}
}
