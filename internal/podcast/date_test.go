package podcast

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
	"time"
)

// The hand-written formatting matches fmt's for every kind of year.
func TestDateFormatting(t *testing.T) {
	for _, d := range []Date{{2025, time.September, 17}, {1, time.January, 1}, {999, time.December, 31},
		{9999, time.December, 31}, {10000, time.January, 2}, {-5, time.March, 4}, {}} {
		want := fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
		if got := d.String(); got != want {
			t.Errorf("%#v: String() = %q, want %q", d, got, want)
		}
		// Onto what a buffer holds already (its spare room handed back),
		// and through a writer without spare room to hand.
		buf := bytes.NewBufferString("[")
		d.MarshalGQL(buf)
		var plain plainWriter
		d.MarshalGQL(&plain)
		if buf.String() != "["+strconv.Quote(want) || string(plain) != strconv.Quote(want) {
			t.Errorf("%#v: MarshalGQL wrote %s and %s, want %q", d, buf.String(), plain, want)
		}
	}
	buf := bytes.NewBuffer(make([]byte, 0, 1<<10))
	d := Date{2025, time.September, 17}
	if n := testing.AllocsPerRun(100, func() { buf.Reset(); d.MarshalGQL(buf) }); n != 0 {
		t.Errorf("MarshalGQL into a buffer with room allocates %v times", n)
	}
}

// plainWriter is an io.Writer and nothing more.
type plainWriter []byte

func (p *plainWriter) Write(b []byte) (int, error) {
	*p = append(*p, b...)
	return len(b), nil
}
