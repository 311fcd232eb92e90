package conference

import "testing"

func TestCanEdit(t *testing.T) {
	secret := NewSecret()
	tests := []struct {
		name   string
		sess   Session
		secret string
		want   bool
	}{
		{"no policy is open", Session{}, "", true},
		{"open", Session{Policy: PolicyOpen, EditSecret: secret}, "", true},
		{"link without the secret", Session{Policy: PolicyLink, EditSecret: secret}, "", false},
		{"link with a wrong secret", Session{Policy: PolicyLink, EditSecret: secret}, secret + "x", false},
		{"link with the secret", Session{Policy: PolicyLink, EditSecret: secret}, secret, true},
		{"link before any secret was made", Session{Policy: PolicyLink}, "", false},
	}
	for _, tt := range tests {
		if got := tt.sess.CanEdit(tt.secret); got != tt.want {
			t.Errorf("%s: CanEdit = %v, want %v", tt.name, got, tt.want)
		}
	}
	if a, b := NewSecret(), NewSecret(); a == b || len(a) != 43 {
		t.Errorf("NewSecret gave %q and %q: want two different 43-character secrets", a, b)
	}
}

func TestTokenMatches(t *testing.T) {
	l := Link{TokenHash: HashToken("tok")}
	for _, tt := range []struct {
		link  Link
		token string
		want  bool
	}{
		{l, "tok", true},
		{l, "tok2", false},
		{l, "", false},
		{Link{}, "", false},
		{Link{}, "tok", false},
	} {
		if got := tt.link.TokenMatches(tt.token); got != tt.want {
			t.Errorf("Link{TokenHash: %q}.TokenMatches(%q) = %v, want %v", tt.link.TokenHash, tt.token, got, tt.want)
		}
	}
}
