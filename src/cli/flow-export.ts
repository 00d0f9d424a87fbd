import fs from 'node:fs';
import path from 'node:path';
import { loadDefinitions } from '../files/definitions-files';
import { DefinitionsError } from '../domain/definitions';
import { flowPicture } from '../simulator/flow-picture';
import { renderFlowSvg } from '../simulator/flow-svg';
import { runCommand, UsageError, type CommandStart } from './command';

/**
 * `npm run flow:export [-- --out <file.svg>]`: writes the whole decision tree of flows/ and content/
 * as one SVG (default docs/flow.svg) for sharing on paper. With content problems it writes nothing,
 * prints every problem like content:check, and exits non-zero.
 */
function outPath(root: string, args: string[]): string {
  const i = args.findIndex((a) => a === '--out' || a.startsWith('--out='));
  if (i === -1) return path.join(root, 'docs', 'flow.svg');
  const value = args[i]!.includes('=') ? args[i]!.slice('--out='.length) : args[i + 1];
  if (!value) throw new UsageError('--out needs a file name', 'usage: npm run flow:export -- --out <file.svg>');
  return path.resolve(process.cwd(), value);
}

function main(start: CommandStart): number {
  const out = outPath(start.root, start.args);
  try {
    const definitions = loadDefinitions(start.content());
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, renderFlowSvg(flowPicture(definitions), []));
    process.stdout.write(`Wrote ${path.relative(process.cwd(), out) || out}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof DefinitionsError)) throw error;
    for (const problem of error.problems) process.stdout.write(`${problem}\n`);
    process.stdout.write(`${error.problems.length} problem(s) found; nothing written\n`);
    return 1;
  }
}

runCommand('flow:export', main);
