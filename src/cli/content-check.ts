import path from 'node:path';
import { loadDefinitions } from '../definitions-files';
import { DefinitionsError } from '../domain/definitions';

/** `npm run content:check`: validates flows/ and content/, prints every problem with file and field. */
const root = path.resolve(__dirname, '..', '..', '..');
const flowsDir = path.resolve(root, process.env.FLOWS_DIR || 'flows');
const contentDir = path.resolve(root, process.env.CONTENT_DIR || 'content');

try {
  const definitions = loadDefinitions({ root, flowsDir, contentDir });
  const nodes = Object.keys(definitions.flow.flow.nodes).length;
  process.stdout.write(`OK: ${nodes} nodes in flows/, ${definitions.content.windows.length} windows in content/\n`);
} catch (error) {
  if (!(error instanceof DefinitionsError)) throw error;
  for (const problem of error.problems) process.stdout.write(`${problem}\n`);
  process.stdout.write(`${error.problems.length} problem(s) found\n`);
  process.exitCode = 1;
}
