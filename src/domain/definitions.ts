import type { z } from 'zod';
import { DEFAULT_LANG, type Lang } from './lang';
import { isClassName } from './text/reading-rules';
import { crisisFile, faqFile, ibashoFile, phrasesFileFor, understandingFile, windowsFileFor, type Content, type SupportWindow } from './content/schema';
import { NO_CONTENT_LIMITS, type ContentLimits } from './content-limits';
import { flowSchemaFor, BACK_TARGET, type Flow } from './flow/schema';
import { compileFlow, type CompiledFlow } from './flow/compile';
import { compileUnderstanding, type Understanding } from './text/understanding';
import type { Notice } from './staff-changes/change';

/** Everything the conversation needs, validated and compiled once at start-up. */
export interface Definitions {
  /** The language of every text here (content/ and flows/ for that language). */
  lang: Lang;
  flow: CompiledFlow;
  content: Content;
  windowsById: Map<string, SupportWindow>;
  /** How typed text is read, compiled from the flow and content. */
  understanding: Understanding;
  /** Staff notices (お知らせ) shown above answers while they run; none come from content/. */
  notices: Notice[];
  /**
   * めぐろのいばしょ: the id of its window (the one with `schedule: ibasho`) and of the answer that shows
   * only that window (where いばしょの日程 leads). Both are checked at start-up.
   */
  ibasho: { window: string; node: string };
  /** The phone list (the first directory node), where 電話番号の一覧 leads; none when the flow has no directory. */
  phonesNode: string | undefined;
}

/** The いばしょ window, as merged with the staff's changes. */
export function ibashoWindowOf(defs: Definitions): SupportWindow {
  return defs.windowsById.get(defs.ibasho.window)!;
}

/** The parsed (not yet validated) files, keyed by the path shown in error messages. */
export interface RawDefinitions {
  flow: { path: string; data: unknown };
  windows: { path: string; data: unknown };
  ibasho: { path: string; data: unknown };
  crisis: { path: string; data: unknown };
  phrases: { path: string; data: unknown };
  faq: { path: string; data: unknown };
  understanding: { path: string; data: unknown };
}

export class DefinitionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem(s) in flows/ or content/:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'DefinitionsError';
  }
}

/** "windows[3].phone" from zod's path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

function parse<T extends z.ZodType>(schema: T, file: { path: string; data: unknown }, problems: string[]) {
  const result = schema.safeParse(file.data);
  if (result.success) return result.data as z.infer<T>;
  for (const issue of result.error.issues) {
    const where = issue.path.length > 0 ? formatPath(issue.path) : '(top level)';
    problems.push(`${file.path}: ${where}: ${issue.message}`);
  }
  return null;
}

/** Placeholders each phrase must keep, so a rewording cannot drop a phone number or a date. */
const requiredPlaceholders: Record<string, string[]> = {
  'card.callButton': ['phone'],
  'card.phoneUnknown': ['via', 'phone', 'howToAsk'],
  'card.phoneVia': ['via', 'phone'],
  'card.closedNow': ['next'],
  'ibasho.heldNext': ['date', 'start', 'end'],
  'ibasho.heldToday': ['start', 'end'],
  'ibasho.heldNow': ['end'],
  'ibasho.planned': ['dates', 'start', 'end'],
  'ibasho.plannedNote': ['via', 'phone'],
  'ibasho.moved': ['from', 'to'],
  'ibasho.cancelled': ['date'],
  'ibasho.none': ['via', 'phone'],
  'date.format': ['month', 'day', 'weekday'],
  'reminder.subscribed': ['times'],
  'reminder.alreadySubscribed': ['times'],
  'reminder.daysBefore': ['n'],
  'reminder.when': ['date', 'start', 'end'],
  'reminder.moved': ['from', 'to'],
  'reminder.place': ['place', 'access'],
  'reminderSettings.subscribed': ['times'],
  'reminderSettings.notSubscribed': ['times'],
  'openNotice.subscribed': ['name', 'when'],
  'openNotice.alreadyOpen': ['name'],
  'openNotice.body': ['name', 'hours'],
  'forward.card': ['when', 'place'],
  'forward.plannedWhen': ['dates', 'start', 'end'],
  'forward.confirmedWhen': ['date', 'start', 'end'],
  'date.formatWithTime': ['month', 'day', 'weekday', 'time'],
  'askAudience': ['need'],
  'listed.window': ['name', 'phone'],
  'listed.windowVia': ['name', 'via', 'phone'],
  'listed.line': ['name', 'phone'],
  'listed.chat': ['name', 'url'],
};

function checkWindows(windows: SupportWindow[], file: string, problems: string[]) {
  const seen = new Set<string>();
  windows.forEach((window, i) => {
    if (seen.has(window.id)) problems.push(`${file}: windows[${i}].id: "${window.id}" is used twice`);
    seen.add(window.id);
    if ('unknown' in window.phone) {
      const reachVia = window.phone.reachVia;
      const via = windows.find((w) => w.id === reachVia);
      if (!via) problems.push(`${file}: windows[${i}].phone.reachVia: no window "${reachVia}"`);
      else if ('unknown' in via.phone) problems.push(`${file}: windows[${i}].phone.reachVia: "${via.id}" has no known number either`);
    }
  });
  const ibasho = windows.filter((w) => w.schedule === 'ibasho');
  if (ibasho.length === 0) problems.push(`${file}: windows: one window needs "schedule: ibasho" (めぐろのいばしょ)`);
  if (ibasho.length > 1) problems.push(`${file}: windows: only one window can have "schedule: ibasho"; ${ibasho.map((w) => `"${w.id}"`).join(', ')} do`);
}

/** The answer that shows only the いばしょ window: いばしょの日程 and the quick reply under other answers lead there. */
function ibashoNodeOf(flow: Flow, ibashoWindow: string): string | undefined {
  return Object.entries(flow.nodes).find(([, node]) => node.kind === 'answer' && node.windows.length === 1 && node.windows[0] === ibashoWindow)?.[0];
}

function checkIbashoNode(flow: Flow, windows: SupportWindow[], file: string, problems: string[]) {
  const window = windows.find((w) => w.schedule === 'ibasho');
  if (window && !ibashoNodeOf(flow, window.id)) {
    problems.push(`${file}: nodes: one answer needs to show only the いばしょ window "${window.id}" (いばしょの日程 leads there)`);
  }
}

/** An answer's lead sentence must belong to an answer of the flow. */
function checkAnswerLeads(phrases: Content['phrases'], flow: Flow, file: string, problems: string[]) {
  for (const node of Object.keys(phrases.answerLeads)) {
    if (flow.nodes[node]?.kind !== 'answer') problems.push(`${file}: answerLeads.${node}: no answer "${node}" in the flow`);
  }
}

function checkIbasho(ibasho: Content['ibasho'], file: string, problems: string[]) {
  ibasho.dates.forEach((entry, i) => {
    if (entry.status === 'moved' && entry.movedTo === entry.date) problems.push(`${file}: dates[${i}].movedTo: the same as the date`);
  });
}

function checkPhrases(phrases: Content['phrases'], file: string, problems: string[]) {
  for (const [key, names] of Object.entries(requiredPlaceholders)) {
    const [group, name] = key.split('.') as [keyof Content['phrases'], string | undefined];
    const text = name === undefined ? phrases[group] : (phrases[group] as Record<string, unknown>)[name];
    if (typeof text !== 'string') continue;
    for (const placeholder of names) {
      if (!text.includes(`{${placeholder}}`)) problems.push(`${file}: ${key}: must contain {${placeholder}}`);
    }
  }
}

function reachableNodes(flow: Flow): Set<string> {
  const seen = new Set<string>();
  const queue = [flow.start, ...flow.commands.flatMap((c) => (c.next && c.next !== BACK_TARGET ? [c.next] : []))];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = flow.nodes[id];
    if (node?.kind === 'question') queue.push(...node.options.map((o) => o.next));
  }
  return seen;
}

function checkFlow(flow: Flow, windowList: SupportWindow[], paths: RawDefinitions, limits: ContentLimits, problems: string[]) {
  const file = paths.flow.path;
  const exists = (id: string) => Object.prototype.hasOwnProperty.call(flow.nodes, id);
  if (!exists(flow.start)) problems.push(`${file}: start: no node "${flow.start}"`);
  if (flow.nodes[flow.start] && flow.nodes[flow.start]!.kind !== 'question')
    problems.push(`${file}: start: "${flow.start}" must be a question`);
  const commandIds = new Set<string>();
  flow.commands.forEach((command, i) => {
    if (commandIds.has(command.id)) problems.push(`${file}: commands[${i}].id: "${command.id}" is used twice`);
    commandIds.add(command.id);
    if (command.next !== undefined && command.next !== BACK_TARGET && !exists(command.next))
      problems.push(`${file}: commands[${i}].next: no node "${command.next}"`);
  });
  const windows = new Map(windowList.map((w) => [w.id, w]));
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.kind === 'question') {
      const labels = new Set<string>();
      node.options.forEach((option, i) => {
        if (!exists(option.next)) problems.push(`${file}: nodes.${id}.options[${i}].next: no node "${option.next}"`);
        if (labels.has(option.label)) problems.push(`${file}: nodes.${id}.options[${i}].label: "${option.label}" is used twice`);
        labels.add(option.label);
      });
      const targets = node.options.map((o) => o.next);
      if (new Set(targets).size !== targets.length)
        problems.push(`${file}: nodes.${id}.options: two options lead to the same node`);
    }
    if (node.kind === 'answer') {
      node.windows.forEach((windowId, i) => {
        if (!windows.has(windowId)) problems.push(`${file}: nodes.${id}.windows[${i}]: no window "${windowId}" in ${paths.windows.path}`);
      });
      if (node.windows.length > limits.answerWindows) problems.push(`${file}: nodes.${id}.windows: at most ${limits.answerWindows} windows fit in one answer`);
    }
  }
  const reachable = reachableNodes(flow);
  for (const id of Object.keys(flow.nodes)) {
    if (!reachable.has(id)) problems.push(`${file}: nodes.${id}: no option or command leads here`);
  }
}

function checkCrisis(crisis: Content['crisis'], windowList: SupportWindow[], file: string, problems: string[]) {
  const ids = new Set(windowList.map((w) => w.id));
  crisis.forFamily?.windows.forEach((id, i) => {
    if (!ids.has(id)) problems.push(`${file}: forFamily.windows[${i}]: no window "${id}"`);
  });
  crisis.dangerAtHome.windows.forEach((id, i) => {
    if (!ids.has(id)) problems.push(`${file}: dangerAtHome.windows[${i}]: no window "${id}"`);
  });
  const line = crisis.lines.find((l) => l.id === crisis.notUnderstoodLine);
  if (!line) problems.push(`${file}: notUnderstoodLine: no line "${crisis.notUnderstoodLine}" in lines`);
  else if (!(line.slots ?? []).some((s) => s.days?.length === 7 && s.open === '00:00' && s.close === '24:00'))
    problems.push(`${file}: notUnderstoodLine: "${line.id}" is not open around the clock (every day 00:00-24:00)`);
  // Every class a rule names must exist (a name is lowercase letters; a list is the rule's own words).
  const sections = { crisis: crisis.crisis, unsure: crisis.unsure, danger: crisis.danger, everyday: crisis.everyday } as const;
  for (const [section, rules] of Object.entries(sections)) {
    rules.forEach((rule, i) => {
      const named = { words: rule.words, first: rule.first, then: rule.then, unless: 'unless' in rule ? rule.unless : undefined, whole: 'whole' in rule ? rule.whole : undefined };
      for (const [field, value] of Object.entries(named)) {
        if (typeof value === 'string' && isClassName(value) && !crisis.classes[value]) problems.push(`${file}: ${section}[${i}].${field}: no class "${value}" in classes`);
      }
      for (const list of ['together', 'of'] as const) {
        (list in rule ? ((rule as Record<string, unknown>)[list] as unknown[] | undefined) ?? [] : []).forEach((value, j) => {
          if (typeof value === 'string' && isClassName(value) && !crisis.classes[value]) problems.push(`${file}: ${section}[${i}].${list}[${j}]: no class "${value}" in classes`);
        });
      }
    });
  }
}

function checkFaq(faq: Content['faq'], windowList: SupportWindow[], crisis: Content['crisis'], file: string, problems: string[]) {
  const windowIds = new Set(windowList.map((w) => w.id));
  const lineIds = new Set(crisis.lines.map((l) => l.id));
  const chatIds = new Set(crisis.chat.map((c) => c.id));
  const seen = new Set<string>();
  faq.faqs.forEach((entry, i) => {
    if (seen.has(entry.id)) problems.push(`${file}: faqs[${i}].id: "${entry.id}" is used twice`);
    seen.add(entry.id);
    if (entry.asks.words.length === 0 && entry.asks.patterns.length === 0) problems.push(`${file}: faqs[${i}].asks: give words or patterns`);
    entry.windows.forEach((id, j) => {
      if (!windowIds.has(id)) problems.push(`${file}: faqs[${i}].windows[${j}]: no window "${id}" in content/windows.yaml`);
    });
    entry.crisisLines.forEach((id, j) => {
      if (!lineIds.has(id)) problems.push(`${file}: faqs[${i}].crisisLines[${j}]: no line "${id}" in content/crisis.yaml`);
    });
    entry.chat.forEach((id, j) => {
      if (!chatIds.has(id)) problems.push(`${file}: faqs[${i}].chat[${j}]: no chat "${id}" in content/crisis.yaml`);
    });
  });
}

/**
 * Validates and compiles the flow and content; throws DefinitionsError listing every problem. `limits`
 * are what the channels can show (LINE's: src/line/line-limits.ts), passed by whoever loads content for them.
 */
export function buildDefinitions(raw: RawDefinitions, lang: Lang = DEFAULT_LANG, limits: ContentLimits = NO_CONTENT_LIMITS): Definitions {
  const problems: string[] = [];
  const flow = parse(flowSchemaFor(limits), raw.flow, problems);
  const windows = parse(windowsFileFor(limits), raw.windows, problems);
  const ibasho = parse(ibashoFile, raw.ibasho, problems);
  const crisis = parse(crisisFile, raw.crisis, problems);
  const phrases = parse(phrasesFileFor(limits, lang), raw.phrases, problems);
  const faq = parse(faqFile, raw.faq, problems);
  const understanding = parse(understandingFile, raw.understanding, problems);
  // Cross-checks run on every file that parsed, so that one run reports every problem.
  if (windows) checkWindows(windows.windows, raw.windows.path, problems);
  if (ibasho) checkIbasho(ibasho, raw.ibasho.path, problems);
  if (phrases) checkPhrases(phrases, raw.phrases.path, problems);
  if (flow && windows) checkFlow(flow, windows.windows, raw, limits, problems);
  if (flow && windows) checkIbashoNode(flow, windows.windows, raw.flow.path, problems);
  if (flow && phrases) checkAnswerLeads(phrases, flow, raw.phrases.path, problems);
  if (windows && crisis) checkCrisis(crisis, windows.windows, raw.crisis.path, problems);
  if (windows && crisis && faq) checkFaq(faq, windows.windows, crisis, raw.faq.path, problems);
  if (!flow || !windows || !ibasho || !crisis || !phrases || !faq || !understanding || problems.length > 0) throw new DefinitionsError(problems);

  const content: Content = { windows: windows.windows, ibasho, crisis, phrases, faq, understanding };
  const ibashoWindowId = windows.windows.find((w) => w.schedule === 'ibasho')!.id;
  return {
    lang,
    flow: compileFlow(flow),
    content,
    windowsById: new Map(content.windows.map((w) => [w.id, w])),
    understanding: compileUnderstanding(flow, crisis, faq, understanding, lang),
    notices: [],
    ibasho: { window: ibashoWindowId, node: ibashoNodeOf(flow, ibashoWindowId)! },
    phonesNode: Object.entries(flow.nodes).find(([, node]) => node.kind === 'directory')?.[0],
  };
}
