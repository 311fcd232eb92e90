package client

import (
	"encoding/json"
	"fmt"

	"github.com/confpad/confpad/protocol"
)

// The wire messages are package protocol's (docs/protocol.md).

// User is a person in a pad, as welcome and presence messages show them.
type User = protocol.User

// encode marshals a client message; the messages here hold only plain data
// and valid ops, so an error means a bug and is returned as is.
func encode(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("client: encode %T: %w", v, err)
	}
	return b, nil
}
