package main

// The floor mode (--floor) measures what the messages of a load run cost
// by themselves: a child process (this binary again, see floorChildEnv)
// sends as many confpad-sized messages to as many loopback TCP
// connections at the same rate as a confpad server does under the load,
// with no websocket, JSON or storage work, and this process receives them
// and reads the child's CPU time. docs/load.md explains how to read it.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// floorChildEnv, when set in the environment, makes the binary the floor
// sender instead of the load tool; its value is the floorSpec in JSON.
const floorChildEnv = "CONFPAD_LOAD_FLOOR_SENDER"

// floorMessage is what the sender writes per message: an unmasked
// websocket text frame (2-byte header) carrying a typical op broadcast, as
// protocol.EncodeOp writes it, 70 bytes in all. An ack is shorter (36
// bytes framed) but a run sends 119 broadcasts per ack.
var floorMessage = wsTextFrame(`{"type":"op","rev":1650,"op":[345,"a"],"author":"load-AbCdEfGh-w12"}`)

// wsTextFrame frames a short payload (under 126 bytes) as a server's
// websocket text message.
func wsTextFrame(payload string) []byte {
	return append([]byte{0x81, byte(len(payload))}, payload...)
}

// floorWait bounds how long the tool waits for the sender to exit once
// the run is over before killing it, and floorLifetimeMargin how long the
// sender outlives warmup+duration if nobody stops it.
const (
	floorWait           = 10 * time.Second
	floorLifetimeMargin = time.Minute
)

// floorSpec is what the sender does: accept Conns connections, then run
// Writers tickers of Rate ticks a second, each tick writing floorMessage
// to every connection, one write per connection; stop when its stdin
// closes or after Lifetime.
type floorSpec struct {
	Conns    int           `json:"conns"`
	Writers  int           `json:"writers"`
	Rate     float64       `json:"rate"`
	Lifetime time.Duration `json:"lifetime"`
}

// floorReport is the outcome of a floor run.
type floorReport struct {
	Writers  int     `json:"writers"`
	Readers  int     `json:"readers"`
	Rate     float64 `json:"rate"`
	Warmup   ms      `json:"warmup_ms"`
	Duration ms      `json:"duration_ms"`
	// MessageBytes is the size of each message; Expected is how many the
	// sender should send in the window, Messages how many this process
	// received in it.
	MessageBytes int     `json:"message_bytes"`
	Expected     int     `json:"expected_messages"`
	Messages     int     `json:"messages"`
	PerSecond    float64 `json:"messages_per_second"`
	// SenderPID is the child's; Machine.CPU is its CPU time, Machine.ToolCPU
	// this process's (the receiver's).
	SenderPID int           `json:"sender_pid"`
	Machine   machineReport `json:"machine"`
	// CPUPerMessage is the sender's CPU time per message, in µs.
	CPUPerMessage float64  `json:"sender_cpu_us_per_message"`
	Problems      []string `json:"problems"`
}

// runFloor carries out a floor run: it starts the sender, connects
// writers+readers times to it, discards what arrives, and measures the
// messages received and both processes' CPU time over the window.
func runFloor(ctx context.Context, cfg config) (floorReport, error) {
	if err := cfg.validate(); err != nil {
		return floorReport{}, err
	}
	conns := cfg.Writers + cfg.Readers
	sender, addr, err := startFloorSender(ctx, floorSpec{
		Conns: conns, Writers: cfg.Writers, Rate: cfg.Rate,
		Lifetime: cfg.Warmup + cfg.Duration + floorLifetimeMargin,
	})
	if err != nil {
		return floorReport{}, err
	}
	var received atomic.Int64
	var readers sync.WaitGroup
	defer readers.Wait()
	defer sender.stop() // first: it closes the connections the readers read
	for range conns {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return floorReport{}, fmt.Errorf("connect to the floor sender: %w", err)
		}
		sender.conns = append(sender.conns, c)
		readers.Go(func() { discard(c, &received) })
	}

	t0 := time.Now()
	from, to := t0.Add(cfg.Warmup), t0.Add(cfg.Warmup+cfg.Duration)
	machine := measure(ctx, []int{sender.cmd.Process.Pid}, from, to)
	var n [2]int64
	for i, at := range []time.Time{from, to} {
		t := time.NewTimer(time.Until(at))
		select {
		case <-ctx.Done():
			t.Stop()
			return floorReport{}, ctx.Err()
		case <-t.C:
		}
		n[i] = received.Load()
	}
	rep := floorReport{
		Writers: cfg.Writers, Readers: cfg.Readers, Rate: cfg.Rate,
		Warmup: ms(cfg.Warmup), Duration: ms(cfg.Duration),
		MessageBytes: len(floorMessage),
		Expected:     int(float64(cfg.Writers) * cfg.Rate * cfg.Duration.Seconds() * float64(conns)),
		Messages:     int(n[1]-n[0]) / len(floorMessage),
		SenderPID:    sender.cmd.Process.Pid,
		Problems:     []string{},
	}
	if rep.Machine, err = machine(); err != nil {
		return rep, err
	}
	if over := rep.Machine.CPU.Over; over > 0 {
		rep.PerSecond = float64(rep.Messages) / over.Seconds()
	}
	if rep.Messages > 0 {
		rep.CPUPerMessage = rep.Machine.CPU.Used.Seconds() * 1e6 / float64(rep.Messages)
	}
	return rep, sender.stop()
}

// discard reads c until it fails, adding the bytes read to received.
func discard(c net.Conn, received *atomic.Int64) {
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		received.Add(int64(n))
		if err != nil {
			return
		}
	}
}

// floorSender is the running sender child and the tool's connections to
// it.
type floorSender struct {
	cmd   *exec.Cmd
	stdin io.Closer
	kill  context.CancelFunc
	conns []net.Conn
	once  sync.Once
	err   error
}

// startFloorSender starts this binary as the sender and returns it with
// the loopback address it listens on.
func startFloorSender(ctx context.Context, spec floorSpec) (*floorSender, string, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, "", fmt.Errorf("start the floor sender: %w", err)
	}
	js, err := json.Marshal(spec)
	if err != nil {
		return nil, "", err
	}
	ctx, kill := context.WithCancel(ctx)
	s := &floorSender{cmd: exec.CommandContext(ctx, exe), kill: kill}
	s.cmd.Env = append(os.Environ(), floorChildEnv+"="+string(js))
	s.cmd.Stderr = os.Stderr
	stdin, err := s.cmd.StdinPipe()
	if err != nil {
		kill()
		return nil, "", err
	}
	s.stdin = stdin
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		kill()
		return nil, "", err
	}
	if err := s.cmd.Start(); err != nil {
		kill()
		return nil, "", fmt.Errorf("start the floor sender: %w", err)
	}
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		s.stop()
		return nil, "", fmt.Errorf("floor sender gave no address: %w", err)
	}
	return s, strings.TrimSpace(addr), nil
}

// stop closes the sender's stdin, which makes it exit, waits for it
// (killing it after floorWait), then closes the tool's connections. Only
// the first call does so; every call returns its outcome.
func (s *floorSender) stop() error {
	s.once.Do(func() {
		s.stdin.Close()
		t := time.AfterFunc(floorWait, s.kill)
		if err := s.cmd.Wait(); err != nil {
			s.err = fmt.Errorf("floor sender: %w", err)
		}
		t.Stop()
		s.kill()
		for _, c := range s.conns {
			c.Close()
		}
	})
	return s.err
}

// exitIfFloorSender runs the floor sender and exits, if this process was
// started as one (floorChildEnv is set); otherwise it returns.
func exitIfFloorSender() {
	js, ok := os.LookupEnv(floorChildEnv)
	if !ok {
		return
	}
	var spec floorSpec
	err := json.Unmarshal([]byte(js), &spec)
	if err == nil {
		err = runFloorSender(spec, os.Stdin, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "confpad-load floor sender:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runFloorSender listens on a loopback port, writes its address to
// stdout, accepts spec.Conns connections and sends to them until stdin
// closes (the run is over, or the tool died). It fails if spec.Lifetime
// passes first.
func runFloorSender(spec floorSpec, stdin io.Reader, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), spec.Lifetime)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, stdin)
		cancel()
	}()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	stopAccept := context.AfterFunc(ctx, func() { ln.Close() })
	defer stopAccept()
	if _, err := fmt.Fprintln(stdout, ln.Addr()); err != nil {
		return err
	}
	var conns []net.Conn
	closeAll := func() {
		for _, c := range conns {
			c.Close()
		}
	}
	defer closeAll()
	for len(conns) < spec.Conns && err == nil {
		var c net.Conn
		if c, err = ln.Accept(); err == nil {
			conns = append(conns, c)
		}
	}
	if err == nil {
		// Closing unblocks writes to a tool that stopped reading.
		stopWrites := context.AfterFunc(ctx, closeAll)
		defer stopWrites()
		err = tickAll(ctx, spec.Writers, spec.Rate, func(int, *mrand.Rand) error {
			for _, c := range conns {
				if _, err := c.Write(floorMessage); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("still running after %v; stopped", spec.Lifetime)
	}
	if ctx.Err() != nil {
		return nil // stdin closed: the run is over
	}
	return err
}

// check adds the reasons the floor run is not valid to Problems and
// reports whether it is: the sender must have kept up with the rate.
func (r *floorReport) check() bool {
	if r.Messages < r.Expected*9/10 {
		r.Problems = append(r.Problems, fmt.Sprintf("received %d messages, expected %d: the sender or the receiver fell behind", r.Messages, r.Expected))
	}
	return len(r.Problems) == 0
}

// writeText prints the floor report for people.
func (r *floorReport) writeText(w io.Writer) error {
	var b strings.Builder
	m := r.Machine
	fmt.Fprintf(&b, "confpad-load --floor: %d-byte messages to %d loopback TCP connections, one write each\n", r.MessageBytes, r.Writers+r.Readers)
	fmt.Fprintf(&b, "load: %d writers at %g ticks/s, %d readers; %v measured after %v warmup\n",
		r.Writers, r.Rate, r.Readers, time.Duration(r.Duration), time.Duration(r.Warmup))
	fmt.Fprintf(&b, "messages: %d received in %.1f s = %.0f per second (expected %d)\n", r.Messages, m.CPU.Over.Seconds(), r.PerSecond, r.Expected)
	fmt.Fprintf(&b, "sender CPU (pid %d): %.2f s per 30 s (%.2f cores) = %.2f µs per message\n",
		r.SenderPID, m.CPU.per30s(), m.CPU.cores(), r.CPUPerMessage)
	fmt.Fprintf(&b, "receiver (load tool) CPU: %.2f s per 30 s (%.2f cores)%s\n", m.ToolCPU.per30s(), m.ToolCPU.cores(), m.stallText())
	writeResult(&b, r.Problems)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSON prints the floor report as one JSON object.
func (r *floorReport) writeJSON(w io.Writer) error {
	return writeJSON(w, r)
}
