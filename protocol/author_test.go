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

// TestEtherpadAuthorID pins the public id of an imported Etherpad author
// that docs/protocol.md gives, and keeps it apart from the ids that the
// same string gives as a browser's author or client secret.
func TestEtherpadAuthorID(t *testing.T) {
	if got := EtherpadAuthorID("a.alice"); got != "1At56OYiH3bxjBsftrT1Ao" {
		t.Errorf("EtherpadAuthorID(a.alice) = %q", got)
	}
	const id = "a.abcdefghijklmnop"
	if got := EtherpadAuthorID(id); got == PublicID(DomainAuthor, id) || got == PublicID(DomainClient, id) {
		t.Error("an Etherpad author id gives the public id of a browser's secret")
	}
}

func TestCleanColor(t *testing.T) {
	tests := []struct{ in, want string }{
		{"#3366ff", "#3366ff"},
		{"#FF8800", "#ff8800"},
		{"#abc", ""},
		{"orange", ""},
		{"#12345g", ""},
		{" #123456", ""},
	}
	for _, tt := range tests {
		got, err := CleanColor(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("CleanColor(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
