package collab

import "fmt"

// Error codes of the pad engine. They are part of the wire protocol: the
// server sends them to clients in {"type":"error","code":...} messages.
const (
	// CodeBadOp: the op is malformed or does not fit the document.
	CodeBadOp = "bad_op"
	// CodeRevAhead: the op or request names a revision after the head.
	CodeRevAhead = "rev_ahead"
	// CodeRevTooOld: the op or selection is based on a revision older
	// than the pad's recent records (its History): placing it would mean
	// reading and transforming through the log inside the pad's commit
	// loop, which one client could use to slow everyone down.
	CodeRevTooOld = "rev_too_old"
	// CodeTooLarge: the op, or the pad after it, would exceed a size limit.
	CodeTooLarge = "too_large"
	// CodeQuotaExceeded: the pad's stored history has reached its quota
	// (Config.MaxHistoryBytes); no op is committed to it any more.
	CodeQuotaExceeded = "quota_exceeded"
	// CodeUnavailable: the engine is shutting down or its log cannot be
	// reached; the client should retry later.
	CodeUnavailable = "unavailable"
	// CodeReadOnly: the pad is read-only (its session is archived); the
	// op was not applied and will not be.
	CodeReadOnly = "read_only"
)

// Error is a client-caused or retryable engine error with a machine-readable
// code. Errors of other types are internal failures.
type Error struct {
	// Code is one of the Code constants.
	Code string
	// Message says what was wrong, for people.
	Message string
}

// Error returns the message prefixed with the code.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
