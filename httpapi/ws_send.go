package httpapi

import (
	"encoding/binary"
	"errors"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/gobwas/ws"

	"github.com/confpad/confpad/protocol"
)

// This file is the sending half of a websocket connection. A frame is
// encoded once (server frames are not masked, so every receiver gets the
// same bytes) and written by the goroutine that sends it, without
// blocking: one write(2) on the non-blocking socket. Only what the socket
// does not take at once waits in the connection's queue for a writer
// goroutine, which exists while the queue has something.

// appendFrame appends a final, unmasked frame of type op carrying payload.
func appendFrame(dst []byte, op ws.OpCode, payload []byte) []byte {
	n := len(payload)
	dst = append(dst, 0x80|byte(op))
	switch {
	case n < 126:
		dst = append(dst, byte(n))
	case n <= 0xffff:
		dst = append(dst, 126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, 127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	return append(dst, payload...)
}

// textFrame is payload as one text frame.
func textFrame(payload []byte) []byte {
	return appendFrame(make([]byte, 0, len(payload)+ws.MaxHeaderSize), ws.OpText, payload)
}

// closeFrame is the close frame of c; a code of 1005 (no status) or 0
// makes a close frame without a body.
func closeFrame(c protocol.Close) []byte {
	if c.Code == 0 || ws.StatusCode(c.Code) == ws.StatusNoStatusRcvd {
		return appendFrame(nil, ws.OpClose, nil)
	}
	return appendFrame(nil, ws.OpClose, ws.NewCloseFrameBody(ws.StatusCode(c.Code), c.Reason))
}

// pingFrame is the keepalive's ping, without payload.
var pingFrame = appendFrame(nil, ws.OpPing, nil)

// send queues a message (one text frame) without blocking.
func (cn *conn) send(payload []byte) {
	cn.sendFrame(textFrame(payload))
}

// sendMany sends messages that must go out together (a catch-up and its
// welcome) as one write.
func (cn *conn) sendMany(payloads [][]byte) {
	size := 0
	for _, p := range payloads {
		size += len(p) + ws.MaxHeaderSize
	}
	b := make([]byte, 0, size)
	for _, p := range payloads {
		b = appendFrame(b, ws.OpText, p)
	}
	cn.sendFrame(b)
}

// sendFrame writes b, one or more whole encoded frames, which may be
// shared with other connections and is never modified. It never blocks:
// when nothing waits in the queue it writes what the socket takes at once
// and queues the rest for the writer. A connection whose queue is full is
// too slow: it is closed, and resumes with since.
func (cn *conn) sendFrame(b []byte) {
	if cn.killed() {
		return
	}
	cn.queueMu.Lock()
	if !cn.writing && len(cn.queue) == 0 {
		n := cn.writeNow(b)
		if n == len(b) {
			cn.queueMu.Unlock()
			return
		}
		b, cn.partial = b[n:], n > 0
	}
	full := len(cn.queue) == cn.s.cfg.SendQueue
	if !full {
		cn.queue = append(cn.queue, b)
		cn.startWriterLocked()
	}
	cn.queueMu.Unlock()
	if full {
		cn.tooSlow()
	}
}

// writeNow makes one non-blocking write of b to the socket and returns
// how many bytes it took: 0 when the socket buffer is full, or on an
// error, which the writer then meets again and handles. The caller holds
// queueMu with no writer running.
func (cn *conn) writeNow(b []byte) int {
	if cn.raw == nil {
		return 0
	}
	cn.direct.b, cn.direct.n = b, 0
	err := cn.raw.Write(cn.direct.fn)
	n := cn.direct.n
	cn.direct.b = nil
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// directWrite is writeNow's callback and its arguments, kept in the
// conn so that a write allocates nothing.
type directWrite struct {
	fn func(fd uintptr) bool
	b  []byte
	n  int
}

// setRaw readies writeNow on raw.
func (cn *conn) setRaw(raw syscall.RawConn) {
	cn.raw = raw
	cn.direct.fn = func(fd uintptr) bool {
		cn.direct.n, _ = syscall.Write(int(fd), cn.direct.b)
		return true // never wait for the socket: the writer does
	}
}

// startWriterLocked starts the writer goroutine unless it runs.
func (cn *conn) startWriterLocked() {
	if !cn.writing {
		cn.writing = true
		go cn.write()
	}
}

// idleQueueCap is the largest queue buffer a connection keeps once its
// queue is empty; a larger one is dropped.
const idleQueueCap = 8

// maxBurst bounds the queued items one write(v) takes.
const maxBurst = 64

// takeBurst moves up to maxBurst queued items to batch (reused) and
// returns it. When nothing is queued, the writer ends (more is false: the
// next send, or kill, starts another), and the socket's write deadline is
// cleared for writeNow. Once the connection is killed the
// queue is dropped, but for the rest of a frame begun by writeNow, and
// an empty batch tells the writer to close.
func (cn *conn) takeBurst(batch net.Buffers) (_ net.Buffers, more bool) {
	cn.queueMu.Lock()
	defer cn.queueMu.Unlock()
	batch = batch[:0]
	if cn.killed() {
		if cn.partial {
			batch = append(batch, cn.queue[0])
		}
		cn.partial = false
		cn.queue = nil
		return batch, true
	}
	if len(cn.queue) == 0 {
		// writeNow fails past a deadline. Cleared here, under queueMu,
		// and not once the writer returns: by then the next writer may
		// have set its own, and a writer without one could wait for a
		// client that reads nothing forever.
		_ = cn.nc.SetWriteDeadline(time.Time{})
		cn.writing = false
		return batch, false
	}
	cn.partial = false
	n := min(len(cn.queue), maxBurst)
	batch = append(batch, cn.queue[:n]...)
	rest := copy(cn.queue, cn.queue[n:])
	clear(cn.queue[rest:]) // no frames kept alive by the buffer
	cn.queue = cn.queue[:rest]
	if rest == 0 && cap(cn.queue) > idleQueueCap {
		cn.queue = nil
	}
	return batch, true
}

// closeWait bounds the wait for the client's close frame after ours.
const closeWait = 5 * time.Second

// write is the writer goroutine: it writes the queued frames, in bursts
// of up to maxBurst with one writev(2), and ends when the queue is empty;
// once the connection is killed it sends the close frame instead. A burst
// that takes longer than WriteTimeout means the client is too slow: it is
// cut off without a close frame (the burst may have stopped mid-frame).
func (cn *conn) write() {
	var batch, bufs net.Buffers
	broken := false
	for {
		var more bool
		if batch, more = cn.takeBurst(batch); !more {
			return // nothing to write: the writer ends
		}
		if len(batch) == 0 {
			break // killed: close
		}
		_ = cn.nc.SetWriteDeadline(time.Now().Add(cn.s.cfg.WriteTimeout))
		bufs = batch // WriteTo consumes bufs, not batch's array
		_, err := bufs.WriteTo(cn.nc)
		clear(batch)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				cn.tooSlow()
			}
			cn.kill(protocol.CloseNormal) // unless tooSlow came first
			broken = true
			break
		}
	}
	if !broken {
		_ = cn.nc.SetWriteDeadline(time.Now().Add(cn.s.cfg.WriteTimeout))
		if _, err := cn.nc.Write(closeFrame(cn.close)); err == nil {
			// The reader waits for the client's close frame, a while.
			_ = cn.nc.SetReadDeadline(time.Now().Add(closeWait))
		} else {
			broken = true
		}
	}
	if broken {
		_ = cn.nc.Close() // ends the reader
	}
	cn.cancel()
	close(cn.closed)
}
