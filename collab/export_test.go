package collab

// What the external engine tests (package collab_test, which may import
// store/memstore) need from inside the package.

// PadLoaded reports whether e holds pad id in memory.
func PadLoaded(e *Engine, id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.pads[id] != nil
}

// Queued returns how many submissions wait in the queue of pad id (0 when
// it is not loaded).
func Queued(e *Engine, id string) int {
	e.mu.Lock()
	p := e.pads[id]
	e.mu.Unlock()
	if p == nil {
		return 0
	}
	p.qmu.Lock()
	defer p.qmu.Unlock()
	return len(p.queue)
}

// LoadConcurrentTrace and PatchOp are the trace helpers of trace_test.go.
var (
	LoadConcurrentTrace = loadConcurrentTrace
	PatchOp             = patchOp
)

// OracleRecord is the per-character attribution oracle of
// attribution_test.go, for a record, which may have Runs (runs_test.go).
var OracleRecord = oracleRecord
