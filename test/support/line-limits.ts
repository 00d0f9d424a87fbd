/**
 * LINE's documented limits that the OpenAPI spec does not encode (or encodes with the wrong
 * character unit). Source: https://developers.line.biz/en/reference/messaging-api/
 *  - Message objects (text 5000, altText 1500, location title/address 100, media URLs 2000 + HTTPS)
 *  - Flex Message: bubble JSON <= 30 KB, carousel JSON <= 50 KB and <= 12 bubbles, box contents
 *    by layout, hero is a box/image/video
 *  - Template messages: buttons/confirm/carousel/image carousel text, title, action and column counts
 *  - Action objects: "Specifications of the label" table (#action-object-label-spec), postback data
 *    <= 300, displayText/text/fillInText <= 300, message text <= 300, uri <= 1000 with the schemes
 *    http, https, line, tel; camera/cameraRoll/location only in quick reply; richmenuswitch only in
 *    rich menus
 *  - Quick reply: <= 13 items (also in the spec)
 * Character counting: https://developers.line.biz/en/docs/messaging-api/text-character-count/
 * LINE counts UTF-16 code units, except action labels, postback displayText/fillInText/text,
 * message action text, template text/title and rich menu chatBarText/name, which are counted in
 * grapheme clusters.
 */

import { utf16Length } from '../../src/domain/text-units';

export interface LimitIssue {
  property: string;
  message: string;
}

type Obj = Record<string, unknown>;

/** Where an action object sits; the label rules depend on it. */
export type ActionContext =
  | 'quickReply'
  | 'template'
  | 'templateDefault'
  | 'imageCarousel'
  | 'richMenu'
  | 'flexButton'
  | 'flexOther';

const LABEL_RULES: Record<ActionContext, { required: boolean; max: number }> = {
  quickReply: { required: true, max: 20 },
  template: { required: true, max: 20 },
  // defaultAction of buttons/carousel templates: the label is not shown; keep the template maximum.
  templateDefault: { required: false, max: 20 },
  imageCarousel: { required: false, max: 12 },
  richMenu: { required: false, max: 20 },
  flexButton: { required: true, max: 40 },
  flexOther: { required: false, max: 40 },
};

const TEXT_MAX = 5000;
const ALT_TEXT_MAX = 1500;
const MEDIA_URL_MAX = 2000;
const POSTBACK_DATA_MAX = 300;
const ACTION_TEXT_MAX = 300;
const URI_MAX = 1000;
const URI_SCHEMES = ['http:', 'https:', 'line:', 'tel:'];
// "KB" is not defined further in the docs; 1000 bytes is the stricter reading.
const BUBBLE_MAX_BYTES = 30 * 1000;
const CAROUSEL_MAX_BYTES = 50 * 1000;
const CAROUSEL_MAX_BUBBLES = 12;
const QUICK_REPLY_MAX_ITEMS = 13;
const BOX_CHILDREN: Record<string, string[]> = {
  horizontal: ['box', 'button', 'image', 'text', 'separator', 'filler'],
  vertical: ['box', 'button', 'image', 'text', 'separator', 'filler'],
  baseline: ['icon', 'text', 'filler'],
};
const HERO_TYPES = ['box', 'image', 'video'];

const segmenter = new Intl.Segmenter('ja', { granularity: 'grapheme' });

export function graphemeLength(s: string): number {
  let n = 0;
  for (const _ of segmenter.segment(s)) n++;
  return n;
}

/** LINE's default unit, UTF-16 code units: the same helper the bot's own limits use. */
export { utf16Length };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

class Checker {
  readonly issues: LimitIssue[] = [];

  add(property: string, message: string): void {
    this.issues.push({ property, message });
  }

  maxLength(value: unknown, property: string, max: number, unit: 'utf16' | 'grapheme'): void {
    const s = str(value);
    if (s === undefined) return;
    const n = unit === 'utf16' ? utf16Length(s) : graphemeLength(s);
    if (n > max) {
      const what = unit === 'utf16' ? 'characters (UTF-16 code units)' : 'characters (grapheme clusters)';
      this.add(property, `must be at most ${max} ${what}, got ${n}`);
    }
  }

  maxItems(value: unknown, property: string, max: number): void {
    if (Array.isArray(value) && value.length > max) {
      this.add(property, `must have at most ${max} items, got ${value.length}`);
    }
  }

  required(obj: Obj, key: string, property: string): void {
    if (obj[key] === undefined || obj[key] === null) this.add(`${property}.${key}`, 'must be specified');
  }

  httpsUrl(value: unknown, property: string): void {
    const s = str(value);
    if (s === undefined) return;
    this.maxLength(s, property, MEDIA_URL_MAX, 'utf16');
    if (!s.startsWith('https://')) this.add(property, 'must be an HTTPS URL');
  }

  uri(value: unknown, property: string): void {
    const s = str(value);
    if (s === undefined) return;
    this.maxLength(s, property, URI_MAX, 'utf16');
    const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(s)?.[0].toLowerCase();
    if (!scheme || !URI_SCHEMES.includes(scheme)) {
      this.add(property, `scheme must be one of ${URI_SCHEMES.map((x) => x.slice(0, -1)).join(', ')}`);
    }
  }

  // ---- messages ---------------------------------------------------------------------------

  messages(messages: unknown, prefix: string): void {
    if (!Array.isArray(messages)) return;
    messages.forEach((m, i) => this.message(m, `${prefix}[${i}]`));
  }

  message(m: unknown, p: string): void {
    if (!isObj(m)) return;
    switch (m.type) {
      case 'text':
      case 'textV2':
        this.maxLength(m.text, `${p}.text`, TEXT_MAX, 'utf16');
        break;
      case 'image':
      case 'video':
        this.httpsUrl(m.originalContentUrl, `${p}.originalContentUrl`);
        this.httpsUrl(m.previewImageUrl, `${p}.previewImageUrl`);
        break;
      case 'audio':
        this.httpsUrl(m.originalContentUrl, `${p}.originalContentUrl`);
        break;
      case 'location':
        this.maxLength(m.title, `${p}.title`, 100, 'utf16');
        this.maxLength(m.address, `${p}.address`, 100, 'utf16');
        break;
      case 'imagemap':
        this.maxLength(m.altText, `${p}.altText`, ALT_TEXT_MAX, 'utf16');
        this.imagemapActions(m.actions, `${p}.actions`);
        break;
      case 'template':
        this.maxLength(m.altText, `${p}.altText`, ALT_TEXT_MAX, 'utf16');
        this.template(m.template, `${p}.template`);
        break;
      case 'flex':
        this.maxLength(m.altText, `${p}.altText`, ALT_TEXT_MAX, 'utf16');
        this.flexContainer(m.contents, `${p}.contents`);
        break;
      default:
        break;
    }
    if (isObj(m.quickReply)) this.quickReply(m.quickReply, `${p}.quickReply`);
  }

  quickReply(q: Obj, p: string): void {
    this.maxItems(q.items, `${p}.items`, QUICK_REPLY_MAX_ITEMS);
    if (!Array.isArray(q.items)) return;
    q.items.forEach((item, i) => {
      if (!isObj(item)) return;
      const ip = `${p}.items[${i}]`;
      if (item.imageUrl !== undefined) this.httpsUrl(item.imageUrl, `${ip}.imageUrl`);
      this.required(item, 'action', ip);
      this.action(item.action, `${ip}.action`, 'quickReply');
    });
  }

  imagemapActions(actions: unknown, p: string): void {
    this.maxItems(actions, p, 50);
    if (!Array.isArray(actions)) return;
    actions.forEach((a, i) => {
      if (!isObj(a)) return;
      const ap = `${p}[${i}]`;
      if (a.type === 'uri') this.uri(a.linkUri, `${ap}.linkUri`);
      if (a.type === 'message') this.maxLength(a.text, `${ap}.text`, 400, 'utf16');
      this.maxLength(a.label, `${ap}.label`, 50, 'grapheme');
    });
  }

  // ---- templates --------------------------------------------------------------------------

  template(t: unknown, p: string): void {
    if (!isObj(t)) return;
    const actions = (list: unknown, lp: string, max: number, ctx: ActionContext): void => {
      this.maxItems(list, lp, max);
      if (Array.isArray(list)) list.forEach((a, i) => this.action(a, `${lp}[${i}]`, ctx));
    };
    switch (t.type) {
      case 'buttons': {
        const withImageOrTitle = t.thumbnailImageUrl !== undefined || t.title !== undefined;
        this.maxLength(t.title, `${p}.title`, 40, 'grapheme');
        this.maxLength(t.text, `${p}.text`, withImageOrTitle ? 60 : 160, 'grapheme');
        if (t.thumbnailImageUrl !== undefined) this.httpsUrl(t.thumbnailImageUrl, `${p}.thumbnailImageUrl`);
        if (t.defaultAction !== undefined) this.action(t.defaultAction, `${p}.defaultAction`, 'templateDefault');
        actions(t.actions, `${p}.actions`, 4, 'template');
        break;
      }
      case 'confirm':
        this.maxLength(t.text, `${p}.text`, 240, 'grapheme');
        if (Array.isArray(t.actions) && t.actions.length !== 2) {
          this.add(`${p}.actions`, `must have exactly 2 items, got ${t.actions.length}`);
        }
        actions(t.actions, `${p}.actions`, 2, 'template');
        break;
      case 'carousel':
        this.maxItems(t.columns, `${p}.columns`, 10);
        if (!Array.isArray(t.columns)) break;
        t.columns.forEach((c, i) => {
          if (!isObj(c)) return;
          const cp = `${p}.columns[${i}]`;
          const withImageOrTitle = c.thumbnailImageUrl !== undefined || c.title !== undefined;
          this.maxLength(c.title, `${cp}.title`, 40, 'grapheme');
          this.maxLength(c.text, `${cp}.text`, withImageOrTitle ? 60 : 120, 'grapheme');
          if (c.thumbnailImageUrl !== undefined) this.httpsUrl(c.thumbnailImageUrl, `${cp}.thumbnailImageUrl`);
          if (c.defaultAction !== undefined) this.action(c.defaultAction, `${cp}.defaultAction`, 'templateDefault');
          actions(c.actions, `${cp}.actions`, 3, 'template');
        });
        break;
      case 'image_carousel':
        this.maxItems(t.columns, `${p}.columns`, 10);
        if (!Array.isArray(t.columns)) break;
        t.columns.forEach((c, i) => {
          if (!isObj(c)) return;
          const cp = `${p}.columns[${i}]`;
          this.httpsUrl(c.imageUrl, `${cp}.imageUrl`);
          this.action(c.action, `${cp}.action`, 'imageCarousel');
        });
        break;
      default:
        break;
    }
  }

  // ---- flex -------------------------------------------------------------------------------

  flexContainer(c: unknown, p: string): void {
    if (!isObj(c)) return;
    const bytes = Buffer.byteLength(JSON.stringify(c), 'utf8');
    if (c.type === 'bubble') {
      if (bytes > BUBBLE_MAX_BYTES) this.add(p, `bubble JSON must be at most 30 KB, got ${bytes} bytes`);
      this.bubble(c, p);
    } else if (c.type === 'carousel') {
      if (bytes > CAROUSEL_MAX_BYTES) this.add(p, `carousel JSON must be at most 50 KB, got ${bytes} bytes`);
      this.maxItems(c.contents, `${p}.contents`, CAROUSEL_MAX_BUBBLES);
      if (Array.isArray(c.contents)) {
        c.contents.forEach((b, i) => {
          const bp = `${p}.contents[${i}]`;
          if (isObj(b) && Buffer.byteLength(JSON.stringify(b), 'utf8') > BUBBLE_MAX_BYTES) {
            this.add(bp, 'bubble JSON must be at most 30 KB');
          }
          this.bubble(b, bp);
        });
      }
    }
  }

  bubble(b: unknown, p: string): void {
    if (!isObj(b)) return;
    for (const block of ['header', 'body', 'footer'] as const) {
      if (b[block] !== undefined) this.flexComponent(b[block], `${p}.${block}`);
    }
    if (isObj(b.hero)) {
      if (typeof b.hero.type === 'string' && !HERO_TYPES.includes(b.hero.type)) {
        this.add(`${p}.hero.type`, `hero must be one of: ${HERO_TYPES.join(', ')}`);
      }
      this.flexComponent(b.hero, `${p}.hero`);
    }
    if (b.action !== undefined) this.action(b.action, `${p}.action`, 'flexOther');
  }

  flexComponent(c: unknown, p: string): void {
    if (!isObj(c)) return;
    if (c.action !== undefined) this.action(c.action, `${p}.action`, c.type === 'button' ? 'flexButton' : 'flexOther');
    if (c.type === 'box' && Array.isArray(c.contents)) {
      const allowed = typeof c.layout === 'string' ? BOX_CHILDREN[c.layout] : undefined;
      c.contents.forEach((child, i) => {
        const cp = `${p}.contents[${i}]`;
        if (allowed && isObj(child) && typeof child.type === 'string' && !allowed.includes(child.type)) {
          this.add(`${cp}.type`, `a ${String(c.layout)} box can contain only: ${allowed.join(', ')}`);
        }
        this.flexComponent(child, cp);
      });
    }
    if (c.type === 'video' && c.altContent !== undefined) this.flexComponent(c.altContent, `${p}.altContent`);
  }

  // ---- actions ----------------------------------------------------------------------------

  action(a: unknown, p: string, ctx: ActionContext): void {
    if (!isObj(a)) return;
    const type = a.type;
    if ((type === 'camera' || type === 'cameraRoll' || type === 'location') && ctx !== 'quickReply') {
      this.add(`${p}.type`, `${String(type)} action can be used only in quick reply buttons`);
    }
    if (type === 'richmenuswitch' && ctx !== 'richMenu') {
      this.add(`${p}.type`, 'richmenuswitch action can be used only in rich menus');
    }

    const rule =
      type === 'camera' || type === 'cameraRoll' || type === 'location'
        ? { required: true, max: 20 }
        : type === 'richmenuswitch'
          ? { required: false, max: 20 }
          : LABEL_RULES[ctx];
    if (rule.required) this.required(a, 'label', p);
    this.maxLength(a.label, `${p}.label`, rule.max, 'grapheme');

    switch (type) {
      case 'postback':
        this.required(a, 'data', p);
        this.maxLength(a.data, `${p}.data`, POSTBACK_DATA_MAX, 'utf16');
        this.maxLength(a.displayText, `${p}.displayText`, ACTION_TEXT_MAX, 'grapheme');
        this.maxLength(a.text, `${p}.text`, ACTION_TEXT_MAX, 'grapheme');
        this.maxLength(a.fillInText, `${p}.fillInText`, ACTION_TEXT_MAX, 'grapheme');
        if (a.displayText !== undefined && a.text !== undefined) {
          this.add(`${p}.text`, 'displayText and text cannot both be used');
        }
        break;
      case 'message':
        this.required(a, 'text', p);
        this.maxLength(a.text, `${p}.text`, ACTION_TEXT_MAX, 'grapheme');
        break;
      case 'uri':
        this.required(a, 'uri', p);
        this.uri(a.uri, `${p}.uri`);
        if (isObj(a.altUri) && a.altUri.desktop !== undefined) this.uri(a.altUri.desktop, `${p}.altUri.desktop`);
        break;
      case 'datetimepicker':
        this.required(a, 'data', p);
        this.required(a, 'mode', p);
        this.maxLength(a.data, `${p}.data`, POSTBACK_DATA_MAX, 'utf16');
        break;
      case 'richmenuswitch':
        this.required(a, 'richMenuAliasId', p);
        this.required(a, 'data', p);
        this.maxLength(a.data, `${p}.data`, POSTBACK_DATA_MAX, 'utf16');
        break;
      default:
        break;
    }
  }

  // ---- rich menu --------------------------------------------------------------------------

  richMenu(r: unknown, p: string): void {
    if (!isObj(r)) return;
    const at = (key: string): string => (p === '' ? key : `${p}.${key}`);
    if (isObj(r.size)) {
      const { width, height } = r.size;
      if (typeof width === 'number' && (width < 800 || width > 2500)) {
        this.add(at('size.width'), 'must be between 800 and 2500');
      }
      if (typeof height === 'number' && height < 250) this.add(at('size.height'), 'must be at least 250');
      if (typeof width === 'number' && typeof height === 'number' && height > 0 && width / height < 1.45) {
        this.add(at('size'), 'width / height must be at least 1.45');
      }
    }
    this.maxLength(r.chatBarText, at('chatBarText'), 14, 'grapheme');
    this.maxLength(r.name, at('name'), 300, 'grapheme');
    if (Array.isArray(r.areas)) {
      r.areas.forEach((area, i) => {
        if (isObj(area)) this.action(area.action, at(`areas[${i}].action`), 'richMenu');
      });
    }
  }
}

/** Checks `messages` (as in reply/push/multicast/narrowcast/broadcast bodies). */
export function checkMessageLimits(messages: unknown, prefix = 'messages'): LimitIssue[] {
  const c = new Checker();
  c.messages(messages, prefix);
  return c.issues;
}

/** Checks a rich menu object (POST /v2/bot/richmenu and /v2/bot/richmenu/validate). */
export function checkRichMenuLimits(richMenu: unknown): LimitIssue[] {
  const c = new Checker();
  c.richMenu(richMenu, '');
  return c.issues;
}
