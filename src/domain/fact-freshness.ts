import { localDateOf } from './calendar';
import { formatPath, type Definitions, type RawDefinitions } from './definitions';
import { checkableFields, type CheckableField } from './staff-changes/change';
import type { SupportWindow } from './content/schema';

export interface StaleFact {
  /** "content/windows.yaml: windows[1].phone" */
  where: string;
  checked: string;
  ageDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from a `checked` date to `today` (both YYYY-MM-DD). */
function ageInDays(checked: string, today: string): number {
  return Math.floor((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${checked}T00:00:00Z`)) / DAY_MS);
}

/**
 * Every fact in content/ whose `checked` date is more than `maxAgeDays` before `today`, so that staff
 * know what to re-check. A fact is any object with a `checked` field, wherever it sits.
 */
export function staleFacts(raw: RawDefinitions, today: string, maxAgeDays: number): StaleFact[] {
  const stale: StaleFact[] = [];
  const visit = (file: string, node: unknown, path: (string | number)[]) => {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(file, item, [...path, i]));
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.checked === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(record.checked)) {
      const ageDays = ageInDays(record.checked, today);
      if (ageDays > maxAgeDays) stale.push({ where: `${file}: ${path.length > 0 ? formatPath(path) : '(top level)'}`, checked: record.checked, ageDays });
    }
    for (const [key, value] of Object.entries(record)) visit(file, value, [...path, key]);
  };
  for (const file of [raw.windows, raw.ibasho, raw.crisis, raw.faq]) visit(file.path, file.data, []);
  return stale;
}

/** One fact of a window as the console's 情報の確認 page shows it. */
export interface FactView {
  window: SupportWindow;
  field: CheckableField;
  fact: string;
  checked: string;
  source: string | null;
  status: string;
  shown: string;
  ageDays: number;
}

/** Every fact of every window (content/ merged with the staff's checks), the oldest first when older than `maxAgeDays`. */
export function factsToCheck(defs: Definitions, now: Date, maxAgeDays: number): FactView[] {
  const today = localDateOf(now);
  const views: FactView[] = [];
  for (const window of defs.content.windows) {
    for (const field of checkableFields) {
      const fact = window[field] as Record<string, unknown> | undefined;
      if (!fact) continue;
      const value = fact.value as unknown;
      const shown = 'unknown' in fact ? '(不明)' : typeof value === 'string' ? value : String((value as { text?: string }).text ?? '');
      views.push({
        window,
        field,
        fact: String(fact.fact),
        checked: String(fact.checked),
        source: typeof fact.source === 'string' ? fact.source : null,
        status: 'unknown' in fact ? 'unknown' : String(fact.status),
        shown,
        ageDays: ageInDays(String(fact.checked), today),
      });
    }
  }
  const stale = (v: FactView) => v.ageDays > maxAgeDays;
  return views.sort((a, b) => Number(stale(b)) - Number(stale(a)) || (stale(a) ? b.ageDays - a.ageDays : 0));
}
