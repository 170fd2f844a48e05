package store

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/podcast"
)

// TestPrepareMemo checks that a document prepared through a Memo states
// the fragments Prepare encodes, byte for byte, whether the memo had them
// or not: pages of a catalogue (which restate their listings' fragments),
// default generated pages, the seeds and feed items, each prepared twice
// through one memo (the second time, every fragment it may remember is a
// hit).
func TestPrepareMemo(t *testing.T) {
	vocab := ingest.DefaultVocabulary()
	var docs []*ingest.Document
	for _, opts := range []pagegen.Options{{Shows: 1, Seed: 1, Catalogue: true}, {Shows: 3, Seed: 2}} {
		for i := range 60 {
			name, data := pagegen.Page(i, opts)
			doc, err := ingest.Parse(name, data, vocab)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, doc)
		}
	}
	seeds, err := filepath.Glob("../seeds/*.txt")
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no seeds: %v", err)
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := ingest.Parse(filepath.Base(path), data, vocab)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	feed, err := ingest.ParseFeed("feed.xml", pagegen.Feed(20, pagegen.Options{Shows: 1, Seed: 3}), vocab)
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, feed.Items...)

	memo := NewMemo(0)
	hits := 0
	for pass := range 2 {
		for _, doc := range docs {
			want, got := Prepare(doc), PrepareMemo(doc, memo)
			if len(got.frags) != len(want.frags) {
				t.Fatalf("pass %d, %s: %d fragments through the memo, %d without", pass, doc.Name, len(got.frags), len(want.frags))
			}
			for i := range want.frags {
				w, g := want.frags[i], got.frags[i]
				if !bytes.Equal(w.key, g.key) || !bytes.Equal(w.value, g.value) {
					t.Fatalf("pass %d, %s: fragment %d is %x=%x through the memo, %x=%x without", pass, doc.Name, i, g.key, g.value, w.key, w.value)
				}
			}
			if !reflect.DeepEqual(got.episodes, want.episodes) || !reflect.DeepEqual(got.result, want.result) {
				t.Fatalf("pass %d, %s: episodes or result differ through the memo", pass, doc.Name)
			}
		}
		if pass == 0 {
			hits = len(memo.entries)
		}
	}
	if hits == 0 || len(memo.entries) != hits {
		t.Errorf("the memo holds %d fragments after the first pass and %d after the second: the second should find them all", hits, len(memo.entries))
	}
}

// TestMemoBound checks that a memo holds at most its size, the latest.
func TestMemoBound(t *testing.T) {
	m := NewMemo(3)
	for i := range 10 {
		m.put([]byte{byte(i)}, fragment{key: []byte{byte(i)}})
	}
	if len(m.entries) != 3 {
		t.Fatalf("%d entries, want 3", len(m.entries))
	}
	for i := range 10 {
		_, ok := m.get([]byte{byte(i)})
		if ok != (i >= 7) {
			t.Errorf("entry %d held: %v", i, ok)
		}
	}
}

// TestMemoKeyFields checks that memoKey writes every field of the
// fragments it remembers: changing any one field, or any field of a
// list's element, changes the key. (A field added to a fragment and
// forgotten in memoKey would let two fragments share an entry.)
func TestMemoKeyFields(t *testing.T) {
	d := podcast.Date{Year: 2024, Month: 5, Day: 6}
	link := podcast.Link{Kind: podcast.LinkGitHub, URL: "https://github.com/x", Label: "x"}
	ep := &episodeFrag{Code: "C", Title: "T", ReleaseDate: &d, Description: "D", Summary: "S", Truncated: true,
		Topics: []string{"go"}, Appearances: []podcast.Appearance{{Guest: "g", Evidence: "e", Via: "v"}},
		Hosts: []string{"h"}, Links: []podcast.Link{link}}
	guest := &guestFrag{Name: "N", Role: "R", Organization: "O", Bio: "B", Links: []podcast.Link{link}, Image: "I"}
	for _, v := range []any{ep, guest} {
		base, ok := memoKey(nil, fragEpisode, "id", prioListing, v)
		if !ok {
			t.Fatalf("%T not remembered", v)
		}
		// walk changes each field (and each field of a list's first
		// element) of v in turn, checks the key, and sets it back.
		var walk func(path string, f reflect.Value)
		walk = func(path string, f reflect.Value) {
			check := func(what string, set func()) {
				save := reflect.New(f.Type()).Elem()
				save.Set(f)
				set()
				k, _ := memoKey(nil, fragEpisode, "id", prioListing, v)
				f.Set(save)
				if bytes.Equal(k, base) {
					t.Errorf("%T: changing %s%s leaves the memo's key as it was", v, path, what)
				}
			}
			switch f.Kind() {
			case reflect.String:
				check("", func() { f.SetString(f.String() + "x") })
			case reflect.Bool:
				check("", func() { f.SetBool(!f.Bool()) })
			case reflect.Int:
				check("", func() { f.SetInt(f.Int() + 1) })
			case reflect.Pointer:
				check(" (nil)", func() { f.SetZero() })
				walk(path+".", f.Elem())
			case reflect.Slice:
				check(" (one more)", func() { f.Set(reflect.Append(f, f.Index(0))) })
				walk(path+"[0]", f.Index(0))
			case reflect.Struct:
				for i := range f.NumField() {
					if f.Type().Field(i).Name == "EpisodeFeed" {
						continue // never remembered unless zero
					}
					walk(path+"."+f.Type().Field(i).Name, f.Field(i))
				}
			default:
				t.Errorf("%T: %s is a %s, which this test cannot change", v, path, f.Kind())
			}
		}
		walk("", reflect.ValueOf(v).Elem())
	}
	if _, ok := memoKey(nil, fragEpisode, "id", prioOwn, ep); ok {
		t.Error("an episode fragment of its own page is remembered")
	}
	ep.EpisodeFeed.GUID = "feed"
	if _, ok := memoKey(nil, fragEpisode, "id", prioListing, ep); ok {
		t.Error("an episode fragment with a feed's fields is remembered")
	}
}
