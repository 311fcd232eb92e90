package protocol

import (
	"strings"
	"testing"
)

func TestValidSecret(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"0b6c1c1e-4d5e-4d1a-9c51-3f9a1e0b7a10", true},
		{"abcdefghijklmnop", true},         // 16
		{"abcdefghijklmno", false},         // 15
		{strings.Repeat("A_-9", 16), true}, // 64
		{strings.Repeat("A", 65), false},   // 65
		{"abcdefghijklmnop qrs", false},    // space
		{"abcdefghijklmnopé", false},       // not ASCII
		{"", false},
	}
	for _, tc := range cases {
		if got := ValidSecret(tc.in); got != tc.want {
			t.Errorf("ValidSecret(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestPublicID: the derivation is fixed (clients and replicas compute the
// same), depends on the domain and the secret, and is never the secret.
func TestPublicID(t *testing.T) {
	const secret = "0b6c1c1e-4d5e-4d1a-9c51-3f9a1e0b7a10"
	id := PublicID(DomainClient, secret)
	// A known answer: the derivation is part of the protocol
	// (docs/protocol.md), so it must not change by accident.
	if want := "9DlHV6ntfeVb9g-dEaHV-t"; id != want {
		t.Errorf("PublicID = %s, want %s", id, want)
	}
	if len(id) != PublicIDLen || strings.ContainsAny(id, "+/=") || id == secret {
		t.Errorf("PublicID = %q: want %d base64url characters", id, PublicIDLen)
	}
	if PublicID(DomainClient, secret) != id {
		t.Error("PublicID is not deterministic")
	}
	if PublicID("confpad/author/v1", secret) == id {
		t.Error("two domains give the same public id")
	}
	if PublicID(DomainClient, secret+"x") == id {
		t.Error("two secrets give the same public id")
	}
}
