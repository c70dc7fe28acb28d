import { tokenizeJinja, type JinjaToken } from './jinjaText';
import type { ConfigValue } from './types';

/**
 * Reads a Jinja expression as a `ConfigValue`, as far as it can be read without rendering: literals, lists (and
 * tuples), dicts, a lone call; anything with operators, variables or filters is an `expression` as written.
 * A parenthesized literal is the literal (`('delete+insert')` is the string). Never throws.
 */
export function readConfigValue(text: string, start = 0, end = text.length): ConfigValue {
  const tokens = tokenizeJinja(text, start, end);
  return new ValueReader(text, tokens).range(0, tokens.length);
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

class ValueReader {
  /** Index of the matching close bracket token for each open bracket token, -1 when unmatched. */
  private readonly match: Int32Array;

  constructor(
    private readonly text: string,
    private readonly tokens: JinjaToken[],
  ) {
    this.match = new Int32Array(tokens.length).fill(-1);
    const stack: number[] = [];
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k] as JinjaToken;
      if (t.type !== 'op') continue;
      if (OPEN[t.value] !== undefined) stack.push(k);
      else if (t.value === ')' || t.value === ']' || t.value === '}') {
        // Pop to the matching opener; a stray closer matches nothing.
        for (let s = stack.length - 1; s >= 0; s--) {
          const open = stack[s] as number;
          if (OPEN[(tokens[open] as JinjaToken).value] === t.value) {
            this.match[open] = k;
            stack.length = s;
            break;
          }
        }
      }
    }
  }

  private op(k: number, value: string): boolean {
    const t = this.tokens[k];
    return t !== undefined && t.type === 'op' && t.value === value;
  }

  private textOf(a: number, b: number): string {
    if (a >= b) return '';
    return this.text.slice((this.tokens[a] as JinjaToken).start, (this.tokens[b - 1] as JinjaToken).end);
  }

  /** The value of tokens `[a, b)`: a literal when they are exactly one, else an expression. */
  range(a: number, b: number): ConfigValue {
    const p = this.primary(a, b);
    if (p !== null && p.next === b) return p.value;
    return { kind: 'expression', text: this.textOf(a, b) };
  }

  /** Token ranges between top-level commas of `[a, b)`; blank pieces (a trailing comma) dropped. */
  private items(a: number, b: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let from = a;
    for (let k = a; k < b; k++) {
      const m = this.match[k] as number;
      if (m > k && m < b) {
        k = m;
        continue;
      }
      if (this.op(k, ',')) {
        if (k > from) out.push([from, k]);
        from = k + 1;
      }
    }
    if (b > from) out.push([from, b]);
    return out;
  }

  private primary(a: number, b: number): { value: ConfigValue; next: number } | null {
    const t = this.tokens[a];
    if (t === undefined || a >= b) return null;
    if (t.type === 'string') {
      let value = t.value;
      let k = a + 1;
      // Jinja joins adjacent string literals, as Python does.
      while (k < b && this.tokens[k]?.type === 'string') value += (this.tokens[k++] as JinjaToken).value;
      return { value: { kind: 'string', value }, next: k };
    }
    if (t.type === 'number') return { value: { kind: 'number', value: Number(t.value.replace(/_/g, '')) }, next: a + 1 };
    if (t.type === 'op' && (t.value === '-' || t.value === '+') && this.tokens[a + 1]?.type === 'number' && a + 1 < b) {
      const n = Number((this.tokens[a + 1] as JinjaToken).value.replace(/_/g, ''));
      return { value: { kind: 'number', value: t.value === '-' ? -n : n }, next: a + 2 };
    }
    if (t.type === 'name') {
      switch (t.value) {
        case 'True':
        case 'true':
          return { value: { kind: 'bool', value: true }, next: a + 1 };
        case 'False':
        case 'false':
          return { value: { kind: 'bool', value: false }, next: a + 1 };
        case 'None':
        case 'none':
          return { value: { kind: 'none' }, next: a + 1 };
      }
      // A (dotted) call: name(.name)*(...)
      let k = a + 1;
      while (k + 1 < b && this.op(k, '.') && this.tokens[k + 1]?.type === 'name') k += 2;
      if (k < b && this.op(k, '(')) {
        const close = this.match[k] as number;
        if (close < 0 || close >= b) return null;
        const name = this.textOf(a, k).replace(/\s+/g, '');
        const open = this.tokens[k] as JinjaToken;
        const args = this.text.slice(open.end, (this.tokens[close] as JinjaToken).start).trim();
        return { value: { kind: 'call', name, args }, next: close + 1 };
      }
      return null;
    }
    if (t.type === 'op') {
      const close = this.match[a] as number;
      if (close < 0 || close >= b) return null;
      if (t.value === '[') {
        return { value: { kind: 'list', items: this.items(a + 1, close).map(([x, y]) => this.range(x, y)) }, next: close + 1 };
      }
      if (t.value === '(') {
        const items = this.items(a + 1, close);
        let hasComma = false;
        for (let k = a + 1; k < close; k++) {
          const m = this.match[k] as number;
          if (m > k) k = m;
          else if (this.op(k, ',')) hasComma = true;
        }
        if (!hasComma && items.length === 1) {
          const [x, y] = items[0] as [number, number];
          const inner = this.range(x, y);
          // `('append' if ... else ...)`: the expression as written, parentheses included.
          if (inner.kind === 'expression') return { value: { kind: 'expression', text: this.textOf(a, close + 1) }, next: close + 1 };
          return { value: inner, next: close + 1 };
        }
        return { value: { kind: 'list', items: items.map(([x, y]) => this.range(x, y)) }, next: close + 1 };
      }
      if (t.value === '{') {
        const entries: Array<{ key: string; value: ConfigValue }> = [];
        for (const [x, y] of this.items(a + 1, close)) {
          let colon = -1;
          for (let k = x; k < y; k++) {
            const m = this.match[k] as number;
            if (m > k) k = m;
            else if (this.op(k, ':')) {
              colon = k;
              break;
            }
          }
          if (colon <= x) return null;
          const keyTok = this.tokens[x] as JinjaToken;
          const key = colon === x + 1 && keyTok.type === 'string' ? keyTok.value : this.textOf(x, colon);
          entries.push({ key, value: this.range(colon + 1, y) });
        }
        return { value: { kind: 'dict', entries }, next: close + 1 };
      }
    }
    return null;
  }
}
