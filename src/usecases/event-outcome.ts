import type { TurnOutcome } from '../domain/conversation';
import type { EventOutcome, EventResult } from './ports';

/**
 * Every kind of turn, as operators count it. A Record, so that a new kind of turn does not compile
 * until someone decides how it is counted.
 */
const TURN_OUTCOMES: Record<TurnOutcome, EventOutcome> = {
  greeted: 'answered',
  question: 'answered',
  answer: 'answered',
  directory: 'answered',
  crisis: 'crisis',
  danger: 'danger',
  askBack: 'asked_back',
  listening: 'answered',
  unrecognized: 'not_understood',
  nonText: 'non_text',
  staleButton: 'stale',
  late: 'late',
  subscribed: 'answered',
  unsubscribed: 'answered',
  reminderSettings: 'answered',
  forwardCard: 'answered',
  openNotice: 'answered',
  moreWindows: 'answered',
  windowDetail: 'answered',
  faq: 'answered',
  smallTalk: 'answered',
  askAudience: 'answered',
  reset: 'answered',
};

/** How an event ended: from the use case's result, and from the turn when one was computed for it. */
export function eventOutcome(result: EventResult, turn: TurnOutcome | null): EventOutcome {
  switch (result) {
    case 'duplicate':
      return 'duplicate';
    case 'ignored':
      return 'ignored';
    case 'deleted':
      return 'unfollowed';
    case 'resent':
    case 'assumed-delivered':
      return 'taken_over';
    case 'late':
      // A late event's turn is 'late', or 'crisis' when it carried crisis words.
      return turn ? TURN_OUTCOMES[turn] : 'late';
    case 'replied':
      return turn ? TURN_OUTCOMES[turn] : 'answered';
  }
}
