import path from 'node:path';
import { ConfigError, readConfig, readContentSettings, settingsFromEnvironment, type Config, type ContentSettings } from '../config';
import { DefinitionsError } from '../domain/definitions';

/** What every command gets at start-up: the project root, its own arguments, and its settings. */
export interface CommandStart {
  root: string;
  /** The arguments after the command's name, as `npm run <name> -- …` passed them. */
  args: string[];
  /** All settings (LINE, store, …), read when asked so that a command that needs only the files never fails on the others. */
  config(): Config;
  content(): ContentSettings;
}

/** A mistake in how the command was called: printed as its message (and the usage, if given), never as a stack. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
  }
}

type ErrorClass = abstract new (...args: never[]) => Error;

export interface CommandOptions {
  /** This command's own errors that the person running it can act on: printed as a message, without a stack. */
  expected?: ErrorClass[];
  /** The exit status for a failure, when it is not 2. */
  exitCode?: (error: unknown) => number | undefined;
  /** Prints a failure itself (return true) instead of the usual "name: message" line. */
  report?: (error: unknown) => boolean;
}

const ALWAYS_EXPECTED: ErrorClass[] = [ConfigError, DefinitionsError, UsageError];

/**
 * Runs a command's main function and exits with its status. Anything it throws ends the process with
 * one line on stderr: the message for the errors listed as expected, the stack for anything else
 * (a bug worth reporting), and status 2 unless the command says otherwise.
 */
export function runCommand(name: string, main: (start: CommandStart) => Promise<number> | number, options: CommandOptions = {}): void {
  // Compiled, this file is dist/src/cli/command.js: the project root is three folders up.
  const root = path.resolve(__dirname, '..', '..', '..');
  const start: CommandStart = {
    root,
    args: process.argv.slice(2),
    config: () => settingsFromEnvironment(root, readConfig),
    content: () => settingsFromEnvironment(root, readContentSettings),
  };
  const expected = [...ALWAYS_EXPECTED, ...(options.expected ?? [])];
  Promise.resolve()
    .then(() => main(start))
    .then(
      (code) => process.exit(code),
      (error: unknown) => {
        if (!options.report?.(error)) {
          // node:util parseArgs refuses an unknown or malformed option with a TypeError of its own.
          const badOption = String((error as { code?: unknown } | null)?.code ?? '').startsWith('ERR_PARSE_ARGS_');
          const known = badOption || expected.some((kind) => error instanceof kind);
          const text = known ? (error as Error).message : ((error as Error)?.stack ?? String(error));
          process.stderr.write(`${name}: ${text}\n`);
          if (error instanceof UsageError && error.usage) process.stderr.write(`${error.usage}\n`);
        }
        process.exit(options.exitCode?.(error) ?? 2);
      },
    );
}
