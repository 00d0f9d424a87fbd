import os from 'node:os';
import { parseArgs } from 'node:util';
import { openStore } from '../store/open-store';
import { StaffStore } from '../store/staff-store';
import { DuplicateError } from '../usecases/ports';
import { hashPassword, passwordProblem, usernameProblem } from '../staff/passwords';
import { runCommand, type CommandStart } from './command';

const USAGE = `使い方:
  npm run staff -- add NAME --password-stdin     (パスワードは標準入力から。12文字以上で、推測されにくいもの)
  npm run staff -- list
  npm run staff -- disable NAME
  npm run staff -- enable NAME                    (停止したアカウントを使えるように戻す)
  npm run staff -- reset NAME --password-stdin   (停止中のアカウントは停止のまま)
`;

/** The first line of standard input; the password never appears in argv, the shell history or a log. */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
}

/** `npm run staff`: the staff console's accounts on the configured store. Exit 0, 1 on a refused change, 2 on usage. */
async function main(start: CommandStart): Promise<number> {
  const { values, positionals } = parseArgs({ args: start.args, allowPositionals: true, options: { 'password-stdin': { type: 'boolean', default: false } } });
  const [command, name] = positionals;
  const needsName = command === 'add' || command === 'disable' || command === 'enable' || command === 'reset';
  const needsPassword = command === 'add' || command === 'reset';
  if (!command || !['add', 'list', 'disable', 'enable', 'reset'].includes(command) || (needsName && !name) || (needsPassword && !values['password-stdin'])) {
    process.stderr.write(USAGE);
    return 2;
  }
  const config = start.config();
  const fail = (message: string) => {
    process.stderr.write(`エラー: ${message}\n`);
    return 1;
  };
  let passwordHash = '';
  if (needsName && command === 'add') {
    const problem = usernameProblem(name!);
    if (problem) return fail(problem);
  }
  if (needsPassword) {
    const password = await readPassword();
    const problem = await passwordProblem(password, name!);
    if (problem) return fail(problem);
    passwordHash = await hashPassword(password);
  }
  const store = await openStore(config);
  try {
    const staff = new StaffStore(store.database);
    const actor = `cli:${os.userInfo().username}`;
    const now = Date.now();
    switch (command) {
      case 'add':
        try {
          await staff.access.addAccount(name!, passwordHash, actor, now);
        } catch (error) {
          if (error instanceof DuplicateError) return fail(`アカウント「${name}」はすでにあります(パスワードの変更は reset)`);
          throw error;
        }
        process.stdout.write(`アカウント「${name}」を作りました\n`);
        return 0;
      case 'list':
        for (const account of await staff.access.accounts()) {
          process.stdout.write(`${account.username}\t${account.disabled ? '停止中' : '有効'}\t作成 ${new Date(account.createdAt).toISOString().slice(0, 10)}\n`);
        }
        return 0;
      case 'disable':
        if (!(await staff.access.disableAccount(name!, actor, now))) return fail(`アカウント「${name}」はありません`);
        process.stdout.write(`アカウント「${name}」を停止しました(ログイン中の画面も閉じられます)\n`);
        return 0;
      case 'enable':
        if (!(await staff.access.enableAccount(name!, actor, now))) return fail(`アカウント「${name}」はありません`);
        process.stdout.write(`アカウント「${name}」を使えるようにしました\n`);
        return 0;
      default: {
        const account = await staff.access.account(name!);
        if (!account || !(await staff.access.resetPassword(name!, passwordHash, actor, now))) return fail(`アカウント「${name}」はありません`);
        const stillDisabled = account.disabled ? '(このアカウントは停止中のままです。使えるようにするには enable)' : '';
        process.stdout.write(`アカウント「${name}」のパスワードを変えました${stillDisabled}\n`);
        return 0;
      }
    }
  } finally {
    await store.close();
  }
}

runCommand('staff', main);
