import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDefinitions } from '../../src/definitions-files';
import { step } from '../../src/domain/conversation';
const root = path.resolve(__dirname, '../..');
test('scratch', () => {
  const defs = loadDefinitions({ root, flowsDir: path.join(root, 'flows'), contentDir: path.join(root, 'content') });
  console.log(Object.getPrototypeOf(defs.flow.flow.nodes) === Object.prototype);
  const now = new Date('2027-01-05T01:00:00Z');
  const s1 = step(defs, null, { kind: 'postback', data: 'go=self&from=start' }, now);
  const s2 = step(defs, s1.state, { kind: 'postback', data: 'go=self-talk&from=self' }, now);
  console.log(JSON.stringify(s2.state));
  try { const s3 = step(defs, s2.state, { kind: 'postback', data: 'go=family-groups&from=constructor' }, now); console.log(s3.outcome); } catch (e) { console.log('THREW', (e as Error).message); }
  try { const s3 = step(defs, s2.state, { kind: 'postback', data: 'go=family-groups&from=__proto__' }, now); console.log(s3.outcome); } catch (e) { console.log('THREW', (e as Error).message); }
  try { const s3 = step(defs, s2.state, { kind: 'postback', data: 'go=family-groups&from=toString' }, now); console.log(s3.outcome); } catch (e) { console.log('THREW', (e as Error).message); }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'defs-'));
  fs.cpSync(path.join(root, 'flows'), path.join(dir, 'flows'), { recursive: true });
  fs.cpSync(path.join(root, 'content'), path.join(dir, 'content'), { recursive: true });
  const w = path.join(dir, 'content/windows.yaml');
  fs.writeFileSync(w, fs.readFileSync(w, 'utf8').replace('03-5722-9504', '03-12').replace('status: confirmed', 'status: unknown'));
  try { loadDefinitions({ root: dir, flowsDir: path.join(dir, 'flows'), contentDir: path.join(dir, 'content') }); } catch (e) { console.log((e as Error).message); }
});
