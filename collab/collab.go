// Package collab is confpad's operational-transform core and per-pad engine.
//
// The operation format is exactly the JSON form of the npm package
// ot-text-unicode 4.0.0 (ottypes/text-unicode): an operation is an array of
// components, where a number N skips N characters, a string inserts itself,
// and {"d": N} or {"d": "text"} deletes. Positions and lengths count Unicode
// code points, never bytes or UTF-16 units. A trailing skip may be omitted.
// That npm package is the executable specification: every function here
// gives the same result as it on every input.
//
// The package does no I/O. Storage and fan-out reach the pad engine through
// the Log and Feed interfaces defined here.
package collab
