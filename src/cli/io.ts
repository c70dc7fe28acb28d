/** Where a CLI command writes, and what it reads from its environment; tests pass their own. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Asks a question on the terminal and resolves with the answer; absent when there is no terminal to ask. */
  prompt?: (question: string) => Promise<string>;
  /** Aborted by Ctrl-C / SIGTERM: a run stops its dbt process tree and marks its journal cancelled. */
  signal?: AbortSignal;
}

/** Exit codes: 0 ok, 1 findings/failures a command reports, 2 bad input (usage, selector, unreadable files). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A problem in what the user gave: printed as `error: <message>` and exit code 2, never as a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
