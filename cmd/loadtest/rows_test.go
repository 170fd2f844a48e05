package main

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"podcastgraph/internal/pagegen"
)

// copied reads the rows of each COPY block of a psql script, by table,
// the fields unescaped (NULL as nil).
func copied(t *testing.T, script string) map[string][][]*string {
	t.Helper()
	out := map[string][][]*string{}
	var table string
	for _, line := range strings.Split(script, "\n") {
		switch {
		case strings.HasPrefix(line, "copy "):
			table = strings.Fields(line)[1]
		case line == `\.`:
			table = ""
		case table != "":
			var row []*string
			for _, f := range strings.Split(line, "\t") {
				if f == `\N` {
					row = append(row, nil)
					continue
				}
				s := strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\n`, "\n", `\r`, "\r").Replace(f)
				row = append(row, &s)
			}
			out[table] = append(out[table], row)
		}
	}
	return out
}

// TestWriteRows writes the peer's rows for generated pages and reads
// them back against the catalogue: every episode in NUMBER order, its
// guests in the page's order, its topics, every guest once.
func TestWriteRows(t *testing.T) {
	c := catalogueOf(120, pagegen.Options{Shows: 2, Seed: 3})
	var b bytes.Buffer
	if err := writeRows(&b, c); err != nil {
		t.Fatal(err)
	}
	script := b.String()
	for _, want := range []string{"create table episode", "alter table guest add primary key (id), add unique (slug)", "create function guest_episode_count",
		"create index episode_search on episode using gin (search)", "create function search_episodes(q text)", "analyze;"} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %q", want)
		}
	}
	rows := copied(t, script)
	eps := rows["episode"]
	if len(eps) != 120 {
		t.Fatalf("%d episode rows, want 120", len(eps))
	}
	id := map[string]string{} // episode code -> id
	for i, r := range eps {
		e := c.episodes[i]
		if len(r) != 7 || *r[0] != strconv.Itoa(i+1) || *r[1] != strconv.Itoa(e.number) || *r[2] != e.code || *r[3] != e.title || *r[4] != e.date.String() {
			t.Fatalf("episode row %d: %v, want %+v", i, r, *e)
		}
		// The texts full-text search reads: the summary is the
		// description's first paragraph.
		if len(e.paras) < 2 || r[5] == nil || *r[5] != e.paras[0] || r[6] == nil || *r[6] != strings.Join(e.paras, "\n") {
			t.Errorf("episode row %d: summary %v, description %v, want the paragraphs %q", i, r[5], r[6], e.paras)
		}
		id[e.code] = *r[0]
	}
	guest := map[string]string{} // id -> name
	for _, r := range rows["guest"] {
		if _, dup := guest[*r[0]]; dup {
			t.Errorf("guest id %s twice", *r[0])
		}
		guest[*r[0]] = *r[2]
	}
	if len(guest) != len(c.guests) {
		t.Errorf("%d guests, want %d", len(guest), len(c.guests))
	}
	onEpisode := map[string][]string{} // episode id -> guest names, by position
	for _, r := range rows["episode_guest"] {
		if pos, _ := strconv.Atoi(*r[1]); pos != len(onEpisode[*r[0]])+1 {
			t.Errorf("episode_guest %v: positions out of order", r)
		}
		onEpisode[*r[0]] = append(onEpisode[*r[0]], guest[*r[2]])
	}
	topic := map[string]string{}
	for _, r := range rows["topic"] {
		topic[*r[0]] = *r[1]
	}
	topics := map[string][]string{}
	for _, r := range rows["episode_topic"] {
		topics[*r[0]] = append(topics[*r[0]], topic[*r[1]])
	}
	appearances := 0
	for _, e := range c.episodes {
		var names []string
		for _, g := range e.guests {
			names = append(names, g.name)
		}
		appearances += len(names)
		if got := onEpisode[id[e.code]]; !slices.Equal(got, names) {
			t.Errorf("%s: guests %q, want %q", e.code, got, names)
		}
		if got := topics[id[e.code]]; !slices.Equal(got, e.topics) {
			t.Errorf("%s: topics %q, want %q", e.code, got, e.topics)
		}
	}
	if appearances == 0 || appearances != len(rows["episode_guest"]) {
		t.Errorf("%d episode_guest rows for %d appearances", len(rows["episode_guest"]), appearances)
	}
}

func TestCopyField(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `\N`},
		{"O'Brien & Zoë", "O'Brien & Zoë"},
		{`back\slash`, `back\\slash`},
		{"tab\there", `tab\there`},
		{"two\nlines\r", `two\nlines\r`},
	} {
		t.Run(fmt.Sprintf("%q", tc.in), func(t *testing.T) {
			if got := copyField(tc.in); got != tc.want {
				t.Errorf("copyField(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
