package replicatest

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/confpad/confpad/store/sqlitestore"
)

// kills is how many times TestEmbeddedKill9 kills the server.
const kills = 4

// TestEmbeddedKill9: one server in embedded mode (SQLite), twenty typists,
// and the server killed with SIGKILL at four random moments and started
// again on the same data: every op the server acknowledged is in the
// database exactly once, in each typist's order, and every typist ends
// with the database's text.
func TestEmbeddedKill9(t *testing.T) {
	s := seed(t)
	rng := rand.New(rand.NewPCG(s, 9))
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	r := &replica{dataDir: data, token: uuid.NewString(), logPath: filepath.Join(dir, "confpad.log")}
	t.Cleanup(func() {
		r.kill()
		if t.Failed() {
			r.dumpLog(t)
		}
	})
	r.startOnFreePort(t)
	if err := r.awaitReady(); err != nil {
		t.Fatal(err)
	}
	top := &topology{t: t, token: r.token, replicas: []*replica{r}}
	const pad = "kill9"
	top.createPad(t, pad)
	tys := spreadTypists(t, top, pad, 20, s)
	cr := startTyping("", "", tys)
	for i := range kills {
		cr.waitAcked(t, 3+rng.IntN(15))
		time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond) // a random moment
		r.kill()
		t.Logf("kill %d of %d", i+1, kills)
		r.start(t)
		r.waitReady(t)
	}
	cr.waitAcked(t, 10)
	cr.stopAndSync(t)

	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	db, err := sqlitestore.Open(ctx, filepath.Join(data, "confpad.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkLog(t, db, pad, tys)
	reconnects := 0
	for _, ty := range tys {
		_, _, disconnects, _ := ty.counts()
		reconnects += disconnects
	}
	if reconnects < kills {
		t.Errorf("%d disconnects in all for %d kills: the kills missed the typists", reconnects, kills)
	}
}
