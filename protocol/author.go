package protocol

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
