import { scrubSecrets, Secret } from '../profiles/secret';

/** Names of environment variables whose values are credentials (their values are scrubbed, never written). */
const SECRET_ENV_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL/i;

/**
 * Removes every known credential from what the runner writes (journal, logs, copied run_results.json) and emits:
 * the target's secrets, and the values of credential-named environment variables dbt receives (a profile's
 * `env_var('CLICKHOUSE_PASSWORD')` ends up in dbt's error messages as easily as in ours).
 */
export class Scrubber {
  private readonly secrets: Secret[];

  constructor(secrets: ReadonlyArray<Secret | null | undefined>, env: Readonly<Record<string, string | undefined>> = {}) {
    const all: Secret[] = [];
    for (const s of secrets) if (s && !s.isEmpty) all.push(s);
    for (const [name, value] of Object.entries(env)) {
      if (value && value.length >= 6 && SECRET_ENV_NAME.test(name)) all.push(new Secret(value));
    }
    // A value as JSON writes it inside a string (quotes and backslashes escaped) is a secret too.
    for (const s of [...all]) {
      const escaped = JSON.stringify(s.reveal()).slice(1, -1);
      if (escaped !== s.reveal()) all.push(new Secret(escaped));
    }
    // Longest first: a secret that contains another is replaced whole.
    this.secrets = all.sort((a, b) => b.reveal().length - a.reveal().length);
  }

  text(s: string): string {
    return this.secrets.length === 0 ? s : scrubSecrets(s, this.secrets);
  }

  /** A deep copy of `v` with every string scrubbed (keys too). */
  value<T>(v: T): T {
    if (this.secrets.length === 0) return v;
    return this.walk(v) as T;
  }

  private walk(v: unknown): unknown {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v instanceof Secret) return v.toJSON();
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[this.text(k)] = this.walk(x);
      return out;
    }
    return v;
  }
}
