// The simulator's chat page: sends what a person does to POST /simulator/api/events and draws the LINE
// messages it gets back (text, Flex bubble/carousel, quick replies) the way the LINE app shows them.
// The conversation state lives on the server; this page keeps only its user id and the transcript
// (localStorage), so a reload shows the same chat and continues it.
'use strict';

(function () {
  const STORAGE_KEY = 'guide-simulator:v1';
  const MAX_ENTRIES = 300;
  const text = JSON.parse(document.getElementById('ui-text').textContent);

  const el = {
    chat: document.getElementById('chat'),
    log: document.getElementById('log'),
    typing: document.getElementById('typing'),
    start: document.getElementById('start'),
    follow: document.getElementById('follow'),
    forget: document.getElementById('forget'),
    quickReplies: document.getElementById('quick-replies'),
    quickRepliesWrap: document.getElementById('quick-replies-wrap'),
    quickRepliesMore: document.getElementById('quick-replies-more'),
    richMenu: document.getElementById('rich-menu'),
    richMenuBar: document.getElementById('rich-menu-bar'),
    clockNote: document.getElementById('clock-note'),
    stickers: document.getElementById('stickers'),
    stickerToggle: document.getElementById('sticker-toggle'),
    form: document.getElementById('send-form'),
    input: document.getElementById('message'),
  };

  // ---- state kept in the browser -------------------------------------------------------------

  /** @type {{ userId: string | null, entries: Array<{ from: 'user' | 'bot' | 'system', message: any }> }} */
  let state = load();
  let busy = false;
  // ?at=2026-11-25T02:00 answers as if it were then (Tokyo time), to see what the bot says at night.
  const at = new URLSearchParams(window.location.search).get('at');

  function load() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
      if (saved && Array.isArray(saved.entries)) return { userId: typeof saved.userId === 'string' ? saved.userId : null, entries: saved.entries };
    } catch (_) {
      // A corrupt entry starts a fresh chat.
    }
    return { userId: null, entries: [] };
  }

  function save() {
    state.entries = state.entries.slice(-MAX_ENTRIES);
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  }

  // ---- talking to the server -----------------------------------------------------------------

  async function postJson(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(data.message || `HTTP ${response.status}`), { status: response.status });
    return data;
  }

  async function ensureUser() {
    if (state.userId) return state.userId;
    const { userId } = await postJson('/simulator/api/users', {});
    state.userId = userId;
    save();
    return userId;
  }

  /** Sends one event; shows the reply. `mine` is what the person's side of the chat shows, if anything. */
  async function send(event, mine, options) {
    if (busy) return;
    busy = true;
    setBusy(true);
    clearQuickReplies();
    closeStickers();
    if (mine) add('user', mine);
    try {
      let userId = await ensureUser();
      let reply;
      try {
        reply = await postJson('/simulator/api/events', withClock({ userId, event }));
      } catch (error) {
        if (error.status !== 400 || !state.userId) throw error;
        // An id this server does not accept (e.g. from an older version): start a new simulator user.
        state.userId = null;
        userId = await ensureUser();
        reply = await postJson('/simulator/api/events', withClock({ userId, event }));
      }
      for (const message of reply.messages) add('bot', message);
    } catch (_) {
      add('system', { type: 'text', text: text.sendFailed });
    } finally {
      busy = false;
      setBusy(false);
      showQuickReplies(options && options.focusChips);
    }
  }

  function withClock(body) {
    return at ? Object.assign(body, { at }) : body;
  }

  // ---- transcript ----------------------------------------------------------------------------

  function add(from, message) {
    state.entries.push({ from, message });
    save();
    el.log.appendChild(renderEntry({ from, message }));
    el.start.hidden = true;
    scrollToEnd();
  }

  function renderAll() {
    el.log.replaceChildren(...state.entries.map(renderEntry));
    el.start.hidden = state.entries.length > 0;
    showQuickReplies(false);
    scrollToEnd();
  }

  function scrollToEnd() {
    el.chat.scrollTop = el.chat.scrollHeight;
  }

  function setBusy(on) {
    el.typing.hidden = !on;
    el.form.querySelector('#send').disabled = on;
    el.follow.disabled = on;
    if (on) scrollToEnd();
  }

  function renderEntry(entry) {
    const row = node('div', `row row-${entry.from}`);
    if (entry.from === 'system') {
      row.appendChild(node('p', 'system', entry.message.text));
      return row;
    }
    if (entry.from === 'bot') {
      const avatar = node('span', 'avatar', text.botInitial);
      avatar.setAttribute('aria-hidden', 'true');
      row.appendChild(avatar);
      const label = node('span', 'visually-hidden', `${text.botName}: `);
      row.appendChild(label);
    }
    row.appendChild(renderMessage(entry.message, entry.from));
    return row;
  }

  // ---- LINE messages -------------------------------------------------------------------------

  function renderMessage(message, from) {
    switch (message.type) {
      case 'text':
        return textBubble(message.text, from);
      case 'sticker': {
        const sticker = node('span', `sticker stamp-${message.color || 'orange'}`, message.label || text.sticker);
        sticker.setAttribute('role', 'img');
        sticker.setAttribute('aria-label', `${text.sticker}: ${message.label || ''}`);
        return sticker;
      }
      case 'flex':
        return flexMessage(message);
      default:
        return textBubble(text.unsupported.replace('{type}', message.type), from);
    }
  }

  // Japanese numbers as written in content/: 0 and groups joined by hyphens, 10 or 11 digits in all.
  const PHONE = /(0\d{1,4}(?:-\d{1,6}){1,2})/g;
  const isPhone = (part) => /^0\d{1,4}(?:-\d{1,6}){1,2}$/.test(part) && [10, 11].includes(part.replace(/-/g, '').length);

  /** Text with each phone number kept on one line. */
  function appendText(parent, value) {
    for (const part of String(value).split(PHONE)) {
      if (isPhone(part)) parent.appendChild(node('span', 'nowrap', part));
      else if (part) parent.appendChild(document.createTextNode(part));
    }
  }

  /** A text bubble; phone numbers become tappable, as the LINE app does. */
  function textBubble(value, from) {
    const bubble = node('p', `bubble bubble-${from}`);
    for (const part of String(value).split(PHONE)) {
      if (isPhone(part)) {
        const link = node('a', 'tel', part);
        link.href = `tel:${part.replace(/-/g, '')}`;
        bubble.appendChild(link);
      } else if (part) {
        bubble.appendChild(document.createTextNode(part));
      }
    }
    return bubble;
  }

  function flexMessage(message) {
    const contents = message.contents;
    const wrapper = node('div', 'flex-message');
    wrapper.setAttribute('role', 'group');
    wrapper.setAttribute('aria-label', message.altText || text.flexCard);
    if (contents.type === 'carousel') {
      const carousel = node('div', 'flex-carousel');
      carousel.tabIndex = 0;
      carousel.setAttribute('aria-label', text.carousel.replace('{count}', String(contents.contents.length)));
      for (const bubble of contents.contents) carousel.appendChild(flexBubble(bubble));
      wrapper.appendChild(carousel);
    } else {
      wrapper.appendChild(flexBubble(contents));
    }
    return wrapper;
  }

  function flexBubble(bubble) {
    const card = node('article', `flex-bubble size-${bubble.size || 'mega'}`);
    for (const section of ['header', 'hero', 'body', 'footer']) {
      if (bubble[section]) {
        const part = node('div', `flex-section flex-${section}`);
        part.appendChild(component(bubble[section], 'vertical'));
        card.appendChild(part);
      }
    }
    return card;
  }

  const SPACING = { none: '0', xs: '2px', sm: '4px', md: '8px', lg: '12px', xl: '16px', xxl: '20px' };

  function component(c, parentLayout) {
    let out;
    switch (c.type) {
      case 'box':
        out = node('div', `flex-box layout-${c.layout}`);
        if (c.spacing) out.style.gap = SPACING[c.spacing] || c.spacing;
        for (const child of c.contents || []) out.appendChild(component(child, c.layout));
        break;
      case 'text':
        if (c.action) {
          // Tappable text (a number, a name that opens details), as LINE does.
          out = c.action.type === 'uri' ? node('a', `flex-text flex-tap size-${c.size || 'md'}${c.wrap ? ' wrap' : ''}${c.weight === 'bold' ? ' bold' : ''}`) : node('button', `flex-text flex-tap size-${c.size || 'md'}${c.wrap ? ' wrap' : ''}${c.weight === 'bold' ? ' bold' : ''}`);
          if (c.action.type === 'uri') out.href = c.action.uri;
          else {
            out.type = 'button';
            const action = c.action;
            out.addEventListener('click', () => act(action, false));
          }
        } else {
          out = node('p', `flex-text size-${c.size || 'md'}${c.wrap ? ' wrap' : ''}${c.weight === 'bold' ? ' bold' : ''}`);
        }
        appendText(out, c.text);
        if (c.color) out.style.color = c.color;
        if (c.align) out.style.textAlign = c.align === 'end' ? 'right' : c.align === 'center' ? 'center' : 'left';
        break;
      case 'button':
        out = button(c);
        break;
      case 'separator':
        out = node('hr', 'flex-separator');
        break;
      case 'filler':
      case 'spacer':
        out = node('div', 'flex-filler');
        break;
      default:
        out = node('p', 'flex-text size-sm', text.unsupported.replace('{type}', c.type));
    }
    if (c.margin) out.style.marginTop = SPACING[c.margin] || c.margin;
    if (typeof c.flex === 'number' && parentLayout !== 'vertical') out.style.flex = `${c.flex} 1 0`;
    return out;
  }

  function button(c) {
    const action = c.action || {};
    const style = c.style || 'link';
    let out;
    if (action.type === 'uri' && /^(tel:|https?:|mailto:)/.test(action.uri)) {
      out = node('a', `flex-button style-${style}`, action.label);
      out.href = action.uri;
      if (!action.uri.startsWith('tel:')) {
        out.target = '_blank';
        out.rel = 'noopener noreferrer';
        out.appendChild(node('span', 'visually-hidden', text.opensInNewTab));
      }
    } else {
      out = node('button', `flex-button style-${style}`, action.label);
      out.type = 'button';
      out.addEventListener('click', () => act(action, false));
    }
    if (c.color && style !== 'link') out.style.backgroundColor = c.color;
    if (c.color && style === 'link') out.style.color = c.color;
    return out;
  }

  /** What tapping a postback or message action does, as in LINE. */
  function act(action, fromChip) {
    if (action.type === 'postback') {
      const shown = action.displayText ? { type: 'text', text: action.displayText } : null;
      send({ kind: 'postback', data: action.data }, shown, { focusChips: fromChip });
    } else if (action.type === 'message') {
      send({ kind: 'text', text: action.text }, { type: 'text', text: action.text }, { focusChips: fromChip });
    } else if (action.type === 'uri') {
      window.open(action.uri, '_blank', 'noopener');
    }
  }

  // ---- quick replies: shown only while the last message carries them -------------------------

  function clearQuickReplies() {
    el.quickReplies.replaceChildren();
    el.quickRepliesWrap.hidden = true;
    el.quickRepliesMore.hidden = true;
  }

  /** Chips that do not fit show an arrow at the edge until the row is scrolled to its end. */
  function markOverflow() {
    const q = el.quickReplies;
    const more = q.scrollWidth - q.clientWidth - q.scrollLeft > 2;
    el.quickRepliesMore.hidden = !more;
    el.quickRepliesWrap.dataset.overflow = String(q.scrollWidth > q.clientWidth + 2);
    q.setAttribute('aria-label', q.scrollWidth > q.clientWidth + 2 ? text.quickRepliesScroll : text.quickReplies);
  }
  el.quickReplies.addEventListener('scroll', markOverflow, { passive: true });
  window.addEventListener('resize', markOverflow);
  el.quickRepliesMore.addEventListener('click', () => el.quickReplies.scrollBy({ left: el.quickReplies.clientWidth * 0.8, behavior: 'smooth' }));

  function showQuickReplies(focus) {
    clearQuickReplies();
    const last = state.entries[state.entries.length - 1];
    const items = last && last.from === 'bot' && last.message.quickReply ? last.message.quickReply.items : [];
    for (const item of items) {
      const chip = node('button', 'chip', item.action.label);
      chip.type = 'button';
      chip.addEventListener('click', () => act(item.action, true));
      el.quickReplies.appendChild(chip);
    }
    el.quickRepliesWrap.hidden = items.length === 0;
    if (items.length > 0) markOverflow();
    if (focus && items.length > 0) el.quickReplies.firstChild.focus();
  }

  // ---- stickers ------------------------------------------------------------------------------

  for (const sticker of text.stickers) {
    const choice = node('button', `sticker-choice stamp-${sticker.color}`, sticker.label);
    choice.type = 'button';
    choice.setAttribute('aria-label', `${text.sticker}: ${sticker.label}`);
    choice.addEventListener('click', () =>
      send(
        { kind: 'sticker', packageId: sticker.packageId, stickerId: sticker.stickerId },
        { type: 'sticker', packageId: sticker.packageId, stickerId: sticker.stickerId, label: sticker.label, color: sticker.color },
      ),
    );
    el.stickers.appendChild(choice);
  }

  function closeStickers() {
    el.stickers.hidden = true;
    el.stickerToggle.setAttribute('aria-expanded', 'false');
  }

  el.stickerToggle.addEventListener('click', () => {
    const open = el.stickers.hidden;
    el.stickers.hidden = !open;
    el.stickerToggle.setAttribute('aria-expanded', String(open));
    if (open) el.stickers.firstChild.focus();
  });

  // ---- the rest of the page ------------------------------------------------------------------

  el.follow.addEventListener('click', async () => {
    add('system', { type: 'text', text: text.followed });
    await send({ kind: 'follow' }, null, { focusChips: true });
  });

  el.form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = el.input.value.trim();
    if (!value || busy) return;
    el.input.value = '';
    send({ kind: 'text', text: value }, { type: 'text', text: value });
  });

  el.forget.addEventListener('click', async () => {
    if (!window.confirm(text.confirmForget)) return;
    const userId = state.userId;
    if (userId) {
      // As when someone blocks the bot on LINE: the server forgets this person.
      try {
        await postJson('/simulator/api/events', { userId, event: { kind: 'unfollow' } });
      } catch (error) {
        // 400: an id this server never accepts, so it holds nothing to delete.
        if (error.status !== 400) {
          add('system', { type: 'text', text: text.sendFailed });
          return;
        }
      }
    }
    state = { userId: null, entries: [] };
    localStorage.removeItem(STORAGE_KEY);
    renderAll();
    el.log.appendChild(renderEntry({ from: 'system', message: { type: 'text', text: text.forgotten } }));
    el.follow.focus();
  });

  function node(tag, className, content) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (content !== undefined) element.textContent = content;
    return element;
  }

  // ---- the rich menu: the same plan as `npm run richmenu` (GET /simulator/api/setup) -------------

  function showRichMenu(menu) {
    el.richMenu.replaceChildren();
    for (const area of menu.areas) {
      const tile = node('button', 'rich-menu-tile', area.label);
      tile.type = 'button';
      tile.dataset.key = area.key;
      tile.addEventListener('click', () => act({ type: 'postback', data: area.data, displayText: area.label }, false));
      el.richMenu.appendChild(tile);
    }
    el.richMenuBar.textContent = `${menu.chatBarText} ▾`;
    el.richMenuBar.hidden = false;
    el.richMenu.hidden = false;
  }

  function setRichMenu(open) {
    el.richMenu.hidden = !open;
    el.richMenuBar.setAttribute('aria-expanded', String(open));
    el.richMenuBar.textContent = el.richMenuBar.textContent.replace(/[▾▴]$/, open ? '▾' : '▴');
  }
  el.richMenuBar.addEventListener('click', () => setRichMenu(el.richMenu.hidden));
  // As in LINE, the menu folds away while typing, to leave the chat room.
  el.input.addEventListener('focus', () => setRichMenu(false));

  function showClock(iso) {
    if (!iso) return;
    const when = new Date(iso);
    const shown = Number.isNaN(when.getTime()) ? iso : when.toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', dateStyle: 'medium', timeStyle: 'short' });
    el.clockNote.textContent = text.clockNote.replace('{time}', shown);
    el.clockNote.hidden = false;
  }

  fetch('/simulator/api/setup')
    .then((response) => (response.ok ? response.json() : null))
    .then((setup) => {
      if (!setup) return;
      showRichMenu(setup.richMenu);
      showClock(at ? (/[zZ]|[+-]\d\d:\d\d$/.test(at) ? at : `${at}+09:00`) : setup.fixedNow);
      markOverflow();
    })
    .catch(() => undefined)
    .finally(() => {
      document.documentElement.dataset.ready = 'true';
    });

  renderAll();
})();
