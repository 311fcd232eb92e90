package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema changes in order: migrations[i] takes the
// schema from version i to version i+1. Released entries never change; a
// new schema is a new entry at the end.
var migrations = []string{
	// Version 1.
	`
	-- One row per committed op. time is Unix milliseconds; op is the op's
	-- JSON (the ot-text-unicode wire form).
	CREATE TABLE ops (
		pad    TEXT    NOT NULL,
		rev    INTEGER NOT NULL,
		client TEXT    NOT NULL,
		seq    INTEGER NOT NULL,
		time   INTEGER NOT NULL,
		op     TEXT    NOT NULL,
		PRIMARY KEY (pad, rev)
	) WITHOUT ROWID;

	CREATE TABLE snapshots (
		pad  TEXT    NOT NULL,
		rev  INTEGER NOT NULL,
		text TEXT    NOT NULL,
		PRIMARY KEY (pad, rev)
	) WITHOUT ROWID;

	-- speakers is a JSON array of strings; created is Unix milliseconds.
	CREATE TABLE sessions (
		id          TEXT    NOT NULL PRIMARY KEY,
		title       TEXT    NOT NULL,
		description TEXT    NOT NULL,
		time        TEXT    NOT NULL,
		room        TEXT    NOT NULL,
		speakers    TEXT    NOT NULL,
		state       TEXT    NOT NULL,
		created     INTEGER NOT NULL
	);

	-- n orders a session's links by when they were added; added is Unix
	-- milliseconds.
	CREATE TABLE links (
		n       INTEGER PRIMARY KEY AUTOINCREMENT,
		session TEXT    NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
		id      TEXT    NOT NULL,
		title   TEXT    NOT NULL,
		url     TEXT    NOT NULL,
		added   INTEGER NOT NULL,
		UNIQUE (session, id)
	);

	-- Conference-wide settings: key 'title' is the conference title.
	CREATE TABLE meta (
		key   TEXT NOT NULL PRIMARY KEY,
		value TEXT NOT NULL
	);
	`,
	// Version 2: the public id of each op's author. Ops stored before it
	// get their client id, which is what identified their author then.
	`
	ALTER TABLE ops ADD COLUMN author TEXT NOT NULL DEFAULT '';
	UPDATE ops SET author = client;
	`,
	// Version 3: BoF sessions and programme order. kind is '' for a
	// programme session and 'bof' for a BoF; position is the 1-based place
	// in the program file, 0 if none. meta key 'bofs' is '1' when anyone
	// may start BoFs.
	`
	ALTER TABLE sessions ADD COLUMN kind     TEXT    NOT NULL DEFAULT '';
	ALTER TABLE sessions ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
	`,
	// Version 4: who wrote what. snapshots.attribution is the JSON of the
	// snapshot's attribution (collab.MarshalRuns), NULL for snapshots
	// stored before it was kept. authors holds each pad's authors: public
	// id, latest display name and colour, the Unix milliseconds of their
	// first and last edit (0 while they have made none) and their number
	// of ops.
	`
	ALTER TABLE snapshots ADD COLUMN attribution TEXT;
	CREATE TABLE authors (
		pad    TEXT    NOT NULL,
		id     TEXT    NOT NULL,
		name   TEXT    NOT NULL,
		color  TEXT    NOT NULL,
		first  INTEGER NOT NULL,
		last   INTEGER NOT NULL,
		ops    INTEGER NOT NULL,
		PRIMARY KEY (pad, id)
	) WITHOUT ROWID;
	`,
	// Version 5: who may edit. policy is '' or 'open' (everyone) or 'link'
	// (the holders of edit_secret, the secret of the session's edit link,
	// '' until one is made); a link's token_hash is the hash of the
	// capability token of whoever added it ('' if none).
	`
	ALTER TABLE sessions ADD COLUMN policy      TEXT NOT NULL DEFAULT '';
	ALTER TABLE sessions ADD COLUMN edit_secret TEXT NOT NULL DEFAULT '';
	ALTER TABLE links    ADD COLUMN token_hash  TEXT NOT NULL DEFAULT '';
	`,
	// Version 6: who wrote an op's inserted characters, when several
	// authors did (an imported .etherpad file): ops.runs is the JSON of
	// the record's Runs (collab.MarshalRuns), NULL for an op whose author
	// wrote them all.
	`
	ALTER TABLE ops ADD COLUMN runs TEXT;
	`,
	// Version 7: snapshots in a table with rowids, its key (pad, rev) in
	// an index of its own. WITHOUT ROWID, the table was one b-tree of
	// whole rows, and SQLite reads the whole row (a text of tens of KB,
	// over its overflow pages) of every row it compares a key with, so
	// finding one snapshot among a pad's checkpoints read several texts.
	`
	CREATE TABLE snapshots_rowid (
		pad         TEXT    NOT NULL,
		rev         INTEGER NOT NULL,
		text        TEXT    NOT NULL,
		attribution TEXT,
		PRIMARY KEY (pad, rev)
	);
	INSERT INTO snapshots_rowid (pad, rev, text, attribution)
		SELECT pad, rev, text, attribution FROM snapshots ORDER BY pad, rev;
	DROP TABLE snapshots;
	ALTER TABLE snapshots_rowid RENAME TO snapshots;
	`,
	// Version 8: segments. A segment is the ops of the collab.
	// CheckpointEvery revisions after a checkpoint, joined in one value
	// as ReadRevision joins them (fillSegment), stored once they are all
	// stored: reading an old revision then reads one value instead of a
	// row per op, which was half of the read. Segments copy what the ops
	// table holds, as an index does, and like one are not counted in a
	// pad's history size. Pads written before get theirs here.
	`
	CREATE TABLE segments (
		pad TEXT    NOT NULL,
		rev INTEGER NOT NULL,
		ops TEXT    NOT NULL,
		PRIMARY KEY (pad, rev)
	);
	INSERT INTO segments (pad, rev, ops)
		SELECT s.pad, s.rev, (SELECT group_concat(o.rev || ' ' || o.op, char(30)) FROM ops o
			WHERE o.pad = s.pad AND o.rev > s.rev AND o.rev <= s.rev + 100)
		FROM snapshots s
		WHERE s.rev % 100 = 0 AND s.rev > 0
			AND (SELECT COUNT(*) FROM ops o WHERE o.pad = s.pad AND o.rev > s.rev AND o.rev <= s.rev + 100) = 100;
	`,
	// Version 9: snapshots.sum is the snapshot's collab.TextSum, against
	// which a read checks its text; NULL for snapshots saved before (their
	// texts' UTF-8 is checked instead).
	`
	ALTER TABLE snapshots ADD COLUMN sum INTEGER;
	`,
}

// migrate brings the schema of db up to len(migrations), recording the
// version in the schema_version table, all in one transaction. It refuses a
// database whose schema is newer than this code.
func migrate(ctx context.Context, db *sql.DB) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&version); err != nil {
		return fmt.Errorf("migrate schema: read version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("database schema is version %d, newer than this confpad knows (%d)", version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
		}
	}
	if version < len(migrations) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
			return fmt.Errorf("migrate schema: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, len(migrations)); err != nil {
			return fmt.Errorf("migrate schema: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	return nil
}
