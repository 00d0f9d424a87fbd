import { z } from 'zod';

/**
 * What a channel can show of the content, declared by the channel (LINE's in src/line/line-limits.ts)
 * and checked when flows/ and content/ are loaded, so that a staff edit that cannot be shown is refused
 * with its file and field. The domain holds no channel's numbers.
 */
export interface ContentLimits {
  /** A button or quick-reply label, in code points. */
  labelChars: number;
  /** A question's options (the channel adds 最初から after them). */
  questionOptions: number;
  /** The windows one answer may name. */
  answerWindows: number;
}

/** No limits: for building definitions that are not shown on a channel (evaluations, benchmarks). */
export const NO_CONTENT_LIMITS: ContentLimits = { labelChars: Infinity, questionOptions: Infinity, answerWindows: Infinity };

/** A button label, counted in code points like the channels do; its limit is the channel's. */
export function labelSchema(limits: ContentLimits) {
  const max = limits.labelChars;
  return z
    .string()
    .min(1)
    .refine((s) => [...s].length <= max, `a button label can have at most ${max} characters`);
}

/** Schemas made once per limits (a channel declares its limits once). */
export function perLimits<T>(make: (limits: ContentLimits) => T): (limits: ContentLimits) => T {
  const made = new WeakMap<ContentLimits, T>();
  return (limits) => {
    let value = made.get(limits);
    if (value === undefined) made.set(limits, (value = make(limits)));
    return value;
  };
}
