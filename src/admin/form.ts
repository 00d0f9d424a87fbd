/**
 * The console's one form helper: every form posts with its CSRF token as the same hidden field, a
 * refused edit is shown the same way, posted fields are read the same way, and dates and times read
 * as staff write them (Tokyo time).
 */
import type { Request } from 'express';
import { localDateOf, tokyoClockTime } from '../domain/calendar';
import { html, type Markup } from '../pages/markup';

/** The hidden field csrf-sync and csrf-csrf read the token from. */
export const CSRF_FIELD = '_csrf';

export function csrfField(csrf: string | undefined): Markup {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${csrf ?? ''}">`;
}

export interface PostForm {
  /** The session's CSRF token (the login form's own token before a session exists). */
  csrf: string | undefined;
  /** `inline` for a single button, `row` for a field and its button side by side. */
  className?: 'inline' | 'row';
  /** Hidden fields after the token, in order: what the form acts on (a date, a notice id …). */
  hidden?: Record<string, string>;
}

/** A form that posts to `action`, its CSRF token first. */
export function postForm(action: string, form: PostForm, body: Markup): Markup {
  const className = form.className ? html` class="${form.className}"` : html``;
  const hidden = Object.entries(form.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`);
  return html`<form method="post" action="${action}"${className}>${csrfField(form.csrf)}${hidden}${body}</form>`;
}

/** Why an edit was refused, above the page; one problem a line (the content schema's list). */
export function formErrors(error: string | undefined): Markup {
  return error ? html`<p class="error" role="alert">${error}</p>` : html``;
}

/** A posted text field, '' when absent. */
export function formField(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** A posted field that may repeat (checkboxes), as a list. */
export function formFields(req: Request, name: string): string[] {
  const raw = (req.body as Record<string, unknown> | undefined)?.[name];
  return Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? [raw] : [];
}

/** "2026-12-01 10:05", Tokyo time. */
export function dateTime(at: number): string {
  return `${localDateOf(at)} ${tokyoClockTime(at)}`;
}

/** "2026-12" as "2026年12月". */
export function monthTitle(month: string): string {
  return `${month.replace('-', '年')}月`;
}
