import type { Bounds, RichMenuAreaKey, RichMenuPlan } from './rich-menu-plan';

/**
 * The rich menu picture as SVG: one tile per area, exactly on the area's bounds, with a simple
 * drawn icon and the area's label. Pure: the label text comes from the plan (content/phrases.yaml).
 * Rasterised by src/line/rich-menu-image.ts; the font is Debian's fonts-noto-cjk.
 */
export const RICH_MENU_COLOURS = {
  background: '#e6f0ea',
  tile: '#2e7d5b',
  ink: '#ffffff',
} as const;

export const RICH_MENU_FONT = 'Noto Sans CJK JP';

const GAP = 12;
const RADIUS = 40;
const ICON_SIZE = 300;
const MAX_FONT_SIZE = 116;
const SIDE_PADDING = 70;
/** Labels wider than this (in full-width characters) go on two lines. */
const ONE_LINE_MAX = 8;

/**
 * Icons in a 100×100 box, white on the tile colour. Drawn for this menu: a person, a parent and
 * child, a calendar, a phone, a bell, a circular arrow.
 */
const ICONS: Record<RichMenuAreaKey, string> = {
  self: [
    '<circle cx="50" cy="28" r="17" fill="#fff"/>',
    '<path d="M18 90 a32 32 0 0 1 64 0 z" fill="#fff"/>',
  ].join(''),
  family: [
    '<circle cx="37" cy="27" r="15" fill="#fff"/>',
    '<path d="M9 90 a28 28 0 0 1 56 0 z" fill="#fff"/>',
    `<circle cx="71" cy="47" r="12" fill="#fff" stroke="${RICH_MENU_COLOURS.tile}" stroke-width="4"/>`,
    `<path d="M50 92 a21 21 0 0 1 42 0 z" fill="#fff" stroke="${RICH_MENU_COLOURS.tile}" stroke-width="4"/>`,
  ].join(''),
  ibasho: [
    '<rect x="14" y="20" width="72" height="68" rx="9" fill="none" stroke="#fff" stroke-width="7"/>',
    '<rect x="14" y="20" width="72" height="20" rx="9" fill="#fff"/>',
    '<rect x="14" y="30" width="72" height="10" fill="#fff"/>',
    '<line x1="33" y1="10" x2="33" y2="26" stroke="#fff" stroke-width="8" stroke-linecap="round"/>',
    '<line x1="67" y1="10" x2="67" y2="26" stroke="#fff" stroke-width="8" stroke-linecap="round"/>',
    ...[28, 46, 64].flatMap((x) => [52, 68].map((y) => `<rect x="${x}" y="${y}" width="9" height="9" rx="2" fill="#fff"/>`)),
  ].join(''),
  phones: [
    '<rect x="29" y="8" width="42" height="84" rx="9" fill="none" stroke="#fff" stroke-width="7"/>',
    '<line x1="43" y1="19" x2="57" y2="19" stroke="#fff" stroke-width="5" stroke-linecap="round"/>',
    '<circle cx="50" cy="79" r="5" fill="#fff"/>',
  ].join(''),
  reminders: [
    '<path d="M50 12 c-17 0 -27 13 -27 30 v18 l-9 13 h72 l-9 -13 v-18 c0 -17 -10 -30 -27 -30 z" fill="#fff"/>',
    '<circle cx="50" cy="82" r="9" fill="#fff"/>',
    '<circle cx="50" cy="9" r="5" fill="#fff"/>',
  ].join(''),
  restart: [
    // An arc turning anticlockwise from the left, round the bottom and up to the top left, where its head points on.
    '<path d="M20.1 56.6 A30 30 0 1 0 35 28" fill="none" stroke="#fff" stroke-width="9" stroke-linecap="round"/>',
    '<path d="M22 35.5 L31.1 15.2 L44.1 37.8 Z" fill="#fff" stroke="#fff" stroke-width="3" stroke-linejoin="round"/>',
  ].join(''),
};

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Width of a text in ems, roughly: full-width characters 1, ASCII and half-width kana about 0.6. */
function emWidth(text: string): number {
  return [...text].reduce((sum, ch) => sum + (/[\u0020-\u007e\uff61-\uff9f]/.test(ch) ? 0.6 : 1), 0);
}

/** One line, or two split near the middle (after a space or の/と/を when there is one). */
function labelLines(label: string): string[] {
  const chars = [...label];
  if (emWidth(label) <= ONE_LINE_MAX) return [label];
  const middle = Math.round(chars.length / 2);
  const breakAfter = [0, -1, 1, -2, 2]
    .map((d) => middle + d)
    .find((i) => i > 0 && i < chars.length && /[\sのとを・]/.test(chars[i - 1]!));
  const at = breakAfter ?? middle;
  return [chars.slice(0, at).join('').trim(), chars.slice(at).join('').trim()];
}

function tile(key: RichMenuAreaKey, label: string, b: Bounds): string {
  const x = b.x + GAP / 2;
  const y = b.y + GAP / 2;
  const width = b.width - GAP;
  const height = b.height - GAP;
  const cx = x + width / 2;
  const lines = labelLines(label);
  const widest = Math.max(...lines.map(emWidth));
  const fontSize = Math.floor(Math.min(MAX_FONT_SIZE, (width - 2 * SIDE_PADDING) / widest));
  const iconSize = lines.length > 1 ? ICON_SIZE * 0.8 : ICON_SIZE;
  const textBlock = fontSize * 1.25 * lines.length;
  const gap = 60;
  const top = y + (height - (iconSize + gap + textBlock)) / 2;
  const scale = iconSize / 100;
  const icon = `<g transform="translate(${cx - iconSize / 2} ${top}) scale(${scale})">${ICONS[key]}</g>`;
  const text = lines
    .map((line, i) => {
      // Baseline of each line: the em box's centre is about 0.36em above the baseline.
      const baseline = top + iconSize + gap + fontSize * 1.25 * (i + 0.5) + fontSize * 0.36;
      return `<text x="${cx}" y="${baseline.toFixed(1)}" font-size="${fontSize}">${escapeXml(line)}</text>`;
    })
    .join('');
  return `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="${RADIUS}" fill="${RICH_MENU_COLOURS.tile}"/>${icon}${text}`;
}

export function richMenuSvg(plan: RichMenuPlan): string {
  const { width, height } = plan.size;
  const tiles = plan.areas.map((area) => tile(area.key, area.label, area.bounds)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="${RICH_MENU_COLOURS.background}"/>`,
    `<g font-family="${RICH_MENU_FONT}" font-weight="700" fill="${RICH_MENU_COLOURS.ink}" text-anchor="middle">`,
    tiles,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}
