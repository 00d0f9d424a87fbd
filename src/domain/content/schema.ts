import { z } from 'zod';
import { knownFact, provenanceOnly, unknownFact } from './fact';
import { isJapanesePhoneNumber, isServiceNumber } from './phone';
import { IBASHO_NOTE_MAX_LENGTH, isPushTime, PUSH_HOURS } from './limits';
import { labelSchema, NO_CONTENT_LIMITS, perLimits, type ContentLimits } from '../content-limits';
import { DEFAULT_LANG, LANGS, type ByLang, type Lang } from '../lang';

export const weekdayIds = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type WeekdayId = (typeof weekdayIds)[number];

const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'write a time as "HH:MM" (00:00〜24:00)');

const phoneNumber = z.string().refine(isJapanesePhoneNumber, 'not a Japanese phone number');

export const openingSlot = z
  .strictObject({
    /** Days of the week, or */
    days: z.array(z.enum(weekdayIds)).min(1).optional(),
    /** days of the month (e.g. [10] for "毎月10日"). */
    monthDays: z.array(z.number().int().min(1).max(31)).min(1).optional(),
    open: clockTime,
    close: clockTime,
  })
  .refine((slot) => slot.days || slot.monthDays, 'give days (mon … sun) or monthDays (1 … 31)');

export const weeklyHours = z.strictObject({
  text: z.string().min(1),
  slots: z.array(openingSlot).optional(),
  closedOnHolidays: z.boolean().default(false),
  closedNewYear: z.boolean().default(false),
});
export type WeeklyHours = z.infer<typeof weeklyHours>;
export type OpeningSlot = z.infer<typeof openingSlot>;

/** self: ご本人, family: ご家族, others: 知り合い・近所の人 (neighbours, friends, 民生委員), all: everyone. */
const audience = z.enum(['all', 'self', 'family', 'others']);
export type Audience = z.infer<typeof audience>;

const windowNote = knownFact(z.string().min(1)).extend({ for: audience.default('all') });

const unknownPhone = unknownFact.extend({
  reachVia: z.string().min(1, 'name the window whose number reaches this one'),
  howToAsk: z.string().min(1),
});

/**
 * A way in that needs no phone call: a page or chat to write to (`uri`, shown as a button next to the
 * call button) or a place to walk into (`text` only).
 */
const otherWayWith = (button: z.ZodString) =>
  knownFact(
    z.strictObject({
      kind: z.enum(['line', 'mail', 'visit']),
      text: z.string().min(1),
      button: button.optional(),
      uri: z.url({ protocol: /^https$/ }).optional(),
    }).refine((way) => (way.uri === undefined) === (way.button === undefined), 'give both button and uri, or neither'),
  );
export type OtherWay = z.infer<ReturnType<typeof otherWayWith>>;

const windowSchemaWith = (limits: ContentLimits) => z.strictObject({
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
  otherWays: z.array(otherWayWith(labelSchema(limits))).default([]),
});
/** A window's fields; a channel's limits on labels are checked by windowsFileFor. */
export const windowSchema = windowSchemaWith(NO_CONTENT_LIMITS);
export type SupportWindow = z.infer<typeof windowSchema>;

/** content/windows.yaml, with a channel's limits on button labels. */
export const windowsFileFor = perLimits((limits) =>
  z.strictObject({
    sources: z.record(z.string(), z.string()).optional(),
    windows: z.array(windowSchemaWith(limits)).min(1),
  }),
);

const isoDate = z.iso.date('write a date as YYYY-MM-DD');

/** Times and a short note (e.g. the room) of one date, when they differ from the rule's or add to it. */
const ibashoDateDetails = {
  start: clockTime.optional(),
  end: clockTime.optional(),
  note: z.string().min(1).max(IBASHO_NOTE_MAX_LENGTH, `keep the note to ${IBASHO_NOTE_MAX_LENGTH} characters`).optional(),
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
  at: clockTime.refine(isPushTime, `a reminder must be sent from ${PUSH_HOURS.from} and before ${PUSH_HOURS.until} (no pushes at night)`),
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

/** A class's name (lowercase letters, e.g. `means`) or a list of words written in the rule itself. */
const wordsOrClass = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** One reading rule: `words`, or `first` … `then` (within N characters), or `together` (see reading-rules.ts). */
const readingRule = z
  .strictObject({
    means: z.string().min(1, 'say in a few words what the rule means'),
    words: wordsOrClass.optional(),
    first: wordsOrClass.optional(),
    then: wordsOrClass.optional(),
    within: z.number().int().min(0).max(30).optional(),
    together: z.array(wordsOrClass).min(2, 'together needs two classes or more').optional(),
    atLeast: z.number().int().min(2).optional(),
    of: z.array(wordsOrClass).min(2).optional(),
    whole: wordsOrClass.optional(),
    unless: wordsOrClass.optional(),
    scope: z.enum(['sentence', 'message']).optional(),
  })
  .refine(
    (r) =>
      [r.words !== undefined, r.first !== undefined || r.then !== undefined, r.together !== undefined, r.atLeast !== undefined || r.of !== undefined, r.whole !== undefined].filter(
        Boolean,
      ).length === 1,
    'give exactly one of: words, first + then, together, atLeast + of, whole',
  )
  .refine((r) => (r.first === undefined) === (r.then === undefined), 'first and then go together')
  .refine((r) => (r.atLeast === undefined) === (r.of === undefined), 'atLeast and of go together')
  .refine((r) => r.atLeast === undefined || r.of === undefined || r.atLeast <= r.of.length, 'atLeast cannot be more than the classes in of');

/** An everyday sense, with the corpus line (test/understanding/crisis-corpus.yaml, negative) it keeps from alarming. */
const everydayRule = z
  .strictObject({
    means: z.string().min(1),
    words: wordsOrClass.optional(),
    first: wordsOrClass.optional(),
    then: wordsOrClass.optional(),
    within: z.number().int().min(0).max(30).optional(),
    proof: z.string().min(1, 'give the everyday sentence of the corpus this rule keeps from alarming'),
  })
  .refine((r) => (r.words !== undefined) !== (r.first !== undefined && r.then !== undefined), 'give words, or first + then');

const CLASS_NAME = /^[a-z][a-z0-9-]*$/;

/** A phone line of the crisis or danger reply, with its hours as slots. */
const crisisLine = z.strictObject({
  id: z.string().min(1),
  name: z.string().min(1),
  phone: phoneNumber,
  hoursText: z.string().min(1),
  slots: z.array(openingSlot).optional(),
  ...crisisProvenance,
});

export const crisisFile = z.strictObject({
  classes: z.record(z.string().regex(CLASS_NAME, 'name a class with lowercase letters, digits and "-"'), z.array(z.string().min(1)).min(1)),
  crisis: z.array(readingRule).min(1),
  unsure: z.array(readingRule).default([]),
  danger: z.array(readingRule).default([]),
  everyday: z.array(everydayRule).default([]),
  aboutSomeoneElse: z.array(z.string().min(1)).default([]),
  forFamily: z
    .strictObject({
      text: z.string().min(1),
      windows: z.array(z.string().min(1)).default([]),
      ...crisisProvenance,
    })
    .optional(),
  emergency: z
    .array(
      z.strictObject({
        label: z.string().min(1),
        number: z.string().refine(isServiceNumber, 'not an emergency number like 119'),
        ...crisisProvenance,
      }),
    )
    .min(1),
  lines: z.array(crisisLine).min(1),
  chat: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        name: z.string().min(1),
        url: z.url({ protocol: /^https$/ }),
        hoursText: z.string().min(1),
        slots: z.array(openingSlot).optional(),
        ...crisisProvenance,
      }),
    )
    .default([]),
  /** The line (its id in `lines`) shown with a call button in every reply that did not understand: open around the clock. */
  notUnderstoodLine: z.string().min(1),
  /** The reply to violence or threats at home (rules in `danger`). */
  dangerAtHome: z.strictObject({
    intro: z.string().min(1),
    safety: z.string().min(1),
    emergency: z
      .array(z.strictObject({ label: z.string().min(1), number: z.string().refine(isServiceNumber, 'not an emergency number like 110'), ...crisisProvenance }))
      .min(1),
    linesIntro: z.string().min(1),
    lines: z
      .array(
        crisisLine.extend({
          /** Who the line is for, in one short line (配偶者・パートナーからの暴力 …). */
          for: z.string().min(1).optional(),
          closedOnHolidays: z.boolean().default(false),
          closedNewYear: z.boolean().default(false),
        }),
      )
      .default([]),
    /** Windows of content/windows.yaml shown after the lines (the 保健所's mental-health consultation). */
    windows: z.array(z.string().min(1)).default([]),
    windowsNote: z.string().min(1).optional(),
  }),
});
export type CrisisContent = z.infer<typeof crisisFile>;
export type ReadingRule = z.infer<typeof readingRule>;
export type CrisisLine = CrisisContent['lines'][number];
export type DangerLine = CrisisContent['dangerAtHome']['lines'][number];

const phrase = z.string().min(1);
/** content/phrases.yaml; its button and quick-reply labels are held to a channel's limit. */
/** A check of a text that depends on its language: the words that must not be on a lock screen, the words that press. */
interface TextRule {
  test: (text: string) => boolean;
  message: string;
}

/** The rules of phrases.yaml that are about words, per language (each language names its own). */
export const LANGUAGE_TEXT_RULES: ByLang<{ lockScreen: TextRule; noPressure: TextRule }> = {
  ja: {
    lockScreen: {
      test: (t) => !/ひきこもり|引きこもり|生きづらさ/.test(t),
      message: 'the preview shows on lock screens: do not name ひきこもり or 生きづらさ',
    },
    noPressure: {
      test: (t) => !/ぜひ|絶対|がんばって|頑張って|べき|なきゃ|早く/.test(t),
      message: 'the card for ご本人 must not press (ぜひ, がんばって, べき, 早く …)',
    },
  },
};

const phrasesFileWith = (buttonLabel: z.ZodString, rules: (typeof LANGUAGE_TEXT_RULES)[Lang]) => z.strictObject({
  greeting: phrase,
  restartIntro: phrase,
  resetNotice: phrase,
  staleButton: phrase,
  lateEvent: phrase,
  fallbackText: phrase,
  nonText: phrase,
  answerIntro: phrase,
  callHint: phrase,
  /** Put before each staff notice (お知らせ) shown above an answer. */
  noticeLabel: phrase.default('【お知らせ】'),
  /** After the newest notices shown above an answer, when more are running; {count} is how many more. */
  moreNotices: phrase.default('ほかのお知らせが あと{count}件あります。くわしくは窓口にお問い合わせください。'),
  answerOutro: phrase,
  answerLeads: z.record(z.string(), phrase).default({}),
  moreWindowsIntro: phrase,
  directoryIntro: phrase,
  directory: z.strictObject({ title: phrase, reachedHere: phrase, hoursUnknown: phrase }),
  otherWays: z.strictObject({ title: phrase }),
  crisisIntro: phrase,
  crisisLinesIntro: phrase,
  crisisMoreIntro: phrase,
  crisisEmergencyButton: buttonLabel,
  crisisOutro: phrase,
  crisisAltText: phrase,
  answerAltText: phrase,
  /** The line with a call button in every reply that did not understand ({name} {phone} {hours} of crisis.yaml's notUnderstoodLine). */
  notUnderstoodLine: phrase,
  /** Asked back when exhaustion or hopelessness is written without a clear intent. */
  askBack: z.strictObject({
    question: phrase,
    line: phrase,
    yes: buttonLabel,
    notThatFar: buttonLabel,
    listen: buttonLabel,
    notThatFarReply: phrase,
    listenReply: phrase,
    altText: phrase,
  }),
  dangerAltText: phrase,
  askAudience: phrase,
  card: z.strictObject({
    phone: phrase,
    hours: phrase,
    place: phrase,
    access: phrase,
    area: phrase,
    callButton: phrase,
    chatButton: phrase,
    phoneUnknown: phrase,
    phoneVia: phrase,
    detailButton: buttonLabel,
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
    subscribedNoDate: phrase,
    alreadySubscribedNoDate: phrase,
    onlyConfirmedNote: phrase,
    howToStop: phrase,
    stopped: phrase,
    notSubscribed: phrase,
    dayOf: phrase,
    dayBefore: phrase,
    daysBefore: phrase,
    timesJoiner: phrase,
    preview: phrase.refine(rules.lockScreen.test, rules.lockScreen.message),
    when: phrase,
    moved: phrase,
    decided: phrase.default('次回の日にちが決まりました。'),
    place: phrase,
    notes: phrase,
  }),
  reminderSettings: z.strictObject({ subscribed: phrase, notSubscribed: phrase, subscribedNoDate: phrase, notSubscribedNoDate: phrase }),
  openNotice: z.strictObject({
    offer: phrase,
    subscribed: phrase,
    alreadyOpen: phrase,
    noHours: phrase,
    preview: phrase.refine(rules.lockScreen.test, rules.lockScreen.message),
    body: phrase,
  }),
  listed: z.strictObject({ window: phrase, windowVia: phrase, hoursUnknown: phrase, line: phrase, chat: phrase }),
  afterHours: z.strictObject({ intro: phrase }),
  forward: z.strictObject({
    howTo: phrase,
    card: phrase.refine(rules.noPressure.test, rules.noPressure.message),
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
    crisisLines: buttonLabel,
    subscribe: buttonLabel,
    unsubscribe: buttonLabel,
    other: buttonLabel,
    ibasho: buttonLabel,
    restart: buttonLabel,
    menu: buttonLabel,
    phones: buttonLabel,
    moreWindows: buttonLabel,
    moreCrisis: buttonLabel,
  }),
});
const phrasesByLang = Object.fromEntries(
  LANGS.map((lang) => [lang, perLimits((limits) => phrasesFileWith(labelSchema(limits), LANGUAGE_TEXT_RULES[lang]))]),
) as unknown as ByLang<(limits: ContentLimits) => ReturnType<typeof phrasesFileWith>>;
/** phrases.yaml's schema for a channel's limits and a language's word rules. */
export const phrasesFileFor = (limits: ContentLimits, lang: Lang = DEFAULT_LANG) => phrasesByLang[lang](limits);
export type Phrases = z.infer<ReturnType<typeof phrasesFileWith>>;


const words = z.array(z.string().min(1));
const stemPattern = z.strictObject({
  stems: words.min(1),
  endings: words.min(1),
  within: z.number().int().min(0).max(20),
});

/** How typed sentences are read: spellings unified and who is writing. */
export const understandingFile = z.strictObject({
  spellings: z.record(z.string().min(1), words).default({}),
  generalWords: words.default([]),
  audience: z.strictObject({
    family: words.default([]),
    parents: words.default([]),
    self: words.default([]),
    selfDescriptions: words.default([]),
    particles: words.default([]),
  }),
});
export type UnderstandingContent = z.infer<typeof understandingFile>;

const answerText = phrase.refine((s) => [...s].length <= 1000, 'keep an answer to 1000 characters (it shares one LINE message with the list)');

/** First-time questions (cost, anonymity, hours …) and small talk, answered from content. */
export const faqFile = z.strictObject({
  faqs: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9-]+$/, 'use lowercase letters, digits and "-"'),
        asks: z.strictObject({ words: words.default([]), patterns: z.array(stemPattern).default([]) }),
        answer: answerText,
        windows: words.default([]),
        crisisLines: words.default([]),
        chat: words.default([]),
        facts: z.array(provenanceOnly).min(1, 'say where what the answer says comes from (fact, source, checked, status)'),
      }),
    )
    .default([]),
  smallTalk: z
    .array(z.strictObject({ id: z.string().regex(/^[a-z0-9-]+$/), words: words.min(1), answer: answerText }))
    .default([]),
  smallTalkFillers: words.default([]),
});
export type FaqContent = z.infer<typeof faqFile>;

export interface Content {
  windows: SupportWindow[];
  ibasho: z.infer<typeof ibashoFile>;
  crisis: CrisisContent;
  phrases: Phrases;
  faq: FaqContent;
  understanding: UnderstandingContent;
}
