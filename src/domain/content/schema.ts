import { z } from 'zod';
import { knownFact, unknownFact } from './fact';
import { isJapanesePhoneNumber, isServiceNumber } from './phone';

export const weekdayIds = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayId = (typeof weekdayIds)[number];

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'write a time as "HH:MM" (00:00〜24:00)');

const phoneNumber = z.string().refine(isJapanesePhoneNumber, 'not a Japanese phone number');

export const openingSlot = z.strictObject({
  days: z.array(z.enum(weekdayIds)).min(1),
  open: clockTime,
  close: clockTime,
});

export const weeklyHours = z.strictObject({
  text: z.string().min(1),
  slots: z.array(openingSlot).optional(),
  closedOnHolidays: z.boolean().default(false),
  closedNewYear: z.boolean().default(false),
});
export type WeeklyHours = z.infer<typeof weeklyHours>;
export type OpeningSlot = z.infer<typeof openingSlot>;

const audience = z.enum(['all', 'self', 'family']);
export type Audience = z.infer<typeof audience>;

const windowNote = knownFact(z.string().min(1)).extend({ for: audience.default('all') });

const unknownPhone = unknownFact.extend({
  reachVia: z.string().min(1, 'name the window whose number reaches this one'),
  howToAsk: z.string().min(1),
});

export const windowSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]+$/, 'use lowercase letters, digits and "-"'),
  name: z.string().min(1).max(40, 'keep the name to 40 characters: it is a card title'),
  helpsWith: knownFact(z.string().min(1)),
  schedule: z.literal('ibasho').optional(),
  phone: z.union([knownFact(phoneNumber), unknownPhone], {
    error: 'give a phone fact (value, fact, source, checked, status) or an unknown one with reachVia',
  }),
  hours: z.union([knownFact(weeklyHours), unknownFact], {
    error: 'give hours as a fact (value, fact, source, checked, status: confirmed or seed-only), or as unknown: true with fact and checked',
  }),
  place: knownFact(z.string().min(1)).optional(),
  access: knownFact(z.string().min(1)).optional(),
  area: knownFact(z.string().min(1)).optional(),
  notes: z.array(windowNote).default([]),
});
export type SupportWindow = z.infer<typeof windowSchema>;

export const windowsFile = z.strictObject({
  sources: z.record(z.string(), z.string()).optional(),
  windows: z.array(windowSchema).min(1),
});

const isoDate = z.iso.date('write a date as YYYY-MM-DD');

/** Times and a short note (e.g. the room) of one date, when they differ from the rule's or add to it. */
const ibashoDateDetails = {
  start: clockTime.optional(),
  end: clockTime.optional(),
  note: z.string().min(1).max(60, 'keep the note to 60 characters').optional(),
};

const ibashoDate = z.discriminatedUnion('status', [
  z.strictObject({ date: isoDate, status: z.literal('held'), ...ibashoDateDetails, source: z.string().min(1), checked: isoDate }),
  z.strictObject({ date: isoDate, status: z.literal('cancelled'), source: z.string().min(1), checked: isoDate }),
  z.strictObject({
    date: isoDate,
    status: z.literal('moved'),
    movedTo: isoDate,
    ...ibashoDateDetails,
    source: z.string().min(1),
    checked: isoDate,
  }),
]);
export type IbashoDateOverride = z.infer<typeof ibashoDate>;

export { clockTime };

export const ibashoRule = z.strictObject({
  nth: z.number().int().min(1).max(5),
  weekdays: z.array(z.enum(weekdayIds)).min(1).max(2),
  tuesdayMonths: z.array(z.number().int().min(1).max(12)).default([]),
  start: clockTime,
  end: clockTime,
});
export type IbashoRule = z.infer<typeof ibashoRule>;

const reminderTime = z.strictObject({
  kind: z.string().regex(/^[a-z0-9-]+$/, 'use lowercase letters, digits and "-"'),
  daysBefore: z.number().int().min(0).max(7),
  at: clockTime.refine((t) => t >= '08:00' && t <= '21:00', 'a reminder must be sent between 08:00 and 21:00'),
});
export type ReminderTime = z.infer<typeof reminderTime>;

export const ibashoFile = z.strictObject({
  rule: knownFact(ibashoRule),
  dates: z.array(ibashoDate).default([]),
  reminders: z
    .strictObject({
      times: z.array(reminderTime).max(4),
      forPlannedDates: z.boolean().default(false),
    })
    .default({ times: [], forPlannedDates: false }),
});

const crisisProvenance = {
  fact: z.string().min(1),
  source: z.string().min(1),
  checked: isoDate,
  status: z.enum(['confirmed', 'seed-only']),
};

export const crisisFile = z.strictObject({
  keywords: z.array(z.string().min(1)).min(1),
  emergency: z
    .array(
      z.strictObject({
        label: z.string().min(1),
        number: z.string().refine(isServiceNumber, 'not an emergency number like 119'),
        ...crisisProvenance,
      }),
    )
    .min(1),
  lines: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        name: z.string().min(1),
        phone: phoneNumber,
        hoursText: z.string().min(1),
        slots: z.array(openingSlot).optional(),
        ...crisisProvenance,
      }),
    )
    .min(1),
  chat: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        name: z.string().min(1),
        url: z.url({ protocol: /^https$/ }),
        hoursText: z.string().min(1),
        ...crisisProvenance,
      }),
    )
    .default([]),
});
export type CrisisContent = z.infer<typeof crisisFile>;
export type CrisisLine = CrisisContent['lines'][number];

const phrase = z.string().min(1);
/** Quick-reply labels: LINE allows 20 characters (counted in code points, like the flow's labels). */
const buttonLabel = phrase.refine((s) => [...s].length <= 20, 'a button label can have at most 20 characters');
export const phrasesFile = z.strictObject({
  greeting: phrase,
  restartIntro: phrase,
  resetNotice: phrase,
  staleButton: phrase,
  fallbackText: phrase,
  nonText: phrase,
  answerIntro: phrase,
  /** Put before each staff notice (お知らせ) shown above an answer. */
  noticeLabel: phrase.default('【お知らせ】'),
  answerOutro: phrase,
  directoryIntro: phrase,
  crisisIntro: phrase,
  crisisLinesIntro: phrase,
  crisisOutro: phrase,
  crisisAltText: phrase,
  answerAltText: phrase,
  card: z.strictObject({
    phone: phrase,
    hours: phrase,
    place: phrase,
    access: phrase,
    area: phrase,
    callButton: phrase,
    chatButton: phrase,
    phoneUnknown: phrase,
    hoursUnknown: phrase,
    openNow: phrase,
    closedNow: phrase,
    closedNoNext: phrase,
  }),
  ibasho: z.strictObject({
    heldNext: phrase,
    heldToday: phrase,
    heldNow: phrase,
    planned: phrase,
    plannedJoiner: phrase,
    plannedNote: phrase,
    moved: phrase,
    cancelled: phrase,
    none: phrase,
  }),
  date: z.strictObject({
    format: phrase,
    formatWithTime: phrase,
    today: phrase,
    tomorrow: phrase,
    weekdays: z.array(phrase).length(7),
  }),
  reminder: z.strictObject({
    subscribed: phrase,
    alreadySubscribed: phrase,
    onlyConfirmedNote: phrase,
    howToStop: phrase,
    stopped: phrase,
    notSubscribed: phrase,
    dayOf: phrase,
    dayBefore: phrase,
    daysBefore: phrase,
    timesJoiner: phrase,
    preview: phrase.refine((t) => !/ひきこもり|引きこもり|生きづらさ/.test(t), 'the preview shows on lock screens: do not name ひきこもり or 生きづらさ'),
    when: phrase,
    moved: phrase,
    decided: phrase.default('次回の日にちが決まりました。'),
    place: phrase,
    notes: phrase,
  }),
  reminderSettings: z.strictObject({ subscribed: phrase, notSubscribed: phrase }),
  openNotice: z.strictObject({
    offer: phrase,
    subscribed: phrase,
    alreadyOpen: phrase,
    noHours: phrase,
    preview: phrase.refine((t) => !/ひきこもり|引きこもり|生きづらさ/.test(t), 'the preview shows on lock screens: do not name ひきこもり or 生きづらさ'),
    body: phrase,
  }),
  afterHours: z.strictObject({ intro: phrase }),
  forward: z.strictObject({
    howTo: phrase,
    card: phrase.refine((t) => !/ぜひ|絶対|がんばって|頑張って|べき|なきゃ|早く/.test(t), 'the card for ご本人 must not press (ぜひ, がんばって, べき, 早く …)'),
    plannedWhen: phrase,
    confirmedWhen: phrase,
  }),
  richMenu: z.strictObject({
    self: buttonLabel,
    family: buttonLabel,
    ibasho: buttonLabel,
    phones: buttonLabel,
    reminders: buttonLabel,
    restart: buttonLabel,
    chatBar: phrase.refine((s) => [...s].length <= 14, 'the chat bar text can have at most 14 characters'),
  }),
  quickReply: z.strictObject({
    notifyOpen: buttonLabel,
    forwardCard: buttonLabel,
    subscribe: buttonLabel,
    unsubscribe: buttonLabel,
    other: buttonLabel,
    ibasho: buttonLabel,
    restart: buttonLabel,
    menu: buttonLabel,
    phones: buttonLabel,
  }),
});
export type Phrases = z.infer<typeof phrasesFile>;

export interface Content {
  windows: SupportWindow[];
  ibasho: z.infer<typeof ibashoFile>;
  crisis: CrisisContent;
  phrases: Phrases;
}
