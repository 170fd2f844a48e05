package main

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// peerSchema is the PostGraphile peer's tables, made before the rows are
// copied in. Ids follow the catalogue: an episode's id is its place in the
// API's NUMBER order, so "id descending" is the podcast graph's default
// order; a guest's place on its episode keeps the order the page names
// them in.
const peerSchema = `create table episode (id int not null, number int not null, code text not null, title text, release_date date,
  summary text, description text);
create table guest (id int not null, slug text not null, name text not null, role text, organization text);
create table topic (id int not null, slug text not null, name text not null);
create table episode_guest (episode_id int not null, position int not null, guest_id int not null);
create table episode_topic (episode_id int not null, topic_id int not null);
`

// peerKeys is what a PostGraphile user adds once the rows are in: keys
// (PostGraphile's relations and lookups by slug come from them), an index
// on each side of each join and on the columns pages are ordered or
// looked up by, a computed column for a guest's episode count, and a
// function for episodes of a topic released after a date (the filtered
// page). Statistics for the planner are gathered after peerSearch.
const peerKeys = `alter table episode add primary key (id);
alter table guest add primary key (id), add unique (slug);
alter table topic add primary key (id), add unique (slug);
alter table episode_guest add primary key (episode_id, position),
  add foreign key (episode_id) references episode (id), add foreign key (guest_id) references guest (id);
create unique index on episode_guest (guest_id, episode_id);
alter table episode_topic add primary key (episode_id, topic_id),
  add foreign key (episode_id) references episode (id), add foreign key (topic_id) references topic (id);
create index on episode_topic (topic_id, episode_id);
create index on episode (number);
create index on episode (release_date);
create function guest_episode_count(g guest) returns int language sql stable as
  $$ select count(*)::int from episode_guest where guest_id = g.id $$;
create function episodes_by_topic(topic_slug text, released_after date) returns setof episode language sql stable as
  $$ select e.* from episode e join episode_topic et on et.episode_id = e.id join topic t on t.id = et.topic_id
     where t.slug = topic_slug and e.release_date > released_after order by e.release_date desc, e.id desc $$;
`

// peerSearch is PostgreSQL's full-text search as a PostGraphile user sets
// it up: a weighted tsvector column (title A; the guests' names, roles and
// organisations B; the summary, the description's first paragraph, C; the
// whole description D; the English configuration), filled once the rows
// are in (a guest's text is in another table, so no generated column; a
// live peer would keep it with triggers), a GIN index on it, and
// search_episodes(q), exposed by PostGraphile as the connection
// searchEpisodes(q:, first:) with totalCount: the episodes matching
// websearch_to_tsquery(q) (every word; "phrases"; -exclusions), best
// ts_rank_cd first. The computed columns Episode.rank(q:) and
// Episode.headline(q:) (ts_headline of the description, matches in
// <mark>) are computed only for the episodes a page returns.
const peerSearch = `alter table episode add column search tsvector;
update episode e set search =
  setweight(to_tsvector('english', coalesce(e.title, '')), 'A') ||
  setweight(to_tsvector('english', coalesce((select string_agg(concat_ws(' ', g.name, g.role, g.organization), ' ')
    from episode_guest eg join guest g on g.id = eg.guest_id where eg.episode_id = e.id), '')), 'B') ||
  setweight(to_tsvector('english', coalesce(e.summary, '')), 'C') ||
  setweight(to_tsvector('english', coalesce(e.description, '')), 'D');
create index episode_search on episode using gin (search);
create function search_episodes(q text) returns setof episode language sql stable as
  $$ select e.* from episode e where e.search @@ websearch_to_tsquery('english', q)
     order by ts_rank_cd(e.search, websearch_to_tsquery('english', q)) desc, e.id desc $$;
create function episode_rank(e episode, q text) returns real language sql stable as
  $$ select ts_rank_cd(e.search, websearch_to_tsquery('english', q)) $$;
create function episode_headline(e episode, q text) returns text language sql stable as
  $$ select ts_headline('english', coalesce(e.description, e.title, ''), websearch_to_tsquery('english', q),
     'StartSel=<mark>, StopSel=</mark>, MaxFragments=1, MinWords=15, MaxWords=35') $$;
analyze;
`

// writeRows writes the psql script that loads c into an empty database:
// the tables, the rows with COPY, then the keys, indexes and functions,
// and full-text search.
func writeRows(w io.Writer, c *catalogue) error {
	b := bufio.NewWriterSize(w, 1<<16)
	b.WriteString(peerSchema)
	table := func(head string, rows func(row func(...string))) {
		b.WriteString("copy " + head + " from stdin;\n")
		rows(func(fields ...string) {
			for i, f := range fields {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(copyField(f))
			}
			b.WriteByte('\n')
		})
		b.WriteString("\\.\n")
	}
	itoa := strconv.Itoa
	table("episode (id, number, code, title, release_date, summary, description)", func(row func(...string)) {
		for _, e := range c.episodes {
			date := ""
			if !e.date.IsZero() {
				date = e.date.String()
			}
			summary := ""
			if len(e.paras) > 0 {
				summary = e.paras[0]
			}
			row(itoa(e.id), itoa(e.number), e.code, e.title, date, summary, strings.Join(e.paras, "\n"))
		}
	})
	table("guest (id, slug, name, role, organization)", func(row func(...string)) {
		for _, g := range c.guests {
			row(itoa(g.id), g.slug, g.name, g.role, g.organization)
		}
	})
	table("topic (id, slug, name)", func(row func(...string)) {
		for _, t := range c.topics {
			row(itoa(t.id), t.slug, t.name)
		}
	})
	table("episode_guest (episode_id, position, guest_id)", func(row func(...string)) {
		for _, e := range c.episodes {
			for i, g := range e.guests {
				row(itoa(e.id), itoa(i+1), itoa(g.id))
			}
		}
	})
	table("episode_topic (episode_id, topic_id)", func(row func(...string)) {
		for _, e := range c.episodes {
			for _, t := range e.topics {
				row(itoa(e.id), itoa(c.topic[t].id))
			}
		}
	})
	b.WriteString(peerKeys)
	b.WriteString(peerSearch)
	return b.Flush()
}

// copyField writes s in COPY's text format; "" is NULL (no column of the
// peer holds an empty string).
func copyField(s string) string {
	if s == "" {
		return `\N`
	}
	return copyEscaper.Replace(s)
}

var copyEscaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)
