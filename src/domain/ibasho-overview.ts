import { addMonths, localDateOf, type LocalDate } from './calendar';
import type { IbashoDateOverride } from './content/schema';
import type { Definitions } from './definitions';
import { occurrences } from './ibasho-schedule';

/** The next 12 months: each month's rule candidates and every explicit date, for the console and `ibasho list`. */
export interface MonthOverview {
  month: string;
  candidates: LocalDate[];
  dates: IbashoDateOverride[];
}

export function ibashoOverview(defs: Definitions, now: Date, months = 12): MonthOverview[] {
  const { rule, dates } = defs.content.ibasho;
  const first = localDateOf(now).slice(0, 7);
  const computed = occurrences({ rule: rule.value, dates: [] }, first);
  return Array.from({ length: months }, (_, i) => {
    const month = addMonths(first, i);
    return {
      month,
      candidates: computed.filter((o) => o.dates[0]!.startsWith(month)).flatMap((o) => o.dates),
      dates: dates.filter((d) => d.date.startsWith(month) || (d.status === 'moved' && d.movedTo.startsWith(month))),
    };
  });
}
