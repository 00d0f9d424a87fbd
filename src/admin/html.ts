/** The staff console's page chrome, and the parts two pages share; every value goes through the shared html`` (src/pages/markup). */
import { pendingExport } from '../domain/staff-export';
import { html, type Markup } from '../pages/markup';
import { renderPage } from '../pages/pages';
import type { LiveDefinitions } from '../usecases/live-definitions';
import { formErrors, postForm } from './form';

export interface PageContext {
  title: string;
  user?: string | undefined;
  csrf?: string | undefined;
  flash?: string | undefined;
  error?: string | undefined;
  links?: { href: string; label: string }[];
}

export function page(ctx: PageContext, body: Markup): string {
  const nav = ctx.user
    ? html`<nav aria-label="メニュー"><a href="/admin/ibasho">いばしょの日程</a><a href="/admin/notices">お知らせ</a><a href="/admin/facts">情報の確認</a><a href="/admin/audit">変更の記録</a>${(ctx.links ?? []).map((l) => html`<a href="${l.href}">${l.label}</a>`)}
${postForm('/admin/logout', { csrf: ctx.csrf, className: 'inline' }, html`<button type="submit">ログアウト(${ctx.user})</button>`)}</nav>`
    : html``;
  return renderPage({
    title: `${ctx.title} | めぐろ ひきこもり支援ガイド 管理画面`,
    stylesheets: ['/admin/admin.css'],
    header: html`<p class="brand">めぐろ ひきこもり支援ガイド 管理画面</p>${nav}`,
    main: html`<h1>${ctx.title}</h1>
${ctx.flash ? html`<p class="flash" role="status">${ctx.flash}</p>` : html``}
${formErrors(ctx.error)}
${body}`,
  });
}

/** Which staff changes content/ does not say yet, so a developer runs the export and commits them. */
export function exportNote(live: LiveDefinitions): Markup {
  const pending = pendingExport(live.base.content, live.staffChanges);
  if (pending.length === 0) return html``;
  return html`<details class="muted"><summary>content/ にまだ書き出していない変更: ${pending.length} 件</summary>
<p>ボットには反映されています。開発担当者が <code>npm run content:export</code> で content/ に書き出し、コミットします。</p>
<ul>${pending.map((line) => html`<li>${line}</li>`)}</ul></details>`;
}

export const ADMIN_CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;line-height:1.6;color:#1f2933;background:#f7f7f4}
header{background:#2f5d50;color:#fff;padding:.5rem 1rem}
header .brand{margin:0;font-weight:bold}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;margin-top:.25rem}
nav a{color:#fff}
nav button{border-color:#fff}
main{max-width:60rem;margin:0 auto;padding:1rem;overflow-wrap:anywhere}
h1{font-size:1.4rem}
h2{font-size:1.15rem;margin-top:1.5rem}
section,fieldset{background:#fff;border:1px solid #d6d6cf;border-radius:.5rem;padding:.75rem 1rem;margin:.75rem 0}
label{display:block;margin:.25rem 0}
input,select,textarea,button{font:inherit}
input[type=text],input[type=password],input[type=date],input[type=time],textarea,select{padding:.35rem;border:1px solid #8a8a80;border-radius:.3rem;max-width:100%}
textarea{width:100%}
button{padding:.35rem .9rem;border-radius:.3rem;border:1px solid #2f5d50;background:#2f5d50;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#2f5d50}
button.danger{background:#a23b2a;border-color:#a23b2a}
:focus-visible{outline:3px solid #e0a100;outline-offset:2px}
form.inline{display:inline}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
.flash{background:#e5f3ea;border-left:4px solid #2f7d4f;padding:.5rem}
.error{background:#fbeaea;border-left:4px solid #a23b2a;padding:.5rem;white-space:pre-line}
.muted{color:#5f6b73}
.tag{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-size:.85rem;background:#eee}
.tag.held{background:#dcefe3}.tag.cancelled{background:#f6dcd6}.tag.moved{background:#fbeccc}.tag.planned{background:#e6e9f2}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #d6d6cf;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
td pre{white-space:pre-wrap;word-break:break-all;margin:0;font-size:.8rem}
`;
