import { z } from 'zod';

/** LINE cuts quick-reply labels at 20 characters; counted in code points like LINE does. */
const label = z
  .string()
  .min(1)
  .refine((s) => [...s].length <= 20, 'a button label can have at most 20 characters');

const nodeId = z.string().regex(/^[a-z0-9-]+$/, 'use lowercase letters, digits and "-"');

const option = z.strictObject({
  label,
  synonyms: z.array(z.string().min(1)).default([]),
  next: nodeId,
});

export const BACK_TARGET = '$back';

export const commandActions = ['subscribe-reminders', 'unsubscribe-reminders', 'reminder-settings'] as const;
export type CommandAction = (typeof commandActions)[number];

const command = z
  .strictObject({
    id: nodeId,
    label,
    synonyms: z.array(z.string().min(1)).default([]),
    next: z.union([nodeId, z.literal(BACK_TARGET)]).optional(),
    action: z.enum(commandActions).optional(),
  })
  .refine((c) => (c.next === undefined) !== (c.action === undefined), 'a command needs either next or action');

// A question's options plus 最初から must fit LINE's 13 quick-reply items.
const MAX_OPTIONS = 12;

const questionNode = z.strictObject({
  kind: z.literal('question'),
  prompt: z.string().min(1),
  options: z.array(option).min(1).max(MAX_OPTIONS, `a question can offer at most ${MAX_OPTIONS} options`),
});

const answerNode = z.strictObject({
  kind: z.literal('answer'),
  audience: z.enum(['all', 'self', 'family', 'others']).default('all'),
  windows: z.array(z.string().min(1)).min(1, 'an answer must name at least one window'),
});

const directoryNode = z.strictObject({ kind: z.literal('directory') });

const flowNode = z.discriminatedUnion('kind', [questionNode, answerNode, directoryNode], {
  error: 'kind must be question, answer or directory',
});

export const flowSchema = z.strictObject({
  id: nodeId,
  version: z.number().int().min(1),
  start: nodeId,
  commands: z.array(command).default([]),
  nodes: z.record(nodeId, flowNode),
});

export type Flow = z.infer<typeof flowSchema>;
export type FlowNode = z.infer<typeof flowNode>;
export type QuestionNode = z.infer<typeof questionNode>;
export type AnswerNode = z.infer<typeof answerNode>;
export type FlowOption = z.infer<typeof option>;
export type FlowCommand = z.infer<typeof command>;
