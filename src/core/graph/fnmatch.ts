/**
 * Python's `fnmatch.fnmatchcase` (what dbt's selector methods call, case-sensitive as on Linux): `*` matches any
 * run of characters including `.` and `/`, `?` one character, `[seq]` / `[!seq]` one character in / not in seq, and a
 * `[` without its `]` is a literal. Ranges whose ends are reversed (`[z-a]`) are dropped, as Python 3.9+ does.
 */
export function fnmatch(name: string, pattern: string): boolean {
  if (!hasWildcard(pattern)) return name === pattern;
  return compile(pattern).test(name);
}

/** True when a pattern uses `*`, `?` or `[...]`, the characters dbt's fqn method treats as wildcards. */
export function hasWildcard(pattern: string): boolean {
  return /[*?[\]]/.test(pattern);
}

const cache = new Map<string, RegExp>();
const MAX_CACHE = 512;

function compile(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${translate(pattern)})$`, 'su');
    if (cache.size >= MAX_CACHE) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

const escapeChar = (c: string): string => `\\u{${c.codePointAt(0)!.toString(16)}}`;
const escapeOutside = (c: string): string => (/[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c);

/** fnmatch.translate, emitting a JavaScript (unicode-mode) regular expression body. */
function translate(pattern: string): string {
  const chars = Array.from(pattern);
  const n = chars.length;
  let out = '';
  let i = 0;
  while (i < n) {
    const c = chars[i++]!;
    if (c === '*') {
      if (!out.endsWith('.*')) out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      let j = i;
      if (j < n && chars[j] === '!') j++;
      if (j < n && chars[j] === ']') j++;
      while (j < n && chars[j] !== ']') j++;
      if (j >= n) {
        out += '\\[';
      } else {
        out += charClass(chars.slice(i, j));
        i = j + 1;
      }
    } else {
      out += escapeOutside(c);
    }
  }
  return out;
}

function charClass(body: string[]): string {
  let negate = false;
  let k = 0;
  if (body[0] === '!') {
    negate = true;
    k = 1;
  }
  let items = '';
  while (k < body.length) {
    const lo = body[k]!;
    if (body[k + 1] === '-' && k + 2 < body.length) {
      const hi = body[k + 2]!;
      if (lo.codePointAt(0)! <= hi.codePointAt(0)!) items += `${escapeChar(lo)}-${escapeChar(hi)}`;
      k += 3;
    } else {
      items += escapeChar(lo);
      k += 1;
    }
  }
  if (items === '') return negate ? '.' : '(?!)';
  return `[${negate ? '^' : ''}${items}]`;
}
