import { loadDefinitions, type DefinitionsLocation } from '../definitions-files';
import { DefinitionsError, type Definitions } from '../domain/definitions';
import type { FlowPageState } from './flow-page';
import { flowPicture } from './flow-picture';

const fingerprint = (defs: Definitions) => JSON.stringify([defs.flow.flow, defs.content]);

/**
 * Checks flows/ and content/ as they are on disk now, so staff who edit them while the server runs
 * see their change, or its problems. With problems, the picture is of what the server runs with.
 */
export function currentFlowState(running: Definitions | null, location: DefinitionsLocation, now: Date = new Date()): FlowPageState {
  try {
    const onDisk = loadDefinitions(location);
    return { picture: flowPicture(onDisk, now), problems: [], changed: running !== null && fingerprint(onDisk) !== fingerprint(running) };
  } catch (error) {
    if (!(error instanceof DefinitionsError)) throw error;
    return { picture: running ? flowPicture(running, now) : null, problems: error.problems, changed: false };
  }
}
