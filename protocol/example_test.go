package protocol_test

import (
	"fmt"

	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/protocol"
)

// The server reads a client's op; a bad one comes back as the error to
// send, with the seq it refers to.
func ExampleParseClientMessage() {
	msg, _, err := protocol.ParseClientMessage([]byte(`{"type":"op","rev":12,"seq":3,"op":[5," world"]}`), 1000)
	fmt.Println(msg.Type, msg.Rev, msg.Seq, msg.Op, err == nil)
	_, seq, err := protocol.ParseClientMessage([]byte(`{"type":"op","rev":12,"seq":4,"op":[0]}`), 1000)
	fmt.Println(err.Code, seq)
	// Output:
	// op 12 3 [5," world"] true
	// bad_op 4
}

// An op broadcast as the server encodes it and a client decodes it.
func ExampleEncodeOp() {
	frame := protocol.EncodeOp(collab.Record{Rev: 16, Op: collab.NewOp(collab.Skip(2), collab.Insert("😀")), Client: "9d2f", Author: "Qm3xk5T0aFh8-Ld2WnA7pw"})
	fmt.Println(string(frame))
	m, err := protocol.DecodeServerMessage(frame)
	fmt.Println(m.Type, m.Rev, m.Op.Op, m.By, m.Author, err)
	// Output:
	// {"type":"op","rev":16,"op":[2,"😀"],"by":"Qm3xk5T0aFh8-Ld2WnA7pw","author":"9d2f"}
	// op 16 [2,"😀"] Qm3xk5T0aFh8-Ld2WnA7pw 9d2f <nil>
}

// A browser's author secret stays with it; others see only the public id.
func ExamplePublicID() {
	id := protocol.PublicID(protocol.AuthorDomain, "kq8V2xN0cT5rY7wB3mZ1aL6dF4hJ9sG0")
	fmt.Println(len(id), id == protocol.PublicID(protocol.AuthorDomain, "kq8V2xN0cT5rY7wB3mZ1aL6dF4hJ9sG0"))
	// Output:
	// 22 true
}

// What a client does after an error or a close.
func ExampleErrorPolicy() {
	for _, code := range []string{protocol.Unavailable, protocol.RevAhead, protocol.UnknownPad} {
		p, _ := protocol.ErrorPolicy(code)
		fmt.Println(code, p)
	}
	fmt.Println(protocol.CloseHistoryChanged.Reason, protocol.CloseHistoryChanged.Policy())
	// Output:
	// unavailable retry
	// rev_ahead resync
	// unknown_pad stop
	// the pad's history changed; load it again resync
}
