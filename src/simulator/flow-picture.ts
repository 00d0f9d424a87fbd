import type { Definitions } from '../domain/definitions';
import { BACK_TARGET } from '../domain/flow/schema';
import { afterHoursText, fill, reachingNumber, splitAnswer } from '../domain/render-reply';
import { nextIbashoOf } from '../domain/next-ibasho';
import { remindersCanFire } from '../domain/conversation';
import { dateParts } from '../domain/calendar';
import type { SupportWindow } from '../domain/content/schema';
import flowText from './assets/flow-text.json';

const CRISIS_EXAMPLES = 16;

/** The labels of the picture (the staff tool's own words, not what residents read). */
export type FlowText = typeof flowText;
export const defaultFlowText: FlowText = flowText;

export interface PictureWindow {
  id: string;
  name: string;
  /** The number to call: the window's own, or the one that reaches it. */
  phone: string;
  /** The window whose number it is, when the window's own number is not known. */
  via: string | null;
  hours: string | null;
  /** Where each fact stands: confirmed (an official page), seed-only (the source article only), unknown. */
  marks: { phone: FactMark; hours: FactMark; place: FactMark | null };
  helpsWith: string;
  place: string | null;
  /** Ways in without a call (LINE, mail, walking in). */
  otherWays: string[];
}

export type FactMark = 'confirmed' | 'seed-only' | 'unknown';

/** The sentences the bot says, shown on /flow where it says them. */
export interface PictureSentences {
  greeting: string;
  fallback: string;
  answerIntro: string;
  answerOutro: string;
  afterHours: string | null;
  crisisIntro: string;
  crisisLinesIntro: string;
  crisisOutro: string;
}

export type PictureNode =
  | { kind: 'question'; id: string; prompt: string; options: { label: string; synonyms: string[]; child: PictureNode }[] }
  | {
      kind: 'answer';
      id: string;
      audience: 'self' | 'family' | 'others' | 'all';
      windows: PictureWindow[];
      /** The first sentence of the answer. */
      lead: string;
      /** How many windows are on the first cards; the rest are behind ほかの窓口も見る. */
      shown: number;
    }
  | { kind: 'directory'; id: string; windows: PictureWindow[] }
  /** A node drawn earlier in the picture. */
  | { kind: 'sameAs'; id: string }
  | { kind: 'missing'; id: string };

export interface FlowPicture {
  version: string;
  root: PictureNode;
  /** Nodes that no option leads to, reached by typed commands only. */
  otherRoots: PictureNode[];
  /** Typed words that work anywhere: each goes to a node, back to the last question (`back`), or does an action. */
  commands: { label: string; synonyms: string[]; to: { node: string } | { back: true } | { action: string } }[];
  crisis: { keywords: string[]; emergency: { label: string; number: string }[]; lines: { name: string; phone: string; hours: string }[];
    chat: { name: string; url: string; hours: string }[];
  };
  sentences: PictureSentences;
  /** Every window once, for details on demand. */
  windows: PictureWindow[];
  ibasho: { published: boolean; next: string | null; remindersCanFire: boolean; ruleMark: FactMark };
}

function pictureWindow(defs: Definitions, window: SupportWindow): PictureWindow {
  const { number, via } = reachingNumber(defs, window);
  const mark = (fact: { unknown: true } | { status: 'confirmed' | 'seed-only' }): FactMark => ('unknown' in fact ? 'unknown' : fact.status);
  return {
    id: window.id,
    name: window.name,
    phone: number,
    via: via ? via.name : null,
    hours: 'unknown' in window.hours ? null : window.hours.value.text,
    marks: { phone: mark(window.phone), hours: mark(window.hours), place: window.place ? window.place.status : null },
    helpsWith: window.helpsWith.value,
    place: window.place?.value ?? null,
    otherWays: window.otherWays.map((w) => w.value.text),
  };
}

/** The decision tree of the definitions, each node drawn once (later mentions point back to it). */
export function flowPicture(defs: Definitions, now: Date = new Date()): FlowPicture {
  const { phrases } = defs.content;
  const { flow } = defs.flow;
  const drawn = new Set<string>();
  const build = (id: string): PictureNode => {
    const node = flow.nodes[id];
    if (!node) return { kind: 'missing', id };
    if (drawn.has(id)) return { kind: 'sameAs', id };
    drawn.add(id);
    switch (node.kind) {
      case 'question':
        return {
          kind: 'question',
          id,
          prompt: node.prompt,
          options: node.options.map((option) => ({ label: option.label, synonyms: option.synonyms, child: build(option.next) })),
        };
      case 'answer':
        return {
          kind: 'answer',
          id,
          audience: node.audience,
          lead: phrases.answerLeads[id] ?? phrases.answerIntro,
          shown: splitAnswer(defs, node.windows, now).shown.length,
          windows: node.windows.flatMap((w) => {
            const window = defs.windowsById.get(w);
            return window ? [pictureWindow(defs, window)] : [];
          }),
        };
      case 'directory':
        return { kind: 'directory', id, windows: defs.content.windows.map((w) => pictureWindow(defs, w)) };
    }
  };
  const root = build(flow.start);
  const otherRoots = Object.keys(flow.nodes)
    .filter((id) => !drawn.has(id))
    .map(build);
  const { crisis } = defs.content;
  return {
    version: defs.flow.version,
    root,
    otherRoots,
    commands: flow.commands.map((c) => ({
      label: c.label,
      synonyms: c.synonyms,
      to: c.action ? { action: c.action } : c.next === BACK_TARGET || c.next === undefined ? { back: true as const } : { node: c.next },
    })),
    crisis: {
      // What the first rules mean, as examples: the whole lexicon (classes of words and the rules that combine them) is content/crisis.yaml.
      keywords: crisis.crisis.length > CRISIS_EXAMPLES ? [...crisis.crisis.slice(0, CRISIS_EXAMPLES).map((r) => r.means), '…'] : crisis.crisis.map((r) => r.means),
      emergency: crisis.emergency.map((e) => ({ label: e.label, number: e.number })),
      lines: crisis.lines.map((l) => ({ name: l.name, phone: l.phone, hours: l.hoursText })),
      chat: crisis.chat.map((c) => ({ name: c.name, url: c.url, hours: c.hoursText })),
    },
    sentences: {
      greeting: phrases.greeting,
      fallback: phrases.fallbackText,
      answerIntro: phrases.answerIntro,
      answerOutro: phrases.answerOutro,
      afterHours: afterHoursText(defs),
      crisisIntro: phrases.crisisIntro,
      crisisLinesIntro: phrases.crisisLinesIntro,
      crisisOutro: phrases.crisisOutro,
    },
    windows: defs.content.windows.map((w) => pictureWindow(defs, w)),
    ibasho: ibashoState(defs, now),
  };
}

function ibashoState(defs: Definitions, now: Date): FlowPicture['ibasho'] {
  const { ibasho, phrases } = defs.content;
  const next = nextIbashoOf(defs, now);
  const day = (d: string) => {
    const { month, day: dd, weekday } = dateParts(d as never);
    return fill(phrases.date.format, { month: String(month), day: String(dd), weekday: phrases.date.weekdays[weekday]! });
  };
  const rule = ibasho.rule.value;
  return {
    published: ibasho.dates.some((d) => d.status === 'held'),
    next: next ? next.dates.map(day).join(phrases.ibasho.plannedJoiner) + ` ${rule.start}〜${rule.end}` : null,
    remindersCanFire: remindersCanFire(defs, now),
    ruleMark: ibasho.rule.status,
  };
}

/** Where a command leads, in words. */
export function commandTarget(to: FlowPicture['commands'][number]['to'], text: FlowText): { text: string; node: string | null } {
  if ('node' in to) return { text: fill(text.goTo, { node: to.node }), node: to.node };
  if ('back' in to) return { text: `→ ${text.back}`, node: null };
  const actions = text.actions as Record<string, string>;
  return { text: `→ ${actions[to.action] ?? fill(text.unknownAction, { action: to.action })}`, node: null };
}
