import type { Audience, CrisisLine, Phrases, SupportWindow } from './content/schema';
import type { Definitions } from './definitions';
import type { QuestionNode } from './flow/schema';
import { addDays, dateParts, localDateOf, tokyoTime, type LocalDate } from './calendar';
import { openStatus } from './opening-hours';
import { nextIbasho } from './ibasho-schedule';
import { activeNotices } from './staff-changes';
import type { Card, CardLine, Choice, Reply, ReplyMessage } from './reply';

const CARDS_PER_CAROUSEL = 12;
const ALT_TEXT_LIMIT = 1500;

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

function statusLine(phrases: Phrases, status: ReturnType<typeof openStatus>, now: Date): CardLine | null {
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
  const ibashoWindow = defs.content.windows.find((w) => w.schedule === 'ibasho')!;
  const { number, via } = reachingNumber(defs, ibashoWindow);
  const contact = { via: via?.name ?? ibashoWindow.name, phone: number };
  const next = nextIbasho({ rule: ibasho.rule.value, dates: ibasho.dates }, now);
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

function windowCard(defs: Definitions, window: SupportWindow, audience: Audience, now: Date): Card {
  const { phrases } = defs.content;
  const c = phrases.card;
  const lines: CardLine[] = [{ text: window.helpsWith.value }];
  if (window.schedule === 'ibasho') lines.push(...ibashoLines(defs, now));

  const { number, via } = reachingNumber(defs, window);
  if (via && 'unknown' in window.phone) {
    lines.push({ label: c.phone, text: fill(c.phoneUnknown, { via: via.name, phone: number, howToAsk: window.phone.howToAsk }) });
  } else {
    lines.push({ label: c.phone, text: number });
  }

  if ('unknown' in window.hours) {
    if (window.schedule !== 'ibasho') lines.push({ label: c.hours, text: c.hoursUnknown, tone: 'muted' });
  } else {
    if (window.schedule !== 'ibasho') lines.push({ label: c.hours, text: window.hours.value.text });
    const status = statusLine(phrases, openStatus(window.hours.value, now), now);
    if (status) lines.push(status);
  }
  if (window.place) lines.push({ label: c.place, text: window.place.value });
  if (window.access) lines.push({ label: c.access, text: window.access.value });
  if (window.area) lines.push({ label: c.area, text: window.area.value });
  for (const note of window.notes) {
    if (note.for === 'all' || audience === 'all' || note.for === audience) lines.push({ text: note.value, tone: 'muted' });
  }
  return { title: window.name, lines, buttons: [{ kind: 'tel', label: fill(c.callButton, { phone: number }), number }] };
}

function crisisCard(phrases: Phrases, line: CrisisLine, now: Date): Card {
  const lines: CardLine[] = [{ label: phrases.card.phone, text: line.phone }, { label: phrases.card.hours, text: line.hoursText }];
  const status = line.slots ? statusLine(phrases, openStatus({ text: line.hoursText, slots: line.slots, closedOnHolidays: false, closedNewYear: false }, now), now) : null;
  if (status) lines.push(status);
  return { title: line.name, lines, buttons: [{ kind: 'tel', label: fill(phrases.card.callButton, { phone: line.phone }), number: line.phone }] };
}

/** A text fallback of cards (LINE's altText, ≤1500 characters): each title with its number. */
function altTextOf(heading: string, cards: Card[]): string {
  let text = heading;
  for (const card of cards) {
    const tel = card.buttons.find((b) => b.kind === 'tel');
    const line = `\n${card.title}${tel && tel.kind === 'tel' ? ` ${tel.number}` : ''}`;
    if ([...text].length + [...line].length > ALT_TEXT_LIMIT) break;
    text += line;
  }
  return text;
}

function carousels(heading: string, cards: Card[]): ReplyMessage[] {
  const messages: ReplyMessage[] = [];
  for (let i = 0; i < cards.length; i += CARDS_PER_CAROUSEL) {
    const chunk = cards.slice(i, i + CARDS_PER_CAROUSEL);
    messages.push({ kind: 'cards', altText: altTextOf(heading, chunk), cards: chunk });
  }
  return messages;
}

/** The staff's notices running today for these windows, put above the intro in the same message (no extra message). */
function withNotices(defs: Definitions, windowIds: string[], intro: string, now: Date): string {
  const notices = activeNotices(defs, windowIds, now).map((n) => `${defs.content.phrases.noticeLabel}${n.text}`);
  return notices.length > 0 ? [...notices, '', intro].join('\n') : intro;
}

export function answerMessages(defs: Definitions, windowIds: string[], audience: Audience, now: Date): ReplyMessage[] {
  const { phrases } = defs.content;
  const cards = windowIds.map((id) => windowCard(defs, defs.windowsById.get(id)!, audience, now));
  return [{ kind: 'text', text: withNotices(defs, windowIds, phrases.answerIntro, now) }, ...carousels(phrases.answerAltText, cards)];
}

export function directoryMessages(defs: Definitions, now: Date): ReplyMessage[] {
  const { phrases } = defs.content;
  const cards = defs.content.windows.map((w) => windowCard(defs, w, 'all', now));
  return [{ kind: 'text', text: withNotices(defs, defs.content.windows.map((w) => w.id), phrases.directoryIntro, now) }, ...carousels(phrases.answerAltText, cards)];
}

export function crisisMessages(defs: Definitions, now: Date): ReplyMessage[] {
  const { phrases, crisis } = defs.content;
  const emergency = crisis.emergency.map((e) => `${e.label}: ${e.number}`).join('\n');
  const statusRank = (line: CrisisLine) => {
    if (!line.slots) return 1;
    const status = openStatus({ text: line.hoursText, slots: line.slots, closedOnHolidays: false, closedNewYear: false }, now);
    return status.kind === 'open' ? 0 : 2;
  };
  const lines = [...crisis.lines].sort((a, b) => statusRank(a) - statusRank(b));
  const cards = lines.map((line) => crisisCard(phrases, line, now));
  for (const chat of crisis.chat) {
    cards.push({
      title: chat.name,
      lines: [{ label: phrases.card.hours, text: chat.hoursText }],
      buttons: [{ kind: 'uri', label: phrases.card.chatButton, uri: chat.url }],
    });
  }
  const linesText = lines.map((l) => `${l.name} ${l.phone}(${l.hoursText})`).join('\n');
  return [
    { kind: 'text', text: `${phrases.crisisIntro}\n${emergency}\n\n${phrases.crisisLinesIntro}\n${linesText}` },
    ...carousels(phrases.crisisAltText, cards.slice(0, CARDS_PER_CAROUSEL)),
    { kind: 'text', text: phrases.crisisOutro },
  ];
}

export function questionChoices(node: string, question: QuestionNode): Choice[] {
  return question.options.map((option) => ({ label: option.label, action: { kind: 'go', node: option.next, from: node } }));
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
  const ibashoWindow = defs.content.windows.find((w) => w.schedule === 'ibasho')!;
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
export function afterHoursMessage(defs: Definitions): ReplyMessage | null {
  const allDay = defs.content.crisis.lines.filter((line) =>
    (line.slots ?? []).some((slot) => slot.days.length === 7 && slot.open === '00:00' && slot.close === '24:00'),
  );
  if (allDay.length === 0) return null;
  const lines = allDay.map((line) => `${line.name} ${line.phone}`);
  return { kind: 'text', text: [defs.content.phrases.afterHours.intro, ...lines].join('\n') };
}

/** A short, gentle message a family member can forward to ご本人, made from the same schedule and place. */
export function forwardCardMessages(defs: Definitions, now: Date): ReplyMessage[] {
  const { phrases, ibasho } = defs.content;
  const f = phrases.forward;
  const ibashoWindow = defs.content.windows.find((w) => w.schedule === 'ibasho')!;
  const next = nextIbasho({ rule: ibasho.rule.value, dates: ibasho.dates }, now);
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
