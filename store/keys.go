package store

import (
	"encoding/binary"

	"podcastgraph/internal/podcast"
)

// Episode keys and sort keys. Slugs never contain a zero byte, so 0 ends a
// slug inside a composite key.
//
//	episode key:   show 0 u32(number)
//	number sort:   u32(number) show
//	date sort:     u32(day) u32(number) show     (day = noDay when unknown)
//	index key:     scope 0 sort key              (bynum and bydate buckets)
//
// A scope names the set an index entry belongs to: "*" for every episode,
// "s:SHOW", "g:GUEST" or "t:TOPIC". Its entry count lives in the counts
// bucket, so totalCount of a one-scope filter is a single read.

// noDay sorts undated episodes after every dated one.
const noDay = ^uint32(0)

func episodeKey(k podcast.EpisodeKey) []byte {
	b := make([]byte, 0, len(k.Show)+5)
	b = append(b, k.Show...)
	b = append(b, 0)
	return binary.BigEndian.AppendUint32(b, uint32(k.Number))
}

func parseEpisodeKey(b []byte) (podcast.EpisodeKey, bool) {
	if len(b) < 5 || b[len(b)-5] != 0 {
		return podcast.EpisodeKey{}, false
	}
	return podcast.EpisodeKey{Show: string(b[:len(b)-5]), Number: int(binary.BigEndian.Uint32(b[len(b)-4:]))}, true
}

// dayOf returns the index day of an episode's release date.
func dayOf(d *podcast.Date) uint32 {
	if d == nil || d.IsZero() {
		return noDay
	}
	return d.Days()
}

func numberSortKey(k podcast.EpisodeKey) []byte {
	b := make([]byte, 0, 4+len(k.Show))
	b = binary.BigEndian.AppendUint32(b, uint32(k.Number))
	return append(b, k.Show...)
}

func dateSortKey(day uint32, k podcast.EpisodeKey) []byte {
	b := make([]byte, 0, 8+len(k.Show))
	b = binary.BigEndian.AppendUint32(b, day)
	b = binary.BigEndian.AppendUint32(b, uint32(k.Number))
	return append(b, k.Show...)
}

// episodeFromSortKey decodes the episode a sort key points at.
func episodeFromSortKey(byDate bool, sk []byte) (podcast.EpisodeKey, bool) {
	return decodeSortKey(byDate, sk, "")
}

// decodeSortKey decodes a sort key; show is used as the key's show slug
// when it is the same, to save a string.
func decodeSortKey(byDate bool, sk []byte, show string) (podcast.EpisodeKey, bool) {
	if byDate {
		if len(sk) < 8 {
			return podcast.EpisodeKey{}, false
		}
		sk = sk[4:]
	}
	if len(sk) < 4 {
		return podcast.EpisodeKey{}, false
	}
	if string(sk[4:]) != show {
		show = string(sk[4:])
	}
	return podcast.EpisodeKey{Number: int(binary.BigEndian.Uint32(sk)), Show: show}, true
}

// Scopes of the episode indexes.
const scopeAll = "*"

func scopeShow(slug string) string  { return "s:" + slug }
func scopeGuest(slug string) string { return "g:" + slug }
func scopeTopic(slug string) string { return "t:" + slug }

func indexKey(scope string, sk []byte) []byte {
	b := make([]byte, 0, len(scope)+1+len(sk))
	b = append(b, scope...)
	b = append(b, 0)
	return append(b, sk...)
}

// Kinds of the bycount and pairs buckets.
const (
	kindGuest byte = 'g' // bycount: guests by episode count
	kindTopic byte = 't' // bycount: topics by episode count

	pairTopicGuest byte = 'T' // topic 0 guest: episodes of the topic with the guest
	pairTopicTopic byte = 'R' // topic 0 topic: episodes shared
	pairShowGuest  byte = 'S' // show 0 guest: episodes of the show with the guest

	// A guest's topics and co-guests are counted at read time from the
	// guest's episodes, which are few: keeping them as pairs cost a sixth
	// of bulk ingest. These kinds only name the relations.
	pairGuestTopic byte = 'G'
	pairCoGuest    byte = 'C'
)

func countKey(kind byte, count uint32, slug string) []byte {
	b := make([]byte, 0, 5+len(slug))
	b = append(b, kind)
	b = binary.BigEndian.AppendUint32(b, count)
	return append(b, slug...)
}

func pairKey(kind byte, a, b string) []byte {
	k := make([]byte, 0, 2+len(a)+len(b))
	k = append(k, kind)
	k = append(k, a...)
	k = append(k, 0)
	return append(k, b...)
}

func pairPrefix(kind byte, a string) []byte {
	k := make([]byte, 0, 2+len(a))
	k = append(k, kind)
	k = append(k, a...)
	return append(k, 0)
}
