/**
 * A selection argument that dbt would refuse or that selects nothing at all. `token` is the offending piece as the
 * user typed it: the method name for an unknown or unsupported method (`tga`), the value for a value that matches
 * nothing or is not valid for its method (`customrs`), the whole criterion for a syntax error (`@orders+`).
 * `suggestion` is what to type instead of `token`, when there is a plausible one.
 */
export class SelectorError extends Error {
  readonly token: string;
  readonly suggestion: string | null;

  constructor(message: string, token: string, suggestion: string | null = null) {
    super(message);
    this.name = 'SelectorError';
    this.token = token;
    this.suggestion = suggestion;
  }
}
