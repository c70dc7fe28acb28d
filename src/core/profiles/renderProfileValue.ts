import { ProfileError } from './profileError';

export type Env = Readonly<Record<string, string | undefined>>;
export type ProfileScalar = string | number | boolean | null;

export interface RenderContext {
  file: string;
  /** Dotted path of the value in the file, for messages: `my_profile.outputs.dev.port`. */
  keyPath: string;
  env: Env;
  /** A credential: its rendered value never appears in a message. */
  secret: boolean;
}

// One `{{ env_var('NAME') }}` or `{{ env_var('NAME', 'default') | filter | ... }}`: the only Jinja that
// profiles.yml files use in practice, so the only Jinja evaluated here.
const STR = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"`;
const NUM = String.raw`-?\d+(?:\.\d+)?`;
const ENV_VAR = new RegExp(
  String.raw`^\s*env_var\s*\(\s*(${STR})\s*(?:,\s*(${STR}|${NUM}|none|None|true|True|false|False)\s*)?\)\s*((?:\|\s*[A-Za-z_]+\s*(?:\(\s*\))?\s*)*)$`,
);
const EXPRESSION = /\{\{([\s\S]*?)\}\}/g;

/** Filters that change the type of a value rendered alone (dbt's native rendering). */
const NATIVE_FILTERS = new Set(['as_number', 'as_bool', 'as_native', 'int', 'float']);
const TEXT_FILTERS = new Set(['as_text', 'string', 'trim', 'lower', 'upper']);

function unquote(lit: string): string {
  return lit.slice(1, -1).replace(/\\(.)/g, '$1');
}

function fail(ctx: RenderContext, problem: string, remedy: string): never {
  throw new ProfileError(ctx.file, `\`${ctx.keyPath}\` ${problem}`, remedy);
}

function shown(ctx: RenderContext, value: string): string {
  return ctx.secret ? 'a value (not shown: it is a credential)' : JSON.stringify(value);
}

function applyFilter(ctx: RenderContext, value: ProfileScalar, filter: string): ProfileScalar {
  switch (filter) {
    case 'as_text':
    case 'string':
      return value === null ? 'None' : String(value);
    case 'trim':
      return String(value).trim();
    case 'lower':
      return String(value).toLowerCase();
    case 'upper':
      return String(value).toUpperCase();
    case 'as_native':
      return value;
    case 'as_number':
    case 'float': {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (String(value).trim() === '' || !Number.isFinite(n)) {
        fail(ctx, `renders to ${shown(ctx, String(value))}, which \`| ${filter}\` cannot turn into a number`, 'Set the environment variable to a number.');
      }
      return n;
    }
    case 'int': {
      // Jinja's int: a malformed value becomes 0, which would connect to port 0; refuse instead.
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (String(value).trim() === '' || !Number.isFinite(n)) {
        fail(ctx, `renders to ${shown(ctx, String(value))}, which \`| int\` cannot turn into an integer`, 'Set the environment variable to a whole number.');
      }
      return Math.trunc(n);
    }
    case 'as_bool': {
      if (typeof value === 'boolean') return value;
      const s = String(value).trim().toLowerCase();
      if (s === 'true' || s === '1' || s === 'yes') return true;
      if (s === 'false' || s === '0' || s === 'no' || s === '') return false;
      return fail(ctx, `renders to ${shown(ctx, String(value))}, which \`| as_bool\` cannot turn into true or false`, 'Set the environment variable to true or false.');
    }
    default:
      return fail(
        ctx,
        `uses the Jinja filter \`| ${filter}\`, which dbt Recovery does not evaluate`,
        'Use env_var() with as_number, int, float, as_bool, as_text or string, or write the value directly.',
      );
  }
}

function evalExpression(ctx: RenderContext, body: string): { value: ProfileScalar; native: boolean } {
  const m = ENV_VAR.exec(body);
  if (!m) {
    return fail(
      ctx,
      `holds the Jinja expression {{${body}}}, which dbt Recovery does not evaluate (it only resolves env_var())`,
      "Write the value directly, or use {{ env_var('NAME') }} / {{ env_var('NAME', 'default') }}.",
    );
  }
  const name = unquote(m[1]!);
  const defaultLit = m[2];
  let value: ProfileScalar;
  const fromEnv = ctx.env[name];
  if (fromEnv !== undefined) value = fromEnv;
  else if (defaultLit === undefined) {
    return fail(
      ctx,
      `needs the environment variable ${name} (env_var('${name}') has no default), which is not set`,
      `Set ${name} in the environment dbt Recovery runs in (for VS Code: before starting it, or in the terminal that runs the CLI), or give a default: env_var('${name}', '...').`,
    );
  } else if (/^['"]/.test(defaultLit)) value = unquote(defaultLit);
  else if (/^(none|None)$/.test(defaultLit)) value = null;
  else if (/^(true|True)$/.test(defaultLit)) value = true;
  else if (/^(false|False)$/.test(defaultLit)) value = false;
  else value = Number(defaultLit);
  const filters = (m[3] ?? '')
    .split('|')
    .map((f) => f.replace(/\(\s*\)/, '').trim())
    .filter((f) => f !== '');
  let native = false;
  for (const f of filters) {
    value = applyFilter(ctx, value, f);
    native = NATIVE_FILTERS.has(f) ? true : TEXT_FILTERS.has(f) ? false : native;
  }
  return { value, native };
}

/**
 * Renders one profiles.yml value as dbt does for what real profiles use: `{{ env_var('X') }}`,
 * `{{ env_var('X', 'default') }}`, with `| as_number`, `| int`, `| float`, `| as_bool` (a value that is only the
 * expression keeps the filter's type, as dbt's native rendering does) and `| as_text`/`| string`. Any other Jinja is
 * an error that names the key: guessing would connect somewhere unintended.
 */
export function renderProfileValue(value: unknown, ctx: RenderContext): ProfileScalar {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value !== 'string') {
    return fail(ctx, 'is not a single value (a mapping or a list)', 'Give a string, a number or true/false.');
  }
  if (/\{%|\{#/.test(value)) {
    return fail(ctx, 'holds a Jinja statement or comment ({% ... %} / {# ... #}), which dbt Recovery does not evaluate', 'Write the value directly, or use {{ env_var(...) }}.');
  }
  const whole = /^\s*\{\{([\s\S]*?)\}\}\s*$/.exec(value);
  if (whole && !whole[1]!.includes('}}')) {
    const r = evalExpression(ctx, whole[1]!);
    return r.native ? r.value : r.value === null ? 'None' : String(r.value);
  }
  return value.replace(EXPRESSION, (_all, body: string) => {
    const r = evalExpression(ctx, body);
    return r.value === null ? 'None' : String(r.value);
  });
}
