package graph

// The runtime of internal/gqlpatch's rewrite "string leaves marshalled through a
// pointer", called from the
// patched graph/generated.go.

import (
	"io"
)

// jsonString marshals the string it points at as gqlgen's MarshalString
// does, but a pointer fits in an interface without an allocation, where
// MarshalString allocates a closure for every value. internal/gqlpatch
// uses it for string fields read straight off their object, which stays
// unchanged for the request.
type jsonString string

func (s *jsonString) MarshalGQL(w io.Writer) { writeQuoted(w, string(*s)) }

const hexDigits = "0123456789ABCDEF"

// writeQuoted writes s as a JSON string, escaping exactly what gqlgen's
// writeQuotedString escapes (quotes, backslashes and control characters)
// so that answers are byte for byte the same. Bytes from 0x80 up belong to
// multi-byte characters and are copied as they are.
func writeQuoted(w io.Writer, s string) {
	if aw, ok := w.(*answerWriter); ok {
		aw.writeQuoted(s)
		return
	}
	io.WriteString(w, `"`)
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		io.WriteString(w, s[start:i])
		switch c {
		case '\t':
			io.WriteString(w, `\t`)
		case '\r':
			io.WriteString(w, `\r`)
		case '\n':
			io.WriteString(w, `\n`)
		case '\\':
			io.WriteString(w, `\\`)
		case '"':
			io.WriteString(w, `\"`)
		default:
			w.Write([]byte{'\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf]})
		}
		start = i + 1
	}
	io.WriteString(w, s[start:])
	io.WriteString(w, `"`)
}

// writeQuoted appends s as a JSON string, as the function writeQuoted
// does, straight onto the answer: the answer's strings are its bulk, and
// most need no escape, so they cost one scan and one copy.
func (w *answerWriter) writeQuoted(s string) {
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		// Eight bytes at a time while none needs escaping (most text).
		for i+8 <= len(s) && !needsEscape(uint64(s[i])|uint64(s[i+1])<<8|uint64(s[i+2])<<16|uint64(s[i+3])<<24|
			uint64(s[i+4])<<32|uint64(s[i+5])<<40|uint64(s[i+6])<<48|uint64(s[i+7])<<56) {
			i += 8
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, '\\', 't')
		case '\r':
			b = append(b, '\\', 'r')
		case '\n':
			b = append(b, '\\', 'n')
		case '\\', '"':
			b = append(b, '\\', c)
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	w.b = append(append(b, s[start:]...), '"')
	if len(w.b) >= w.next {
		w.check()
	}
}

// needsEscape reports whether one of the eight bytes of x is below 0x20,
// a quote or a backslash (it may say so of a byte after one that is:
// the caller then looks at the bytes one by one).
func needsEscape(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	return ((x-0x20*ones)&^x&highs)|zero(x^('"'*ones))|zero(x^('\\'*ones)) != 0
}
