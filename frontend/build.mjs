// Builds frontend/dist from frontend/src with esbuild:
//   dist/pad.js    the editor page's script (bundled, minified)
//   dist/pad.css   the editor page's styles (site.css included)
//   dist/site.css  the shared styles, for the server-rendered pages
//   dist/pad.html  the editor page shell
//   dist/history.js, dist/history.html  the timeslider page's script and shell
// The output is deterministic: the same sources and lockfile give the same
// bytes (no timestamps, no source maps, no absolute paths).
//
// `node build.mjs --check` builds in memory and fails if dist/ differs.

import * as esbuild from 'esbuild';
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const check = process.argv.includes('--check');

async function build() {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { pad: 'src/pad.js', history: 'src/history.js', 'pad-style': 'src/pad.css', site: 'src/site.css' },
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    legalComments: 'eof',
    sourcemap: false,
    metafile: false,
    write: false,
    outdir: 'dist',
    logLevel: 'warning',
  });
  const files = new Map();
  for (const f of result.outputFiles) {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1).replace('pad-style.css', 'pad.css');
    files.set(name, Buffer.from(f.contents));
  }
  files.set('pad.html', await readFile(join(root, 'src/pad.html')));
  files.set('history.html', await readFile(join(root, 'src/history.html')));
  return files;
}

const files = await build();
if (check) {
  const present = (await readdir(dist)).sort();
  const problems = [];
  for (const [name, want] of files) {
    const have = await readFile(join(dist, name)).catch(() => null);
    if (have === null) problems.push(`dist/${name} is missing`);
    else if (!have.equals(want)) problems.push(`dist/${name} is out of date`);
  }
  for (const name of present) if (!files.has(name)) problems.push(`dist/${name} is not built from src/`);
  if (problems.length) {
    console.error(`${problems.join('\n')}\nRun: cd frontend && npm ci && npm run build, then commit dist/.`);
    process.exit(1);
  }
  console.log(`dist/ is current (${files.size} files)`);
} else {
  await mkdir(dist, { recursive: true });
  for (const [name, data] of files) await writeFile(join(dist, name), data);
  for (const [name, data] of files) console.log(`dist/${name}\t${data.length} bytes`);
}
