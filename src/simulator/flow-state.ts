import fs from 'node:fs';
import path from 'node:path';
import { loadDefinitions, type DefinitionsLocation } from '../files/definitions-files';
import { DefinitionsError, type Definitions } from '../domain/definitions';
import type { FlowPageState } from './flow-page';
import { flowPicture } from './flow-picture';

const fingerprint = (defs: Definitions) => JSON.stringify([defs.flow.flow, defs.content]);

/** The version of flows/ and content/ on disk: every file's name, size and modification time. */
function filesVersion(location: DefinitionsLocation): string {
  const parts: string[] = [];
  for (const dir of [location.flowsDir, location.contentDir]) {
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      parts.push(`${dir}:missing`);
      continue;
    }
    for (const name of names) {
      const stat = fs.statSync(path.join(dir, name), { throwIfNoEntry: false });
      parts.push(`${dir}/${name}:${stat?.size ?? '-'}:${stat?.mtimeMs ?? '-'}`);
    }
  }
  return parts.join('|');
}

/**
 * Checks flows/ and content/ as they are on disk, so staff who edit them while the server runs see
 * their change, or its problems. With problems, the picture is of what the server runs with.
 * Reading and validating every file costs tens of milliseconds of CPU: it is done again only when a
 * file's size or modification time changed, so reloading /flow cannot slow the webhook down.
 */
export function flowStateReader(location: DefinitionsLocation): (running: Definitions | null, now: Date) => FlowPageState {
  let cached: { version: string; onDisk: Definitions | null; problems: string[]; changed?: { against: unknown; value: boolean } } | null = null;
  return (running, now) => {
    const version = filesVersion(location);
    if (cached?.version !== version) {
      try {
        cached = { version, onDisk: loadDefinitions(location), problems: [] };
      } catch (error) {
        if (!(error instanceof DefinitionsError)) throw error;
        cached = { version, onDisk: null, problems: error.problems };
      }
    }
    if (!cached.onDisk) return { picture: running ? flowPicture(running, now) : null, problems: cached.problems, changed: false };
    // Compared again only when the files or the running definitions (staff changes) are new.
    if (cached.changed?.against !== running?.content) {
      cached.changed = { against: running?.content, value: running !== null && fingerprint(cached.onDisk) !== fingerprint(running) };
    }
    return { picture: flowPicture(cached.onDisk, now), problems: [], changed: cached.changed!.value };
  };
}
