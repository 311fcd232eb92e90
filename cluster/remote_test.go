package cluster

import (
	"reflect"
	"testing"
	"time"
)

func TestRemoteUsersApply(t *testing.T) {
	now := time.Unix(1000, 0)
	u := func(client, name string) User {
		return User{Client: client, Name: name, Color: "#000000"}
	}
	var r RemoteUsers
	steps := []struct {
		msg  Message
		want []string // "event:client"
	}{
		{Message{Replica: "r1", Pad: "p", Kind: KindUsers, Users: []User{u("a", "A"), u("b", "B")}}, []string{"join:a", "join:b"}},
		{Message{Replica: "r1", Pad: "p", Kind: KindUsers, Users: []User{u("a", "A2")}}, []string{"update:a", "leave:b"}},
		{Message{Replica: "r1", Pad: "p", Kind: KindJoin, Users: []User{u("c", "C")}}, []string{"join:c"}},
		{Message{Replica: "r1", Pad: "p", Kind: KindLeave, Users: []User{u("a", "A2")}}, []string{"leave:a"}},
		{Message{Replica: "r2", Pad: "p", Kind: KindUsers, Users: []User{u("d", "D")}, Count: 40}, []string{"join:d", "count:"}},
		{Message{Replica: "r1", Pad: "p", Kind: KindCount, Count: 7}, []string{"count:"}},
		{Message{Replica: "r1", Pad: "p", Kind: KindCount, Count: 7}, nil},
		{Message{Replica: "r3", Pad: "p", Kind: KindCount, Count: 1000}, []string{"count:"}},
		{Message{Replica: "r3", Pad: "p", Kind: KindCount, Count: 0}, []string{"count:"}},
	}
	for i, step := range steps {
		var got []string
		for _, e := range r.Apply(step.msg, now) {
			got = append(got, e.Kind+":"+e.User.Client)
		}
		if !sameSet(got, step.want) {
			t.Errorf("step %d: events %v, want %v", i, got, step.want)
		}
	}
	set := map[string]bool{}
	for _, u := range r.Users("p") {
		set[u.Client+":"+u.Name] = true
	}
	if !reflect.DeepEqual(set, map[string]bool{"c:C": true, "d:D": true}) {
		t.Errorf("users %v, want c and d", set)
	}
	if n := r.Count("p"); n != 47 {
		t.Errorf("count %d, want 40 + 7", n)
	}
	// r2 is heard from later than r1; only r1's users and count expire.
	r.Apply(Message{Replica: "r2", Pad: "p", Kind: KindUsers, Users: []User{u("d", "D")}, Count: 40}, now.Add(time.Second))
	var got []string
	for _, e := range r.Expire(now.Add(time.Millisecond+ExpiryBeats*100*time.Millisecond), 100*time.Millisecond) {
		got = append(got, e.Kind+":"+e.User.Client)
	}
	if !sameSet(got, []string{"leave:c", "count:"}) {
		t.Errorf("expire gave %v, want c leaving and the count", got)
	}
	if n := r.Count("p"); n != 40 {
		t.Errorf("count after expiry %d, want 40", n)
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}
