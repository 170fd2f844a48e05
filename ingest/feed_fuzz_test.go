package ingest_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"podcastgraph/ingest"
)

// FuzzParseFeed checks that ParseFeed never panics, returns either a Feed
// or a *ParseError naming the document, that every item it returns is a
// coherent feed-item Document, and that parsing is deterministic. The seed
// corpus is every feed in testdata plus a few edge cases.
func FuzzParseFeed(f *testing.F) {
	addSeeds(f, testFeeds(f),
		"", "<", "<rss>", "<rss><channel><item/></channel></rss>",
		"<rss><channel><title>&</title><item><guid>1</guid><title><![CDATA[<p>x</p>]]></title></item></channel></rss>",
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><content type="xhtml"><div><a href="https://a.example/">a</a></div></content></entry></feed>`,
		"\xFE\xFF\x00<\x00r\x00s\x00s\x00>",
		`<?xml version="1.0" encoding="iso-8859-1"?><rss><channel><item><title>`+"\xe9"+`</title></item></channel></rss>`,
	)
	vocab := ingest.DefaultVocabulary()
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := ingest.ParseFeed("f.xml", data, vocab)
		if err != nil {
			var pe *ingest.ParseError
			if !errors.As(err, &pe) || pe.Doc != "f.xml" || pe.Line < 0 || feed != nil {
				t.Fatalf("error %T %v with feed %v", err, err, feed)
			}
			return
		}
		names := make(map[string]bool)
		for _, d := range feed.Items {
			if d.Kind != ingest.KindFeedItem || !strings.HasPrefix(d.Name, "f.xml#") || names[d.Name] || len(d.SHA256) != 64 ||
				!d.Episode.Own || d.Warnings == nil || d.Listing == nil || d.Guests == nil || d.Show.Slug == "" || d.Episode.GUID == "" {
				t.Fatalf("incoherent item %+v", d)
			}
			names[d.Name] = true
			if len(d.Warnings) > ingest.MaxWarnings || len(d.Episode.Title) > ingest.MaxTitleBytes || len(d.Episode.Description) > ingest.MaxTextBytes {
				t.Fatalf("unbounded item: %d warnings, title %d, description %d bytes", len(d.Warnings), len(d.Episode.Title), len(d.Episode.Description))
			}
			for _, g := range d.Guests {
				if g.Slug == "" || g.Name == "" || g.Evidence == "" || !utf8.ValidString(g.Name+g.Role+g.Organization+g.Evidence) {
					t.Fatalf("bad guest %+v", g)
				}
			}
			if !utf8.ValidString(d.Episode.Title + d.Episode.Description + d.Show.Title) {
				t.Fatalf("invalid UTF-8 in %+v", d.Episode)
			}
		}
		for _, pe := range feed.Failed {
			if pe.Doc != "f.xml" {
				t.Fatalf("item error %v", pe)
			}
		}
		if again, err := ingest.ParseFeed("f.xml", data, vocab); err != nil || !reflect.DeepEqual(again, feed) {
			t.Fatalf("second parse differs: %v", err)
		}
	})
}
