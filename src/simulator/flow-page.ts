import { telUri } from '../domain/content/phone';
import { fill } from '../domain/render-reply';
import { commandTarget, defaultFlowText, type FactMark, type FlowPicture, type FlowText, type PictureNode, type PictureWindow } from './flow-picture';
import { fillMarkup, html, type Markup } from '../pages/markup';
import { CHROME_STYLESHEET, renderPage } from '../pages/pages';

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

function mark(value: FactMark | null, text: FlowText): Markup {
  if (!value) return html``;
  return html`<span class="fact fact-${value}">${text.marks[value]}</span>`;
}

/** A window named in the tree: its name (a link to its details below) and the number people call. */
function windowItem(window: PictureWindow, text: FlowText): Markup {
  const phone = html`<a href="${telUri(window.phone)}">${window.phone}</a>`;
  return html`<li class="window"><a class="window-name" href="#${windowAnchor(window.id)}">${window.name}</a> <span class="window-phone">${phone}</span> ${mark(window.marks.phone, text)}</li>`;
}

const windowAnchor = (id: string) => `window-${id}`;

/** Every window once, its details on demand. */
function windowDetails(window: PictureWindow, text: FlowText): Markup {
  const phone = html`<a href="${telUri(window.phone)}">${window.phone}</a>`;
  return html`<details class="window-detail" id="${windowAnchor(window.id)}">
  <summary><span class="window-name">${window.name}</span> <span class="window-phone">${phone}</span> ${mark(window.marks.phone, text)}</summary>
  <dl>
    <dt>${text.helpsWith}</dt><dd>${window.helpsWith}</dd>
    <dt>${text.phone}</dt><dd>${window.via ? fillMarkup(text.via, { via: window.via, phone }) : phone} ${mark(window.marks.phone, text)}</dd>
    <dt>${text.hours}</dt><dd>${window.hours ?? text.hoursUnknown} ${mark(window.marks.hours, text)}</dd>
    ${window.place ? html`<dt>${text.place}</dt><dd>${window.place} ${mark(window.marks.place, text)}</dd>` : ''}
    ${window.otherWays.length > 0 ? html`<dt>${text.otherWays}</dt><dd>${window.otherWays.join(' / ')}</dd>` : ''}
  </dl>
</details>`;
}

function says(sentence: string, text: FlowText): Markup {
  return html`<blockquote class="says"><span class="says-label">${text.botSays}</span>${sentence}</blockquote>`;
}

function nodeBox(node: PictureNode, text: FlowText): Markup {
  switch (node.kind) {
    case 'question':
      return html`<div class="node question" id="${anchor(node.id)}">
  ${says(node.prompt, text)}
</div>
<ul class="branches">${node.options.map(
        (option) => html`<li><details${node.options.length <= 1 ? html` open` : ''}>
  <summary class="edge"><span class="option">${option.label}</span>${
    option.synonyms.length > 0 ? html` <span class="typed">${fill(text.typed, { words: option.synonyms.join('、') })}</span>` : ''
  }</summary>
  ${nodeBox(option.child, text)}
</details></li>`,
      )}</ul>`;
    case 'answer':
      return html`<div class="node answer" id="${anchor(node.id)}">
  <p class="node-kind">${text.answer} <span class="audience">${text.audience[node.audience]}</span></p>
  ${says(node.lead, text)}
  <p class="cards-note">${text.firstCards}</p>
  <ul class="windows">${node.windows.slice(0, node.shown).map((w) => windowItem(w, text))}</ul>
  <p class="cards-note">${text.waysCard}</p>
  ${
    node.windows.length > node.shown
      ? html`<p class="cards-note">${text.behindMore}</p><ul class="windows">${node.windows.slice(node.shown).map((w) => windowItem(w, text))}</ul>`
      : ''
  }
</div>`;
    case 'directory':
      return html`<div class="node directory" id="${anchor(node.id)}">
  <p class="node-kind">${text.directory}</p>
  <p class="note">${text.directoryNote}</p>
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
  const main = html`${problemsBox(state.problems, text)}
${state.changed ? html`<p class="notice" role="status">${text.changedNote}</p>` : ''}
<p class="lead">${text.lead}</p>
${
  picture
    ? html`<p class="version">${fill(text.flowVersion, { version: picture.version })}</p>
<p class="legend">${text.marksLegend}</p>
<section class="sentences">
  <h2>${text.greetingTitle}</h2>
  ${says(picture.sentences.greeting, text)}
</section>
<ol class="tree"><li>${nodeBox(picture.root, text)}</li></ol>
${
  picture.otherRoots.length > 0
    ? html`<section><h2>${text.otherRoots}</h2><ol class="tree">${picture.otherRoots.map((n) => html`<li>${nodeBox(n, text)}</li>`)}</ol></section>`
    : ''
}
<section class="sentences">
  <h2>${text.answerOutroTitle}</h2>
  ${says(picture.sentences.answerOutro, text)}
  ${picture.sentences.afterHours ? html`<h2>${text.afterHoursTitle}</h2>${says(picture.sentences.afterHours, text)}` : ''}
  <h2>${text.fallbackTitle}</h2>
  ${says(picture.sentences.fallback, text)}
</section>
<section class="ibasho-state">
  <h2>${text.ibashoTitle}</h2>
  <ul>
    <li>${text.ibashoRule} ${mark(picture.ibasho.ruleMark, text)}</li>
    <li class="${picture.ibasho.published ? 'state-ok' : 'state-warn'}">${picture.ibasho.published ? text.ibashoPublished : text.ibashoPlanned}</li>
    <li>${picture.ibasho.next ? fill(text.ibashoNext, { next: picture.ibasho.next }) : text.ibashoNone}</li>
    <li class="${picture.ibasho.remindersCanFire ? 'state-ok' : 'state-warn'}">${picture.ibasho.remindersCanFire ? text.remindersOn : text.remindersOff}</li>
  </ul>
</section>
<section class="window-list">
  <h2>${text.windowsTitle}</h2>
  ${picture.windows.map((w) => windowDetails(w, text))}
</section>
<details class="commands">
  <summary><h2>${text.commands}</h2></summary>
  <ul>${picture.commands.map(
    (c) => html`<li><span class="option">${c.label}</span>${
      c.synonyms.length > 0 ? html` <span class="typed">${fill(text.typed, { words: c.synonyms.join('、') })}</span>` : ''
    } <span class="target">${commandLink(c.to, text)}</span></li>`,
  )}</ul>
</details>
<section class="crisis">
  <h2>${text.crisis}</h2>
  <details><summary class="typed">${fill(text.crisisWordsCount, { count: String(picture.crisis.keywords.length) })}</summary><p class="typed">${fill(text.crisisWords, { words: picture.crisis.keywords.join('、') })}</p></details>
  <p class="node-kind">${text.crisisReplyTitle}</p>
  ${says(picture.sentences.crisisIntro, text)}
  <p class="note">${text.crisisOrder}</p>
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
}`;
  return renderPage({
    title: text.pageTitle,
    icon: { href: '/simulator/assets/icon.svg', type: 'image/svg+xml' },
    stylesheets: [CHROME_STYLESHEET, '/simulator/assets/flow.css'],
    headerClass: 'bar',
    header: html`
  <h1>${text.heading}</h1>
  <nav><a href="/">${text.links.chat}</a> <a href="/flow.svg" download="flow.svg">${text.links.svg}</a></nav>
`,
    main,
  });
}
