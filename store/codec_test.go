package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"podcastgraph/ingest"
	"podcastgraph/internal/pagegen"
	"podcastgraph/internal/podcast"
)

func strPtr(s string) *string { return &s }

// sampleEpisodes are records as the write path builds them, with the
// corners of the format: nil and empty lists, unset pointers, empty
// strings, a link kind outside the known ones, negative and large numbers.
func sampleEpisodes(t testing.TB) []*podcast.Episode {
	d := podcast.Date{Year: 2025, Month: time.September, Day: 17}
	desc := "In this episode, Darin and Viktor speak with Avery Pennarun, CEO of Tailscale. They talk about VPNs.\n\nMore."
	return []*podcast.Episode{
		generatedEpisode(t, 5000),
		{Show: "devops-paradox", Number: 316, Code: "DOP 316", Title: strPtr("Bringing Back the Internet"), ReleaseDate: &d,
			Summary: desc[:98], Description: &desc,
			Hosts: []podcast.Host{{Name: "Darin"}, {Name: "Viktor"}},
			Links: []podcast.Link{{Kind: podcast.LinkSlack, URL: "https://example.com/slack/", Label: "Slack"},
				{Kind: "FEDIVERSE", URL: "https://example.social/@dop"}, {Kind: podcast.LinkOther, URL: ""}},
			Appearances: []podcast.Appearance{{Guest: "avery-pennarun", Evidence: desc[:82]}},
			Topics:      []string{"networking", "vpn"}},
		{Show: "s", Number: 0, Code: "#0", Hosts: []podcast.Host{}, Links: []podcast.Link{}, Appearances: []podcast.Appearance{}, Topics: []string{}},
		{Show: "s", Number: -7, Title: strPtr(""), Description: strPtr(""), SummaryTruncated: true, Summary: "cut…"},
		{Show: "ünïcödé-show", Number: 1 << 31, Code: "Ü 1", Summary: strings.Repeat("long ", 1000), Topics: []string{"a", "a"}},
		feedEpisode(),
		{Show: "f", Number: 2, Code: "F 2", Appearances: []podcast.Appearance{{Guest: "a", Evidence: "A"}, {Guest: "b", Evidence: "B", Via: podcast.ViaAuthor}}},
		{Show: "f", Number: 3, Code: "F 3", EpisodeFeed: podcast.EpisodeFeed{Explicit: new(bool), Transcripts: []podcast.Transcript{{URL: "u", Type: "t"}}}},
	}
}

// feedEpisode is an episode with every fact a feed item can state.
func feedEpisode() *podcast.Episode {
	at := time.Date(2025, 1, 1, 9, 30, 0, 5, time.UTC)
	yes := true
	return &podcast.Episode{Show: "history-hour", Number: 2, Code: "HH 2", Title: strPtr("Rome"), Summary: "About Rome.",
		Appearances: []podcast.Appearance{{Guest: "jane-doe", Evidence: "Jane Doe", Via: podcast.ViaTag}},
		EpisodeFeed: podcast.EpisodeFeed{GUID: "rome", FeedNumber: 1, PublishedAt: &at, Season: 2, EpisodeType: "full",
			Duration: 3600, Explicit: &yes, Image: "https://img.example.com/rome.jpg",
			Audio:       &podcast.Enclosure{URL: "https://cdn.example.com/rome.mp3", Type: "audio/mpeg", Length: 1 << 40},
			Transcripts: []podcast.Transcript{{URL: "https://example.com/rome.vtt", Type: "text/vtt", Language: "en", Rel: "captions"}},
			Chapters:    "https://example.com/rome.json", Categories: []string{"Ancient", "Rome"}}}
}

// generatedEpisode is the merged record of a generated page's own
// episode: the shape the serving path reads most.
func generatedEpisode(t testing.TB, i int) *podcast.Episode {
	name, data := pagegen.Page(i, pagegen.Options{Shows: 1, Seed: 1})
	doc, err := ingest.Parse(name, data, ingest.DefaultVocabulary())
	if err != nil {
		t.Fatal(err)
	}
	frags, _, err := fragmentsOf(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := podcast.EpisodeKey{Show: doc.Show.Slug, Number: doc.Episode.Number}
	prefix := string(fragPrefix(fragEpisode, string(episodeKey(k))))
	var own [][]byte
	for _, f := range frags {
		if strings.HasPrefix(string(f.key), prefix) && f.key[len(prefix)] == prioOwn {
			own = append(own, f.value)
		}
	}
	e, err := mergeEpisode(k, own, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// viaJSON is what schema version 1 gave back for v: its JSON, decoded.
func viaJSON[T any](t *testing.T, v *T) *T {
	t.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out := new(T)
	if err := json.Unmarshal(js, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Every record decodes to what its JSON decoded to, from either encoding.
func TestRecordsDecodeAsJSONDid(t *testing.T) {
	check := func(t *testing.T, want, fromBinary, fromJSON any) {
		t.Helper()
		if !reflect.DeepEqual(fromBinary, want) {
			t.Errorf("binary decoded to\n%#v\nwant\n%#v", fromBinary, want)
		}
		if !reflect.DeepEqual(fromJSON, want) {
			t.Errorf("JSON decoded to\n%#v\nwant\n%#v", fromJSON, want)
		}
	}
	for i, e := range sampleEpisodes(t) {
		t.Run(fmt.Sprintf("episode %d", i), func(t *testing.T) {
			got, err := decodeEpisode(encodeEpisode(e))
			if err != nil {
				t.Fatal(err)
			}
			js, _ := json.Marshal(e)
			old, err := decodeEpisode(js)
			if err != nil {
				t.Fatal(err)
			}
			check(t, viaJSON(t, e), got, old)
		})
	}
	guests := []*podcast.Guest{
		{Slug: "avery-pennarun", Name: "Avery Pennarun", Role: "CEO", Organization: "Tailscale", Bio: "creator of wireguard-go",
			Links: []podcast.Link{{Kind: podcast.LinkLinkedIn, URL: "https://www.linkedin.com/in/apenwarr/"}}},
		{Slug: "x", Name: "X", Links: []podcast.Link{}},
		{Slug: "y", Name: "Y"},
		{Slug: "z", Name: "Z", Image: "https://img.example.com/z.jpg"},
	}
	for _, g := range guests {
		t.Run("guest "+g.Slug, func(t *testing.T) {
			got, err := decodeGuest(encodeGuest(g))
			if err != nil {
				t.Fatal(err)
			}
			js, _ := json.Marshal(g)
			old, err := decodeGuest(js)
			if err != nil {
				t.Fatal(err)
			}
			check(t, viaJSON(t, g), got, old)
		})
	}
	shows := []*podcast.Show{
		{Slug: "devops-paradox", Title: "DevOps Paradox", Code: "DOP", Hosts: []podcast.Host{{Name: "Darin"}},
			Links: []podcast.Link{{Kind: podcast.LinkYouTube, URL: "https://youtube.com/dop", Label: "YouTube"}}},
		{Slug: "bare", Title: "Bare", Hosts: []podcast.Host{}, Links: []podcast.Link{}},
		{Slug: "feed", Title: "Feed", ShowFeed: podcast.ShowFeed{GUID: "g", FeedURL: "https://f.example.com/rss", Author: "A",
			Description: "D", Image: "I", Language: "en", Categories: []string{"History"}}},
		{Slug: "locked", Title: "Locked", ShowFeed: podcast.ShowFeed{GUID: "g2", Locked: true}},
		{Slug: "only-locked", Title: "Only Locked", ShowFeed: podcast.ShowFeed{Locked: true}},
	}
	for _, s := range shows {
		t.Run("show "+s.Slug, func(t *testing.T) {
			got, err := decodeShow(encodeShow(s))
			if err != nil {
				t.Fatal(err)
			}
			js, _ := json.Marshal(s)
			old, err := decodeShow(js)
			if err != nil {
				t.Fatal(err)
			}
			check(t, viaJSON(t, s), got, old)
		})
	}
	topics := []*podcast.Topic{{Slug: "ai", Name: "AI", Aliases: []string{"artificial intelligence", "ml"}},
		{Slug: "dns", Name: "DNS", Aliases: []string{}}, {Slug: "k8s", Name: "Kubernetes"}}
	for _, tp := range topics {
		t.Run("topic "+tp.Slug, func(t *testing.T) {
			got, err := decodeTopic(encodeTopic(tp))
			if err != nil {
				t.Fatal(err)
			}
			js, _ := json.Marshal(tp)
			old, err := decodeTopic(js)
			if err != nil {
				t.Fatal(err)
			}
			check(t, viaJSON(t, tp), got, old)
		})
	}
}

func TestFragmentsDecodeAsJSONDid(t *testing.T) {
	name, data := pagegen.Page(5000, pagegen.Options{Shows: 1, Seed: 1})
	doc, err := ingest.Parse(name, data, ingest.DefaultVocabulary())
	if err != nil {
		t.Fatal(err)
	}
	frags, _, err := fragmentsOf(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := podcast.Date{Year: 2020, Month: 2, Day: 29}
	extra := []any{
		episodeFrag{Summary: "only a summary"},
		episodeFrag{Code: "DOP", Title: "T", ReleaseDate: &d, Description: "D", Summary: "D", Truncated: true,
			Topics: []string{}, Appearances: []podcast.Appearance{}, Hosts: []string{}, Links: []podcast.Link{}},
		guestFrag{Name: "N", Links: []podcast.Link{{Kind: "ELSEWHERE", URL: "u", Label: "l"}}},
		showFrag{Title: "S", Hosts: []string{}},
		episodeFrag{Code: "HH", Summary: "S", Appearances: feedEpisode().Appearances, EpisodeFeed: feedEpisode().EpisodeFeed},
		guestFrag{Name: "N", Image: "https://img.example.com/n.jpg"},
		showFrag{Title: "S", ShowFeed: podcast.ShowFeed{GUID: "g", Language: "en", Categories: []string{"History"}, Locked: true}},
	}
	for i, v := range extra {
		f, err := newFragment(fragShow, "x", prioOwn, v)
		if err != nil {
			t.Fatal(err)
		}
		f.key[0] = map[int]byte{0: fragEpisode, 1: fragEpisode, 2: fragGuest, 3: fragShow, 4: fragEpisode, 5: fragGuest, 6: fragShow}[i]
		frags = append(frags, f)
	}
	if len(frags) < 10 {
		t.Fatalf("%d fragments from a generated page, want at least 10", len(frags))
	}
	for _, f := range frags {
		if isJSON(f.value) {
			t.Fatalf("fragment %q stored as JSON", f.key)
		}
		var fromBinary, fromJSON, want any
		var js []byte
		var err1, err2 error
		switch f.key[0] {
		case fragEpisode:
			var a, b, w episodeFrag
			err1 = decodeEpisodeFrag(f.value, &a)
			js, _ = json.Marshal(a)
			err2 = decodeEpisodeFrag(js, &b)
			_ = json.Unmarshal(js, &w)
			fromBinary, fromJSON, want = a, b, w
		case fragGuest:
			var a, b, w guestFrag
			err1 = decodeGuestFrag(f.value, &a)
			js, _ = json.Marshal(a)
			err2 = decodeGuestFrag(js, &b)
			_ = json.Unmarshal(js, &w)
			fromBinary, fromJSON, want = a, b, w
		case fragShow:
			var a, b, w showFrag
			err1 = decodeShowFrag(f.value, &a)
			js, _ = json.Marshal(a)
			err2 = decodeShowFrag(js, &b)
			_ = json.Unmarshal(js, &w)
			fromBinary, fromJSON, want = a, b, w
		}
		if err1 != nil || err2 != nil {
			t.Fatalf("fragment %q: %v, %v", f.key, err1, err2)
		}
		if !reflect.DeepEqual(fromBinary, want) || !reflect.DeepEqual(fromJSON, want) {
			t.Errorf("fragment %q:\nbinary %#v\nJSON   %#v\nwant   %#v", f.key, fromBinary, fromJSON, want)
		}
		// The JSON the key's hash is of is the fragment's own.
		if re, err := reencodeFragment(f.key, js); err != nil || string(re) != string(f.value) {
			t.Errorf("fragment %q: JSON re-encoded differs (%v)", f.key, err)
		}
	}
}

func TestDocRecordRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 3, 8, 46, 42, 676661705, time.UTC)
	recs := []docRecord{
		{Name: "gen_005000.txt", SHA256: "9696bd5b51f50eee078e087350bcd0d888ce291d09aac236f8fde840725cf02b", Fingerprint: "b24145fe0e2cf709",
			IngestedAt: at, Warnings: []string{},
			Fragments: fragmentKeys{[]byte("sgenerated-show-1\x00\x00\x11\x84\xf6\xfe\x74\x0e\xb9\xf9\x13"),
				[]byte("egenerated-show-1\x00\x00\x00\x13\x89\x00\x00\xa6\x8e\x04\xd9\x7c\x05\x44\x46"),
				[]byte("egenerated-show-1\x00\x00\x00\x13\x88\x00\x01\x8a\x07\x15\x94\xd8\xfd\x62\xcf")}},
		{Name: "odd", SHA256: "sha-a.txt-316-1-[vpn]", Fingerprint: "", IngestedAt: at.Add(-time.Hour * 24 * 365 * 80),
			Warnings: []string{"line 3: no date", "line 9: unknown link"}},
		{Name: "upper", SHA256: "ABCDEF", IngestedAt: time.Unix(0, 0).UTC(), Fragments: fragmentKeys{}},
	}
	for _, rec := range recs {
		t.Run(rec.Name, func(t *testing.T) {
			var got, old, want docRecord
			if err := decodeDocRecord(encodeDocRecord(&rec), &got); err != nil {
				t.Fatal(err)
			}
			js, _ := json.Marshal(rec)
			if err := decodeDocRecord(js, &old); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal(js, &want)
			// Fragment keys come back sorted: their order means nothing.
			slices.SortFunc(want.Fragments, bytes.Compare)
			slices.SortFunc(old.Fragments, bytes.Compare)
			for _, r := range []docRecord{got, old} {
				if !r.IngestedAt.Equal(want.IngestedAt) || r.IngestedAt.Location() != time.UTC {
					t.Errorf("ingestedAt %v, want %v", r.IngestedAt, want.IngestedAt)
				}
				r.IngestedAt = want.IngestedAt
				if !reflect.DeepEqual(r, want) {
					t.Errorf("decoded\n%#v\nwant\n%#v", r, want)
				}
			}
		})
	}
}

// A summary that opens the description, and evidence quoted from it, are
// stored once: the record grows by their length when they are text of
// their own.
func TestEpisodeStoresRepeatedTextOnce(t *testing.T) {
	e := generatedEpisode(t, 5000)
	if e.Description == nil || !strings.HasPrefix(*e.Description, e.Summary) || len(e.Appearances) == 0 {
		t.Fatalf("generated episode lacks the shape this test needs: %+v", e)
	}
	apart := *e
	apart.Summary = strings.Repeat("s", len(e.Summary))
	apart.Appearances = nil
	repeated := len(e.Summary)
	for i, a := range e.Appearances {
		apart.Appearances = append(apart.Appearances, podcast.Appearance{Guest: a.Guest, Evidence: strings.Repeat(string(rune('a'+i)), len(a.Evidence))})
		repeated += len(a.Evidence)
	}
	shared, own := len(encodeEpisode(e)), len(encodeEpisode(&apart))
	if own-shared < repeated-8*(1+len(e.Appearances)) {
		t.Errorf("record is %d bytes, %d with the summary and evidence apart: %d bytes of them stored again", shared, own, repeated-(own-shared))
	}
	js, _ := json.Marshal(e)
	t.Logf("episode: JSON %d bytes, binary %d", len(js), shared)
}

// Every strict prefix of a record, and every record with a byte changed,
// decodes to an error or a record, never a panic.
func TestDecodeRejectsTruncated(t *testing.T) {
	for _, e := range sampleEpisodes(t) {
		rec := encodeEpisode(e)
		for n := range len(rec) {
			if _, err := decodeEpisode(rec[:n]); err == nil {
				t.Errorf("%s: prefix of %d of %d bytes decoded without error", e.Code, n, len(rec))
			}
		}
		for i := range rec {
			bad := append([]byte(nil), rec...)
			bad[i] ^= 0xff
			_, _ = decodeEpisode(bad)
		}
	}
	var rec docRecord
	full := encodeDocRecord(&docRecord{Name: "n", SHA256: strings.Repeat("ab", 32), IngestedAt: time.Unix(1, 2),
		Fragments: fragmentKeys{[]byte("abc"), []byte("abd"), []byte("b")}})
	for n := range len(full) {
		if err := decodeDocRecord(full[:n], &rec); err == nil {
			t.Errorf("document record: prefix of %d of %d bytes decoded without error", n, len(full))
		}
	}
}
