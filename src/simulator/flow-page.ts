import { telUri } from '../domain/content/phone';
import { fill } from '../domain/render-reply';
import { commandTarget, defaultFlowText, type FlowPicture, type FlowText, type PictureNode, type PictureWindow } from './flow-picture';
import { fillMarkup, html, type Markup } from './markup';

/** What /flow shows: the tree (null when nothing could be loaded), the content problems, and whether files changed since start. */
export interface FlowPageState {
  picture: FlowPicture | null;
  problems: string[];
  /** The files on disk differ from what the server runs with (the picture is of the files). */
  changed: boolean;
}

const anchor = (id: string) => `node-${id}`;

function commandLink(to: FlowPicture['commands'][number]['to'], text: FlowText): Markup {
  const target = commandTarget(to, text);
  return target.node ? html`<a href="#${anchor(target.node)}">${target.text}</a>` : html`${target.text}`;
}

function windowItem(window: PictureWindow, text: FlowText): Markup {
  const phone = html`<a href="${telUri(window.phone)}">${window.phone}</a>`;
  return html`<li class="window">
  <span class="window-name">${window.name}</span> <span class="id">${window.id}</span>
  <span class="window-phone">${text.phone} ${window.via ? fillMarkup(text.via, { via: window.via, phone }) : phone}</span>
  <span class="window-hours">${text.hours}: ${window.hours ?? text.hoursUnknown}</span>
</li>`;
}

function nodeBox(node: PictureNode, text: FlowText): Markup {
  switch (node.kind) {
    case 'question':
      return html`<div class="node question" id="${anchor(node.id)}">
  <p class="node-kind">${text.question} <span class="id">${node.id}</span></p>
  <p class="prompt">${node.prompt}</p>
</div>
<ol class="branches">${node.options.map(
        (option) => html`<li>
  <p class="edge"><span class="option">${fill(text.option, { label: option.label })}</span>${
    option.synonyms.length > 0 ? html` <span class="typed">${fill(text.typed, { words: option.synonyms.join('、') })}</span>` : ''
  }</p>
  ${nodeBox(option.child, text)}
</li>`,
      )}</ol>`;
    case 'answer':
      return html`<div class="node answer" id="${anchor(node.id)}">
  <p class="node-kind">${text.answer} <span class="id">${node.id}</span> <span class="audience">${text.audience[node.audience]}</span></p>
  <ul class="windows">${node.windows.map((w) => windowItem(w, text))}</ul>
</div>`;
    case 'directory':
      return html`<div class="node directory" id="${anchor(node.id)}">
  <p class="node-kind">${text.directory} <span class="id">${node.id}</span></p>
  <p class="note">${text.directoryNote}</p>
  <ul class="windows">${node.windows.map((w) => windowItem(w, text))}</ul>
</div>`;
    case 'sameAs':
      return html`<div class="node same-as"><a href="#${anchor(node.id)}">${fill(text.sameAs, { node: node.id })}</a></div>`;
    case 'missing':
      return html`<div class="node missing">${fill(text.missing, { node: node.id })}</div>`;
  }
}

export function problemsBox(problems: string[], text: FlowText): Markup {
  if (problems.length === 0) return html``;
  return html`<section class="problems" role="alert" aria-labelledby="problems-title">
  <h2 id="problems-title">${fill(text.problemsTitle, { count: String(problems.length) })}</h2>
  <ul>${problems.map((p) => html`<li><code>${p}</code></li>`)}</ul>
  <p>${text.problemsNote}</p>
</section>`;
}

/** The /flow page: the whole tree as nested boxes, with any content problem in a red box on top. */
export function renderFlowPage(state: FlowPageState, text: FlowText = defaultFlowText): string {
  const { picture } = state;
  const page = html`<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text.pageTitle}</title>
<link rel="icon" href="/simulator/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/simulator/assets/flow.css">
</head>
<body>
<header class="bar">
  <h1>${text.heading}</h1>
  <nav><a href="/">${text.links.chat}</a> <a href="/flow.svg" download="flow.svg">${text.links.svg}</a></nav>
</header>
<main>
${problemsBox(state.problems, text)}
${state.changed ? html`<p class="notice" role="status">${text.changedNote}</p>` : ''}
<p class="lead">${text.lead}</p>
${
  picture
    ? html`<p class="version">${fill(text.flowVersion, { version: picture.version })}</p>
<ol class="tree"><li>${nodeBox(picture.root, text)}</li></ol>
${
  picture.otherRoots.length > 0
    ? html`<section><h2>${text.otherRoots}</h2><ol class="tree">${picture.otherRoots.map((n) => html`<li>${nodeBox(n, text)}</li>`)}</ol></section>`
    : ''
}
<section class="commands">
  <h2>${text.commands}</h2>
  <ul>${picture.commands.map(
    (c) => html`<li><span class="option">${c.label}</span>${
      c.synonyms.length > 0 ? html` <span class="typed">${fill(text.typed, { words: c.synonyms.join('、') })}</span>` : ''
    } <span class="target">${commandLink(c.to, text)}</span></li>`,
  )}</ul>
</section>
<section class="crisis">
  <h2>${text.crisis}</h2>
  <p class="typed">${fill(text.crisisWords, { words: picture.crisis.keywords.join('、') })}</p>
  <ul class="windows">
    ${picture.crisis.emergency.map((e) => html`<li class="window"><span class="window-name">${text.emergency}: ${e.label}</span> <span class="window-phone"><a href="${telUri(e.number)}">${e.number}</a></span></li>`)}
    ${picture.crisis.lines.map(
      (l) => html`<li class="window"><span class="window-name">${l.name}</span> <span class="window-phone">${text.phone} <a href="${telUri(l.phone)}">${l.phone}</a></span> <span class="window-hours">${text.hours}: ${l.hours}</span></li>`,
    )}
    ${picture.crisis.chat.map(
      (c) => html`<li class="window"><span class="window-name">${c.name}</span> <span class="window-phone">${c.url}</span> <span class="window-hours">${text.hours}: ${c.hours}</span></li>`,
    )}
  </ul>
</section>`
    : ''
}
</main>
</body>
</html>
`;
  return page.html;
}
