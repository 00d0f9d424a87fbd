import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadDefinitions } from '../files/definitions-files';
import { ibashoOverview } from '../domain/ibasho-overview';
import { StaffInputError } from '../domain/staff-changes/validation';
import { openStore } from '../store/open-store';
import { StaffStore } from '../store/staff-store';
import { LiveDefinitions } from '../usecases/live-definitions';
import { cancelIbashoDate, moveIbashoDate, publishIbashoDate } from '../usecases/staff-operations';
import { runCommand, type CommandStart } from './command';

const USAGE = `使い方:
  npm run ibasho -- list
  npm run ibasho -- add YYYY-MM-DD [--start HH:MM --end HH:MM --note メモ]
  npm run ibasho -- cancel YYYY-MM-DD
  npm run ibasho -- move YYYY-MM-DD --to YYYY-MM-DD
`;

const STATUS = { held: '開催', cancelled: '中止', moved: '変更' } as const;

/**
 * `npm run ibasho`: the めぐろのいばしょ dates on the configured store (DATA_DIR or DATABASE_URL),
 * the same operations as the staff console, safe while the server runs (it sees a change within
 * seconds). Exit 0 on success; a Japanese message and exit 1 on a bad date; 2 on a usage error.
 */
async function main(start: CommandStart): Promise<number> {
  const { values, positionals } = parseArgs({
    args: start.args,
    allowPositionals: true,
    options: { start: { type: 'string' }, end: { type: 'string' }, note: { type: 'string' }, to: { type: 'string' }, now: { type: 'string' } },
  });
  const [command, date] = positionals;
  if (!command || !['list', 'add', 'cancel', 'move'].includes(command) || (command !== 'list' && !date) || (command === 'move' && !values.to)) {
    process.stderr.write(USAGE);
    return 2;
  }
  // --now is for tests and rehearsals only: it moves "today" for the past-date check.
  const now = values.now ? new Date(values.now) : new Date();
  const config = start.config();
  const base = loadDefinitions(config);
  const store = await openStore(config);
  try {
    const staff = new StaffStore(store.database);
    const live = new LiveDefinitions(base, staff.content);
    await live.refresh();
    const defs = live.view;
    const actor = `cli:${os.userInfo().username}`;
    try {
      if (command === 'list') {
        for (const month of ibashoOverview(defs, now)) {
          const explicit = month.dates.map((d) => {
            const from = d.source.startsWith('目黒区職員') ? '管理画面' : 'content/';
            if (d.status === 'moved') return `${d.date} → ${d.movedTo} ${STATUS.moved}(${from})`;
            const times = d.status === 'held' ? ` ${d.start ?? defs.content.ibasho.rule.value.start}〜${d.end ?? defs.content.ibasho.rule.value.end}` : '';
            const note = d.status === 'held' && d.note ? ` ${d.note}` : '';
            return `${d.date} ${STATUS[d.status]}${times}${note}(${from})`;
          });
          process.stdout.write(`${month.month}  候補: ${month.candidates.join(' / ') || 'なし'}  ${explicit.length > 0 ? `登録: ${explicit.join('、')}` : '登録: なし(予定として表示)'}\n`);
        }
        return 0;
      }
      if (command === 'add') {
        const entry = await publishIbashoDate(staff, defs, { date: date!, start: values.start, end: values.end, note: values.note }, actor, now);
        process.stdout.write(`公開しました: ${entry.date} ${entry.start}〜${entry.end}${entry.note ? ` ${entry.note}` : ''}\n`);
      } else if (command === 'cancel') {
        await cancelIbashoDate(staff, defs, date!, actor, now);
        process.stdout.write(`中止にしました: ${date}\n`);
      } else {
        await moveIbashoDate(staff, defs, date!, values.to!, actor, now);
        process.stdout.write(`変更しました: ${date} → ${values.to}\n`);
      }
      return 0;
    } catch (error) {
      if (!(error instanceof StaffInputError)) throw error;
      process.stderr.write(`エラー: ${error.message}\n`);
      return 1;
    }
  } finally {
    await store.close();
  }
}

runCommand('ibasho', main);
