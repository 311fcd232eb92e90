package site

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/confpad/confpad/conference"
)

// Slot is what ParseTime understood of a session's free-text time.
type Slot struct {
	// Day names the day ("Thursday", "Thursday 8 September 2011"), "" if
	// the text names none.
	Day string
	// DayKey orders days: dates by date, then weekdays Monday first; 0
	// when Day is "".
	DayKey int
	// Start is the start time in minutes after midnight, or -1.
	Start int
}

// weekdays maps the spellings of weekday names to time.Weekday.
var weekdays = map[string]time.Weekday{
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "weds": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
	"sun": time.Sunday, "sunday": time.Sunday,
}

// weekdayKeyBase puts weekday-only days after every dated day.
const weekdayKeyBase = 1 << 30

// ParseTime reads a session's time as people write it in programmes,
// such as "Thu 9:00-12:30", "2011-09-08 09:00", "Friday 2pm" or "14.30":
// a weekday or ISO date for the day and the first clock time for the
// start. Whatever it does not understand it ignores; it never fails.
func ParseTime(s string) Slot {
	slot := Slot{Start: -1}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
	for i, f := range fields {
		word := strings.ToLower(strings.TrimRight(f, "."))
		if slot.Day == "" {
			if d, err := time.Parse("2006-01-02", word); err == nil && d.Year() > 1900 {
				slot.Day = d.Format("Monday 2 January 2006")
				slot.DayKey = int(d.Unix()/86400) + 1<<20 // positive, below weekdayKeyBase
				continue
			}
			if wd, ok := weekdays[word]; ok {
				slot.Day = wd.String()
				slot.DayKey = weekdayKeyBase + (int(wd)+6)%7
				continue
			}
		}
		if slot.Start < 0 {
			if m, ok := clock(word, fields, i); ok {
				slot.Start = m
			}
		}
	}
	return slot
}

// clock reads a start time from word ("9:00", "09:00-12:30", "9.30",
// "2pm", "2:30pm", "14h"), looking at the next field for "am"/"pm".
func clock(word string, fields []string, i int) (int, bool) {
	if j := strings.IndexAny(word, "-–—"); j > 0 {
		word = word[:j]
	}
	suffix := ""
	for _, s := range []string{"am", "pm", "h"} {
		if w, ok := strings.CutSuffix(word, s); ok {
			word, suffix = w, s
			break
		}
	}
	if suffix == "" && i+1 < len(fields) {
		next := strings.ToLower(strings.TrimRight(fields[i+1], "."))
		if next == "am" || next == "pm" {
			suffix = next
		}
	}
	hs, ms, hasMin := strings.Cut(word, ":")
	if !hasMin {
		hs, ms, hasMin = strings.Cut(word, ".")
	}
	if !hasMin && suffix == "" {
		return 0, false // a bare number is not a time
	}
	h, err := strconv.Atoi(hs)
	if err != nil || len(hs) > 2 || h < 0 || h > 24 {
		return 0, false
	}
	m := 0
	if hasMin {
		if m, err = strconv.Atoi(ms); err != nil || len(ms) != 2 || m > 59 {
			return 0, false
		}
	}
	switch suffix {
	case "am", "pm":
		if h < 1 || h > 12 {
			return 0, false
		}
		h %= 12
		if suffix == "pm" {
			h += 12
		}
	}
	return h*60 + m, true
}

// Entry is a session as listed on the index, with the people in its pad.
type Entry struct {
	conference.Session
	// People is how many people are in the pad now (0 on a static site).
	People int
	// Slot is the session's parsed time.
	Slot Slot
}

// Day is one day of the programme.
type Day struct {
	// Name is the day ("Thursday"); "" for sessions whose time names no
	// day.
	Name string
	// Sessions are the day's sessions by start time, then programme
	// order.
	Sessions []Entry
}

// Programme groups sessions for the index: the programme's sessions by
// day (days in order, dateless ones last) and within a day by start time
// and then programme order; and the BoFs, by day and time and then when
// they were started.
func Programme(sessions []Entry) (days []Day, bofs []Entry) {
	var talks []Entry
	for _, e := range sessions {
		e.Slot = ParseTime(e.Time)
		if e.Kind == conference.KindBoF {
			bofs = append(bofs, e)
		} else {
			talks = append(talks, e)
		}
	}
	slices.SortStableFunc(talks, compareEntries)
	slices.SortStableFunc(bofs, compareEntries)
	for _, e := range talks {
		if n := len(days); n == 0 || days[n-1].Name != e.Slot.Day {
			days = append(days, Day{Name: e.Slot.Day})
		}
		days[len(days)-1].Sessions = append(days[len(days)-1].Sessions, e)
	}
	return days, bofs
}

// compareEntries orders entries by day (dateless last), start time (none
// last), programme order (none last), creation and id.
func compareEntries(a, b Entry) int {
	last := func(k int, none bool) int {
		if none {
			return int(^uint(0) >> 1)
		}
		return k
	}
	return cmp.Or(
		cmp.Compare(last(a.Slot.DayKey, a.Slot.Day == ""), last(b.Slot.DayKey, b.Slot.Day == "")),
		cmp.Compare(last(a.Slot.Start, a.Slot.Start < 0), last(b.Slot.Start, b.Slot.Start < 0)),
		cmp.Compare(last(a.Order, a.Order <= 0), last(b.Order, b.Order <= 0)),
		a.Created.Compare(b.Created),
		cmp.Compare(a.ID, b.ID),
	)
}
