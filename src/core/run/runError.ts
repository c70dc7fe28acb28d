/** A run that cannot start or resume: what is wrong, and what to do. Nothing was executed when it is thrown. */
export class RunError extends Error {
  override readonly name = 'RunError';

  constructor(
    readonly problem: string,
    readonly remedy: string,
  ) {
    super(`${problem}${remedy ? ` ${remedy}` : ''}`);
  }
}
