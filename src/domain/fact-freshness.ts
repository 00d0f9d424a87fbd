import { formatPath, type RawDefinitions } from './definitions';

export interface StaleFact {
  /** "content/windows.yaml: windows[1].phone" */
  where: string;
  checked: string;
  ageDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Every fact in content/ whose `checked` date is more than `maxAgeDays` before `today`, so that staff
 * know what to re-check. A fact is any object with a `checked` field, wherever it sits.
 */
export function staleFacts(raw: RawDefinitions, today: string, maxAgeDays: number): StaleFact[] {
  const stale: StaleFact[] = [];
  const todayMs = Date.parse(`${today}T00:00:00Z`);
  const visit = (file: string, node: unknown, path: (string | number)[]) => {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(file, item, [...path, i]));
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.checked === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(record.checked)) {
      const ageDays = Math.floor((todayMs - Date.parse(`${record.checked}T00:00:00Z`)) / DAY_MS);
      if (ageDays > maxAgeDays) stale.push({ where: `${file}: ${path.length > 0 ? formatPath(path) : '(top level)'}`, checked: record.checked, ageDays });
    }
    for (const [key, value] of Object.entries(record)) visit(file, value, [...path, key]);
  };
  for (const file of [raw.windows, raw.ibasho, raw.crisis, raw.faq]) visit(file.path, file.data, []);
  return stale;
}
