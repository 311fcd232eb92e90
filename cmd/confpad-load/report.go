package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ms is a duration that is shown, and encoded in JSON, in milliseconds.
type ms time.Duration

func (d ms) String() string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}

// MarshalJSON encodes the duration as a number of milliseconds.
func (d ms) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(d)/float64(time.Millisecond), 'f', 3, 64), nil
}

// percentiles summarises a set of latencies (nearest-rank percentiles).
type percentiles struct {
	Count int `json:"count"`
	P50   ms  `json:"p50_ms"`
	P90   ms  `json:"p90_ms"`
	P99   ms  `json:"p99_ms"`
	Max   ms  `json:"max_ms"`
}

func summarise(ds []time.Duration) percentiles {
	if len(ds) == 0 {
		return percentiles{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := func(p float64) ms {
		i := int(p*float64(len(s))+0.9999999) - 1
		return ms(s[max(0, min(i, len(s)-1))])
	}
	return percentiles{Count: len(s), P50: rank(0.50), P90: rank(0.90), P99: rank(0.99), Max: ms(s[len(s)-1])}
}

// cpuReport is the servers' CPU time over the measured window.
type cpuReport struct {
	PIDs []int
	Used time.Duration
	Over time.Duration
}

// MarshalJSON encodes seconds used, the window and the rate per 30 s.
func (c cpuReport) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		PIDs        []int   `json:"pids"`
		Seconds     float64 `json:"seconds"`
		Over        float64 `json:"over_seconds"`
		Per30s      float64 `json:"per_30s_seconds"`
		Utilisation float64 `json:"cores"`
	}{c.PIDs, c.Used.Seconds(), c.Over.Seconds(), c.per30s(), c.cores()})
}

// per30s is the CPU seconds used per 30 s of load.
func (c cpuReport) per30s() float64 {
	if c.Over <= 0 {
		return 0
	}
	return c.Used.Seconds() * 30 / c.Over.Seconds()
}

// cores is the average number of cores busy.
func (c cpuReport) cores() float64 {
	if c.Over <= 0 {
		return 0
	}
	return c.Used.Seconds() / c.Over.Seconds()
}

// report is the outcome of a run.
type report struct {
	URLs     []string `json:"urls"`
	Pad      string   `json:"pad"`
	Pads     int      `json:"pads"`
	Writers  int      `json:"writers"`
	Readers  int      `json:"readers"`
	Rate     float64  `json:"rate"`
	Warmup   ms       `json:"warmup_ms"`
	Duration ms       `json:"duration_ms"`
	// Join is what connecting every client cost.
	Join joinReport `json:"join"`

	// Fanout is per measured edit: from the writer's Edit call until
	// every other client had the op carrying it.
	Fanout percentiles `json:"fanout"`
	// Ack is per measured op: from its send until the writer's ack.
	Ack percentiles `json:"ack"`
	// Acked and Complete count ops: acknowledged, and also received by
	// every other client.
	Acked    int `json:"acked_ops"`
	Complete int `json:"complete_ops"`

	// Lost are acknowledged ops some client never received.
	Lost losses `json:"lost"`
	// Unacked is how many edits were never acknowledged.
	Unacked int `json:"unacked_edits"`
	// CaughtUp: every client reached the same revision within --drain.
	CaughtUp bool `json:"caught_up"`
	// Texts is how many different final texts the clients of one pad
	// hold, at most (1 when they agree); FinalRev and FinalLen describe
	// the first client's.
	Texts    int `json:"distinct_texts"`
	FinalRev int `json:"final_rev"`
	FinalLen int `json:"final_len"`

	Disconnects int64 `json:"disconnects"`
	Errors      int64 `json:"server_errors"`
	// Mismatches counts protocol violations seen by the tracker: an op
	// delivered twice, or with different authors, or acks carrying more
	// edits than were made.
	Mismatches int `json:"mismatches"`

	Machine machineReport `json:"machine"`
	// Problems are the reasons the run failed, if it did.
	Problems []string `json:"problems"`
}

// newReport builds the report from a finished run's trackers (one per
// pad) and counts.
func newReport(cfg config, trackers []*tracker, counts *eventCounts) report {
	rep := report{
		URLs: cfg.URLs, Pad: cfg.Pad, Pads: cfg.Pads, Writers: cfg.Writers, Readers: cfg.Readers, Rate: cfg.Rate,
		Warmup: ms(cfg.Warmup), Duration: ms(cfg.Duration),
		Mismatches:  int(counts.ackErrors.Load()),
		Disconnects: counts.disconnects.Load(),
		Errors:      counts.errors.Load(),
		Problems:    []string{},
	}
	var fanout, acks []time.Duration
	for _, tr := range trackers {
		tr.mu.Lock()
		fanout, acks = append(fanout, tr.fanout...), append(acks, tr.acks...)
		rep.Acked += tr.acked
		rep.Complete += tr.complete
		rep.Mismatches += tr.mismatches
		tr.mu.Unlock()
		l := tr.losses()
		rep.Lost.Ops += l.Ops
		rep.Lost.Deliveries += l.Deliveries
		rep.Lost.Foreign += l.Foreign
	}
	rep.Fanout, rep.Ack = summarise(fanout), summarise(acks)
	return rep
}

// compareTexts records how many different texts the clients of one pad
// ended with, at most.
func (r *report) compareTexts(clients []*loadClient, pads int) {
	distinct := make([]map[string]bool, pads)
	for i := range distinct {
		distinct[i] = map[string]bool{}
	}
	for i, lc := range clients {
		if i == 0 {
			r.FinalRev, r.FinalLen = lc.c.Rev(), lc.c.Len()
		}
		distinct[lc.pad][lc.c.Text()] = true
	}
	r.Texts = 0
	for _, d := range distinct {
		r.Texts = max(r.Texts, len(d))
	}
}

// check adds the reasons the run failed to Problems and reports whether
// it passed: nothing lost, everything acknowledged, everyone caught up
// with the same text.
func (r *report) check() bool {
	add := func(format string, args ...any) { r.Problems = append(r.Problems, fmt.Sprintf(format, args...)) }
	if r.Lost.Ops > 0 {
		add("%d acknowledged ops never reached every client (%d deliveries missing)", r.Lost.Ops, r.Lost.Deliveries)
	}
	if r.Unacked > 0 {
		add("%d edits were never acknowledged", r.Unacked)
	}
	if !r.CaughtUp {
		add("not every client reached the same revision within --drain")
	}
	if r.Texts != 1 {
		add("divergence: the clients hold %d different texts", r.Texts)
	}
	if r.Mismatches > 0 {
		add("%d protocol violations (an op delivered twice or with two authors, or an ack for edits never made)", r.Mismatches)
	}
	if r.Complete == 0 {
		add("no op was measured")
	}
	return len(r.Problems) == 0
}

// writeText prints the report for people.
func (r *report) writeText(w io.Writer) error {
	var b strings.Builder
	if r.Pads > 1 {
		fmt.Fprintf(&b, "confpad-load: %d pads %s-1 to %s-%d on %s\n", r.Pads, r.Pad, r.Pad, r.Pads, strings.Join(r.URLs, ", "))
	} else {
		fmt.Fprintf(&b, "confpad-load: pad %q on %s\n", r.Pad, strings.Join(r.URLs, ", "))
	}
	fmt.Fprintf(&b, "load: %d writers at %g chars/s, %d readers per pad; %v measured after %v warmup\n",
		r.Writers, r.Rate, r.Readers, time.Duration(r.Duration), time.Duration(r.Warmup))
	r.Join.writeText(&b)
	f := r.Fanout
	fmt.Fprintf(&b, "fan-out, edit -> every other client (%d edits): p50 %v  p90 %v  p99 %v  max %v\n", f.Count, f.P50, f.P90, f.P99, f.Max)
	a := r.Ack
	fmt.Fprintf(&b, "ack, send -> writer's ack (%d ops):        p50 %v  p90 %v  p99 %v  max %v\n", a.Count, a.P50, a.P90, a.P99, a.Max)
	fmt.Fprintf(&b, "ops: %d acknowledged, %d reached every client; lost %d (%d deliveries); unacknowledged edits %d\n",
		r.Acked, r.Complete, r.Lost.Ops, r.Lost.Deliveries, r.Unacked)
	fmt.Fprintf(&b, "final: revision %d, %d code points, %d distinct text(s) over %d clients; disconnects %d, server errors %d\n",
		r.FinalRev, r.FinalLen, r.Texts, r.Pads*(r.Writers+r.Readers), r.Disconnects, r.Errors)
	m := r.Machine
	if len(m.CPU.PIDs) > 0 {
		fmt.Fprintf(&b, "server CPU (pids %v): %.2f s over %.1f s = %.2f s per 30 s (%.2f cores)\n",
			m.CPU.PIDs, m.CPU.Used.Seconds(), m.CPU.Over.Seconds(), m.CPU.per30s(), m.CPU.cores())
	}
	fmt.Fprintf(&b, "load tool CPU: %.2f s per 30 s (%.2f cores)%s\n", m.ToolCPU.per30s(), m.ToolCPU.cores(), m.stallText())
	writeResult(&b, r.Problems)
	_, err := io.WriteString(w, b.String())
	return err
}

// stallText is the CPU stall clause of a report line, empty if the kernel
// does not say.
func (m machineReport) stallText() string {
	if m.Stall < 0 {
		return ""
	}
	return fmt.Sprintf("; CPU stall (some task waiting for a CPU): %.0f%% of the time", 100*m.Stall)
}

// writeResult writes the last lines of a text report: "result: OK", or
// one FAIL line per problem.
func writeResult(b *strings.Builder, problems []string) {
	if len(problems) == 0 {
		b.WriteString("result: OK\n")
	}
	for _, p := range problems {
		fmt.Fprintf(b, "FAIL: %s\n", p)
	}
}

// writeJSON prints the report as one JSON object.
func (r *report) writeJSON(w io.Writer) error {
	return writeJSON(w, r)
}

// writeJSON prints v as one indented JSON object.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
