package client

// TakesFastPath reports whether a server frame decodes without
// encoding/json, for tests of the real server's frames.
func TakesFastPath(frame []byte) bool {
	_, ok := decodeFast(frame)
	return ok
}
