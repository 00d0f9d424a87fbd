import type { Router } from 'express';
import { html } from '../pages/markup';
import type { ConsolePage } from './console-page';
import { dateTime } from './form';

const ACTION_LABELS: Record<string, string> = {
  'ibasho.publish': 'いばしょ 公開',
  'ibasho.cancel': 'いばしょ 中止',
  'ibasho.move': 'いばしょ 日程変更',
  'ibasho.note': 'いばしょ メモ',
  'ibasho.remove': 'いばしょ 取り消し',
  'notice.add': 'お知らせ 追加',
  'notice.remove': 'お知らせ 終了',
  'fact.check': '情報 確認',
  'fact.correct': '情報 訂正',
  'account.add': 'アカウント 追加',
  'account.disable': 'アカウント 停止',
  'account.reset': 'パスワード 変更',
  'account.enable': 'アカウント 再開',
  'account.login': 'ログイン',
  'account.login-failed': 'ログイン失敗',
  'account.logout': 'ログアウト',
};

/** The newest audit rows shown at once. */
const AUDIT_ROWS_SHOWN = 500;

/** 変更の記録: every change made in the console or with the commands, newest first. */
export function auditPage(admin: Router, ctx: ConsolePage): void {
  admin.get('/audit', async (req, res) => {
    const entries = await ctx.staff.content.auditLog(AUDIT_ROWS_SHOWN);
    const json = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value, null, 1));
    ctx.render(
      req,
      res,
      '変更の記録',
      html`<p>管理画面とコマンドで行った変更はすべてここに残ります(自動では消えません)。新しい順に${AUDIT_ROWS_SHOWN}件まで表示します。</p>
<table><thead><tr><th>日時</th><th>だれが</th><th>内容</th><th>対象</th><th>変更前</th><th>変更後</th></tr></thead><tbody>
${entries.map((e) => html`<tr><td>${dateTime(e.at)}</td><td>${e.actor}</td><td>${ACTION_LABELS[e.action] ?? e.action}</td><td>${e.subject}</td><td><pre>${json(e.before)}</pre></td><td><pre>${json(e.after)}</pre></td></tr>`)}
</tbody></table>`,
    );
  });
}
