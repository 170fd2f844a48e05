package store

import (
	"reflect"
	"testing"
)

// TestSourceRecordRoundTrip: a record decodes to what was encoded, and
// every shorter or longer byte string is refused as corrupt, never read as
// something else and never a panic.
func TestSourceRecordRoundTrip(t *testing.T) {
	for name, src := range map[string]*SourceFile{
		"zero": {Warnings: []string{}},
		"full": {Stat: FileStat{Size: 1 << 33, ModTime: -5, Ctime: 1<<62 + 7, Inode: 1<<64 - 1, Device: 3},
			Fingerprint: "0123456789abcdef", Episodes: 11, Guests: 40, Topics: 23,
			Warnings: []string{"line 3: stray text", "", "ünïcode"}},
	} {
		t.Run(name, func(t *testing.T) {
			v := encodeSource(src)
			got, err := decodeSource(v)
			if err != nil || !reflect.DeepEqual(got, src) {
				t.Fatalf("decode(encode(%+v)) = %+v, %v", src, got, err)
			}
			for n := range len(v) {
				if got, err := decodeSource(v[:n]); err == nil {
					t.Errorf("%d of %d bytes decoded as %+v", n, len(v), got)
				}
			}
			if got, err := decodeSource(append(v, 0)); err == nil {
				t.Errorf("a trailing byte decoded as %+v", got)
			}
		})
	}
}
