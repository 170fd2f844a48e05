package ingest

import (
	"testing"
	"time"
)

func TestParseFeedDate(t *testing.T) {
	utc := func(y int, m time.Month, d, hh, mm, ss int) time.Time {
		return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
	}
	for _, c := range []struct {
		in   string
		want time.Time // UTC; zero: unreadable
	}{
		{"Mon, 02 Jan 2006 15:04:05 -0700", utc(2006, 1, 2, 22, 4, 5)},
		{"Mon, 2 Jan 2006 15:04:05 GMT", utc(2006, 1, 2, 15, 4, 5)},
		{"2 Jan 2006 15:04:05 +0000", utc(2006, 1, 2, 15, 4, 5)},
		{"Monday, 02 January 2006 15:04:05 EST", utc(2006, 1, 2, 20, 4, 5)},
		{"Tue, 02 Jan 2006 15:04:05 PDT", utc(2006, 1, 2, 22, 4, 5)}, // wrong weekday: ignored
		{"Mon, 02 Jan 06 15:04 GMT", utc(2006, 1, 2, 15, 4, 0)},
		{"Fri, 01 Jan 99 00:00:00 GMT", utc(1999, 1, 1, 0, 0, 0)},
		{"Mon, 02 Jan 2006 15:04:05 +01:00", utc(2006, 1, 2, 14, 4, 5)},
		{"Mon, 02 Jan 2006 15:04:05", utc(2006, 1, 2, 15, 4, 5)},
		{"Mon,02 Jan 2006 15:04:05 Z", utc(2006, 1, 2, 15, 4, 5)},
		{"02 Sept 2006", utc(2006, 9, 2, 0, 0, 0)},
		{"Jan 2, 2006 15:04:05 GMT", utc(2006, 1, 2, 15, 4, 5)},
		{"Wednesday, 05-Mar-25 07:00:00 GMT", utc(2025, 3, 5, 7, 0, 0)},
		{"2006-01-02T15:04:05Z", utc(2006, 1, 2, 15, 4, 5)},
		{"2006-01-02T15:04:05.123+02:00", time.Date(2006, 1, 2, 13, 4, 5, 123e6, time.UTC)},
		{"2006-01-02", utc(2006, 1, 2, 0, 0, 0)},
		{"", time.Time{}},
		{"yesterday", time.Time{}},
		{"Mon, 31 Feb 2006 10:00:00 GMT", time.Time{}},
		{"Mon, 02 Foo 2006 10:00:00 GMT", time.Time{}},
		{"Mon, 02 Jan 2006 25:00:00 GMT", time.Time{}},
		{"Mon, 02 Jan 2006 10:00:00 +9999", time.Time{}},
	} {
		got, ok := parseFeedDate(c.in)
		if ok != !c.want.IsZero() || ok && !got.Equal(c.want) {
			t.Errorf("parseFeedDate(%q) = %v, %v; want %v", c.in, got.UTC(), ok, c.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]int{
		"3600": 3600, "3600.5": 3600, "59:30": 3570, "1:02:03": 3723, "01:02:03.250": 3723, " 45 ": 45,
		"": -1, "abc": -1, "1:99": -1, "1:2:3:4": -1, "-5": -1, "1::2": -1,
	} {
		got, ok := parseDuration(in)
		if ok != (want >= 0) || ok && got != want {
			t.Errorf("parseDuration(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}

func TestParseExplicit(t *testing.T) {
	for in, want := range map[string]int{"yes": 1, "True": 1, "explicit": 1, "no": 0, "FALSE": 0, "clean": 0, "maybe": -1, "": -1} {
		got, ok := parseExplicit(in)
		if ok != (want >= 0) || ok && got != (want == 1) {
			t.Errorf("parseExplicit(%q) = %v, %v; want %d", in, got, ok, want)
		}
	}
}

func TestCleanHTML(t *testing.T) {
	for _, c := range []struct{ in, text string }{
		{"<p>One</p><p>Two &amp; three</p>", "One\n\nTwo & three"},
		{"Line<br>break<br/>again", "Line\n\nbreak\n\nagain"},
		{"<ul><li>a</li><li>b</li></ul>", "a\n\nb"},
		{"Hi <script>alert(1)</script><style>p{}</style>there", "Hi there"},
		{"Caf&eacute;&nbsp;au   lait", "Café au lait"},
		{"plain\n\n  text  ", "plain\n\ntext"},
		{`See <a href="https://x.example/a">the notes</a>.`, "See the notes."},
	} {
		if got := cleanHTML(c.in).text; got != c.text {
			t.Errorf("cleanHTML(%q) = %q; want %q", c.in, got, c.text)
		}
	}
	links := cleanHTML(`<a href="https://x.example/a">notes</a> <a href="mailto:a@b">mail</a> and https://github.com/x, <a href="https://y.example/">https://y.example/</a>`).links
	want := []string{"https://x.example/a notes", "https://y.example/ ", "https://github.com/x "}
	if len(links) != len(want) {
		t.Fatalf("links %+v; want %v", links, want)
	}
	for i, l := range links {
		if l.URL+" "+l.Label != want[i] {
			t.Errorf("link %d = %+v; want %s", i, l, want[i])
		}
	}
}
