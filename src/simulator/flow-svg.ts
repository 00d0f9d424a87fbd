import { fill } from '../domain/render-reply';
import { commandTarget, defaultFlowText, type FlowPicture, type FlowText, type PictureNode, type PictureWindow } from './flow-picture';
import { escapeMarkup } from '../pages/markup';

/**
 * The tree as one SVG for paper (A4 portrait at 100%: 760 units wide), laid out as an indented tree:
 * each node a box, each option a labelled connector. SVG does not wrap text, so lines are broken
 * here by an estimate of each character's width (full width for kana and kanji, about half for Latin).
 */
const WIDTH = 760;
const MARGIN = 20;
const INDENT = 34;
const PAD = 10;
const FONT = "'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', 'Yu Gothic', Meiryo, sans-serif";

type Style = 'kind' | 'prompt' | 'name' | 'body' | 'muted' | 'option' | 'typed' | 'problem' | 'heading';

const styles: Record<Style, { size: number; weight?: 'bold'; color: string }> = {
  heading: { size: 22, weight: 'bold', color: '#1f3b2d' },
  kind: { size: 12, color: '#5b6b62' },
  prompt: { size: 16, weight: 'bold', color: '#1f3b2d' },
  name: { size: 14, weight: 'bold', color: '#222222' },
  body: { size: 14, color: '#222222' },
  muted: { size: 12, color: '#555555' },
  option: { size: 14, weight: 'bold', color: '#1b6b46' },
  typed: { size: 11, color: '#5b6b62' },
  problem: { size: 13, color: '#8a1010' },
};

interface Line {
  text: string;
  style: Style;
  gapBefore?: number;
}

const LINE_HEIGHT = 1.45;

function charWidth(char: string, size: number): number {
  const code = char.codePointAt(0)!;
  if (code >= 0x2e80 || (code >= 0x1100 && code <= 0x11ff)) return size;
  if (/[A-Z0-9]/.test(char)) return size * 0.62;
  return size * 0.54;
}

/** Characters that may not start a line in Japanese text (kinsoku). */
const NO_LINE_START = /[、。,.)」』】〕!?:;ー〜・]/;

export function wrapText(text: string, width: number, size: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let used = 0;
    for (const char of paragraph) {
      const w = charWidth(char, size);
      if (used + w > width && line.length > 0 && !NO_LINE_START.test(char)) {
        lines.push(line);
        line = '';
        used = 0;
      }
      line += char;
      used += w;
    }
    lines.push(line);
  }
  return lines;
}

interface Block {
  depth: number;
  parent: number | null;
  /** The option label on the connector into this block. */
  edge: Line[];
  lines: Line[];
  kind: 'question' | 'answer' | 'directory' | 'sameAs' | 'missing' | 'section' | 'problems';
}

function windowLines(windows: PictureWindow[], text: FlowText): Line[] {
  return windows.flatMap((w, i) => [
    { text: `${w.name}  (${w.id})`, style: 'name' as const, gapBefore: i === 0 ? 4 : 8 },
    { text: `${text.phone} ${w.via ? fill(text.via, { via: w.via, phone: w.phone }) : w.phone}`, style: 'body' as const },
    { text: `${text.hours}: ${w.hours ?? text.hoursUnknown}`, style: 'muted' as const },
  ]);
}

function nodeBlocks(node: PictureNode, depth: number, parent: number | null, edge: Line[], text: FlowText, out: Block[]): void {
  const index = out.length;
  switch (node.kind) {
    case 'question':
      out.push({
        depth,
        parent,
        edge,
        kind: 'question',
        lines: [
          { text: `${text.question} · ${node.id}`, style: 'kind' },
          { text: node.prompt, style: 'prompt' },
        ],
      });
      for (const option of node.options) {
        const optionEdge: Line[] = [{ text: fill(text.option, { label: option.label }), style: 'option' }];
        if (option.synonyms.length > 0) optionEdge.push({ text: fill(text.typed, { words: option.synonyms.join('、') }), style: 'typed' });
        nodeBlocks(option.child, depth + 1, index, optionEdge, text, out);
      }
      return;
    case 'answer':
      out.push({
        depth,
        parent,
        edge,
        kind: 'answer',
        lines: [{ text: `${text.answer} · ${node.id} · ${text.audience[node.audience]}`, style: 'kind' }, ...windowLines(node.windows, text)],
      });
      return;
    case 'directory':
      out.push({
        depth,
        parent,
        edge,
        kind: 'directory',
        lines: [
          { text: `${text.directory} · ${node.id}`, style: 'kind' },
          { text: text.directoryNote, style: 'muted' },
          ...windowLines(node.windows, text),
        ],
      });
      return;
    case 'sameAs':
      out.push({ depth, parent, edge, kind: 'sameAs', lines: [{ text: fill(text.sameAs, { node: node.id }), style: 'body' }] });
      return;
    case 'missing':
      out.push({ depth, parent, edge, kind: 'missing', lines: [{ text: fill(text.missing, { node: node.id }), style: 'problem' }] });
      return;
  }
}

const boxStyle: Record<Block['kind'], { fill: string; stroke: string; dash?: string }> = {
  question: { fill: '#e6f2ea', stroke: '#2e7d5b' },
  answer: { fill: '#ffffff', stroke: '#2e7d5b' },
  directory: { fill: '#fff8e6', stroke: '#a15c00' },
  sameAs: { fill: '#ffffff', stroke: '#8a9a90', dash: '5 4' },
  missing: { fill: '#fdecec', stroke: '#b00020' },
  section: { fill: '#f4f6f5', stroke: '#8a9a90' },
  problems: { fill: '#fdecec', stroke: '#b00020' },
};

function textElement(line: string, style: Style, x: number, y: number): string {
  const s = styles[style];
  return `<text x="${x}" y="${y.toFixed(1)}" font-size="${s.size}"${s.weight ? ` font-weight="${s.weight}"` : ''} fill="${s.color}">${escapeMarkup(line)}</text>`;
}

/** Lays out lines from `y` within `width`; returns the SVG and the new y. */
function drawLines(lines: Line[], x: number, y: number, width: number): { svg: string[]; y: number } {
  const svg: string[] = [];
  for (const line of lines) {
    const size = styles[line.style].size;
    y += line.gapBefore ?? 0;
    for (const piece of wrapText(line.text, width, size)) {
      y += size * LINE_HEIGHT;
      svg.push(textElement(piece, line.style, x, y - size * 0.35));
    }
  }
  return { svg, y };
}

/** The whole tree (and any content problems, in a red box on top) as a standalone SVG document. */
export function renderFlowSvg(picture: FlowPicture | null, problems: string[], text: FlowText = defaultFlowText): string {
  const blocks: Block[] = [];
  if (problems.length > 0) {
    blocks.push({
      depth: 0,
      parent: null,
      edge: [],
      kind: 'problems',
      lines: [
        { text: fill(text.problemsTitle, { count: String(problems.length) }), style: 'prompt' },
        ...problems.map((p, i) => ({ text: p, style: 'problem' as const, gapBefore: i === 0 ? 4 : 2 })),
        { text: text.problemsNote, style: 'muted', gapBefore: 6 },
      ],
    });
  }
  if (picture) {
    nodeBlocks(picture.root, 0, null, [], text, blocks);
    for (const other of picture.otherRoots) nodeBlocks(other, 0, null, [{ text: text.otherRoots, style: 'option' }], text, blocks);
    blocks.push({
      depth: 0,
      parent: null,
      edge: [],
      kind: 'section',
      lines: [
        { text: text.commands, style: 'prompt' },
        ...picture.commands.flatMap((c) => [
          { text: `${c.label} ${commandTarget(c.to, text).text}`, style: 'option' as const, gapBefore: 4 },
          ...(c.synonyms.length > 0 ? [{ text: fill(text.typed, { words: c.synonyms.join('、') }), style: 'typed' as const }] : []),
        ]),
      ],
    });
    blocks.push({
      depth: 0,
      parent: null,
      edge: [],
      kind: 'section',
      lines: [
        { text: text.crisis, style: 'prompt' },
        { text: fill(text.crisisWords, { words: picture.crisis.keywords.join('、') }), style: 'typed' },
        ...picture.crisis.emergency.map((e, i) => ({ text: `${text.emergency}: ${e.label} ${e.number}`, style: 'name' as const, gapBefore: i === 0 ? 6 : 2 })),
        ...picture.crisis.lines.flatMap((l) => [
          { text: l.name, style: 'name' as const, gapBefore: 8 },
          { text: `${text.phone} ${l.phone}`, style: 'body' as const },
          { text: `${text.hours}: ${l.hours}`, style: 'muted' as const },
        ]),
        ...picture.crisis.chat.flatMap((c) => [
          { text: c.name, style: 'name' as const, gapBefore: 8 },
          { text: c.url, style: 'body' as const },
          { text: `${text.hours}: ${c.hours}`, style: 'muted' as const },
        ]),
      ],
    });
  }

  const svg: string[] = [];
  let y = MARGIN;
  const heading = drawLines(
    [
      { text: text.heading, style: 'heading' },
      ...(picture ? [{ text: `${fill(text.flowVersion, { version: picture.version })} · ${text.generatedFrom}`, style: 'muted' as const }] : []),
    ],
    MARGIN,
    y,
    WIDTH - 2 * MARGIN,
  );
  svg.push(...heading.svg);
  y = heading.y + 12;

  const placed: { x: number; top: number; bottom: number; connectY: number }[] = [];
  const connectors: string[] = [];
  for (const block of blocks) {
    const x = MARGIN + block.depth * INDENT;
    const width = WIDTH - MARGIN - x;
    const gap = block.parent === null ? 16 : 10;
    y += gap;
    const edge = drawLines(block.edge, x + 4, y, width - 4);
    const connectY = block.edge.length > 0 ? y + styles.option.size * 0.9 : y + 16;
    svg.push(...edge.svg);
    const top = edge.y + (block.edge.length > 0 ? 4 : 0);
    const body = drawLines(block.lines, x + PAD, top + PAD - 4, width - 2 * PAD);
    const bottom = body.y + PAD;
    const style = boxStyle[block.kind];
    svg.push(
      `<rect x="${x}" y="${top.toFixed(1)}" width="${width}" height="${(bottom - top).toFixed(1)}" rx="8" fill="${style.fill}" stroke="${style.stroke}" stroke-width="${block.kind === 'problems' ? 3 : 1.5}"${style.dash ? ` stroke-dasharray="${style.dash}"` : ''}/>`,
      ...body.svg,
    );
    placed.push({ x, top, bottom, connectY });
    if (block.parent !== null) {
      const parent = placed[block.parent]!;
      const px = parent.x + INDENT / 2;
      connectors.push(`<path d="M${px} ${parent.bottom.toFixed(1)} V${connectY.toFixed(1)} H${x}" fill="none" stroke="#7fa692" stroke-width="2"/>`);
    }
    y = bottom;
  }
  const height = Math.ceil(y + MARGIN);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}" role="img" aria-labelledby="flow-title">`,
    `<title id="flow-title">${escapeMarkup(text.heading)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...connectors,
    ...svg,
    '</svg>',
    '',
  ].join('\n');
}
