// Package search finds text in every session's notes: the query language
// (ParseQuery), the Index seam with its in-memory implementation (Memory),
// the snippet with highlights and line number shown for each hit
// (MakeSnippet), and the Indexer that keeps an Index current as pads
// change, off the commit path.
//
// Matching is by tokens: a token is a run of letters, digits and
// private-use characters, compared case-insensitively; everything else
// separates tokens. This is the rule of SQLite FTS5's unicode61 tokenizer
// (without diacritics removal), so the FTS5 index (package ftsindex) and
// Memory match alike. A query is a list of phrases that must all match:
// each unquoted word is one phrase (so "sched_setattr" finds the token
// sched followed by setattr), "quoted words" make one phrase, and a word
// ending in * matches tokens that start with it.
//
// Embedded mode keeps the index in SQLite FTS5 (package ftsindex). Cluster
// mode keeps a Memory index on every replica, fed by the op feed: Redis
// has no full-text search without a module (RediSearch), which managed
// Redis offerings often lack; an index per replica needs nothing from
// Redis but the feed replicas already use, stays correct when a replica
// restarts (it rebuilds from the log), and a whole conference's notes
// (100 sessions of 100 KB) take about 50 MB per replica (texts, folded
// texts and token positions). The costs: every replica reads every pad
// that changes from the log (its newest snapshot and the records after
// it), at most once every 2 s per pad, and subscribes to every session's
// feed, which on a Redis Cluster is one
// subscription connection per session per replica; a session created on
// another replica is followed within 10 seconds (search results never
// show a deleted one: they are checked against the catalog).
package search
