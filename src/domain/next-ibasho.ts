import type { Definitions } from './definitions';
import { nextIbasho, type NextIbasho } from './ibasho-schedule';

/** The next めぐろのいばしょ at `now`, from content's rule and dates (staff changes included). */
export function nextIbashoOf(defs: Definitions, now: Date): NextIbasho | null {
  const { ibasho } = defs.content;
  return nextIbasho({ rule: ibasho.rule.value, dates: ibasho.dates }, now);
}
