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

// The server names a client by the public id of the secret it joined
// with; a join with someone's public id is just another client.
func ExamplePublicID() {
	secret := "0b6c1c1e-4d5e-4d1a-9c51-3f9a1e0b7a10"
	public := protocol.PublicID(protocol.DomainClient, secret)
	fmt.Println(public)
	fmt.Println(protocol.PublicID(protocol.DomainClient, public))
	// Output:
	// 9DlHV6ntfeVb9g-dEaHV-t
	// FxDy2-mA9M1s2cBWiB0MOp
}
