package protocol

import "testing"

// TestAuthorPublicID pins the public author id that docs/protocol.md
// describes and the editor (frontend/src/author.js) computes, and keeps it
// apart from the client id of the same secret.
func TestAuthorPublicID(t *testing.T) {
	const secret = "kq8V2xN0cT5rY7wB3mZ1aL6dF4hJ9sG0"
	if got := PublicID(DomainAuthor, secret); got != "LvquueIn3HE55RuLd3in20" {
		t.Errorf("PublicID(DomainAuthor, %q) = %q", secret, got)
	}
	if PublicID(DomainAuthor, secret) == PublicID(DomainClient, secret) {
		t.Error("an author secret and a client secret give the same public id")
	}
}
