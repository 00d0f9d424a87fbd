import { z } from 'zod';

/** Every fact shown to users carries where it came from and when someone last checked it. */
const provenance = {
  fact: z.string().min(1, 'name the row of docs/facts.md (or "seed-article")'),
  checked: z.iso.date('write the check date as YYYY-MM-DD'),
};

const knownProvenance = {
  ...provenance,
  source: z.string().min(1, 'give the URL (or "seed") the fact was read from'),
  status: z.enum(['confirmed', 'seed-only'], {
    error: 'only facts marked confirmed or seed-only may be shown to users',
  }),
};

export const knownFact = <T extends z.ZodType>(value: T) => z.strictObject({ value, ...knownProvenance });

/** A fact nobody could confirm: the bot says so and gives the number that reaches it. */
export const unknownFact = z.strictObject({ unknown: z.literal(true), ...provenance });

export const provenanceOnly = z.object(knownProvenance);

export type FactProvenance = z.infer<typeof provenanceOnly>;
