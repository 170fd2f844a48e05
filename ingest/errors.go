package ingest

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// ParseError is why a page could not be turned into a Document. It names the
// document and, when the trouble is on one line, the 1-based line number.
type ParseError struct {
	Doc  string // the document's name, as given to Parse
	Line int    // 1-based line number, 0 when the error is about the whole page
	Msg  string
}

// Error formats the error as "NAME:LINE: MSG", or "NAME: MSG" when Line is 0.
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return e.Doc + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
	}
	return e.Doc + ": " + e.Msg
}

// parseErr builds a *ParseError.
func parseErr(doc string, line int, format string, args ...any) *ParseError {
	return &ParseError{Doc: doc, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// warnings collects the recoverable oddities of one page.
type warnings []warning

type warning struct {
	line int // 0: about the whole page
	msg  string
}

// add records a warning about line n (0: the whole page).
func (w *warnings) add(n int, format string, args ...any) {
	*w = append(*w, warning{line: n, msg: fmt.Sprintf(format, args...)})
}

// list returns the warnings in page order, those about the whole page last,
// as "line N: message" or "message".
func (w warnings) list() []string {
	sorted := slices.Clone(w)
	slices.SortStableFunc(sorted, func(a, b warning) int {
		if (a.line == 0) != (b.line == 0) {
			return cmp.Compare(b.line, a.line) // 0 sorts last
		}
		return cmp.Compare(a.line, b.line)
	})
	out := make([]string, len(sorted))
	for i, x := range sorted {
		out[i] = x.msg
		if x.line > 0 {
			out[i] = "line " + strconv.Itoa(x.line) + ": " + x.msg
		}
	}
	return out
}

// quote returns s quoted for a message, shortened to about 60 characters.
func quote(s string) string {
	const max = 60
	if len(s) > max {
		cut := max
		for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		s = s[:cut] + "…"
	}
	return strconv.Quote(s)
}
