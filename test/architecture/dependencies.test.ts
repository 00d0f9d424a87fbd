/**
 * The shape of src/, checked by dependency-cruiser (rules in .dependency-cruiser.cjs) and by counting
 * lines: no import cycle, a pure domain (no files, network, processes, store layer, Express,
 * databases or LINE SDK), and console pages small enough to read whole. A probe tree proves that each
 * rule catches what it names.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../support/fixtures';

const CRUISER = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const RULES = path.join(ROOT, '.dependency-cruiser.cjs');
const ADMIN_MAX_LINES = 200;

interface Violation {
  type: string;
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

/** dependency-cruiser is an ES module: run as its CLI, which prints its JSON report. */
function cruise(cwd: string): Violation[] {
  const out = execFileSync(process.execPath, [CRUISER, 'src', '--config', RULES, '--output-type', 'json'], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

const cycles = (violations: Violation[]) => violations.filter((v) => v.rule.name === 'no-circular').map((v) => [v.from, ...(v.cycle ?? []).map((c) => c.name)].join(' → '));
const domainIo = (violations: Violation[]) => violations.filter((v) => v.rule.name === 'domain-without-io').map((v) => `${v.from} imports ${v.to}`);

describe('src/', () => {
  let violations: Violation[];
  beforeAll(() => {
    violations = cruise(ROOT);
  });

  test('has no import cycle (type-only imports included)', () => {
    expect(cycles(violations)).toEqual([]);
  });

  test('src/domain/ imports no I/O: node:fs, node:http, node:net, node:child_process …, src/store/, express, pg, better-sqlite3, the LINE SDK', () => {
    expect(domainIo(violations)).toEqual([]);
  });

  test('breaks no other rule of .dependency-cruiser.cjs', () => {
    expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  });

  test(`src/admin/ has no file over ${ADMIN_MAX_LINES} lines (a console page is a file)`, () => {
    const dir = path.join(ROOT, 'src', 'admin');
    const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(1);
    const long = files.map((f) => ({ f, lines: fs.readFileSync(path.join(dir, f), 'utf8').split('\n').length - 1 })).filter(({ lines }) => lines > ADMIN_MAX_LINES);
    expect(long.map(({ f, lines }) => `src/admin/${f}: ${lines} lines`)).toEqual([]);
  });
});

test('the rules catch a cycle, a type-only cycle, and I/O in the domain (a probe tree)', () => {
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'guide-deps-'));
  try {
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(probe, file)), { recursive: true });
      fs.writeFileSync(path.join(probe, file), text);
    };
    write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }));
    write('src/domain/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
    write('src/domain/b.ts', "import { a } from './a';\nexport const b = () => a;\n");
    write('src/domain/c.ts', "import type { D } from './d';\nexport interface C { d?: D }\n");
    write('src/domain/d.ts', "import type { C } from './c';\nexport interface D { c?: C }\n");
    write('src/domain/io.ts', "import fs from 'node:fs';\nimport type { Request } from 'express';\nimport { Pool } from 'pg';\nimport { openStore } from '../store/open';\nexport const io = [fs, Pool, openStore] as unknown as Request;\n");
    write('src/store/open.ts', 'export const openStore = () => null;\n');
    write('src/usecases/fine.ts', "import fs from 'node:fs';\nexport const fine = fs;\n");
    const found = cruise(probe);
    expect(cycles(found).sort()).toEqual([expect.stringMatching(/^src\/domain\/[ab]\.ts → /), expect.stringMatching(/^src\/domain\/[cd]\.ts → /)]);
    expect(domainIo(found).sort()).toEqual(['src/domain/io.ts imports express', 'src/domain/io.ts imports fs', 'src/domain/io.ts imports pg', 'src/domain/io.ts imports src/store/open.ts']);
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
});

describe('where LINE stops and the conversation begins', () => {
  const sources = (dir: string): string[] =>
    fs
      .readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(dir, f));

  test("LINE's limits are defined only under src/line/ (line-limits.ts), and src/domain/ imports nothing of src/line/", () => {
    const limitNames = /\b(CARDS_PER_CAROUSEL|ALT_TEXT_LIMIT|QUICK_REPLY_LIMIT|LABEL_LIMIT)\s*=/;
    const defining = sources('src').filter((f) => limitNames.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(defining).toEqual([path.join('src', 'line', 'line-limits.ts')]);
    const domainImportsLine = sources('src/domain').filter((f) => /from '(\.\.\/)+line\//.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(domainImportsLine).toEqual([]);
  });

  test('step() is a short lookup: under 60 lines (its cases are the handlers of turn-handlers.ts)', () => {
    const text = fs.readFileSync(path.join(ROOT, 'src', 'domain', 'conversation.ts'), 'utf8');
    const start = text.indexOf('export function step(');
    expect(start).toBeGreaterThan(0);
    const end = text.indexOf('\n}\n', start);
    const lines = text.slice(start, end).split('\n').length + 1;
    expect(lines).toBeLessThan(60);
  });
});
