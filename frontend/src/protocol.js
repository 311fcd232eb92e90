// The websocket protocol's error codes and close codes, each with what a
// client does about it: 'retry' (send the same op again later; after a
// close, resume with "since"), 'resync' (drop pending edits and load the
// pad afresh, without "since") or 'stop' (do not resend or reconnect).
// docs/protocol.md explains them; the Go package protocol holds the same
// tables, and its tests check this file against them.

/** ERROR_POLICY maps each error code the server sends to its policy. */
export const ERROR_POLICY = new Map([
  ['bad_message', 'stop'],
  ['unknown_type', 'stop'],
  ['not_joined', 'stop'],
  ['bad_op', 'resync'],
  ['rev_ahead', 'resync'],
  ['rev_too_old', 'resync'],
  ['too_large', 'resync'],
  ['quota_exceeded', 'resync'],
  ['read_only', 'resync'],
  ['unknown_pad', 'stop'],
  ['unavailable', 'retry'],
  ['internal', 'retry'],
]);

/** CLOSE_POLICY maps each close code the server uses to its policy. */
export const CLOSE_POLICY = new Map([
  [1000, 'retry'],
  [1001, 'retry'],
  [1002, 'retry'],
  [1008, 'retry'],
  [1009, 'retry'],
  [4404, 'stop'],
  [4409, 'stop'],
  [4410, 'resync'],
]);

/** errorPolicy is the policy of an error code; 'stop' for one it does not know. */
export function errorPolicy(code) {
  return ERROR_POLICY.get(code) ?? 'stop';
}

/**
 * closePolicy is the policy of a close code; 'retry' for one the server
 * does not use (a dropped connection is 1006, a proxy may close with any).
 */
export function closePolicy(code) {
  return CLOSE_POLICY.get(code) ?? 'retry';
}
