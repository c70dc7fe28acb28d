const MASK = '****';

/**
 * A credential read from profiles.yml. It prints as `****` everywhere a value can leak by accident (`String()`,
 * template strings, `JSON.stringify`, `console.log`/`util.inspect`); only `reveal()` gives the value, and only the
 * warehouse drivers call it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get isEmpty(): boolean {
    return this.#value === '';
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${MASK})`;
  }
}

/**
 * Replaces every occurrence of each secret's value in `text` (a driver's error message can echo a URL or a
 * connection string). Empty and very short secrets are left alone: masking every `a` in a message helps nobody.
 */
export function scrubSecrets(text: string, secrets: ReadonlyArray<Secret | null | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    const v = s.reveal();
    if (v.length < 3) continue;
    out = out.split(v).join(MASK);
    const encoded = encodeURIComponent(v);
    if (encoded !== v) out = out.split(encoded).join(MASK);
  }
  return out;
}
