import type { ContentLimits } from '../domain/content-limits';

/**
 * LINE's limits (Messaging API reference, "Message objects" and "Quick reply"). Only src/line/ knows
 * them: the renderer shortens what LINE cannot hold, and the content is checked against them when it loads.
 */
/** Bubbles in one carousel. */
export const CARDS_PER_CAROUSEL = 12;
/** A flex message's altText, in UTF-16 code units. */
export const ALT_TEXT_LIMIT = 1500;
/** Quick-reply items under one message. */
export const QUICK_REPLY_LIMIT = 13;
/** A quick-reply or button label: LINE cuts it at 20 characters (counted in code points). */
export const LABEL_LIMIT = 20;

/** What content shown on LINE must fit: a question's options plus 最初から are its quick replies; an answer's windows fit one carousel. */
export const LINE_CONTENT_LIMITS: ContentLimits = {
  labelChars: LABEL_LIMIT,
  questionOptions: QUICK_REPLY_LIMIT - 1,
  answerWindows: CARDS_PER_CAROUSEL,
};
