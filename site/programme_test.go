package site

import (
	"slices"
	"testing"
	"time"

	"github.com/confpad/confpad/conference"
)

func TestParseTime(t *testing.T) {
	thu := weekdayKeyBase + 3
	tests := []struct {
		in   string
		want Slot
	}{
		{"", Slot{Start: -1}},
		{"Thu 9:00-12:30", Slot{"Thursday", thu, 9 * 60}},
		{"thursday, 14:30–16:00", Slot{"Thursday", thu, 14*60 + 30}},
		{"Thurs. 2pm", Slot{"Thursday", thu, 14 * 60}},
		{"Fri 2:30 pm", Slot{"Friday", weekdayKeyBase + 4, 14*60 + 30}},
		{"Mon 12am", Slot{"Monday", weekdayKeyBase, 0}},
		{"Sun 9h", Slot{"Sunday", weekdayKeyBase + 6, 9 * 60}},
		{"2011-09-08 09:00", Slot{"Thursday 8 September 2011", int(time.Date(2011, 9, 8, 0, 0, 0, 0, time.UTC).Unix()/86400) + 1<<20, 9 * 60}},
		{"Room 101, 10.15", Slot{"", 0, 10*60 + 15}},
		{"after lunch", Slot{Start: -1}},
		{"Day 2", Slot{Start: -1}},
		{"25:00 99:99 9:7 13pm Wed", Slot{"Wednesday", weekdayKeyBase + 2, -1}},
		{"2011-02-30 Tue 8:00", Slot{"Tuesday", weekdayKeyBase + 1, 8 * 60}},
	}
	for _, tt := range tests {
		if got := ParseTime(tt.in); got != tt.want {
			t.Errorf("ParseTime(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"Thu 9:00-12:30", "2011-09-08 09:00", "Fri 2 pm", "10.15", "mon,tue 24:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ParseTime(s)
		if got.Start < -1 || got.Start > 24*60+59 {
			t.Errorf("ParseTime(%q).Start = %d", s, got.Start)
		}
		if (got.Day == "") != (got.DayKey == 0) {
			t.Errorf("ParseTime(%q) = %+v: a day without a key or a key without a day", s, got)
		}
	})
}

func TestProgramme(t *testing.T) {
	at := func(ms int) time.Time { return time.UnixMilli(int64(ms)) }
	s := func(id, tm string, order int, kind string, created int) Entry {
		return Entry{Session: conference.Session{ID: id, Time: tm, Order: order, Kind: kind, Created: at(created)}}
	}
	days, bofs := Programme([]Entry{
		s("fri-late", "Fri 16:00", 1, "", 0),
		s("thu-pm", "Thu 14:00", 2, "", 0),
		s("no-time-2", "", 9, "", 0),
		s("thu-am", "Thursday 9:00-12:30", 3, "", 0),
		s("admin-made", "", 0, "", 5),
		s("no-time-1", "", 4, "", 0),
		s("thu-am-first", "Thu 9:00", 1, "", 0),
		s("bof-b", "", 0, conference.KindBoF, 2),
		s("bof-a", "Thu 18:00", 0, conference.KindBoF, 9),
		s("bof-c", "", 0, conference.KindBoF, 1),
		s("fri-early", "Fri 9:00", 7, "", 0),
	})
	var got [][]string
	for _, d := range days {
		ids := []string{d.Name}
		for _, e := range d.Sessions {
			ids = append(ids, e.ID)
		}
		got = append(got, ids)
	}
	want := [][]string{
		{"Thursday", "thu-am-first", "thu-am", "thu-pm"},
		{"Friday", "fri-early", "fri-late"},
		{"", "no-time-1", "no-time-2", "admin-made"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("days = %q, want %q", got, want)
	}
	var bofIDs []string
	for _, b := range bofs {
		bofIDs = append(bofIDs, b.ID)
	}
	if want := []string{"bof-a", "bof-c", "bof-b"}; !slices.Equal(bofIDs, want) {
		t.Errorf("BoFs = %q, want %q", bofIDs, want)
	}
}
