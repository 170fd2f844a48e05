package ingest_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"podcastgraph/ingest"
)

// feedOf wraps items in an RSS channel declaring the usual namespaces.
func feedOf(channel, items string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
<title>Test Show</title>
` + channel + items + `
</channel>
</rss>
`)
}

func mustFeed(t *testing.T, name string, data []byte) *ingest.Feed {
	t.Helper()
	f, err := ingest.ParseFeed(name, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFeedNamespacesByURI: the same feed written with other prefixes, and
// with Podcasting 2.0 under its older URI, says the same.
func TestFeedNamespacesByURI(t *testing.T) {
	item := `<item><title>T</title><guid>g1</guid><itunes:episode>7</itunes:episode><itunes:duration>1:00</itunes:duration>
<podcast:person role="guest" href="https://jane.example/">Jane Doe</podcast:person><podcast:season>3</podcast:season></item>`
	base := mustFeed(t, "f.xml", feedOf("", item))
	other := strings.NewReplacer("itunes:", "it:", "xmlns:itunes", "xmlns:it", "podcast:", "pc:", "xmlns:podcast", "xmlns:pc",
		"https://podcastindex.org/namespace/1.0", "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md").
		Replace(string(feedOf("", item)))
	again := mustFeed(t, "f.xml", []byte(other))
	if len(base.Items) != 1 || len(again.Items) != 1 {
		t.Fatalf("items %d, %d", len(base.Items), len(again.Items))
	}
	b, a := base.Items[0], again.Items[0]
	if b.Episode.Number != 7 || b.Episode.Duration != 60 || b.Episode.Season != 3 || len(b.Guests) != 1 || b.Guests[0].Via != ingest.ViaTag {
		t.Fatalf("base item %+v %+v", b.Episode, b.Guests)
	}
	if !reflect.DeepEqual(a.Episode, b.Episode) || !reflect.DeepEqual(a.Guests, b.Guests) {
		t.Errorf("other prefixes read differently:\n%+v\n%+v", a.Episode, b.Episode)
	}
	// A prefix of another namespace is not iTunes'.
	wrong := strings.Replace(string(feedOf("", item)), "http://www.itunes.com/dtds/podcast-1.0.dtd", "https://example.com/not-itunes", 1)
	if f := mustFeed(t, "f.xml", []byte(wrong)); f.Items[0].Episode.Number != 0 {
		t.Errorf("itunes:episode read under another namespace's URI")
	}
	// A prefix used without a declaration: read, with a warning.
	undeclared := strings.Replace(string(feedOf("", item)), `xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"`, "", 1)
	f := mustFeed(t, "f.xml", []byte(undeclared))
	if w := strings.Join(append(f.Warnings, f.Items[0].Warnings...), "\n"); f.Items[0].Episode.Number != 7 || !strings.Contains(w, `prefix "itunes" is used without being declared`) {
		t.Errorf("undeclared prefix: number %d, warnings %q", f.Items[0].Episode.Number, w)
	}
}

// TestFeedItemDigest: an item's SHA256 depends on its own bytes and the
// channel's facts, not on the other items: re-ingesting a feed where one
// item changed leaves the others unchanged.
func TestFeedItemDigest(t *testing.T) {
	items := func(second string) string {
		return `<item><title>One</title><guid>1</guid></item><item><title>` + second + `</title><guid>2</guid></item>`
	}
	a := mustFeed(t, "f.xml", feedOf("", items("Two")))
	b := mustFeed(t, "f.xml", feedOf("", items("Two, edited")))
	c := mustFeed(t, "f.xml", feedOf("<description>new</description>", items("Two")))
	if a.Items[0].SHA256 != b.Items[0].SHA256 || a.Items[1].SHA256 == b.Items[1].SHA256 {
		t.Errorf("editing item 2 changed item 1 or not item 2")
	}
	if a.Items[0].SHA256 == c.Items[0].SHA256 {
		t.Errorf("a new show description left item 1's digest as it was: the store would not see the show's change")
	}
	if again := mustFeed(t, "f.xml", feedOf("", items("Two"))); !reflect.DeepEqual(again, a) {
		t.Errorf("parsing the same feed twice differs")
	}
}

// TestFeedPeople: tags decide when the feed has them; hosts are never
// guests; roles in any case; a person tag without a role is a host.
func TestFeedPeople(t *testing.T) {
	f := mustFeed(t, "f.xml", feedOf(`<podcast:person>Ann Host</podcast:person>`,
		`<item><title>1</title><guid>1</guid>
<podcast:person role="GUEST" img="https://img.example/b.png">Bo Guest</podcast:person>
<podcast:person role="Guest">Ann Host</podcast:person>
<podcast:person role="host">Cy Cohost</podcast:person>
<description>Ann speaks with Dee Mentioned, CEO at Acme, about Bo.</description></item>
<item><title>2</title><guid>2</guid><description>Ann speaks with Eve Untagged, CTO at Initech.</description></item>`))
	var got []string
	for _, d := range f.Items {
		for _, g := range d.Guests {
			got = append(got, d.Episode.GUID+":"+g.Name+"/"+g.Via)
		}
	}
	if want := []string{"1:Bo Guest/tag"}; !reflect.DeepEqual(got, want) {
		t.Errorf("guests %q; want %q (a feed that tags guests is trusted alone; hosts are not guests)", got, want)
	}
	if h := f.Items[0].Show.Hosts; !reflect.DeepEqual(h, []string{"Ann Host", "Cy Cohost"}) {
		t.Errorf("hosts %q", h)
	}
	if g := f.Items[0].Guests[0]; g.Image != "https://img.example/b.png" || !strings.Contains(g.Evidence, `role="GUEST"`) {
		t.Errorf("guest %+v", g)
	}

	// Without tags: the text, titles and author lists, conservatively.
	u := mustFeed(t, "u.xml", feedOf(`<itunes:author>Ann Host</itunes:author>`,
		`<item><title>12: Fay Writer, Globex</title><guid>1</guid><description>Fay Writer on writing.</description></item>
<item><title>Pipelines with Apache Kafka</title><guid>2</guid><description>Kafka, streams.</description></item>
<item><title>Notes</title><guid>3</guid><itunes:author>Ann Host &amp; Gus Keller</itunes:author></item>
<item><title>More notes</title><guid>4</guid><itunes:author>Hal Other</itunes:author></item>
<item><title>History</title><guid>5</guid><description>Ann reads about Abraham Lincoln and Ulysses Grant.</description></item>`))
	got = nil
	for _, d := range u.Items {
		for _, g := range d.Guests {
			got = append(got, d.Episode.GUID+":"+g.Name+"/"+g.Organization+"/"+g.Via)
		}
	}
	if want := []string{"1:Fay Writer/Globex/title", "3:Gus Keller//author"}; !reflect.DeepEqual(got, want) {
		t.Errorf("untagged guests %q; want %q", got, want)
	}
}

// TestFeedLeniency: what podcast apps forgive is read, with a warning
// naming the line; a bad item fails alone.
func TestFeedLeniency(t *testing.T) {
	data := []byte("\uFEFF" + `<?xml version="1.0"?>
<rss version="2.0"><channel><title>A &amp; B&nbsp;&eacute;</title>
<item><title>Q & A</title><guid>1</guid></item>
<item><title>x < y</title><guid>2</guid><pubDate>not a date</pubDate></item>
<item></item>
</channel></rss>`)
	f := mustFeed(t, "f.xml", data)
	if len(f.Items) != 2 || len(f.Failed) != 1 || f.Failed[0].Line != 5 {
		t.Fatalf("items %d, failed %+v", len(f.Items), f.Failed)
	}
	if f.Items[0].Show.Title != "A & B é" || f.Items[0].Episode.Title != "Q & A" || f.Items[1].Episode.Title != "x < y" {
		t.Errorf("titles %q %q %q", f.Items[0].Show.Title, f.Items[0].Episode.Title, f.Items[1].Episode.Title)
	}
	if w := strings.Join(f.Items[0].Warnings, "|"); w != `line 3: stray "&" escaped` {
		t.Errorf("item 1 warnings %q", w)
	}
	if w := strings.Join(f.Items[1].Warnings, "|"); !strings.Contains(w, `line 4: stray "<" escaped`) || !strings.Contains(w, `line 4: date "not a date"`) {
		t.Errorf("item 2 warnings %q", w)
	}
	// Windows-1252, declared.
	cp := append([]byte(`<?xml version="1.0" encoding="windows-1252"?><rss><channel><title>`), 0x93, 'Q', 0x94, ' ', 0xE9)
	cp = append(cp, []byte(`</title><item><title>t</title><guid>1</guid></item></channel></rss>`)...)
	if f := mustFeed(t, "w.xml", cp); f.Items[0].Show.Title != "\u201cQ\u201d é" {
		t.Errorf("windows-1252 title %q", f.Items[0].Show.Title)
	}
	// Not UTF-8, declaring nothing: replaced, with a warning.
	bad := mustFeed(t, "b.xml", feedOf("", "<item><title>caf\xe9</title><guid>1</guid></item>"))
	if bad.Items[0].Episode.Title != "caf\uFFFD" || !strings.Contains(strings.Join(bad.Items[0].Warnings, ""), "not UTF-8") {
		t.Errorf("invalid UTF-8: %q %q", bad.Items[0].Episode.Title, bad.Items[0].Warnings)
	}
}

// TestFeedErrors: what cannot be read is a *ParseError naming the file
// and, where there is one, the line.
func TestFeedErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", []byte("  \n"), "x.xml: empty file"},
		{"not XML", []byte("hello"), "x.xml:1: not a feed: text before the root element"},
		{"HTML", []byte("<html><body>hi</body></html>"), "not a feed: the root element is <html>"},
		{"no channel", []byte("<rss></rss>"), "x.xml: not a feed: <rss> holds no <channel>"},
		{"cut short", []byte("<rss><channel>\n<title>t</title>\n<item><title>x</tit"), "x.xml:3: XML: unexpected EOF"},
		{"too large", append([]byte("<rss>"), make([]byte, ingest.MaxFeedSize)...), "over the 67108864-byte feed limit"},
		{"unknown encoding", []byte(`<?xml version="1.0" encoding="klingon"?><rss/>`), `unknown encoding "klingon"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := ingest.ParseFeed("x.xml", c.data, nil)
			var pe *ingest.ParseError
			if f != nil || !errors.As(err, &pe) || pe.Doc != "x.xml" || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParseFeed = %v, %v; want a *ParseError containing %q", f, err, c.want)
			}
		})
	}
}

// TestFeedEntityBomb: DTD entities are never expanded, so a billion
// laughs stays a few bytes, and repairs stay a bounded list of warnings.
func TestFeedEntityBomb(t *testing.T) {
	data, err := os.ReadFile("testdata/feed_entity_bomb.xml")
	if err != nil {
		t.Fatal(err)
	}
	f := mustFeed(t, "b.xml", data)
	if len(f.Items) != 1 || len(f.Items[0].Episode.Description) > 100 {
		t.Fatalf("bomb: %d items, description %d bytes", len(f.Items), len(f.Items[0].Episode.Description))
	}
	many := feedOf("", "<item><title>t</title><guid>1</guid><description>"+strings.Repeat("a & b &x; ", 100_000)+"</description></item>")
	f = mustFeed(t, "m.xml", many)
	if n := len(f.Items[0].Warnings); n > ingest.MaxWarnings {
		t.Errorf("%d warnings", n)
	}
	if w := strings.Join(f.Items[0].Warnings, "\n"); !strings.Contains(w, "more repairs like these not shown") {
		t.Errorf("warnings %q", w)
	}
}

// TestIsFeed: feeds are known by their content.
func TestIsFeed(t *testing.T) {
	for in, want := range map[string][2]bool{
		"<?xml version=\"1.0\"?><rss>":                 {true, true},
		"\uFEFF\n  <rss version=\"2.0\">":              {true, true},
		"<feed xmlns=\"http://www.w3.org/2005/Atom\">": {true, true},
		"<?xml version=\"1.0\"?><html>":                {true, false},
		"DOP 1: Title\nRelease Date: 01/02/2025":       {false, false},
		"":                                             {false, false},
		"\xFF\xFE<\x00r\x00":                           {true, true},
	} {
		if got := [2]bool{ingest.IsFeed([]byte(in)), ingest.LooksLikeFeed([]byte(in))}; got != want {
			t.Errorf("IsFeed, LooksLikeFeed(%q) = %v; want %v", in, got, want)
		}
	}
}

// TestFeedLimits: the text limits of pages bound feed text too.
func TestFeedLimits(t *testing.T) {
	long := strings.Repeat("word ", 200)
	f := mustFeed(t, "f.xml", feedOf("", fmt.Sprintf(`<item><title>%s</title><guid>%s</guid><itunes:image href="https://x.example/%s"/></item>`,
		long, strings.Repeat("g", 300), strings.Repeat("i", 3000))))
	d := f.Items[0]
	if len(d.Episode.Title) > ingest.MaxTitleBytes || d.Episode.Image != "" || len(d.Name) > 100 || !strings.HasPrefix(d.Name, "f.xml#sha256:") {
		t.Errorf("title %d bytes, image %q, name %q", len(d.Episode.Title), d.Episode.Image, d.Name)
	}
	if !bytes.Contains([]byte(strings.Join(d.Warnings, "\n")), []byte("item title is 999 bytes")) {
		t.Errorf("warnings %q", d.Warnings)
	}
}

// TestParseFeedAt: a fetched feed's URL is its FeedURL unless it names
// its own.
func TestParseFeedAt(t *testing.T) {
	item := `<item><title>T</title><guid>1</guid></item>`
	f, err := ingest.ParseFeedAt("f.xml", "https://fetched.example/feed", feedOf("", item), nil)
	if err != nil || f.Items[0].Show.FeedURL != "https://fetched.example/feed" {
		t.Fatalf("%v %+v", err, f)
	}
	self := `<atom:link xmlns:atom="http://www.w3.org/2005/Atom" rel="self" href="https://self.example/feed"/>`
	f, err = ingest.ParseFeedAt("f.xml", "https://fetched.example/feed", feedOf(self, item), nil)
	if err != nil || f.Items[0].Show.FeedURL != "https://self.example/feed" {
		t.Fatalf("%v %+v", err, f)
	}
}

// TestAtomWithoutNamespace: an Atom feed that forgot its namespace is read
// as Atom, with a warning.
func TestAtomWithoutNamespace(t *testing.T) {
	f := mustFeed(t, "a.xml", []byte(`<feed><title>Bare</title><entry><id>e1</id><title>One</title>
<link rel="enclosure" href="https://a.example/1.mp3"/></entry></feed>`))
	if len(f.Items) != 1 || f.Items[0].Show.Title != "Bare" || f.Items[0].Episode.Audio == nil ||
		!strings.Contains(strings.Join(f.Warnings, ""), "does not declare the Atom namespace") {
		t.Fatalf("%+v", f)
	}
}

// TestFeedItemCap: past MaxFeedItems, items are skipped unread, with a
// warning: a feed of a million tiny items stays bounded.
func TestFeedItemCap(t *testing.T) {
	if testing.Short() {
		t.Skip("a large feed")
	}
	f := mustFeed(t, "many.xml", feedOf("", strings.Repeat("<item><guid>x</guid></item>", ingest.MaxFeedItems+5)))
	// Every guid is "x": one item is kept, the rest are repeats.
	if w := strings.Join(f.Warnings, "\n"); len(f.Items) != 1 || len(f.Warnings) != 12 ||
		!strings.Contains(w, fmt.Sprintf("%d more items repeat an earlier item's guid", ingest.MaxFeedItems-11)) || !strings.Contains(strings.Join(f.Warnings, "\n"), fmt.Sprintf("the feed has %d items; only the first %d are read", ingest.MaxFeedItems+5, ingest.MaxFeedItems)) {
		t.Errorf("items %d, warnings %d: %.300q", len(f.Items), len(f.Warnings), f.Warnings)
	}
}

// Only a feed's first channel is read, with a warning: the items of the
// others never become episodes. (That they are skipped rather than decoded,
// which bounds the memory they cost, is not something this test can see.)
func TestFeedSecondChannelSkipped(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<rss version="2.0"><channel><title>First</title><item><guid>a</guid><title>One</title></item></channel><channel><title>Second</title>`)
	for i := range 3 * ingest.MaxFeedItems / 2 {
		fmt.Fprintf(&b, `<item><guid>b%d</guid></item>`, i)
	}
	b.WriteString(`</channel></rss>`)
	feed, err := ingest.ParseFeed("two.xml", []byte(b.String()), ingest.DefaultVocabulary())
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 1 || feed.Items[0].Episode.GUID != "a" || feed.Items[0].Show.Title != "First" {
		t.Fatalf("%d items, first %+v; want the first channel's one", len(feed.Items), feed.Items[0].Episode)
	}
	if !slices.ContainsFunc(feed.Warnings, func(w string) bool { return strings.Contains(w, "2 channels; only the first is read") }) {
		t.Errorf("warnings %q", feed.Warnings)
	}
}

// A control character XML does not allow (U+0001 in one item's
// description, NUL in another's title, in CDATA too) no longer sinks the
// whole feed: it becomes a space, with a warning on that item naming the
// line, and every item is read.
func TestFeedControlCharactersRepaired(t *testing.T) {
	feed := "<rss><channel><title>Show</title>\n" +
		"<item><guid>a</guid><title>One</title><description>bad\x01byte</description></item>\n" +
		"<item><guid>b</guid><title>Two\x00</title><description><![CDATA[x\x02y]]></description></item>\n" +
		"<item><guid>c</guid><title>Three</title></item>\n" +
		"</channel></rss>"
	f, err := ingest.ParseFeed("x.xml", []byte(feed), nil)
	if err != nil {
		t.Fatalf("ParseFeed: %v", err)
	}
	if len(f.Items) != 3 {
		t.Fatalf("%d items, want 3", len(f.Items))
	}
	all := fmt.Sprint(f.Warnings)
	for _, it := range f.Items {
		all += fmt.Sprint(it.Warnings)
	}
	for _, want := range []string{"line 2: control character U+0001", "line 3: control character U+0000"} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings %s lack %q", all, want)
		}
	}
}
