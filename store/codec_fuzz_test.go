package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"podcastgraph/internal/podcast"
)

// Decoders meet whatever bytes a damaged file holds: they return an error
// or a record, never panic, and a record they return encodes to one that
// decodes the same.
//
//	go test -run '^$' -fuzz FuzzDecodeEpisode -fuzztime 30s ./store

func FuzzDecodeEpisode(f *testing.F) {
	for _, e := range sampleEpisodes(f) {
		f.Add(encodeEpisode(e))
		js, _ := json.Marshal(e)
		f.Add(js)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := decodeEpisode(raw)
		if err != nil || isJSON(raw) {
			return
		}
		again, err := decodeEpisode(encodeEpisode(e))
		if err != nil || !reflect.DeepEqual(again, e) {
			t.Fatalf("re-encoded %#v decoded to %#v (%v)", e, again, err)
		}
	})
}

func FuzzDecodeDocRecord(f *testing.F) {
	f.Add(encodeDocRecord(&docRecord{Name: "gen_000001.txt", SHA256: strings.Repeat("0f", 32), Fingerprint: "b24145fe0e2cf709",
		IngestedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Warnings: []string{"w"},
		Fragments: fragmentKeys{[]byte("egenerated-show-1\x00\x00\x00\x00\x01\x00\x00abcdefgh"), []byte("egenerated-show-1\x00\x00\x00\x00\x02\x00\x01abcdefgh")}}))
	f.Add([]byte(`{"name":"a","sha256":"x","fingerprint":"","ingestedAt":"2026-01-02T03:04:05Z","warnings":null,"fragments":"AWE="}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var rec docRecord
		if err := decodeDocRecord(raw, &rec); err != nil || isJSON(raw) {
			return
		}
		var again docRecord
		if err := decodeDocRecord(encodeDocRecord(&rec), &again); err != nil || !again.IngestedAt.Equal(rec.IngestedAt) {
			t.Fatalf("re-encoded %#v decoded to %#v (%v)", rec, again, err)
		}
		again.IngestedAt = rec.IngestedAt
		if len(rec.Fragments) == 0 {
			rec.Fragments = nil
		}
		slices.SortFunc(rec.Fragments, bytes.Compare) // written sorted, whatever order they came in
		if !reflect.DeepEqual(again, rec) {
			t.Fatalf("re-encoded %#v decoded to %#v", rec, again)
		}
	})
}

// FuzzDecodeRecords feeds the same bytes to the other decoders.
func FuzzDecodeRecords(f *testing.F) {
	f.Add(encodeGuest(&podcast.Guest{Slug: "a", Name: "A", Role: "CEO", Links: []podcast.Link{{Kind: "X", URL: "u"}}}))
	f.Add(encodeShow(&podcast.Show{Slug: "s", Title: "S", Hosts: []podcast.Host{{Name: "h"}}}))
	f.Add(encodeTopic(&podcast.Topic{Slug: "ai", Name: "AI", Aliases: []string{"ml"}}))
	f.Add(encodeEpisodeFrag(&episodeFrag{Code: "C", Summary: "s", Topics: []string{"t"}, Appearances: []podcast.Appearance{{Guest: "g", Evidence: "e"}}}))
	f.Add(encodeGuestFrag(&guestFrag{Name: "n", Bio: "b"}))
	f.Add(encodeShowFrag(&showFrag{Title: "t", Hosts: []string{"h"}}))
	f.Add(encodeSourceNames([][]byte{[]byte("gen_000001.txt"), []byte("gen_000002.txt"), []byte("z")}))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if g, err := decodeGuest(raw); err == nil && !isJSON(raw) {
			if again, err := decodeGuest(encodeGuest(g)); err != nil || !reflect.DeepEqual(again, g) {
				t.Fatalf("guest %#v came back %#v (%v)", g, again, err)
			}
		}
		if s, err := decodeShow(raw); err == nil && !isJSON(raw) {
			if again, err := decodeShow(encodeShow(s)); err != nil || !reflect.DeepEqual(again, s) {
				t.Fatalf("show %#v came back %#v (%v)", s, again, err)
			}
		}
		_, _ = decodeTopic(raw)
		var ef episodeFrag
		_ = decodeEpisodeFrag(raw, &ef)
		var gf guestFrag
		_ = decodeGuestFrag(raw, &gf)
		var sf showFrag
		_ = decodeShowFrag(raw, &sf)
		if names, err := sourceNames(raw); err == nil {
			if again, err := sourceNames(encodeSourceNames(names)); err != nil || len(again) != len(names) {
				t.Fatalf("source names %q came back %q (%v)", names, again, err)
			}
		}
	})
}

// Decoding an episode record, as the record cache does on every miss:
//
//	go test -run '^$' -bench DecodeEpisode -benchmem -count 5 ./store
func BenchmarkDecodeEpisode(b *testing.B) {
	e := generatedEpisode(b, 5000)
	js, err := json.Marshal(e)
	if err != nil {
		b.Fatal(err)
	}
	bin := encodeEpisode(e)
	for _, c := range []struct {
		name string
		raw  []byte
	}{{"json", js}, {"binary", bin}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.raw)))
			for range b.N {
				if _, err := decodeEpisode(c.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeEpisode(b *testing.B) {
	e := generatedEpisode(b, 5000)
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := json.Marshal(e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("binary", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			encodeEpisode(e)
		}
	})
}
