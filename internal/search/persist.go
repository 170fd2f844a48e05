package search

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"unsafe"
)

// saved is what Save writes: the index but for what Load derives again
// (the lookup tables from strings to numbers). Every part of it is an
// array of numbers or bytes, written as it lies in memory (writeSaved):
// it loads as a few large reads into arrays the collector does not scan.
type saved struct {
	Version         int
	Gen             uint64
	Docs            []doc
	Text            []byte
	Meta            []meta
	Gens            []uint64
	Facets          []uint32
	Terms           []byte
	TermAt          []uint32
	Lists           []plist
	Post            []byte
	postParts       [][]byte // instead of Post when saving: the lists' bytes in turn
	mapping         *mapping // when Post is a view of the file mapped
	Sorted          []uint32
	Stems           []byte
	StemAt          []uint32
	Forms, NextForm []uint32
	SumLen, NumLen  [numFields]float64
	Names           [3]savedNames // shows, topics, guests
	Sugg            [2][]suggTok
}

// savedNames is an interner as saved.
type savedNames struct {
	Text     []byte
	At       []uint32
	Episodes []int32
}

// fileVersion changes when the layout of a saved index does: an index of
// another version is rebuilt. 4: terms, postings and the docs' strings as
// arrays (strtab.go). 5: the docs' generations apart from their meta. 6:
// a postings entry's length before it, its frequencies before its
// positions (plist).
const fileVersion = 6

// Save writes the index to path atomically (a temporary file renamed into
// place), with the generation it reflects. It returns the bytes written.
// The index goes on reading what it read before; Load reads the file
// back with its postings mapped (the Feeder does, after each save).
func (ix *Index) Save(path string) (int64, error) {
	ix.mu.RLock()
	// The postings are written as they would lie packed, without the
	// copy.
	lists := slices.Clone(ix.lists)
	parts := make([][]byte, len(lists))
	off := uint32(0)
	for i := range lists {
		p := &lists[i]
		parts[i] = ix.listBytes(p)
		p.Off, p.Cap = off, p.Len
		off += p.Len
	}
	s := saved{Version: fileVersion, Gen: ix.gen, Docs: ix.docs, Text: ix.text, Meta: ix.meta, Gens: ix.gens, Facets: ix.facets,
		Terms: ix.terms.text, TermAt: ix.terms.at, Lists: lists, postParts: parts, Sorted: ix.sorted,
		Stems: ix.stems.text, StemAt: ix.stems.at, Forms: ix.forms, NextForm: ix.nextForm, SumLen: ix.sumLen, NumLen: ix.numLen,
		Sugg: ix.sugg}
	for i, in := range ix.interners() {
		s.Names[i] = savedNames{in.text, in.at, in.episodes}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		ix.mu.RUnlock()
		return 0, fmt.Errorf("search: save: %w", err)
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	err = writeSaved(w, &s)
	ix.mu.RUnlock()
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	var size int64
	if st, serr := tmp.Stat(); serr == nil {
		size = st.Size()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("search: save %s: %w", path, err)
	}
	return size, nil
}

// Load reads an index Save wrote. A missing file is os.ErrNotExist
// (wrapped); a damaged one or one of another version is an error: the
// caller rebuilds. Where files can be mapped, the postings are read from
// the file mapped rather than copied into the heap.
func Load(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("search: load: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("search: load: %w", err)
	}
	var s *saved
	if m, merr := mapFile(f, st.Size()); merr == nil && m != nil {
		s, err = readMapped(m)
	} else {
		s, err = readSaved(bufio.NewReaderSize(f, 1<<20), st.Size())
	}
	if err != nil {
		return nil, fmt.Errorf("search: load %s: %w", path, err)
	}
	ix := New()
	if err := ix.restore(s); err != nil {
		return nil, fmt.Errorf("search: load %s: %w", path, err)
	}
	return ix, nil
}

// The file: fileMagic, the version, then what tells a file written on a
// machine of another byte order or by a build of other struct layouts
// (byteOrderProbe as this machine writes it, the sizes of the structs),
// the generation, the arrays (each its length, then its bytes), and the
// CRC-32C of all that.
const (
	fileMagic      = "podcastgraph search index\n"
	byteOrderProbe = 0x01020304
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func header() []byte {
	b := append([]byte(fileMagic), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[len(fileMagic):], fileVersion)
	probe := uint32(byteOrderProbe)
	b = append(b, unsafe.Slice((*byte)(unsafe.Pointer(&probe)), 4)...)
	for _, n := range []uintptr{unsafe.Sizeof(doc{}), unsafe.Sizeof(meta{}), unsafe.Sizeof(plist{}), unsafe.Sizeof(suggTok{})} {
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	return b
}

// bytesOf returns the memory of s (of numbers, or structs of them).
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

// arrays writes or reads arrays in turn, keeping the first error.
type arrays struct {
	w    io.Writer
	r    io.Reader
	m    []byte // the file mapped, read instead of r
	at   int64  // bytes of m read
	left int64  // bytes of the file not read yet
	err  error
}

func (a *arrays) write(b []byte) {
	if a.err == nil {
		_, a.err = a.w.Write(b)
	}
}

func (a *arrays) read(b []byte) {
	switch {
	case a.err != nil:
	case a.m != nil:
		if int64(len(b)) > a.left {
			a.err = io.ErrUnexpectedEOF
			return
		}
		copy(b, a.m[a.at:])
		a.at += int64(len(b))
		a.left -= int64(len(b))
	default:
		_, a.err = io.ReadFull(a.r, b)
		a.left -= int64(len(b))
	}
}

// getBytes is getArray[byte], but a view of the mapped file when there
// is one.
func getBytes(a *arrays) []byte {
	if a.m == nil {
		return getArray[byte](a)
	}
	var n [8]byte
	a.read(n[:])
	if a.err != nil {
		return nil
	}
	count := binary.LittleEndian.Uint64(n[:])
	if count > uint64(max(a.left, 0)) {
		a.err = fmt.Errorf("an array of %d items longer than the file", count)
		return nil
	}
	b := a.m[a.at : a.at+int64(count) : a.at+int64(count)]
	a.at += int64(count)
	a.left -= int64(count)
	return b
}

func putArray[T any](a *arrays, s []T) {
	a.write(binary.LittleEndian.AppendUint64(nil, uint64(len(s))))
	a.write(bytesOf(s))
}

func getArray[T any](a *arrays) []T {
	var n [8]byte
	a.read(n[:])
	if a.err != nil {
		return nil
	}
	count, size := binary.LittleEndian.Uint64(n[:]), uint64(unsafe.Sizeof(*new(T)))
	if count > uint64(max(a.left, 0))/size {
		a.err = fmt.Errorf("an array of %d items longer than the file", count)
		return nil
	}
	s := make([]T, count)
	a.read(bytesOf(s))
	return s
}

func writeSaved(w io.Writer, s *saved) error {
	crc := crc32.New(crcTable)
	a := &arrays{w: io.MultiWriter(w, crc)}
	a.write(header())
	a.write(binary.LittleEndian.AppendUint64(nil, s.Gen))
	putArray(a, s.Docs)
	putArray(a, s.Text)
	putArray(a, s.Meta)
	putArray(a, s.Gens)
	putArray(a, s.Facets)
	putArray(a, s.Terms)
	putArray(a, s.TermAt)
	putArray(a, s.Lists)
	if s.postParts == nil {
		putArray(a, s.Post)
	} else {
		n := 0
		for _, p := range s.postParts {
			n += len(p)
		}
		a.write(binary.LittleEndian.AppendUint64(nil, uint64(n)))
		for _, p := range s.postParts {
			a.write(p)
		}
	}
	putArray(a, s.Sorted)
	putArray(a, s.Stems)
	putArray(a, s.StemAt)
	putArray(a, s.Forms)
	putArray(a, s.NextForm)
	putArray(a, s.SumLen[:])
	putArray(a, s.NumLen[:])
	for _, n := range s.Names {
		putArray(a, n.Text)
		putArray(a, n.At)
		putArray(a, n.Episodes)
	}
	putArray(a, s.Sugg[0])
	putArray(a, s.Sugg[1])
	if a.err != nil {
		return a.err
	}
	_, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
	return err
}

func readSaved(r io.Reader, size int64) (*saved, error) {
	crc := crc32.New(crcTable)
	s, err := decodeSaved(&arrays{r: io.TeeReader(r, crc), left: size})
	if err != nil {
		return nil, err
	}
	sum := crc.Sum32()
	var trailer [4]byte
	if _, err := io.ReadFull(r, trailer[:]); err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint32(trailer[:]) != sum {
		return nil, errors.New("checksum mismatch: damaged")
	}
	return s, nil
}

// readMapped is readSaved on the file mapped: the postings stay a view
// of it.
func readMapped(m *mapping) (*saved, error) {
	b := m.b
	if len(b) < 4 {
		return nil, errors.New("not a search index of this version")
	}
	body := b[:len(b)-4]
	s, err := decodeSaved(&arrays{m: body, left: int64(len(body))})
	if err != nil {
		return nil, err
	}
	if binary.LittleEndian.Uint32(b[len(body):]) != crc32.Checksum(body, crcTable) {
		return nil, errors.New("checksum mismatch: damaged")
	}
	s.mapping = m
	return s, nil
}

// decodeSaved reads the arrays of a saved index, the trailer aside.
func decodeSaved(a *arrays) (*saved, error) {
	want := header()
	got := make([]byte, len(want))
	if a.read(got); a.err != nil || !bytes.Equal(got, want) {
		if a.err == nil && bytes.HasPrefix(got, []byte(fileMagic)) {
			return nil, fmt.Errorf("index version %d or from a machine of another layout, want %d", binary.LittleEndian.Uint32(got[len(fileMagic):]), fileVersion)
		}
		return nil, errors.New("not a search index of this version")
	}
	var gen [8]byte
	a.read(gen[:])
	s := &saved{Version: fileVersion, Gen: binary.LittleEndian.Uint64(gen[:])}
	s.Docs = getArray[doc](a)
	s.Text = getArray[byte](a)
	s.Meta = getArray[meta](a)
	live := unsafe.Offsetof(meta{}.Live)
	for i := range s.Meta {
		// A bool must be 0 or 1 before Go reads it.
		if bytesOf(s.Meta[i : i+1])[live] > 1 {
			return nil, fmt.Errorf("doc %d: damaged", i)
		}
	}
	s.Gens = getArray[uint64](a)
	s.Facets = getArray[uint32](a)
	s.Terms = getArray[byte](a)
	s.TermAt = getArray[uint32](a)
	s.Lists = getArray[plist](a)
	s.Post = getBytes(a)
	s.Sorted = getArray[uint32](a)
	s.Stems = getArray[byte](a)
	s.StemAt = getArray[uint32](a)
	s.Forms = getArray[uint32](a)
	s.NextForm = getArray[uint32](a)
	copy(s.SumLen[:], getArray[float64](a))
	copy(s.NumLen[:], getArray[float64](a))
	for i := range s.Names {
		s.Names[i] = savedNames{getArray[byte](a), getArray[uint32](a), getArray[int32](a)}
	}
	s.Sugg[0] = getArray[suggTok](a)
	s.Sugg[1] = getArray[suggTok](a)
	if a.err != nil {
		return nil, a.err
	}
	return s, nil
}

// restore makes ix the index s holds, after checking that its parts fit
// together (a damaged file decodes into parts that do not).
func (ix *Index) restore(s *saved) error {
	var ok bool
	if ix.terms, ok = strtabOf(s.Terms, s.TermAt); !ok {
		return errors.New("terms do not fit their text")
	}
	if ix.stems, ok = strtabOf(s.Stems, s.StemAt); !ok {
		return errors.New("stems do not fit their text")
	}
	for i, in := range ix.interners() {
		n := s.Names[i]
		if in.strtab, ok = strtabOf(n.Text, n.At); !ok || len(n.Episodes) != in.len() {
			return errors.New("names do not fit their text")
		}
		in.episodes = n.Episodes
	}
	nt := ix.terms.len()
	switch {
	case len(s.Meta) != len(s.Docs) || len(s.Gens) != len(s.Docs):
		return fmt.Errorf("%d docs, %d metas, %d generations", len(s.Docs), len(s.Meta), len(s.Gens))
	case len(s.Lists) != nt || len(s.Sorted) != nt || len(s.NextForm) != nt || len(s.Forms) != ix.stems.len():
		return fmt.Errorf("%d terms, %d postings, %d sorted, %d forms; %d stems, %d firsts", nt, len(s.Lists), len(s.Sorted), len(s.NextForm), ix.stems.len(), len(s.Forms))
	}
	for _, p := range s.Lists {
		if uint64(p.Off)+uint64(p.Len) > uint64(len(s.Post)) || p.Cap != p.Len {
			return errors.New("postings outside their array")
		}
	}
	for i, d := range s.Docs {
		for _, sp := range [...]span{d.Key, d.Sugg, d.Fold} {
			if uint64(sp.Off)+uint64(sp.Len) > uint64(len(s.Text)) {
				return fmt.Errorf("doc %d outside the text", i)
			}
		}
		m := s.Meta[i]
		if uint64(m.Facets)+uint64(m.NTopics)+uint64(m.NGuests) > uint64(len(s.Facets)) || m.Show < -1 || int(m.Show) >= ix.shows.len() {
			return fmt.Errorf("doc %d outside the facets", i)
		}
		for j, id := range s.Facets[m.Facets : m.Facets+uint32(m.NTopics)+uint32(m.NGuests)] {
			if (j < int(m.NTopics) && int(id) >= ix.topics.len()) || (j >= int(m.NTopics) && int(id) >= ix.guests.len()) {
				return fmt.Errorf("doc %d names a topic or guest out of range", i)
			}
		}
	}
	for _, list := range s.Sugg {
		for _, t := range list {
			if int(t.Doc) >= len(s.Docs) || uint64(t.Off)+uint64(t.Len) > uint64(s.Docs[t.Doc].Fold.Len) {
				return errors.New("a suggestion outside its doc")
			}
		}
	}
	for _, ids := range [][]uint32{s.Sorted, s.NextForm, s.Forms} {
		for _, id := range ids {
			if id != noTerm && int(id) >= nt {
				return errors.New("a term number out of range")
			}
		}
	}
	ix.gen, ix.docs, ix.text, ix.meta, ix.gens, ix.facets = s.Gen, s.Docs, s.Text, s.Meta, s.Gens, s.Facets
	for _, g := range ix.gens {
		ix.maxGen = max(ix.maxGen, g)
	}
	ix.lists, ix.sorted, ix.forms, ix.nextForm = s.Lists, s.Sorted, s.Forms, s.NextForm
	if s.mapping != nil {
		ix.mapped, ix.region = s.Post, s.mapping
	} else {
		ix.post = s.Post
	}
	ix.sumLen, ix.numLen, ix.sugg = s.SumLen, s.NumLen, s.Sugg
	ix.live = newIDTable(len(ix.docs))
	for id := range ix.docs {
		if ix.meta[id].Live {
			ix.setLive(uint32(id))
		} else {
			ix.dead++
		}
	}
	ix.setAverages()
	ix.setTopicDocs()
	return nil
}
