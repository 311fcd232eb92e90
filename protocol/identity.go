package protocol

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
)

// Identity. The "client" a client sends in its join is a secret that only
// that client holds: whoever knows it can resume the client's session,
// have its resent ops deduplicated and take over its connection (close
// code 4409). Everything other clients see, and everything the server
// stores or sends between replicas, carries the public id derived from it
// instead (PublicID): the welcome's "users" and "you", presence, an op's
// "author", the records in the log. A public id cannot be turned back into
// its secret, so seeing it grants nothing.

// Lengths of a secret client id: long enough that it cannot be guessed.
const (
	MinSecretLen = 16
	MaxSecretLen = 64
	// PublicIDLen is the length of a public id: 22 base64url characters,
	// 132 bits of the hash.
	PublicIDLen = 22
)

// DomainClient is the domain of the public ids of the join's "client"
// secret. Each kind of secret has its own domain, so that the same secret
// used for two purposes gives two unrelated public ids.
const DomainClient = "confpad/client/v1"

// secretPattern is what a secret must look like.
var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// ValidSecret reports whether s has the form of a secret id: 16 to 64 of
// A-Z, a-z, 0-9, '-' and '_'.
func ValidSecret(s string) bool { return secretPattern.MatchString(s) }

// PublicID derives the public id of secret in domain: the first
// PublicIDLen characters of the unpadded base64url SHA-256 of the domain,
// a zero byte and the secret. It is the same on every replica and in
// every client, and reveals nothing of the secret.
func PublicID(domain, secret string) string {
	h := sha256.New()
	h.Write([]byte(domain))
	h.Write([]byte{0})
	h.Write([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))[:PublicIDLen]
}
