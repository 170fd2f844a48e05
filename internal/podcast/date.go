package podcast

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// Date is a calendar date with no time of day or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ErrInvalid marks errors caused by a value the caller gave: the API shows
// their message to the client as a BAD_USER_INPUT error.
var ErrInvalid = errors.New("invalid value")

// ParseDate reads an ISO 8601 calendar date ("2025-09-17"); it returns an
// error for anything else, including dates that do not exist.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: %q is not a date in YYYY-MM-DD form", ErrInvalid, s)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar date of t.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return string(d.appendISO(make([]byte, 0, 10))) }

// appendISO appends YYYY-MM-DD; dates are written on every answer that
// asks for them, so the usual case (a four-digit year) is formatted by hand.
func (d Date) appendISO(b []byte) []byte {
	y, m, day := d.Year, int(d.Month), d.Day
	if y < 0 || y > 9999 || m < 0 || m > 99 || day < 0 || day > 99 {
		return fmt.Appendf(b, "%04d-%02d-%02d", y, m, day)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10))
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Before reports whether d is before o.
func (d Date) Before(o Date) bool { return d.Days() < o.Days() }

// Days returns the number of days since 0000-03-01 (proleptic Gregorian);
// it orders dates and fits in 24 bits for any year below 10,000.
func (d Date) Days() uint32 {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
		m += 12
	}
	return uint32(365*y + y/4 - y/100 + y/400 + (153*(m-3)+2)/5 + d.Day - 1)
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalGQL writes the date as a GraphQL string (gqlgen's Marshaler).
// (Digits and hyphens need no escaping.)
//
// A writer with an AvailableBuffer method (bytes.Buffer, bufio.Writer,
// graph's answer writer) is handed its own spare room back, as the
// standard library does, so that no buffer is allocated per date.
func (d Date) MarshalGQL(w io.Writer) {
	if ab, ok := w.(interface{ AvailableBuffer() []byte }); ok {
		_, _ = w.Write(d.appendQuoted(ab.AvailableBuffer()))
		return
	}
	_, _ = w.Write(d.appendQuoted(make([]byte, 0, 24)))
}

// appendQuoted appends d's ISO form, quoted, to b.
func (d Date) appendQuoted(b []byte) []byte {
	return append(d.appendISO(append(b, '"')), '"')
}

// UnmarshalGQL reads a date from a GraphQL input value (gqlgen's
// Unmarshaler); it returns an error naming the expected format.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		got := "a number"
		switch v.(type) {
		case bool:
			got = "a boolean"
		case map[string]any:
			got = "an object"
		case []any:
			got = "a list"
		}
		return fmt.Errorf("%w: a Date is a string in YYYY-MM-DD form, got %s", ErrInvalid, got)
	}
	return d.UnmarshalText([]byte(s))
}
