#!/usr/bin/env node
// gen.js: reference vectors for confpad's Go OT core (package collab), made
// by the npm package ot-text-unicode 4.0.0 itself, the executable
// specification of confpad's operation type.
//
// Run:
//   cd tools/otspec && npm ci             # installs the exact versions in package-lock.json
//   node tools/otspec/gen.js [count] [seed] > vectors.json
//   CONFPAD_OT_VECTORS=$PWD/vectors.json go test ./collab/ -run Reference
//
// count is the number of cases (default 20000); seed makes a batch
// reproducible (default: the current time). The seed is printed on stderr
// and stored in the file. The checked-in batch collab/testdata/ot_vectors.json.gz
// was made with:
//   node tools/otspec/gen.js 4000 20261125 | gzip -9n > collab/testdata/ot_vectors.json.gz
//
// Random ops come from the package's own test/genOp.js (shipped in the npm
// tarball), on documents and with inserts that mix ASCII words, emoji,
// flags, ZWJ sequences, combining marks, CRLF, CJK, quotes and control
// characters; some ops get neighbouring inserts or deletes split apart
// (which checkOp accepts) and some are made invalid on purpose.
//
// Output: one JSON object {"package", "seed", "count", "cases": [...]}, one
// case per line. Each case has "k" (its kind), its inputs, and either "out"
// (the package's result) or "err" (the message the package threw):
//   apply      doc, op          -> out: the new document
//   transform  op, other, side  -> out: transform(op, other, side)
//   compose    a, b             -> out: compose(a, b)
//   position   pos, op          -> out: transformPosition(pos, op)
//   selection  sel, op          -> out: transformSelection(sel, op)
//   normalize  op               -> out: normalize(op) (op may be non-canonical)
//   invert     op               -> out: invert(op)
//   check      op               -> out: true if checkOp(op) accepts it
// Ops whose skips or deletes run past the end of the document are applied
// only where the package throws (a skip past the end): for a delete past the
// end the package silently stops at the end, which confpad rejects instead.
'use strict'

const os = require('os')
const path = require('path')

const count = process.argv[2] ? parseInt(process.argv[2], 10) : 20000
const seed = process.argv[3] || String(Date.now())
if (!(count > 0)) {
  console.error('usage: node gen.js [count] [seed]')
  process.exit(2)
}

// ot-fuzzer (required by genOp.js) seeds its generator from $SEED when it is
// first loaded, and would restore a crash state from $SYNCFILE: point that
// at a file that does not exist.
process.env.SEED = seed
process.env.SYNCFILE = path.join(os.tmpdir(), `otspec-no-such-file-${process.pid}`)
const { randomInt, randomWord } = require('ot-fuzzer')
const genOp = require('ot-text-unicode/test/genOp.js')
const { type } = require('ot-text-unicode')

// Pieces of text beyond genOp's ASCII words and emoji. No BMP characters at
// U+E000 and above: genOp's strToList mistakes them for surrogate pairs.
const pieces = [
  ' ', '\r\n', '\n', '\t', 'e\u0301', 'n\u0303\u0323', '😅', '🇩🇪', '🇫🇷',
  '👩‍💻', '👍🏽', '漢字', 'ß', '€', 'Ω', '"', '\\', '<b>&', '\u0001', '\b', '\u2028', '\u0000',
]

const pick = list => list[randomInt(list.length)]

// Never empty (randomWord can be).
function randomText (maxPieces) {
  let s = ''
  const n = 1 + randomInt(maxPieces)
  for (let i = 0; i < n || s === ''; i++) s += randomInt(3) === 0 ? randomWord() : pick(pieces)
  return s
}

function randomDoc () {
  return randomInt(8) === 0 ? '' : randomText(24)
}

// Code points and slicing by code points, as unicount counts them.
const cpLen = s => Array.from(s).length
const cpSlice = (s, a, b) => Array.from(s).slice(a, b).join('')
const dlen = d => typeof d === 'number' ? d : cpLen(d)

// Replace genOp's inserts by richer text (sometimes).
function restyle (op) {
  if (randomInt(3) !== 0) return op
  return op.map(c => typeof c === 'string' ? randomText(4) : c)
}

// Split one insert or delete into two neighbours, which checkOp accepts
// (sometimes). A split delete may keep its text in one half only.
function split (op) {
  if (randomInt(4) !== 0) return op
  const idx = []
  op.forEach((c, i) => { if (typeof c !== 'number' && dlen(typeof c === 'string' ? c : c.d) > 1) idx.push(i) })
  if (idx.length === 0) return op
  const i = pick(idx)
  const c = op[i]
  let parts
  if (typeof c === 'string') {
    const n = 1 + randomInt(cpLen(c) - 1)
    parts = [cpSlice(c, 0, n), cpSlice(c, n)]
  } else {
    const len = dlen(c.d)
    const n = 1 + randomInt(len - 1)
    const text = typeof c.d === 'string' ? c.d : null
    const half = (a, b) => (text !== null && randomInt(3) !== 0) ? { d: cpSlice(text, a, b) } : { d: b - a }
    parts = [half(0, n), half(n, len)]
  }
  return op.slice(0, i).concat(parts, op.slice(i + 1))
}

// Make an op invalid in one of the ways checkOp rejects.
function spoil (op) {
  op = op.slice()
  const at = randomInt(op.length + 1)
  switch (randomInt(6)) {
    case 0: op.push(1 + randomInt(3)); break // trailing skip
    case 1: op.splice(at, 0, 0); break // zero skip
    case 2: op.splice(at, 0, ''); break // empty insert
    case 3: op.splice(at, 0, { d: 0 }); break
    case 4: op.splice(at, 0, { d: '' }); break
    default: op.splice(at, 0, 2, 3); break // adjacent skips
  }
  return op
}

// An op for doc: valid and usually fitting, sometimes spoiled.
function opFor (doc, spoilRate) {
  let [op] = genOp(doc)
  op = split(restyle(op))
  return randomInt(spoilRate) === 0 ? spoil(op) : op
}

// Run fn(...args) on copies of args (some functions of the package mutate
// their input) and record its result or the message it threw.
function run (c, fn, ...args) {
  const copies = args.map(a => JSON.parse(JSON.stringify(a)))
  try {
    c.out = fn(...copies)
  } catch (e) {
    c.err = String(e.message || e)
  }
  return c
}

const baseLen = op => op.reduce((n, c) => n + (typeof c === 'number' ? c : typeof c === 'object' ? dlen(c.d) : 0), 0)

const gens = {
  apply () {
    let doc = randomDoc()
    let op
    if (randomInt(6) === 0) {
      // An op for a longer document: the package throws on a skip past
      // the end; a delete past the end it would truncate (not recorded).
      op = opFor(doc + randomText(6), 1000)
      if (baseLen(op) > cpLen(doc)) {
        const c = run({ k: 'apply', doc, op }, type.apply, doc, op)
        if (c.err !== undefined) return c
      }
      doc += randomText(6)
      op = opFor(doc, 20)
    } else {
      op = opFor(doc, 20)
    }
    if (randomInt(5) === 0) {
      // Delete texts that do not match the document: only their length counts.
      op = op.map(c => (typeof c === 'object' && typeof c.d === 'string') ? { d: Array.from(c.d).map(() => 'x').join('') } : c)
    }
    return run({ k: 'apply', doc, op }, type.apply, doc, op)
  },
  transform () {
    const doc = randomDoc()
    const op = opFor(doc, 30)
    const other = opFor(randomInt(10) === 0 ? randomDoc() : doc, 30)
    const side = randomInt(2) ? 'left' : 'right'
    return run({ k: 'transform', op, other, side }, type.transform, op, other, side)
  },
  compose () {
    const doc = randomDoc()
    const a = opFor(doc, 30)
    let after = randomDoc()
    try { after = type.apply(doc, a) } catch (e) {}
    const b = opFor(randomInt(10) === 0 ? randomDoc() : after, 30)
    return run({ k: 'compose', a, b }, type.compose, a, b)
  },
  position () {
    const doc = randomDoc()
    const op = opFor(doc, 1e9)
    const pos = randomInt(cpLen(doc) + 3) - 1
    return run({ k: 'position', pos, op }, type.transformPosition, pos, op)
  },
  selection () {
    const doc = randomDoc()
    const op = opFor(doc, 1e9)
    const sel = [randomInt(cpLen(doc) + 2), randomInt(cpLen(doc) + 2)]
    return run({ k: 'selection', sel, op }, type.transformSelection, sel, op)
  },
  normalize () {
    const pool = [0, 1, 2, 3, '', 'a', 'bc', '😅', 'e\u0301', '\r\n', { d: 0 }, { d: 1 }, { d: 2 }, { d: '' }, { d: 'x' }, { d: '🇩🇪' }]
    const op = []
    for (let n = randomInt(7); n > 0; n--) op.push(pick(pool))
    return run({ k: 'normalize', op }, type.normalize, op)
  },
  invert () {
    const doc = randomDoc()
    let op = opFor(doc, 1e9)
    if (randomInt(5) !== 0) op = type.makeInvertible(op, doc)
    return run({ k: 'invert', op }, type.invert, op)
  },
  check () {
    const pool = [0, 1, 2, -1, '', 'a', '😅', '\r\n', { d: 0 }, { d: 1 }, { d: -1 }, { d: '' }, { d: 'x' }, { d: '👍🏽' }]
    const op = []
    for (let n = randomInt(6); n > 0; n--) op.push(pick(pool))
    const c = { k: 'check', op }
    try {
      type.checkOp(op)
      c.out = true
    } catch (e) {
      c.out = false
    }
    return c
  },
}

const weights = { apply: 5, transform: 6, compose: 5, position: 3, selection: 1, normalize: 1, invert: 1, check: 2 }
const table = []
for (const [k, w] of Object.entries(weights)) for (let i = 0; i < w; i++) table.push(gens[k])

const out = process.stdout
out.write(`{"package":"ot-text-unicode@4.0.0","seed":${JSON.stringify(seed)},"count":${count},"cases":[\n`)
for (let i = 0; i < count; i++) {
  const c = pick(table)()
  out.write(JSON.stringify(c) + (i + 1 < count ? ',\n' : '\n'))
}
out.write(']}\n')
console.error(`gen.js: ${count} cases from ot-text-unicode 4.0.0, seed ${seed}`)
