import { fnmatch } from './fnmatch';

/** A path split into segments the way pathlib normalizes it: `\` and `/` both separate, `.` and empty parts drop. */
export function pathSegments(path: string): string[] {
  return path.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
}

/**
 * dbt's `path:` method globs the selector under the project root (`Path.glob`) and selects a node when its
 * original_file_path, its patch (YAML) path, or one of the folders holding it is among the matches. Without the
 * file system, a node matches when the pattern matches that file or one of its folders: each pattern segment is
 * an fnmatch pattern for one path segment, and a `**` segment stands for any number of segments.
 */
export function pathGlob(pattern: string): (segments: readonly string[]) => boolean {
  const pat = pathSegments(pattern);
  return (segments) => matchFrom(pat, 0, segments, 0);
}

function matchFrom(pat: readonly string[], pi: number, path: readonly string[], si: number): boolean {
  if (pi === pat.length) return si === path.length;
  const p = pat[pi]!;
  if (p === '**') {
    for (let k = si; k <= path.length; k++) if (matchFrom(pat, pi + 1, path, k)) return true;
    return false;
  }
  return si < path.length && fnmatch(path[si]!, p) && matchFrom(pat, pi + 1, path, si + 1);
}

/** True for `/abs`, `\abs` and `C:...` paths, which `Path.glob` refuses. */
export function isAbsolutePath(path: string): boolean {
  return /^[\\/]/.test(path) || /^[A-Za-z]:/.test(path);
}
