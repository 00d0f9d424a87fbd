import type { Definitions } from './definitions';

const MINUTE_MS = 60_000;

/**
 * Keeps what a pure function of (definitions, key, now) returned, for the rest of the Tokyo minute.
 * A node's reply depends on the content and the clock only through opening hours, いばしょ times and
 * dates, which are all whole minutes (zone offsets too), so every instant of a minute gives the same
 * reply: under load most turns show a node someone else was shown seconds earlier. The kept values
 * are frozen, being shared between turns. One minute and one set of definitions are kept at a time:
 * a new minute, or the staff's changes merged in (new content, windows or notices), starts afresh,
 * so memory is bounded by the number of keys (nodes × a few variants).
 */
export function perMinute<R extends object>(compute: (defs: Definitions, key: string, now: Date) => R): (defs: Definitions, key: string, now: Date) => R {
  let kept: { minute: number; flow: unknown; content: unknown; windowsById: unknown; notices: unknown; values: Map<string, R> } | null = null;
  return (defs, key, now) => {
    const minute = Math.floor(now.getTime() / MINUTE_MS);
    const { flow, content, windowsById, notices } = defs;
    if (!kept || kept.minute !== minute || kept.flow !== flow || kept.content !== content || kept.windowsById !== windowsById || kept.notices !== notices) {
      kept = { minute, flow, content, windowsById, notices, values: new Map() };
    }
    let value = kept.values.get(key);
    if (value === undefined) {
      value = deepFreeze(compute(defs, key, now));
      kept.values.set(key, value);
    }
    return value;
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  // Dates stay as they are (freezing one does not stop setTime); replies hold none.
  if (value instanceof Date) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}
