const SAFE = /^[A-Za-z0-9_./:=+@%,^-]+$/;

/**
 * A POSIX shell word that reads back as `arg`, for showing a command line to people (plans, journals). Never used to
 * run anything: steps run as argv arrays without a shell.
 */
export function shellQuote(arg: string): string {
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'"'"'`)}'`;
}

/** A whole command line for display. */
export function shellLine(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
