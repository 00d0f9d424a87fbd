import type { Definitions } from './definitions';
import { BACK_TARGET } from './flow/schema';
import { encodePostback } from './postback';
import type { ChoiceAction } from './reply';

/** How our menu is told apart from menus made by hand in the LINE console or by other tools. */
export const RICH_MENU_NAME = 'meguro-guide-main';

/** One of LINE's rich menu sizes (full height); a 3×2 grid of tiles. */
export const RICH_MENU_SIZE = { width: 2500, height: 1686 } as const;
const COLUMNS = 3;
const ROWS = 2;

/** The areas in reading order: left to right, top row first. Keys are those of `richMenu` in content/phrases.yaml. */
export const RICH_MENU_AREA_KEYS = ['self', 'family', 'ibasho', 'phones', 'reminders', 'restart'] as const;
export type RichMenuAreaKey = (typeof RICH_MENU_AREA_KEYS)[number];

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RichMenuArea {
  key: RichMenuAreaKey;
  label: string;
  /** Postback data the engine decodes (src/domain/postback.ts). */
  data: string;
  bounds: Bounds;
}

export interface RichMenuPlan {
  name: string;
  chatBarText: string;
  size: { width: number; height: number };
  areas: RichMenuArea[];
}

export class RichMenuPlanError extends Error {
  override name = 'RichMenuPlanError';
}

/** Splits `total` into `parts` whole lengths that differ by at most one and add up exactly. */
function split(total: number, parts: number): { start: number; length: number }[] {
  return Array.from({ length: parts }, (_, i) => {
    const start = Math.round((total * i) / parts);
    return { start, length: Math.round((total * (i + 1)) / parts) - start };
  });
}

/**
 * Where a tap on a node area goes. A rich menu is tapped from anywhere in the conversation, so the
 * target must be a node the machine can reach from every state: the flow's `start`, or the `next`
 * of a command (commands are compiled onto the root of the machine).
 */
function nodeAction(defs: Definitions, commandId: string, key: RichMenuAreaKey): ChoiceAction {
  const flow = defs.flow.flow;
  const command = flow.commands.find((c) => c.id === commandId);
  if (!command?.next || command.next === BACK_TARGET || !flow.nodes[command.next]) {
    throw new RichMenuPlanError(
      `flows/guide.yaml: commands: the rich menu area "${key}" needs a command "${commandId}" whose next is a node, so that it works from anywhere`,
    );
  }
  return { kind: 'go', node: command.next };
}

function areaAction(defs: Definitions, key: RichMenuAreaKey): ChoiceAction {
  switch (key) {
    case 'self':
    case 'family':
    case 'ibasho':
    case 'phones':
      return nodeAction(defs, key, key);
    case 'reminders':
      return { kind: 'reminderSettings' };
    case 'restart':
      return { kind: 'go', node: defs.flow.flow.start };
  }
}

/** The rich menu made from the flow and content/phrases.yaml `richMenu`: pure, no LINE types. */
export function planRichMenu(defs: Definitions): RichMenuPlan {
  const labels = defs.content.phrases.richMenu;
  const columns = split(RICH_MENU_SIZE.width, COLUMNS);
  const rows = split(RICH_MENU_SIZE.height, ROWS);
  const areas = RICH_MENU_AREA_KEYS.map((key, i): RichMenuArea => {
    const column = columns[i % COLUMNS]!;
    const row = rows[Math.floor(i / COLUMNS)]!;
    return {
      key,
      label: labels[key],
      data: encodePostback(areaAction(defs, key)),
      bounds: { x: column.start, y: row.start, width: column.length, height: row.length },
    };
  });
  return { name: RICH_MENU_NAME, chatBarText: labels.chatBar, size: { ...RICH_MENU_SIZE }, areas };
}
