import type { Audience, Phrases, SupportWindow, WeeklyHours } from './content/schema';
import { ibashoWindowOf, type Definitions } from './definitions';
import { addDays, dateParts, localDateOf, tokyoTime, type LocalDate } from './calendar';
import { openStatus, type OpenStatus } from './opening-hours';
import { nextIbashoOf } from './next-ibasho';
import { noticeLines } from './notice-lines';
import type { Card, CardButton, CardLine, Reply, ReplyMessage } from './reply';

/** Fills {name} placeholders. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

function formatDate(phrases: Phrases, date: LocalDate): string {
  const { month, day, weekday } = dateParts(date);
  return fill(phrases.date.format, { month: String(month), day: String(day), weekday: phrases.date.weekdays[weekday]! });
}

/** "今日 10:00", "明日 10:00" or "11月26日(木) 10:00", in Tokyo time. */
export function formatWhen(phrases: Phrases, instant: Date, now: Date): string {
  const local = tokyoTime(instant);
  const date = local.date;
  const time = `${local.hour}:${String(local.minute).padStart(2, '0')}`;
  const today = localDateOf(now);
  if (date === today) return `${phrases.date.today} ${time}`;
  if (date === addDays(today, 1)) return `${phrases.date.tomorrow} ${time}`;
  return fill(phrases.date.formatWithTime, {
    month: String(local.month),
    day: String(local.day),
    weekday: phrases.date.weekdays[local.weekday]!,
    time,
  });
}

/** The number that reaches a window: its own, or the one its content names with reachVia. */
export function reachingNumber(defs: Definitions, window: SupportWindow): { number: string; via: SupportWindow | null } {
  if (!('unknown' in window.phone)) return { number: window.phone.value, via: null };
  const via = defs.windowsById.get(window.phone.reachVia)!;
  return { number: (via.phone as { value: string }).value, via };
}

export function statusLine(phrases: Phrases, status: ReturnType<typeof openStatus>, now: Date): CardLine | null {
  if (status.kind === 'open') return { text: phrases.card.openNow, tone: 'open' };
  if (status.kind === 'closed') {
    const text = status.nextOpen
      ? fill(phrases.card.closedNow, { next: formatWhen(phrases, status.nextOpen, now) })
      : phrases.card.closedNoNext;
    return { text, tone: 'closed' };
  }
  return null;
}

export function ibashoLines(defs: Definitions, now: Date): CardLine[] {
  const { phrases, ibasho } = defs.content;
  const p = phrases.ibasho;
  const ibashoWindow = ibashoWindowOf(defs);
  const { number, via } = reachingNumber(defs, ibashoWindow);
  const contact = { via: via?.name ?? ibashoWindow.name, phone: number };
  const next = nextIbashoOf(defs, now);
  if (!next) return [{ text: fill(p.none, contact), tone: 'closed' }];

  const lines: CardLine[] = next.cancelledBefore.map((date) => ({ text: fill(p.cancelled, { date: formatDate(phrases, date) }), tone: 'closed' }));
  if (next.movedFrom) {
    lines.push({ text: fill(p.moved, { from: formatDate(phrases, next.movedFrom), to: formatDate(phrases, next.dates[0]!) }), tone: 'closed' });
  }
  const times = { start: next.start, end: next.end };
  if (next.confirmed) {
    const text =
      next.phase === 'now'
        ? fill(p.heldNow, times)
        : next.phase === 'today'
          ? fill(p.heldToday, times)
          : fill(p.heldNext, { ...times, date: formatDate(phrases, next.dates[0]!) });
    lines.push({ text, tone: next.phase === 'upcoming' ? 'normal' : 'open' });
    if (next.note) lines.push({ text: next.note, tone: 'muted' });
  } else {
    const dates = next.dates.map((d) => formatDate(phrases, d)).join(p.plannedJoiner);
    lines.push({ text: fill(p.planned, { dates, ...times }), tone: 'normal' });
    lines.push({ text: fill(p.plannedNote, contact), tone: 'muted' });
  }
  return lines;
}

/** A text fallback of cards (a channel's altText): each title with its number. */
function altTextOf(heading: string, cards: Card[]): string {
  const parts = [heading];
  for (const card of cards) {
    const tel = card.buttons.find((b) => b.kind === 'tel');
    parts.push(`${card.title ?? ''}${tel && tel.kind === 'tel' ? ` ${tel.number}` : ''}`);
  }
  return clipLines(parts);
}

/**
 * The lines of a text fallback, most important first, one line each: a channel that holds less keeps
 * whole lines from the top (LINE: src/line/to-line-messages.ts).
 */
export function clipLines(parts: string[]): string {
  return parts.join('\n');
}

/** Cards side by side; a channel that shows fewer at once splits them (LINE: carousels of 12). */
function carousels(heading: string, cards: Card[]): ReplyMessage[] {
  return cards.length > 0 ? [{ kind: 'cards', altText: altTextOf(heading, cards), cards }] : [];
}

/** The intro with the staff's notices running today for these windows, in the same message (no extra message). */
function introWithNotices(defs: Definitions, windowIds: string[], intro: string, now: Date): ReplyMessage {
  const notices = noticeLines(defs, windowIds, now);
  return notices.length > 0 ? { kind: 'text', text: intro, notices } : { kind: 'text', text: intro };
}

/** Compact cards show what a person needs to choose; the rest is one tap away (くわしく見る). */
function windowCard(defs: Definitions, window: SupportWindow, audience: Audience, now: Date, detail = false): Card {
  const { phrases } = defs.content;
  const c = phrases.card;
  const lines: CardLine[] = [{ text: window.helpsWith.value }];
  if (window.schedule === 'ibasho') lines.push(...ibashoLines(defs, now));

  const { number, via } = reachingNumber(defs, window);
  if (via && 'unknown' in window.phone) {
    const text = detail
      ? fill(c.phoneUnknown, { via: via.name, phone: number, howToAsk: window.phone.howToAsk })
      : fill(c.phoneVia, { via: via.name, phone: number });
    lines.push({ label: c.phone, text });
  } else {
    lines.push({ label: c.phone, text: number });
  }

  if ('unknown' in window.hours) {
    if (window.schedule !== 'ibasho') lines.push({ label: c.hours, text: detail ? c.hoursUnknown : phrases.directory.hoursUnknown, tone: 'muted' });
  } else {
    if (window.schedule !== 'ibasho') lines.push({ label: c.hours, text: window.hours.value.text });
    const status = statusLine(phrases, openStatus(window.hours.value, now), now);
    if (status) lines.push(status);
  }
  // A place people walk into keeps its place and the way there on the card itself.
  const walkIn = window.otherWays.some((w) => w.value.kind === 'visit');
  if (window.place && (detail || walkIn)) lines.push({ label: c.place, text: window.place.value });
  if (window.access && (detail || walkIn)) lines.push({ label: c.access, text: window.access.value });
  if (detail) {
    if (window.area) lines.push({ label: c.area, text: window.area.value });
    for (const note of window.notes) {
      if (note.for === 'all' || audience === 'all' || note.for === audience) lines.push({ text: note.value, tone: 'muted' });
    }
  }
  for (const way of window.otherWays) if (!way.value.uri && (!detail || window.notes.length === 0)) lines.push({ text: way.value.text, tone: 'open' });

  const buttons: CardButton[] = [{ kind: 'tel', label: fill(c.callButton, { phone: number }), number }];
  for (const way of window.otherWays) if (way.value.uri && way.value.button) buttons.push({ kind: 'uri', label: way.value.button, uri: way.value.uri });
  if (!detail) buttons.push({ kind: 'postback', label: c.detailButton, action: { kind: 'windowDetail', window: window.id } });
  return { title: window.name, lines, buttons };
}

/** Crisis lines' hours as WeeklyHours, made once per line (openStatus keeps its work per hours object). */
const crisisHours = new WeakMap<object, WeeklyHours>();
function hoursOfLine(line: { hoursText: string; slots?: WeeklyHours['slots'] }): WeeklyHours | null {
  if (!line.slots) return null;
  let hours = crisisHours.get(line);
  if (!hours) crisisHours.set(line, (hours = { text: line.hoursText, slots: line.slots, closedOnHolidays: false, closedNewYear: false }));
  return hours;
}

/** A crisis line (phone) or chat (LINE) with its status at `now`. */
export interface CrisisEntry {
  name: string;
  hoursText: string;
  button: CardButton;
  text: boolean;
  status: OpenStatus;
  number?: string;
}

export function crisisEntries(defs: Definitions, now: Date): CrisisEntry[] {
  const { phrases, crisis } = defs.content;
  const chats: CrisisEntry[] = crisis.chat.map((chat) => ({
    name: chat.name,
    hoursText: chat.hoursText,
    button: { kind: 'uri', label: phrases.card.chatButton, uri: chat.url },
    text: true,
    status: openStatus(hoursOfLine(chat), now),
  }));
  const phones: CrisisEntry[] = crisis.lines.map((line) => ({
    name: line.name,
    hoursText: line.hoursText,
    button: { kind: 'tel', label: fill(phrases.card.callButton, { phone: line.phone }), number: line.phone },
    text: false,
    status: openStatus(hoursOfLine(line), now),
    number: line.phone,
  }));
  return [...chats, ...phones];
}

/**
 * A line of the crisis reply: open (or hours unknown) with its button; closed with when it opens, no
 * button. Outside a crisis a closed chat keeps its button: adding the friend now and writing when it
 * opens is fine, and the line says when that is.
 */
export function crisisEntryLines(phrases: Phrases, entry: CrisisEntry, now: Date, buttonWhenClosed = false): CardLine[] {
  const name: CardLine = { text: entry.number ? `${entry.name} ${entry.number}` : entry.name, tone: 'heading' };
  if (entry.status.kind === 'closed' && !buttonWhenClosed) {
    const status = statusLine(phrases, entry.status, now)!;
    return [name, { text: entry.hoursText, tone: 'muted' }, status];
  }
  const lines: CardLine[] = [name, { text: entry.hoursText, tone: 'muted' }];
  const status = statusLine(phrases, entry.status, now);
  if (status) lines.push(status);
  lines[lines.length - 1] = { ...lines[lines.length - 1]!, buttons: [entry.button] };
  return lines;
}

const CRISIS_OPEN_SHOWN = 3;

/** Which crisis entries the first reply shows: open ones (text-based first) and closed chats; the rest later. */
export function splitCrisis(entries: CrisisEntry[]): { shown: CrisisEntry[]; rest: CrisisEntry[] } {
  const reachable = entries.filter((e) => e.status.kind !== 'closed');
  const ordered = [...reachable.filter((e) => e.status.kind === 'open'), ...reachable.filter((e) => e.status.kind !== 'open')];
  const shownOpen = ordered.slice(0, CRISIS_OPEN_SHOWN);
  const closedText = entries.filter((e) => e.text && e.status.kind === 'closed');
  const shown = [...shownOpen, ...closedText];
  return { shown, rest: entries.filter((e) => !shown.includes(e)) };
}

function crisisAlt(defs: Definitions, entries: CrisisEntry[]): string {
  const { phrases, crisis } = defs.content;
  const parts = [phrases.crisisAltText, ...crisis.emergency.map((e) => `${e.number} ${e.label}`)];
  for (const e of entries) if (e.number) parts.push(`${e.name} ${e.number}`);
  return clipLines(parts);
}

/**
 * The crisis reply: one card. The sentence of care, 119/110, then the lines open now (LINE first),
 * a closed chat with when it opens (no button); the rest behind ほかの相談先. `extraLines` go right
 * after 119/110 (e.g. a note for a family member writing about someone else).
 */
export function crisisMessages(defs: Definitions, now: Date, extraLines: CardLine[] = []): ReplyMessage[] {
  const { phrases, crisis } = defs.content;
  const { shown } = splitCrisis(crisisEntries(defs, now));
  const lines: CardLine[] = [
    {
      text: phrases.crisisIntro,
      buttons: crisis.emergency.map((e) => ({ kind: 'tel', label: fill(phrases.crisisEmergencyButton, { number: e.number }), number: e.number })),
    },
    ...extraLines,
    { text: phrases.crisisLinesIntro, tone: 'heading' },
    ...shown.flatMap((entry) => crisisEntryLines(phrases, entry, now)),
    { text: phrases.crisisOutro, tone: 'muted' },
  ];
  return [{ kind: 'cards', altText: crisisAlt(defs, shown), cards: [{ lines, buttons: [] }] }];
}

/** Whether the crisis reply at `now` leaves lines for ほかの相談先. */
export function crisisHasMore(defs: Definitions, now: Date): boolean {
  return splitCrisis(crisisEntries(defs, now)).rest.length > 0;
}

/** The crisis lines the first reply left out, each with its status. */
export function moreCrisisMessages(defs: Definitions, now: Date): ReplyMessage[] {
  const { phrases } = defs.content;
  const { rest } = splitCrisis(crisisEntries(defs, now));
  const lines: CardLine[] = [{ text: phrases.crisisMoreIntro }, ...rest.flatMap((entry) => crisisEntryLines(phrases, entry, now))];
  return [{ kind: 'cards', altText: crisisAlt(defs, rest), cards: [{ lines, buttons: [] }] }];
}

/** At most this many cards per answer, the card of ways without a call included. */
const CARDS_PER_ANSWER = 3;

/** LINE and e-mail ways in, for people who cannot call, leaving out the windows already on a card. */
function otherWaysCard(defs: Definitions, shownWindowIds: string[], now: Date): Card | null {
  const { phrases } = defs.content;
  const lines: CardLine[] = [];
  for (const entry of crisisEntries(defs, now).filter((e) => e.text)) lines.push(...crisisEntryLines(phrases, entry, now, true));
  for (const window of defs.content.windows) {
    if (shownWindowIds.includes(window.id)) continue;
    for (const way of window.otherWays) {
      if (!way.value.uri || !way.value.button) continue;
      lines.push({ text: window.name, tone: 'heading' }, { text: way.value.text, buttons: [{ kind: 'uri', label: way.value.button, uri: way.value.uri }] });
    }
  }
  return lines.length > 0 ? { title: phrases.otherWays.title, lines, buttons: [] } : null;
}

/** The windows of an answer on its first cards, and the rest (behind ほかの窓口も見る). */
export function splitAnswer(defs: Definitions, windowIds: string[], now: Date): { shown: string[]; rest: string[]; ways: Card | null } {
  const firstShown = windowIds.slice(0, CARDS_PER_ANSWER - 1);
  const ways = otherWaysCard(defs, firstShown, now);
  const shown = ways ? firstShown : windowIds.slice(0, CARDS_PER_ANSWER);
  return { shown, rest: windowIds.slice(shown.length), ways };
}

export function answerMessages(defs: Definitions, node: string, windowIds: string[], audience: Audience, now: Date): ReplyMessage[] {
  const { phrases } = defs.content;
  const { shown, ways } = splitAnswer(defs, windowIds, now);
  const cards = shown.map((id) => windowCard(defs, defs.windowsById.get(id)!, audience, now));
  // The ways in without a call come as a bubble of their own, so that LINE does not stretch them (or the
  // window cards) to the height of the tallest card of a carousel.
  const waysMessage: ReplyMessage[] = ways ? [{ kind: 'cards', altText: altTextOf(phrases.otherWays.title, [ways]), cards: [ways] }] : [];
  const outro = [phrases.answerOutro];
  if (closedWindows(defs, shown, now).length > 0) {
    const afterHours = afterHoursText(defs);
    if (afterHours) outro.unshift(afterHours);
  }
  return [
    introWithNotices(defs, windowIds, phrases.answerLeads[node] ?? phrases.answerIntro, now),
    ...carousels(phrases.answerAltText, cards),
    ...waysMessage,
    { kind: 'text', text: outro.join('\n\n') },
  ];
}

export function moreWindowsMessages(defs: Definitions, windowIds: string[], audience: Audience, now: Date): ReplyMessage[] {
  const { phrases } = defs.content;
  const { rest } = splitAnswer(defs, windowIds, now);
  const cards = rest.map((id) => windowCard(defs, defs.windowsById.get(id)!, audience, now));
  return [{ kind: 'text', text: phrases.moreWindowsIntro }, ...carousels(phrases.answerAltText, cards)];
}

export function windowDetailMessages(defs: Definitions, windowId: string, audience: Audience, now: Date): ReplyMessage[] {
  const { phrases } = defs.content;
  const window = defs.windowsById.get(windowId)!;
  const card = windowCard(defs, window, audience, now, true);
  const messages: ReplyMessage[] = [];
  if (!window.otherWays.some((w) => w.value.uri)) messages.push({ kind: 'text', text: phrases.callHint });
  messages.push({ kind: 'cards', altText: altTextOf(phrases.answerAltText, [card]), cards: [card] });
  return messages;
}

/**
 * The phone list: one card. Each number once, with the windows reached through it under it; each
 * name opens that window's details.
 */
export function directoryMessages(defs: Definitions, now: Date): ReplyMessage[] {
  const { phrases } = defs.content;
  const d = phrases.directory;
  const reachedThrough = new Map<string, SupportWindow[]>();
  for (const window of defs.content.windows) {
    if (!('unknown' in window.phone)) continue;
    const list = reachedThrough.get(window.phone.reachVia) ?? [];
    list.push(window);
    reachedThrough.set(window.phone.reachVia, list);
  }
  const lines: CardLine[] = [];
  const alt: string[] = [phrases.directoryIntro];
  for (const window of defs.content.windows) {
    if ('unknown' in window.phone) continue;
    const number = window.phone.value;
    const detail: CardButton = { kind: 'postback', label: phrases.card.detailButton, action: { kind: 'windowDetail', window: window.id } };
    lines.push({ text: window.name, tone: 'heading', tap: detail });
    lines.push({ label: phrases.card.phone, text: number, tap: { kind: 'tel', label: fill(phrases.card.callButton, { phone: number }), number } });
    if ('unknown' in window.hours) lines.push({ label: phrases.card.hours, text: d.hoursUnknown, tone: 'muted' });
    else {
      lines.push({ label: phrases.card.hours, text: window.hours.value.text });
      const status = statusLine(phrases, openStatus(window.hours.value, now), now);
      if (status) lines.push(status);
    }
    alt.push(`${window.name} ${number}`);
    const through = reachedThrough.get(window.id) ?? [];
    if (through.length > 0) {
      lines.push({ text: d.reachedHere, tone: 'muted' });
      for (const other of through) {
        lines.push({ text: `・${other.name}`, tap: { kind: 'postback', label: phrases.card.detailButton, action: { kind: 'windowDetail', window: other.id } } });
      }
    }
  }
  const card: Card = { title: d.title, lines, buttons: [] };
  const intro = introWithNotices(defs, defs.content.windows.map((w) => w.id), phrases.directoryIntro, now);
  return [intro, { kind: 'cards', altText: clipLines(alt), cards: [card] }];
}

/** "前日 18:00と当日 9:00" from the reminder settings. */
export function reminderTimesText(defs: Definitions): string {
  const r = defs.content.phrases.reminder;
  return defs.content.ibasho.reminders.times
    .map((t) => {
      const day = t.daysBefore === 0 ? r.dayOf : t.daysBefore === 1 ? r.dayBefore : fill(r.daysBefore, { n: String(t.daysBefore) });
      return `${day} ${t.at.replace(/^0/, '')}`;
    })
    .join(r.timesJoiner);
}

/**
 * The pushed reminder. Its first line is all a lock screen shows, so it is a neutral notice that
 * names neither ひきこもり nor 生きづらさ.
 */
export function reminderReply(defs: Definitions, slot: { eventDate: LocalDate; movedFrom?: LocalDate; start?: string; end?: string; note?: string; decided?: boolean }): Reply {
  const { phrases, ibasho } = defs.content;
  const r = phrases.reminder;
  const ibashoWindow = ibashoWindowOf(defs);
  const lines = [r.preview];
  if (slot.decided) lines.push(r.decided);
  if (slot.movedFrom) lines.push(fill(r.moved, { from: formatDate(phrases, slot.movedFrom), to: formatDate(phrases, slot.eventDate) }));
  lines.push(fill(r.when, { date: formatDate(phrases, slot.eventDate), start: slot.start ?? ibasho.rule.value.start, end: slot.end ?? ibasho.rule.value.end }));
  if (ibashoWindow.place) lines.push(fill(r.place, { place: ibashoWindow.place.value, access: ibashoWindow.access?.value ?? '' }));
  if (slot.note) lines.push(slot.note);
  lines.push(r.notes);
  return {
    messages: [{ kind: 'text', text: lines.join('\n') }],
    choices: [
      { label: phrases.quickReply.unsubscribe, action: { kind: 'unsubscribe' } },
      { label: phrases.quickReply.other, action: { kind: 'go', node: defs.flow.flow.start } },
    ],
  };
}

/** Windows of an answer whose hours are known and that are closed at `now`, with when they open next. */
export function closedWindows(defs: Definitions, windowIds: string[], now: Date): { window: SupportWindow; nextOpen: Date }[] {
  const closed: { window: SupportWindow; nextOpen: Date }[] = [];
  for (const id of windowIds) {
    const window = defs.windowsById.get(id);
    if (!window || 'unknown' in window.hours) continue;
    const status = openStatus(window.hours.value, now);
    if (status.kind === 'closed' && status.nextOpen) closed.push({ window, nextOpen: status.nextOpen });
  }
  return closed;
}

/** Crisis lines open around the clock, offered when the windows of an answer are closed. */
export function afterHoursText(defs: Definitions): string | null {
  const allDay = defs.content.crisis.lines.filter((line) =>
    (line.slots ?? []).some((slot) => slot.days?.length === 7 && slot.open === '00:00' && slot.close === '24:00'),
  );
  if (allDay.length === 0) return null;
  const lines = allDay.map((line) => `${line.name} ${line.phone}`);
  return [defs.content.phrases.afterHours.intro, ...lines].join('\n');
}

/** A short, gentle message a family member can forward to ご本人, made from the same schedule and place. */
export function forwardCardMessages(defs: Definitions, now: Date): ReplyMessage[] {
  const { phrases, ibasho } = defs.content;
  const f = phrases.forward;
  const ibashoWindow = ibashoWindowOf(defs);
  const next = nextIbashoOf(defs, now);
  const times = { start: next?.start ?? ibasho.rule.value.start, end: next?.end ?? ibasho.rule.value.end };
  const when = !next
    ? ''
    : next.confirmed
      ? fill(f.confirmedWhen, { ...times, date: formatDate(phrases, next.dates[0]!) })
      : fill(f.plannedWhen, { ...times, dates: next.dates.map((d) => formatDate(phrases, d)).join(phrases.ibasho.plannedJoiner) });
  const place = [ibashoWindow.place?.value, ibashoWindow.access?.value].filter(Boolean).join('(') + (ibashoWindow.access ? ')' : '');
  const card = fill(f.card, { when, place }).replace(/\n{2,}/g, '\n');
  return [
    { kind: 'text', text: f.howTo },
    { kind: 'text', text: card },
  ];
}

/** The one push sent when a window opens. Its first line is a neutral notice. */
export function openNoticeReply(defs: Definitions, windowId: string): Reply {
  const { phrases } = defs.content;
  const window = defs.windowsById.get(windowId)!;
  const { number } = reachingNumber(defs, window);
  const hours = 'unknown' in window.hours ? '' : window.hours.value.text;
  const text = [phrases.openNotice.preview, fill(phrases.openNotice.body, { name: window.name, hours }), `${phrases.card.phone}: ${number}`].join('\n');
  return {
    messages: [{ kind: 'text', text }],
    choices: [{ label: phrases.quickReply.other, action: { kind: 'go', node: defs.flow.flow.start } }],
  };
}
