/**
 * What reading typed text costs: `node --expose-gc dist/bench/understanding-probe.js`.
 * Prints the time and heap taken to compile the understanding (normaliser tables, crisis patterns,
 * needs of the tree, FAQ) at start-up, and the time to read one typed message, over the corpora of
 * test/understanding/. One process, no server: a measurement of this step alone.
 */
import path from 'node:path';
import { readDefinitionFiles } from '../src/files/definitions-files';
import { buildDefinitions } from '../src/domain/definitions';
import { readTyped } from '../src/domain/interpret-input';
import { compileUnderstanding } from '../src/domain/text/understanding';
import { loadCorpora, projectRoot } from '../test/support/understanding-eval';

const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(2);

const root = projectRoot(__dirname);
const raw = readDefinitionFiles({ root, flowsDir: path.join(root, 'flows'), contentDir: path.join(root, 'content') });
const rssBefore = process.memoryUsage().rss;
const heapBefore = heap();
let t = process.hrtime.bigint();
const defs = buildDefinitions(raw);
const buildMs = Number(process.hrtime.bigint() - t) / 1e6;
const heapAfterBuild = heap();

// The understanding alone, compiled again (its share of the start-up and of the heap).
const c = defs.content;
const heapBeforeUnderstanding = heap();
t = process.hrtime.bigint();
const understanding = compileUnderstanding(defs.flow.flow, c.crisis, c.faq, c.understanding);
const understandingMs = Number(process.hrtime.bigint() - t) / 1e6;
const understandingHeap = heap() - heapBeforeUnderstanding;

const corpora = loadCorpora(root);
const texts = [...Object.values(corpora.crisis.positive).flat(), ...corpora.crisis.negative, ...corpora.needs.map((n) => n.say)];
const at = { node: defs.flow.flow.start, audience: null };
for (const text of texts) readTyped(understanding, defs.flow.flow, at, text); // warm-up
const rounds = 20;
t = process.hrtime.bigint();
for (let i = 0; i < rounds; i++) for (const text of texts) readTyped(understanding, defs.flow.flow, at, text);
const perMessageUs = Number(process.hrtime.bigint() - t) / 1e3 / (rounds * texts.length);

process.stdout.write(
  [
    `definitions (flow + content + understanding) built in ${buildMs.toFixed(1)} ms, heap +${mb(heapAfterBuild - heapBefore)} MB`,
    `understanding alone: compiled in ${understandingMs.toFixed(1)} ms, heap +${mb(understandingHeap)} MB`,
    `reading one typed message: ${perMessageUs.toFixed(1)} µs on average over ${texts.length} corpus messages × ${rounds}`,
    `process RSS ${mb(process.memoryUsage().rss)} MB (${mb(rssBefore)} MB before the definitions were built)`,
  ].join('\n') + '\n',
);
