/**
 * Replies of the safety rules besides the crisis reply itself: danger at home, the question asked back
 * and its gentle answers, and the 24-hour line every reply that did not understand carries. Every
 * sentence comes from `content/` (phrases.yaml, crisis.yaml); numbers and hours are written once there.
 */
import type { DangerLine, WeeklyHours } from './content/schema';
import type { Definitions } from './definitions';
import { openStatus } from './opening-hours';
import { clipLines, crisisEntries, crisisEntryLines, fill, reachingNumber, splitCrisis, statusLine } from './render-reply';
import type { CardButton, CardLine, ReplyMessage } from './reply';

function telButton(defs: Definitions, number: string): CardButton {
  return { kind: 'tel', label: fill(defs.content.phrases.card.callButton, { phone: number }), number };
}

/** The 24-hour line of crisis.yaml's notUnderstoodLine, as one card line with its call button. */
export function twentyFourHourLine(defs: Definitions, template: string): CardLine {
  const { crisis } = defs.content;
  const line = crisis.lines.find((l) => l.id === crisis.notUnderstoodLine)!;
  return { text: fill(template, { name: line.name, phone: line.phone, hours: line.hoursText }), tone: 'heading', buttons: [telButton(defs, line.phone)] };
}

/** A reply that did not understand (or could not read a sticker): its words, then one 24-hour line to call at once. */
export function notUnderstoodMessages(defs: Definitions, text: string): ReplyMessage[] {
  const line = twentyFourHourLine(defs, defs.content.phrases.notUnderstoodLine);
  return [{ kind: 'cards', altText: clipLines([text, line.text]), cards: [{ lines: [{ text }, line], buttons: [] }] }];
}

/** 死にたいほどつらい気持ちがありますか? with a 24-hour line already in the message. */
export function askBackMessages(defs: Definitions): ReplyMessage[] {
  const a = defs.content.phrases.askBack;
  const line = twentyFourHourLine(defs, a.line);
  return [{ kind: 'cards', altText: clipLines([a.altText, a.question, line.text]), cards: [{ lines: [{ text: a.question }, line], buttons: [] }] }];
}

/** After そこまでではない or 話を聞いてほしい: a gentle sentence and the lines that listen now (LINE first). */
export function listeningMessages(defs: Definitions, now: Date, intro: string): ReplyMessage[] {
  const { phrases } = defs.content;
  const { shown } = splitCrisis(crisisEntries(defs, now));
  const lines: CardLine[] = [{ text: intro }, ...shown.flatMap((entry) => crisisEntryLines(phrases, entry, now))];
  const alt = [intro, ...shown.filter((e) => e.number).map((e) => `${e.name} ${e.number}`)];
  return [{ kind: 'cards', altText: clipLines(alt), cards: [{ lines, buttons: [] }] }];
}

const dangerHours = new WeakMap<DangerLine, WeeklyHours | null>();
function hoursOf(line: DangerLine): WeeklyHours | null {
  if (!dangerHours.has(line)) {
    dangerHours.set(line, line.slots ? { text: line.hoursText, slots: line.slots, closedOnHolidays: line.closedOnHolidays, closedNewYear: line.closedNewYear } : null);
  }
  return dangerHours.get(line)!;
}

/** The lines for danger at home: each with who it is for, its hours and whether it answers now. */
function dangerLines(defs: Definitions, now: Date): CardLine[] {
  const { phrases, crisis } = defs.content;
  const d = crisis.dangerAtHome;
  const lines: CardLine[] = [{ text: d.linesIntro, tone: 'heading' }];
  for (const line of d.lines) {
    const status = openStatus(hoursOf(line), now);
    lines.push({ text: `${line.name} ${line.phone}`, tone: 'heading' });
    if (line.for) lines.push({ text: line.for });
    lines.push({ text: line.hoursText, tone: 'muted' });
    const shown = statusLine(phrases, status, now);
    const last: CardLine = shown ?? lines.pop()!;
    lines.push(status.kind === 'closed' ? last : { ...last, buttons: [telButton(defs, line.phone)] });
  }
  if (d.windows.length > 0 && d.windowsNote) lines.push({ text: d.windowsNote });
  for (const id of d.windows) {
    const window = defs.windowsById.get(id)!;
    const { number } = reachingNumber(defs, window);
    const hours = 'unknown' in window.hours ? phrases.listed.hoursUnknown : window.hours.value.text;
    lines.push({ text: `${window.name} ${number}(${hours})`, buttons: [telButton(defs, number)] });
  }
  return lines;
}

/** The danger-at-home reply: 110 first, keeping oneself safe, then where to turn when it is not an emergency. */
export function dangerMessages(defs: Definitions, now: Date): ReplyMessage[] {
  const { phrases, crisis } = defs.content;
  const d = crisis.dangerAtHome;
  const lines: CardLine[] = [
    { text: d.intro, buttons: d.emergency.map((e) => ({ kind: 'tel', label: fill(phrases.crisisEmergencyButton, { number: e.number }), number: e.number })) },
    { text: d.safety },
    ...dangerLines(defs, now),
  ];
  const alt = [phrases.dangerAltText, ...d.emergency.map((e) => `${e.number} ${e.label}`), ...d.lines.map((l) => `${l.name} ${l.phone}`)];
  return [{ kind: 'cards', altText: clipLines(alt), cards: [{ lines, buttons: [] }] }];
}

/** Added to the crisis reply when the message also tells of danger at home: keeping safe, and the danger lines. */
export function dangerLinesForCrisis(defs: Definitions, now: Date): CardLine[] {
  return [{ text: defs.content.crisis.dangerAtHome.safety }, ...dangerLines(defs, now)];
}
