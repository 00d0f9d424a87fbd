import type { Content } from './content/schema';
import type { StaffChanges } from './staff-changes/change';
import { mergedIbashoDates, toOverride } from './staff-changes/merge-over-content';

/** What of the staff layer content/ does not say yet: one line each, in Japanese, for the console and the export. */
export function pendingExport(content: Content, changes: StaffChanges): string[] {
  const pending: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const entry of changes.ibashoDates) {
    const inContent = content.ibasho.dates.find((d) => d.date === entry.date);
    const { source: _s, checked: _c, ...wanted } = toOverride(entry);
    const { source: _s2, checked: _c2, ...has } = (inContent ?? {}) as Record<string, unknown>;
    if (!inContent || !same(wanted, has)) pending.push(`いばしょ ${entry.date}(${entry.status === 'held' ? '開催' : entry.status === 'cancelled' ? '中止' : `変更 → ${entry.movedTo}`})`);
  }
  for (const check of changes.factChecks) {
    const window = content.windows.find((w) => w.id === check.window);
    const fact = window?.[check.field] as { checked?: string; value?: unknown } | undefined;
    if (!fact) continue;
    const correctedValue = (check.value as { value?: unknown } | null)?.value;
    if (fact.checked !== check.checked || (correctedValue !== undefined && !same(correctedValue, fact.value))) {
      pending.push(`${window!.name} の ${check.field}(${check.value ? '訂正' : '確認'} ${check.checked})`);
    }
  }
  return pending;
}

/** content/ibasho.yaml `dates` with the staff's dates written in. */
export function exportedIbashoDates(content: Content, changes: StaffChanges) {
  return mergedIbashoDates(content.ibasho.dates, changes.ibashoDates);
}
