// Starts the server from compiled JS, compiling TypeScript first when dist/ is missing or older than src/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `node scripts/start.mjs [cli/name] [args…]`: the entry is taken out of argv so that the program
// sees its own arguments at process.argv.slice(2), as when it is run directly.
const entry = process.argv[2] && !process.argv[2].startsWith('-') ? process.argv.splice(2, 1)[0] : 'main';

function newestMtime(dir) {
  let newest = 0;
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    newest = Math.max(newest, item.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

export function buildIfNeeded() {
  const stamp = path.join(root, 'dist', '.tsbuildinfo');
  const sources = ['src', 'bench', 'test/support'].map((d) => path.join(root, d)).filter((d) => fs.existsSync(d));
  const sourceTime = Math.max(...sources.map(newestMtime), fs.statSync(path.join(root, 'tsconfig.json')).mtimeMs);
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= sourceTime) return;
  process.stderr.write('Compiling TypeScript…\n');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  fs.utimesSync(stamp, new Date(), new Date());
}

buildIfNeeded();
await import(path.join(root, 'dist', 'src', `${entry}.js`));
