import fs from 'node:fs';
import path from 'node:path';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import { z } from 'zod';
import { buildDefinitions, DefinitionsError, type Definitions, type RawDefinitions } from '../domain/definitions';
import { DEFAULT_LANG } from '../domain/lang';
import type { ContentLimits } from '../domain/content-limits';
import { LINE_CONTENT_LIMITS } from '../line/line-limits';

// zod compiles a fast path (with new Function) for each object schema on its first parse; content is
// parsed once at start-up, so that compilation costs more than it saves (about 100 ms of a cold start).
// Nothing on the per-event path parses with zod.
z.config({ jitless: true });

export interface DefinitionsLocation {
  /** The project root, against which file names in messages are shown. */
  root: string;
  flowsDir: string;
  contentDir: string;
}

function readYaml(file: string, root: string, problems: string[]): { path: string; data: unknown } {
  const relative = path.relative(root, file);
  const shown = relative && !relative.startsWith('..') ? relative : file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`${shown}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    return { path: shown, data: undefined };
  }
  try {
    // js-yaml with YAML 1.2's core schema (no timestamps, no merge keys): the same data as the `yaml`
    // package (which content-export keeps for its comment-preserving documents) at a tenth of the
    // start-up cost, about half a second of every cold start. An empty file reads as null, as there.
    return { path: shown, data: loadYaml(text, { schema: CORE_SCHEMA }) ?? null };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    problems.push(`${shown}: not valid YAML: ${message}`);
    return { path: shown, data: undefined };
  }
}

/**
 * Reads flows/guide.yaml and content/*.yaml, then validates and compiles them against what the channels
 * can show (by default LINE's limits: the content is published there). Throws DefinitionsError.
 */
export function loadDefinitions(location: DefinitionsLocation, limits: ContentLimits = LINE_CONTENT_LIMITS): Definitions {
  return buildDefinitions(readDefinitionFiles(location), DEFAULT_LANG, limits);
}

/** Reads and parses the files without validating them. Throws DefinitionsError if one cannot be read or parsed. */
export function readDefinitionFiles(location: DefinitionsLocation): RawDefinitions {
  const problems: string[] = [];
  const read = (dir: string, name: string) => readYaml(path.join(dir, name), location.root, problems);
  const raw: RawDefinitions = {
    flow: read(location.flowsDir, 'guide.yaml'),
    windows: read(location.contentDir, 'windows.yaml'),
    ibasho: read(location.contentDir, 'ibasho.yaml'),
    crisis: read(location.contentDir, 'crisis.yaml'),
    phrases: read(location.contentDir, 'phrases.yaml'),
    faq: read(location.contentDir, 'faq.yaml'),
    understanding: read(location.contentDir, 'understanding.yaml'),
  };
  if (problems.length > 0) throw new DefinitionsError(problems);
  return raw;
}
