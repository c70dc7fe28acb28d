import { chmodSync, readFileSync, statSync } from 'node:fs';
import { textSha256 } from '../plan/textSha256';
import type { SqlOperation } from '../plan/types';
import { RunError } from './runError';
import { writeFileAtomic } from './writeFileAtomic';

type EditFile = Extract<SqlOperation, { op: 'edit-file' }>;

function count(text: string, part: string): number {
  if (part === '') return 0;
  let n = 0;
  for (let i = text.indexOf(part); i !== -1; i = text.indexOf(part, i + part.length)) n++;
  return n;
}

/**
 * An `edit-file` operation on `file` (absolute): `find`, present exactly once, becomes `replace`; with `sha256`, only
 * on the file as it was planned. A file that already holds the edit (`replace` once, and `find` only inside it) is
 * left alone and reported `already`, so a resumed run repeats the step safely. Anything else (the file changed since
 * planning, the text not found or found twice) is refused with a RunError that says what to do; the file is then
 * untouched. Written atomically, keeping the file's mode.
 */
export function applyFileEdit(file: string, edit: Pick<EditFile, 'find' | 'replace' | 'sha256'>): 'applied' | 'already' {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(file, 'utf8');
    mode = statSync(file).mode & 0o7777;
  } catch (err) {
    throw new RunError(`${file} cannot be read (${(err as Error).message}).`, 'Restore the file (git checkout), then resume the run.');
  }
  const findInReplace = count(edit.replace, edit.find);
  const already = edit.replace === '' ? count(text, edit.find) === 0 : count(text, edit.replace) === 1 && count(text, edit.find) === findInReplace;
  if (already) return 'already';
  if (edit.sha256 !== null && textSha256(text) !== edit.sha256) {
    throw new RunError(
      `${file} changed since the plan was made (its content is not the one planned), so the planned edit is not applied.`,
      'Plan again from the file as it is now.',
    );
  }
  const n = count(text, edit.find);
  if (n !== 1) {
    throw new RunError(
      `${file} has the text to replace ${n === 0 ? 'nowhere' : `${n} times`}, so the edit cannot be made exactly:\n${edit.find}`,
      n === 0 ? 'The file was edited since: make the change by hand (the step shows it), then resume.' : 'Make the change by hand (the step shows it), then resume.',
    );
  }
  const at = text.indexOf(edit.find);
  writeFileAtomic(file, text.slice(0, at) + edit.replace + text.slice(at + edit.find.length));
  chmodSync(file, mode);
  return 'applied';
}
