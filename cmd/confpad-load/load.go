package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/confpad/confpad/client"
	"github.com/confpad/confpad/collab"
	"github.com/confpad/confpad/protocol"
)

// joinSettle is how long the run waits after the last client connected
// before it reads what the crowd's join cost: long enough for the last
// counts of people (at most one a second) to arrive.
const joinSettle = 2 * time.Second

// loadClient is one connection of the run, with what it counts.
type loadClient struct {
	c *client.Client
	// id is the client's public id, as authors of ops name it.
	id     string
	pad    int // index in config.padNames
	writer bool
	edits  editQueue // Edit times waiting for acks (writers)
	// received counts the bytes of the server messages it got.
	received atomic.Int64
}

// run performs one load run: it connects the writers and readers, types
// for the warmup and the duration, waits for every ack and for every
// client to catch up, checks that every acknowledged op reached every
// client and that all texts are equal, and returns the report. Losses and
// divergence are reported in the report, not as an error; the error is for
// runs that could not be carried out.
func run(ctx context.Context, cfg config) (report, error) {
	if err := cfg.validate(); err != nil {
		return report{}, err
	}
	if cfg.AdminToken != "" {
		for _, pad := range cfg.padNames() {
			if err := ensurePad(ctx, httpBase(cfg.URLs[0]), pad, cfg.AdminToken); err != nil {
				return report{}, err
			}
		}
	}
	var join joinReport
	var err error
	if len(cfg.PIDs) > 0 {
		if join.rssBefore, err = residentBytes(cfg.PIDs); err != nil {
			return report{}, err
		}
	}
	start := time.Now()
	// Connecting takes a while; the clock starts once everyone is in.
	trackers := make([]*tracker, cfg.Pads)
	for i := range trackers {
		trackers[i] = newTracker(cfg.Writers + cfg.Readers)
	}
	counts := &eventCounts{}
	clients, err := connectAll(ctx, cfg, trackers, counts)
	defer closeAll(clients)
	if err != nil {
		return report{}, err
	}
	join.Connect = ms(time.Since(start))
	if err := join.settle(ctx, cfg, clients); err != nil {
		return report{}, err
	}

	t0 := time.Now()
	from, to := t0.Add(cfg.Warmup), t0.Add(cfg.Warmup+cfg.Duration)
	for _, tr := range trackers {
		tr.setWindow(from, to)
	}
	machine := measure(ctx, cfg.PIDs, from, to)

	typeErr := typeAll(ctx, clients, cfg, to)
	drainCtx, cancel := context.WithTimeout(ctx, cfg.Drain)
	defer cancel()
	unacked, caughtUp := drain(drainCtx, clients, cfg.Pads)

	rep := newReport(cfg, trackers, counts)
	rep.Join = join
	rep.Unacked = unacked
	rep.CaughtUp = caughtUp
	rep.compareTexts(clients, cfg.Pads)
	if rep.Machine, err = machine(); err != nil {
		rep.Problems = append(rep.Problems, err.Error())
	}
	if typeErr != nil {
		rep.Problems = append(rep.Problems, typeErr.Error())
	}
	return rep, nil
}

// eventCounts counts the events that are not per-op.
type eventCounts struct {
	disconnects atomic.Int64
	errors      atomic.Int64
	ackErrors   atomic.Int64
}

// connectAll dials every client of every pad, spread over the URLs
// round-robin, with its events wired to its pad's tracker.
func connectAll(ctx context.Context, cfg config, trackers []*tracker, counts *eventCounts) ([]*loadClient, error) {
	pads := cfg.padNames()
	perPad := cfg.Writers + cfg.Readers
	n := perPad * len(pads)
	clients := make([]*loadClient, n)
	errs := make([]error, n)
	sem := make(chan struct{}, cfg.ConnectParallel)
	var wg sync.WaitGroup
	for i := range clients {
		p, k := i%len(pads), i/len(pads) // pads fill up together
		kind := "r"
		if k < cfg.Writers {
			kind = "w"
		}
		secret := rand.Text() // 26 random base32 characters
		lc := &loadClient{id: protocol.PublicID(protocol.DomainClient, secret), pad: p, writer: kind == "w"}
		clients[i] = lc
		url, err := padURL(cfg.URLs[i%len(cfg.URLs)], pads[p])
		if err != nil {
			return nil, err
		}
		opts := client.Options{
			Client:        secret,
			Name:          fmt.Sprintf("load %s%d", kind, k),
			AutoReconnect: true,
			OnEvent:       lc.onEvent(trackers[p], counts),
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			lc.c, errs[i] = client.Dial(dctx, url, opts)
		}()
	}
	wg.Wait()
	var live []*loadClient
	for _, lc := range clients {
		if lc.c != nil {
			live = append(live, lc)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return live, fmt.Errorf("connect %d clients to %d pad(s): %w", n, len(pads), err)
	}
	return live, nil
}

// onEvent feeds one client's events to the tracker: a writer's acks (with
// the Edit times they carry) and everyone's remote ops.
func (lc *loadClient) onEvent(tr *tracker, counts *eventCounts) func(client.Event) {
	return func(e client.Event) {
		lc.received.Add(int64(len(e.Raw)))
		switch e.Kind {
		case client.EventRemote:
			tr.seen(e.Rev, e.Author, e.Time)
		case client.EventAck:
			edits, err := lc.edits.take(e.Edits)
			if err != nil {
				counts.ackErrors.Add(1)
			}
			tr.ack(e.Rev, lc.id, edits, e.Latency)
		case client.EventDisconnected:
			counts.disconnects.Add(1)
		case client.EventError:
			counts.errors.Add(1)
		}
	}
}

// typeAll runs the writers until the deadline: each types Rate characters
// a second on a ticker with a random phase, each a single-character insert
// or delete at a random place.
func typeAll(ctx context.Context, clients []*loadClient, cfg config, until time.Time) error {
	ctx, cancel := context.WithDeadline(ctx, until)
	defer cancel()
	var writers []*loadClient
	for _, lc := range clients {
		if lc.writer {
			writers = append(writers, lc)
		}
	}
	return tickAll(ctx, len(writers), cfg.Rate, func(i int, rng *mrand.Rand) error {
		return writers[i].typeKey(rng)
	})
}

// tickAll runs n tickers of rate ticks a second, each with a random phase
// and its own random source, until ctx ends: ticker i calls tick(i, rng)
// on every tick and stops at its first error. It returns the errors.
func tickAll(ctx context.Context, n int, rate float64, tick func(i int, rng *mrand.Rand) error) error {
	interval := time.Duration(float64(time.Second) / rate)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		rng := mrand.New(mrand.NewPCG(mrand.Uint64(), uint64(i)))
		wg.Go(func() { errs[i] = everyTick(ctx, interval, rng, func() error { return tick(i, rng) }) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// everyTick calls f after a random phase within interval and then once
// per interval, until ctx ends or f fails.
func everyTick(ctx context.Context, interval time.Duration, rng *mrand.Rand, f func() error) error {
	phase := time.NewTimer(time.Duration(rng.Int64N(int64(interval))))
	select {
	case <-ctx.Done():
		phase.Stop()
		return nil
	case <-phase.C:
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if err := f(); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// alphabet is what writers type: mostly ASCII, some accented, CJK and
// astral characters.
var alphabet = []rune("abcdefghijklmnopqrstuvwxyz      \néü€中😀𝄞")

// typeKey types one character.
func (lc *loadClient) typeKey(rng *mrand.Rand) error {
	err := lc.c.EditFunc(func(doc *collab.Doc) (collab.Op, error) {
		op := randomKeystroke(rng, doc.Len())
		// Recorded under the client's lock, so before any ack of it.
		lc.edits.push(time.Now())
		return op, nil
	})
	if err != nil {
		return fmt.Errorf("writer %s: %w", lc.id, err)
	}
	return nil
}

// randomKeystroke is a single-character op on a text of n code points:
// a delete (two times in five, if there is text) or an insert.
func randomKeystroke(rng *mrand.Rand, n int) collab.Op {
	if n > 0 && rng.IntN(5) < 2 {
		return collab.Normalize(collab.NewOp(collab.Skip(rng.IntN(n)), collab.Delete(1)))
	}
	ch := string(alphabet[rng.IntN(len(alphabet))])
	return collab.Normalize(collab.NewOp(collab.Skip(rng.IntN(n+1)), collab.Insert(ch)))
}

// drain waits, within ctx, until every writer's edits are acknowledged and
// every client has reached the same revision as the others of its pad. It
// returns how many edits are still unacknowledged and whether all clients
// caught up.
func drain(ctx context.Context, clients []*loadClient, pads int) (unacked int, caughtUp bool) {
	for _, lc := range clients {
		if lc.writer {
			_ = lc.c.WaitSynced(ctx) // what is left is counted below
		}
	}
	for _, lc := range clients {
		unacked += lc.c.Pending()
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		heads, behind := make([]int, pads), 0
		for _, lc := range clients {
			heads[lc.pad] = max(heads[lc.pad], lc.c.Rev())
		}
		for _, lc := range clients {
			if lc.c.Rev() < heads[lc.pad] {
				behind++
			}
		}
		if behind == 0 {
			return unacked, true
		}
		select {
		case <-ctx.Done():
			return unacked, false
		case <-tick.C:
		}
	}
}

// closeAll closes the clients, in parallel.
func closeAll(clients []*loadClient) {
	var wg sync.WaitGroup
	for _, lc := range clients {
		wg.Go(func() { lc.c.Close() })
	}
	wg.Wait()
}
