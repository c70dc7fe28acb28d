/**
 * A profiles.yml that cannot give a warehouse target. Like ManifestError, the message names the file, says what is
 * wrong and what to do. It never holds a secret's value: callers pass key names and variable names only.
 */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';

  constructor(
    readonly file: string,
    readonly problem: string,
    readonly remedy: string,
  ) {
    super(`${file}: ${problem}. ${remedy}`);
  }
}
