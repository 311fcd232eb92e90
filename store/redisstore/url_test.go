package redisstore

import (
	"slices"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url      string
		addrs    []string // cluster seed list, or the one address
		cluster  bool
		db       int
		user     string
		password string
		tls      bool
		redacted string
	}{
		{url: "redis://127.0.0.1:6379/0", addrs: []string{"127.0.0.1:6379"}, redacted: "redis://127.0.0.1:6379/0"},
		{url: "redis://localhost/3", addrs: []string{"localhost:6379"}, db: 3, redacted: "redis://localhost/3"},
		{url: "rediss://u:p@h:1/2", addrs: []string{"h:1"}, db: 2, user: "u", password: "p", tls: true, redacted: "rediss://u:xxxxx@h:1/2"},
		{url: "unix:///run/redis.sock?db=4", addrs: []string{"/run/redis.sock"}, db: 4, redacted: "unix:///run/redis.sock?db=4"},
		{url: "redis-cluster://h1:1,h2:2,h3:3", addrs: []string{"h1:1", "h2:2", "h3:3"}, cluster: true, redacted: "redis-cluster://h1:1,h2:2,h3:3"},
		{url: "redis-cluster://h1:1", addrs: []string{"h1:1"}, cluster: true, redacted: "redis-cluster://h1:1"},
		{url: "rediss-cluster://u:secret@h1:1,h2:2/?dial_timeout=2s", addrs: []string{"h1:1", "h2:2"}, cluster: true,
			user: "u", password: "secret", tls: true, redacted: "rediss-cluster://u:xxxxx@h1:1,h2:2/?dial_timeout=2s"},
		{url: "redis-cluster://:pw@h1:1,h2:2/0", addrs: []string{"h1:1", "h2:2"}, cluster: true, password: "pw", redacted: "redis-cluster://:xxxxx@h1:1,h2:2/0"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, err := parseURL(tt.url)
			if err != nil {
				t.Fatalf("parseURL: %v", err)
			}
			if (got.cluster != nil) != tt.cluster {
				t.Fatalf("cluster = %v, want %v", got.cluster != nil, tt.cluster)
			}
			var addrs []string
			var user, password string
			var tls bool
			db := 0
			if got.cluster != nil {
				addrs, user, password, tls = got.cluster.Addrs, got.cluster.Username, got.cluster.Password, got.cluster.TLSConfig != nil
			} else {
				addrs = []string{got.single.Addr}
				user, password, tls, db = got.single.Username, got.single.Password, got.single.TLSConfig != nil, got.single.DB
			}
			if !slices.Equal(addrs, tt.addrs) || db != tt.db || user != tt.user || password != tt.password || tls != tt.tls {
				t.Errorf("got addrs %q db %d user %q password %q tls %v, want %q %d %q %q %v",
					addrs, db, user, password, tls, tt.addrs, tt.db, tt.user, tt.password, tt.tls)
			}
			if got.redacted != tt.redacted {
				t.Errorf("redacted = %q, want %q", got.redacted, tt.redacted)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct{ url, want string }{
		{"", "is not a Redis URL"},
		{"localhost:6379", "is not a Redis URL"},
		{"http://h:1", "unknown Redis URL scheme"},
		{"redis://h:1/x", "invalid database number"},
		{"redis://h:1/1/2", "invalid URL path"},
		{"redis://h:1/0?bogus=1", "unexpected option"},
		{"redis-cluster://h1:1,,h2:2", "empty address"},
		{"redis-cluster://", "empty address"},
		{"redis-cluster://h1:1/3", "only database 0"},
		{"redis-cluster://u:sekrit@h1:1,h2:2?bogus=1", "unexpected option"},
		{"redis-cluster://h1:1?%zz", "invalid URL escape"},
		{"redis-cluster://h1:1,h2:2#x", "fragment"},
		{"redis://u:sekrit@h:1/x", "invalid database number"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := parseURL(tt.url)
			if err == nil {
				t.Fatalf("parseURL(%q) succeeded", tt.url)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "sekrit") {
				t.Errorf("error shows the password: %q", err)
			}
		})
	}
}

// FuzzParseURL checks that parseURL never panics, that a parsed URL names
// at least one address, and that no error or redacted form shows a
// password as ":password@".
func FuzzParseURL(f *testing.F) {
	for _, seed := range []string{
		"redis://127.0.0.1:6379/0", "rediss://u:p@h:1/2", "unix:///s.sock?db=1",
		"redis-cluster://h1:1,h2:2", "rediss-cluster://u:pw@h1:1,h2:2/?dial_timeout=1",
		"redis-cluster://", "redis://[::1]:6379/0", "redis://:@/", "x://y",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := parseURL(raw)
		_, password := passwordOf(raw)
		leak := ":" + password + "@"
		// The URL may hold the same characters again outside its
		// authority (in its path, say), which an error may quote any
		// number of times: then no occurrence tells a leak.
		elsewhere := strings.Count(raw, leak) > 1
		shows := func(s string) bool { return !elsewhere && strings.Contains(s, leak) }
		if err != nil {
			if password != "" && password != "xxxxx" && shows(err.Error()) {
				t.Fatalf("error %q shows the password %q", err, password)
			}
			return
		}
		if (got.single == nil) == (got.cluster == nil) {
			t.Fatalf("parseURL(%q): want exactly one of single and cluster", raw)
		}
		if got.cluster != nil && len(got.cluster.Addrs) == 0 {
			t.Fatalf("parseURL(%q): cluster without addresses", raw)
		}
		if password != "" && password != "xxxxx" && shows(got.redacted) {
			t.Fatalf("redacted %q shows the password %q", got.redacted, password)
		}
	})
}

// passwordOf returns the user and password of a URL's authority, found as
// RFC 3986 does: between "://" and the last '@' before the path, query or
// fragment.
func passwordOf(raw string) (user, password string) {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "", ""
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return "", ""
	}
	user, password, _ = strings.Cut(authority[:at], ":")
	return user, password
}
