import { createHash } from 'node:crypto';

/** Hex sha256 of a text's UTF-8 bytes: how an `edit-file` step pins the file it was planned on. */
export function textSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
