/** Temporary folders for one test file, all removed when it ends (afterAll), so runs leave nothing in /tmp. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
