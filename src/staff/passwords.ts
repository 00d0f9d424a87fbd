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

export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `パスワードは${MIN_PASSWORD_LENGTH}文字以上にしてください`;
  return null;
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,31}$/;
export function usernameProblem(username: string): string | null {
  return USERNAME.test(username) ? null : 'ユーザー名は半角の小文字・数字・「. _ -」で2〜32文字にしてください(例: tanaka)';
}
