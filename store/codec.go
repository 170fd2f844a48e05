package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"podcastgraph/internal/podcast"
)

// Records (shows, episodes, guests, topics, fragments and document
// records) are stored in a compact binary form rather than JSON: no field
// names, lengths as varints, and a string the record already holds (an
// episode's summary is the opening of its description; a guest's evidence
// is a sentence of it) stored once and referred to. The decoder turns the
// whole record into one string and hands out substrings of it, so a
// record's strings cost one allocation.
//
//	record = format fields...          format: formatBinary, or formatFeed when a feed section
//	                                   ends it; a JSON record (schema 1) starts with '{'
//	string = uvarint(len<<1) bytes     a literal
//	       | uvarint(len<<1|1) uvarint(offset)
//	                                   the len bytes at offset of the record, written earlier
//	list   = uvarint(0)                nil
//	       | uvarint(n+1) item...      n items
//	int    = varint                    (zigzag)
//	flags  = uvarint                   a bit per optional field
//
// The fields of each record, in order, are listed at its encoder. Every
// decoder also reads the JSON records of schema version 1, which a file
// holds until Open has migrated it.

// formatBinary is the first byte of a binary record; formatFeed that of
// one that ends with a feed section (codec_feed.go).
const (
	formatBinary byte = 1
	formatFeed   byte = 2
)

// minRef is the shortest string worth a reference: a reference costs
// about as many bytes as a literal of three.
const minRef = 4

// errCorrupt is the cause of every decoding failure of a binary record.
var errCorrupt = errors.New("corrupt record")

// isJSON reports whether a stored value is a JSON record of schema 1.
func isJSON(v []byte) bool { return len(v) > 0 && v[0] == '{' }

// recordWriter builds one binary record.
type recordWriter struct {
	b      []byte
	search []byte // the string being looked for, as bytes
}

func newRecordWriter(size int) *recordWriter {
	w := &recordWriter{b: make([]byte, 0, size)}
	w.b = append(w.b, formatBinary)
	return w
}

func (w *recordWriter) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *recordWriter) int(v int)        { w.b = binary.AppendVarint(w.b, int64(v)) }

// str writes s, as a reference when the record already holds its bytes.
func (w *recordWriter) str(s string) {
	if len(s) >= minRef {
		w.search = append(w.search[:0], s...)
		if i := bytes.Index(w.b, w.search); i >= 0 {
			w.uvarint(uint64(len(s))<<1 | 1)
			w.uvarint(uint64(i))
			return
		}
	}
	w.uvarint(uint64(len(s)) << 1)
	w.b = append(w.b, s...)
}

// count writes the length of a list, keeping nil apart from empty.
func (w *recordWriter) count(n int, isNil bool) {
	if isNil {
		w.uvarint(0)
		return
	}
	w.uvarint(uint64(n) + 1)
}

func (w *recordWriter) strs(list []string) {
	w.count(len(list), list == nil)
	for _, s := range list {
		w.str(s)
	}
}

// linkKinds are the kinds a link's first byte names (0: the kind follows
// as a string).
var linkKinds = [...]podcast.LinkKind{1: podcast.LinkLinkedIn, podcast.LinkTwitter, podcast.LinkGitHub,
	podcast.LinkYouTube, podcast.LinkApplePodcasts, podcast.LinkSlack, podcast.LinkWebsite, podcast.LinkOther}

func (w *recordWriter) links(list []podcast.Link) {
	w.count(len(list), list == nil)
	for _, l := range list {
		code := slices.Index(linkKinds[1:], l.Kind) + 1
		w.uvarint(uint64(code))
		if code == 0 {
			w.str(string(l.Kind))
		}
		w.str(l.URL)
		w.str(l.Label)
	}
}

func (w *recordWriter) hosts(list []podcast.Host) {
	w.count(len(list), list == nil)
	for _, h := range list {
		w.str(h.Name)
	}
}

func (w *recordWriter) appearances(list []podcast.Appearance) {
	w.count(len(list), list == nil)
	for _, a := range list {
		w.str(a.Guest)
		w.str(a.Evidence)
	}
}

func (w *recordWriter) date(d podcast.Date) {
	w.int(d.Year)
	w.int(int(d.Month))
	w.int(d.Day)
}

// recordReader decodes one binary record. Errors are sticky: after the
// first, every read returns a zero value and err says what went wrong.
type recordReader struct {
	raw  []byte
	s    string // raw as one string: every string read is a substring of it
	pos  int
	err  error
	feed bool // a feed section ends the record
}

// start begins reading raw; it fails when raw is not a binary record.
// The reader copies raw once, into the string its strings share.
func (r *recordReader) start(raw []byte) error {
	if len(raw) == 0 || raw[0] != formatBinary && raw[0] != formatFeed {
		return fmt.Errorf("%w: unknown format", errCorrupt)
	}
	*r = recordReader{raw: raw, s: string(raw), pos: 1, feed: raw[0] == formatFeed}
	return nil
}

func (r *recordReader) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: bad %s at byte %d", errCorrupt, what, r.pos)
	}
}

// done returns the first error, or one when bytes are left over.
func (r *recordReader) done() error {
	if r.err == nil && r.pos != len(r.raw) {
		r.fail("length")
	}
	return r.err
}

func (r *recordReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.raw[r.pos:])
	if n <= 0 {
		r.fail("varint")
		return 0
	}
	r.pos += n
	return v
}

func (r *recordReader) int64() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.raw[r.pos:])
	if n <= 0 {
		r.fail("integer")
		return 0
	}
	r.pos += n
	return v
}

func (r *recordReader) int() int {
	v := r.int64()
	if int64(int(v)) != v {
		r.fail("integer")
		return 0
	}
	return int(v)
}

func (r *recordReader) str() string {
	tag := r.uvarint()
	n := tag >> 1
	if tag&1 == 0 {
		if n > uint64(len(r.raw)-r.pos) {
			r.fail("string")
			return ""
		}
		s := r.s[r.pos : r.pos+int(n)]
		r.pos += int(n)
		return s
	}
	off := r.uvarint()
	if off > uint64(len(r.raw)) || n > uint64(len(r.raw))-off {
		r.fail("string reference")
		return ""
	}
	return r.s[off : off+n]
}

// count reads a list's length. Every item takes at least one byte, so a
// count beyond the bytes left is corrupt (and allocates nothing).
func (r *recordReader) count() (n int, isNil bool) {
	v := r.uvarint()
	if v == 0 {
		return 0, true
	}
	if v-1 > uint64(len(r.raw)-r.pos) {
		r.fail("list length")
		return 0, true
	}
	return int(v - 1), false
}

func (r *recordReader) strs() []string {
	n, isNil := r.count()
	if isNil {
		return nil
	}
	list := make([]string, n)
	for i := range list {
		list[i] = r.str()
	}
	return list
}

func (r *recordReader) links() []podcast.Link {
	n, isNil := r.count()
	if isNil {
		return nil
	}
	list := make([]podcast.Link, n)
	for i := range list {
		l := &list[i]
		switch code := r.uvarint(); {
		case code == 0:
			l.Kind = podcast.LinkKind(r.str())
		case code < uint64(len(linkKinds)):
			l.Kind = linkKinds[code]
		default:
			r.fail("link kind")
		}
		l.URL = r.str()
		l.Label = r.str()
	}
	return list
}

func (r *recordReader) hosts() []podcast.Host {
	n, isNil := r.count()
	if isNil {
		return nil
	}
	list := make([]podcast.Host, n)
	for i := range list {
		list[i].Name = r.str()
	}
	return list
}

func (r *recordReader) appearances() []podcast.Appearance {
	n, isNil := r.count()
	if isNil {
		return nil
	}
	list := make([]podcast.Appearance, n)
	for i := range list {
		list[i].Guest = r.str()
		list[i].Evidence = r.str()
	}
	return list
}

func (r *recordReader) date() podcast.Date {
	y, m, d := r.int(), r.int(), r.int()
	return podcast.Date{Year: y, Month: time.Month(m), Day: d}
}

// nilIfEmpty is what JSON's omitempty made of an empty list: nil.
func nilIfEmpty[T any](list []T) []T {
	if len(list) == 0 {
		return nil
	}
	return list
}

// hexLower reports whether s is lowercase hexadecimal of even length.
func hexLower(s string) bool {
	if len(s)%2 != 0 {
		return false
	}
	return strings.IndexFunc(s, func(c rune) bool { return !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') }) < 0
}
