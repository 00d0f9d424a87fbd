/**
 * The native binding is loaded on the first login or password change, not at start-up: the webhook
 * never needs it, and it is about 3 MB of every instance's memory.
 */
const argon2 = () => import('@node-rs/argon2');

/** Staff passwords: at least this many characters. */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * Argon2id (the package's default algorithm, with its default cost: 19 MiB, 2 passes, as OWASP
 * recommends) through @node-rs/argon2, a maintained Rust binding shipped prebuilt in the package.
 */
export async function hashPassword(password: string): Promise<string> {
  return (await argon2()).hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await (await argon2()).verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the account does not exist, so that both cases take as long. */
let dummyHash: Promise<string> | null = null;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('not-a-real-password-for-timing');
  return dummyHash;
}

/** zxcvbn's score (0–4) a password must reach: 3 is "safely unguessable" by an attacker who can try 10^8 guesses. */
const MIN_SCORE = 3;

/**
 * zxcvbn-ts (maintained, with its common-password and keyboard-pattern lists) estimates how guessable
 * a password is. Loaded only here: only `npm run staff` sets passwords, never the server.
 */
let estimator: Promise<{ check(password: string, userInputs: string[]): { score: number; sequence: { pattern: string; token: string; dictionaryName?: string }[] } }> | null = null;
function zxcvbn() {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
    return new ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });
  })();
  return estimator;
}

/**
 * Why a password would not do, in Japanese for the person setting it; null when it will. Refused:
 * under 12 characters, the account's name in it, and anything zxcvbn finds easy to guess (one
 * character or a short pattern repeated, a keyboard run, a common password or a near copy of one).
 */
export async function passwordProblem(password: string, username: string): Promise<string | null> {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `パスワードは${MIN_PASSWORD_LENGTH}文字以上にしてください`;
  if (username && password.toLowerCase().includes(username.toLowerCase())) return 'パスワードにユーザー名を入れないでください';
  const result = (await zxcvbn()).check(password, [username, 'meguro', 'hikikomori', 'ibasho']);
  if (result.score >= MIN_SCORE) return null;
  const longest = [...result.sequence].sort((a, b) => b.token.length - a.token.length)[0];
  if (longest && ['repeat', 'sequence', 'spatial'].includes(longest.pattern)) {
    return '同じ文字のくり返しや、キーボードの並び・連続した文字が多く、推測されやすいパスワードです。思いつきにくい言葉をいくつか組み合わせてください(例: 4つの単語を空白でつなぐ)';
  }
  if (longest?.pattern === 'dictionary' && longest.dictionaryName?.startsWith('passwords')) {
    return 'よく使われているパスワード(またはそれに近いもの)なので使えません。思いつきにくい言葉をいくつか組み合わせてください(例: 4つの単語を空白でつなぐ)';
  }
  return '推測されやすいパスワードです。もっと長くするか、思いつきにくい言葉をいくつか組み合わせてください(例: 4つの単語を空白でつなぐ)';
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,31}$/;
export function usernameProblem(username: string): string | null {
  return USERNAME.test(username) ? null : 'ユーザー名は半角の小文字・数字・「. _ -」で2〜32文字にしてください(例: tanaka)';
}
