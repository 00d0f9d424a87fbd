import { z } from 'zod';
import { labelSchema, perLimits, type ContentLimits } from '../content-limits';

const nodeId = z.string().regex(/^[a-z0-9-]+$/, 'use lowercase letters, digits and "-"');

export const BACK_TARGET = '$back';

export const commandActions = ['subscribe-reminders', 'unsubscribe-reminders', 'reminder-settings'] as const;
export type CommandAction = (typeof commandActions)[number];

const answerNode = z.strictObject({
  kind: z.literal('answer'),
  audience: z.enum(['all', 'self', 'family', 'others']).default('all'),
  windows: z.array(z.string().min(1)).min(1, 'an answer must name at least one window'),
});

const directoryNode = z.strictObject({ kind: z.literal('directory') });

function makeFlowSchema(limits: ContentLimits) {
  const label = labelSchema(limits);
  const option = z.strictObject({
    label,
    synonyms: z.array(z.string().min(1)).default([]),
    next: nodeId,
  });

  const command = z
    .strictObject({
      id: nodeId,
      label,
      synonyms: z.array(z.string().min(1)).default([]),
      next: z.union([nodeId, z.literal(BACK_TARGET)]).optional(),
      action: z.enum(commandActions).optional(),
    })
    .refine((c) => (c.next === undefined) !== (c.action === undefined), 'a command needs either next or action');

  const questionNode = z.strictObject({
    kind: z.literal('question'),
    prompt: z.string().min(1),
    options: z.array(option).min(1).max(limits.questionOptions, `a question can offer at most ${limits.questionOptions} options`),
  });

  const flowNode = z.discriminatedUnion('kind', [questionNode, answerNode, directoryNode], {
    error: 'kind must be question, answer or directory',
  });

  const flowSchema = z.strictObject({
    id: nodeId,
    version: z.number().int().min(1),
    start: nodeId,
    commands: z.array(command).default([]),
    nodes: z.record(nodeId, flowNode),
  });
  return { flowSchema, option, command, questionNode, flowNode };
}

type Schemas = ReturnType<typeof makeFlowSchema>;
const schemasFor = perLimits(makeFlowSchema);

/** The flow's schema with a channel's limits on labels and options. */
export const flowSchemaFor = (limits: ContentLimits) => schemasFor(limits).flowSchema;

export type Flow = z.infer<Schemas['flowSchema']>;
export type FlowNode = z.infer<Schemas['flowNode']>;
export type QuestionNode = z.infer<Schemas['questionNode']>;
export type AnswerNode = z.infer<typeof answerNode>;
export type FlowOption = z.infer<Schemas['option']>;
export type FlowCommand = z.infer<Schemas['command']>;
