import type { Definitions } from '../domain/definitions';
import { noStaffChanges, type StaffChanges } from '../domain/staff-changes/change';
import { applyStaffChanges } from '../domain/staff-changes/merge-over-content';
import type { Logger, StaffChangesSource } from './ports';

/** How often an instance asks whether staff changed something: well inside the promised 5 seconds, even on a busy machine. */
export const STAFF_POLL_INTERVAL_MS = 1000;

/**
 * content/ with the staff's changes merged in, kept current by polling the store's version counter
 * (one tiny query a second; the changes are read only when it moved). `view` is a
 * Definitions whose fields always show the latest merge, so the use cases keep taking a plain
 * Definitions and a turn started after a change sees it.
 */
export class LiveDefinitions {
  private merged: Definitions;
  private changes: StaffChanges = noStaffChanges;
  private timer: NodeJS.Timeout | null = null;
  readonly view: Definitions;

  constructor(
    readonly base: Definitions,
    private readonly source: StaffChangesSource,
  ) {
    this.merged = base;
    const live = () => this.merged;
    this.view = {
      get lang() {
        return live().lang;
      },
      get flow() {
        return live().flow;
      },
      get content() {
        return live().content;
      },
      get windowsById() {
        return live().windowsById;
      },
      get notices() {
        return live().notices;
      },
      get understanding() {
        return live().understanding;
      },
      get ibasho() {
        return live().ibasho;
      },
      get phonesNode() {
        return live().phonesNode;
      },
    };
  }

  /** The staff layer as last read. */
  get staffChanges(): StaffChanges {
    return this.changes;
  }

  /** Reads the changes when the version moved; true when something new was merged. */
  async refresh(): Promise<boolean> {
    const version = await this.source.version();
    if (version === this.changes.version) return false;
    const changes = await this.source.changes();
    this.merged = applyStaffChanges(this.base, changes);
    this.changes = changes;
    return true;
  }

  /** Polls until stop(); a failed poll is logged and the last good merge stays in use. */
  start(logger: Logger, intervalMs = STAFF_POLL_INTERVAL_MS): void {
    if (this.timer) return;
    let running = false;
    this.timer = setInterval(() => {
      if (running) return;
      running = true;
      this.refresh()
        .catch((error: unknown) => logger.warn({ err: { message: (error as Error).message } }, 'could not read staff changes; serving the last ones read'))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
