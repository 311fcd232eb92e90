package redisstore

import (
	_ "embed"

	"github.com/redis/go-redis/v9"
)

// The Lua scripts, one per atomic operation; each file documents its keys,
// arguments and reply. go-redis runs them with EVALSHA and falls back to
// EVAL when the server does not have them cached (after a restart).
var (
	//go:embed lua/append.lua
	appendSrc    string
	appendScript = redis.NewScript(appendSrc)

	//go:embed lua/snapshot_save.lua
	snapshotSaveSrc    string
	snapshotSaveScript = redis.NewScript(snapshotSaveSrc)

	//go:embed lua/revision_read.lua
	revisionReadSrc    string
	revisionReadScript = redis.NewScript(revisionReadSrc)

	//go:embed lua/snapshot_at.lua
	snapshotAtSrc    string
	snapshotAtScript = redis.NewScript(snapshotAtSrc)

	//go:embed lua/session_create.lua
	sessionCreateSrc    string
	sessionCreateScript = redis.NewScript(sessionCreateSrc)

	//go:embed lua/session_update.lua
	sessionUpdateSrc    string
	sessionUpdateScript = redis.NewScript(sessionUpdateSrc)

	//go:embed lua/session_delete.lua
	sessionDeleteSrc    string
	sessionDeleteScript = redis.NewScript(sessionDeleteSrc)

	//go:embed lua/session_state_backfill.lua
	sessionStateBackfillSrc    string
	sessionStateBackfillScript = redis.NewScript(sessionStateBackfillSrc)

	//go:embed lua/link_add.lua
	linkAddSrc    string
	linkAddScript = redis.NewScript(linkAddSrc)

	//go:embed lua/history_bytes.lua
	historyBytesSrc    string
	historyBytesScript = redis.NewScript(historyBytesSrc)

	//go:embed lua/link_change.lua
	linkChangeSrc    string
	linkChangeScript = redis.NewScript(linkChangeSrc)
)

// authorsNoteScript merges notes into a pad's author table.
var (
	//go:embed lua/authors_note.lua
	authorsNoteSrc    string
	authorsNoteScript = redis.NewScript(authorsNoteSrc)
)
