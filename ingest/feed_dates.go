package ingest

import (
	"strconv"
	"strings"
	"time"
)

// This file reads the values of feed elements that are not text: dates in
// every RFC 822 variant podcast feeds use (and RFC 3339), durations in
// every form itunes:duration takes, explicit flags, numbers.

// months maps the first three letters of a month's English name.
var months = map[string]time.Month{
	"jan": time.January, "feb": time.February, "mar": time.March, "apr": time.April,
	"may": time.May, "jun": time.June, "jul": time.July, "aug": time.August,
	"sep": time.September, "oct": time.October, "nov": time.November, "dec": time.December,
}

// zones are the named zones RFC 822 defines and a few feeds use.
var zones = map[string]int{
	"ut": 0, "utc": 0, "gmt": 0, "z": 0, "wet": 0, "bst": 1, "cet": 1, "cest": 2, "eet": 2, "eest": 3,
	"est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7,
	"akst": -9, "akdt": -8, "hst": -10, "ist": 5, "jst": 9, "aest": 10, "aedt": 11,
}

// parseFeedDate reads a feed date: RFC 822 and its variants ("Mon, 02 Jan
// 2006 15:04:05 -0700", a one-digit day, no weekday, full or wrong weekday
// and month names, two-digit years, no seconds, named or numeric zones
// with or without a colon, no zone), RFC 3339 ("2006-01-02T15:04:05Z") and a
// bare date ("2006-01-02"). A missing zone is UTC. ok is false when s is
// none of these.
func parseFeedDate(s string) (t time.Time, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if '0' <= s[0] && s[0] <= '9' && len(s) >= 10 && s[4] == '-' {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t, true
			}
		}
		return time.Time{}, false
	}
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	// RFC 850's "05-Mar-25" or "05-Mar-2025": one field of three.
	for i, x := range f {
		if parts := strings.Split(x, "-"); len(parts) == 3 && parts[0] != "" && isLetters(parts[1]) {
			f = append(f[:i:i], append(parts, f[i+1:]...)...)
			break
		}
	}
	// A weekday first: any word of letters.
	if len(f) > 0 && isLetters(f[0]) && months[strings.ToLower(prefix3(f[0]))] == 0 {
		f = f[1:]
	}
	if len(f) < 3 {
		return time.Time{}, false
	}
	dayTok, monTok := f[0], f[1]
	if isLetters(dayTok) { // "Jan 2 2006": month first
		dayTok, monTok = monTok, dayTok
	}
	day, err := strconv.Atoi(strings.TrimSuffix(dayTok, "."))
	mon := months[strings.ToLower(prefix3(monTok))]
	if err != nil || mon == 0 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	year, err := strconv.Atoi(f[2])
	if err != nil || year < 0 {
		return time.Time{}, false
	}
	switch len(f[2]) {
	case 2: // RFC 2822: 00-49 is 20xx, 50-99 19xx
		if year < 50 {
			year += 2000
		} else {
			year += 1900
		}
	case 4:
	default:
		return time.Time{}, false
	}
	var hh, mm, ss int
	rest := f[3:]
	if len(rest) > 0 && strings.Contains(rest[0], ":") {
		parts := strings.Split(rest[0], ":")
		if len(parts) < 2 || len(parts) > 3 {
			return time.Time{}, false
		}
		var e1, e2, e3 error
		hh, e1 = strconv.Atoi(parts[0])
		mm, e2 = strconv.Atoi(parts[1])
		if len(parts) == 3 {
			sec, _, _ := strings.Cut(parts[2], ".")
			ss, e3 = strconv.Atoi(sec)
		}
		if e1 != nil || e2 != nil || e3 != nil || hh > 24 || mm > 59 || ss > 60 {
			return time.Time{}, false
		}
		rest = rest[1:]
	}
	loc := time.UTC
	if len(rest) > 0 {
		z := rest[0]
		if l, ok := zoneOf(z); ok {
			loc = l
		} else {
			return time.Time{}, false
		}
	}
	t = time.Date(year, mon, day, hh, mm, ss, 0, loc)
	if t.Day() != day {
		return time.Time{}, false // 31 Feb
	}
	return t, true
}

// zoneOf reads "+0100", "-05:00", "+01", "GMT", "EST" or a military letter.
func zoneOf(z string) (*time.Location, bool) {
	if h, ok := zones[strings.ToLower(z)]; ok {
		return time.FixedZone(strings.ToUpper(z), h*3600), true
	}
	if len(z) == 1 && isLetters(z) { // military zones: keep UTC, as RFC 2822 advises
		return time.UTC, true
	}
	if len(z) < 3 || (z[0] != '+' && z[0] != '-') {
		return nil, false
	}
	digits := strings.ReplaceAll(z[1:], ":", "")
	if len(digits) == 2 {
		digits += "00"
	}
	if len(digits) != 4 {
		return nil, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n/100 > 14 || n%100 > 59 {
		return nil, false
	}
	secs := (n/100*60 + n%100) * 60
	if z[0] == '-' {
		secs = -secs
	}
	return time.FixedZone("", secs), true
}

func prefix3(s string) string {
	if len(s) < 3 {
		return s
	}
	return s[:3]
}

func isLetters(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// parseDuration reads itunes:duration in seconds: "3600", "3600.5",
// "59:30", "1:02:03", "01:02:03.250". ok is false otherwise.
func parseDuration(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return 0, false
	}
	total := 0
	for i, p := range parts {
		last := i == len(parts)-1
		if last {
			p, _, _ = strings.Cut(p, ".")
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || (i > 0 && n > 59) || len(p) > 9 {
			return 0, false
		}
		total = total*60 + n
	}
	if total > 1<<30 {
		return 0, false
	}
	return total, true
}

// parseExplicit reads itunes:explicit: "yes", "true", "explicit" or
// "no", "false", "clean" (any case). ok is false otherwise.
func parseExplicit(s string) (explicit, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true", "explicit", "1":
		return true, true
	case "no", "false", "clean", "0":
		return false, true
	}
	return false, false
}

// parseCount reads a season or episode number: a positive whole number up
// to maxEpisodeNumber ("12", "12.0"). ok is false otherwise.
func parseCount(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if whole, frac, found := strings.Cut(s, "."); found && strings.Trim(frac, "0") == "" {
		s = whole
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxEpisodeNumber {
		return 0, false
	}
	return n, true
}

// maxEpisodeNumber is the largest episode or season number read, as a page
// header's six digits allow.
const maxEpisodeNumber = 999_999
