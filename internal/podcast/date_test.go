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
		var buf bytes.Buffer
		d.MarshalGQL(&buf)
		if buf.String() != strconv.Quote(want) {
			t.Errorf("%#v: MarshalGQL wrote %s, want %q", d, buf.String(), want)
		}
	}
}
