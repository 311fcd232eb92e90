package protocol

import (
	"regexp"
	"testing"
)

func TestPublicID(t *testing.T) {
	shape := regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)
	a := PublicID(AuthorDomain, "0123456789abcdef")
	tests := []struct {
		name  string
		other string
		same  bool
	}{
		{"same secret, same id", PublicID(AuthorDomain, "0123456789abcdef"), true},
		{"other secret", PublicID(AuthorDomain, "0123456789abcdeg"), false},
		{"other domain", PublicID(ClientDomain, "0123456789abcdef"), false},
		{"domain and secret do not run together", PublicID("autho", "r0123456789abcdef"), false},
	}
	for _, tt := range tests {
		if (tt.other == a) != tt.same {
			t.Errorf("%s: %q and %q", tt.name, a, tt.other)
		}
	}
	if !shape.MatchString(a) || len(a) != PublicIDLen {
		t.Errorf("PublicID = %q, want %d base64url characters", a, PublicIDLen)
	}
	if a == "0123456789abcdef" {
		t.Error("the public id is the secret")
	}
}

// TestPublicIDKnownAnswer pins the derivation that docs/protocol.md
// describes and the editor (frontend/src/author.js) repeats.
func TestPublicIDKnownAnswer(t *testing.T) {
	if got := PublicID(AuthorDomain, "kq8V2xN0cT5rY7wB3mZ1aL6dF4hJ9sG0"); got != "1IvZ8U8_ClZOdajfG8gShw" {
		t.Errorf("PublicID = %q", got)
	}
}
