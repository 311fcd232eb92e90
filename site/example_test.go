package site_test

import (
	"fmt"

	"github.com/confpad/confpad/conference"
	"github.com/confpad/confpad/site"
)

func ExampleParseTime() {
	for _, t := range []string{"Thu 9:00-12:30", "Friday 2pm", "2011-09-08 14.30", "after lunch"} {
		slot := site.ParseTime(t)
		fmt.Printf("%q: day %q, start %d min\n", t, slot.Day, slot.Start)
	}
	// Output:
	// "Thu 9:00-12:30": day "Thursday", start 540 min
	// "Friday 2pm": day "Friday", start 840 min
	// "2011-09-08 14.30": day "Thursday 8 September 2011", start 870 min
	// "after lunch": day "", start -1 min
}

func ExampleProgramme() {
	days, bofs := site.Programme([]site.Entry{
		{Session: conference.Session{ID: "late", Time: "Thu 14:00"}},
		{Session: conference.Session{ID: "hallway", Kind: conference.KindBoF}},
		{Session: conference.Session{ID: "early", Time: "Thu 9:00"}},
		{Session: conference.Session{ID: "friday", Time: "Fri 9:00"}},
	})
	for _, d := range days {
		fmt.Print(d.Name, ":")
		for _, e := range d.Sessions {
			fmt.Print(" ", e.ID)
		}
		fmt.Println()
	}
	fmt.Println("BoFs:", bofs[0].ID)
	// Output:
	// Thursday: early late
	// Friday: friday
	// BoFs: hallway
}
