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
