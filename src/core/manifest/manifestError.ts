/**
 * A manifest (or project file) that cannot be read. The message always names the file, says what is wrong and
 * what to do, so every face (CLI, status bar, language server) can show it as is.
 */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';

  constructor(
    readonly file: string,
    readonly problem: string,
    readonly remedy: string,
  ) {
    super(`${file} ${problem}. ${remedy}`);
  }
}
