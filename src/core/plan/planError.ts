/**
 * A plan that cannot be made from what was given. The message says what is wrong and what to do, so every face
 * (CLI, plan view) can show it as is; `problem` and `remedy` are kept apart for faces that lay them out.
 */
export class PlanError extends Error {
  override readonly name = 'PlanError';

  constructor(
    readonly problem: string,
    readonly remedy: string,
  ) {
    super(`${problem} ${remedy}`);
  }
}
