package protocol

import (
	"errors"
	"strings"
)

// DomainAuthor is the domain of the public ids of the join's "author"
// secret (PublicID): a browser keeps one author secret for good, so its
// edits share one public author id across page loads, while its client id
// is new on every load.
const DomainAuthor = "confpad/author/v1"

// parseAuthor sets msg.Author, the public author id of a join: derived
// from its "author" secret or, without one, the public client id.
func parseAuthor(raw *rawClientMessage, msg *ClientMessage) *Error {
	if raw.Author == nil {
		msg.Author = msg.Client
		return nil
	}
	if !ValidSecret(*raw.Author) {
		return Errorf(BadMessage, `"author" must be a secret of 16 to 64 characters of A-Z, a-z, 0-9, '-' and '_'`)
	}
	msg.Author = PublicID(DomainAuthor, *raw.Author)
	return nil
}

// DomainEtherpadAuthor is the domain of the public ids that authors of an
// imported .etherpad file get (EtherpadAuthorID).
const DomainEtherpadAuthor = "confpad/etherpad-author/v1"

// EtherpadAuthorID returns the public author id of the author whose id in
// an imported .etherpad file is id ("a.<random>"): PublicID of id in its
// own domain. The same Etherpad author gets the same id in every import,
// and since no browser's author secret is hashed in that domain, no
// browser can write under an imported author's id (nor an import under a
// browser's: it would need a SHA-256 collision across domains).
func EtherpadAuthorID(id string) string {
	return PublicID(DomainEtherpadAuthor, id)
}

// CleanColor returns a display colour in lower case, or an error saying
// why it is not acceptable: it must look like #3366ff. Colours given at
// join, at rename and in imported files pass the same check.
func CleanColor(color string) (string, error) {
	if !colorPattern.MatchString(color) {
		return "", errors.New("must look like #3366ff")
	}
	return strings.ToLower(color), nil
}
