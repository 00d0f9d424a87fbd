/**
 * The people the load generator plays: a pool of distinct LINE users who follow, then walk the tree
 * by tapping one of the quick replies the bot offered them in its last reply (as recorded by the
 * stand-in LINE API), now and then typing instead, writing crisis words, sending a sticker, or
 * blocking and unblocking (a new follow). Choices come from a seeded PRNG, so every target is asked
 * the same kinds of things in the same proportions; what is tapped depends on what each target offered.
 */
import { createHash } from 'node:crypto';
import type { webhook } from '@line/bot-sdk';
import type { OfferedChoice } from '../test/support/fake-line-server';
import { followEvent, postbackEvent, stickerEvent, textEvent } from '../test/support/line-webhook';
import { seededRandom } from './measure';

export type EventKind = 'follow' | 'tap' | 'text' | 'crisis' | 'sticker' | 'refollow';

/** Shares of the events after a person's first follow. Whatever is left over is a tap. */
export const MIX = { crisis: 0.02, sticker: 0.01, refollow: 0.01, text: 0.12 } as const;

const TYPED = [
  'こんにちは',
  '相談したいです',
  '息子が部屋から出てきません',
  'どこに電話すればいいですか',
  '家族です',
  '本人です',
  'いばしょ',
  '電話番号',
  '最初から',
  '仕事のことで悩んでいます',
  'ありがとうございました',
  '夜も相談できますか',
];
const CRISIS = ['死にたい', 'もう死にたいです', '消えたい'];

export interface Person {
  id: string;
  followed: boolean;
  /** What the last reply offered to tap. */
  choices: OfferedChoice[];
  /** An event was sent and its reply has not been seen yet. */
  waiting: boolean;
}

export interface PlannedEvent {
  person: Person;
  kind: EventKind;
  event: webhook.Event & { replyToken: string };
}

/** A LINE-shaped user id (U + 32 hex), stable for a namespace and index. */
export function userId(namespace: string, index: number): string {
  return `U${createHash('sha256').update(`${namespace}:${index}`).digest('hex').slice(0, 32)}`;
}

export class Crowd {
  readonly people: Person[];
  private readonly random: () => number;
  private cursor = 0;

  constructor(size: number, namespace: string, seed: number) {
    this.people = Array.from({ length: size }, (_, i) => ({ id: userId(namespace, i), followed: false, choices: [], waiting: false }));
    this.random = seededRandom(seed);
  }

  /** The next person who has not followed yet, for a follow storm; null when everyone has. */
  nextNewcomer(): PlannedEvent | null {
    while (this.cursor < this.people.length) {
      const person = this.people[this.cursor++]!;
      if (!person.followed && !person.waiting) return this.plan(person, 'follow');
    }
    return null;
  }

  /** Someone at random who is not waiting for a reply, and what they do; null if all are waiting. */
  nextTurn(): PlannedEvent | null {
    const start = Math.floor(this.random() * this.people.length);
    for (let i = 0; i < this.people.length; i++) {
      const person = this.people[(start + i) % this.people.length]!;
      if (person.waiting) continue;
      return this.plan(person, person.followed ? this.pickKind(person) : 'follow');
    }
    return null;
  }

  private pickKind(person: Person): EventKind {
    let r = this.random();
    for (const kind of ['crisis', 'sticker', 'refollow', 'text'] as const) {
      if (r < MIX[kind]) return kind;
      r -= MIX[kind];
    }
    return person.choices.length > 0 ? 'tap' : 'text';
  }

  private plan(person: Person, kind: EventKind): PlannedEvent {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(this.random() * list.length)]!;
    let event: webhook.Event & { replyToken: string };
    switch (kind) {
      case 'follow':
      case 'refollow':
        event = followEvent(person.id, { isUnblocked: kind === 'refollow' }) as typeof event;
        break;
      case 'tap': {
        const choice = pick(person.choices);
        event = (choice.type === 'postback' ? postbackEvent(person.id, choice.data) : textEvent(person.id, choice.text)) as typeof event;
        break;
      }
      case 'crisis':
        event = textEvent(person.id, pick(CRISIS)) as typeof event;
        break;
      case 'sticker':
        event = stickerEvent(person.id) as typeof event;
        break;
      case 'text':
        event = textEvent(person.id, pick(TYPED)) as typeof event;
        break;
    }
    person.waiting = true;
    person.followed = true;
    return { person, kind, event };
  }
}
