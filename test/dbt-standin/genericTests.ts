import { createHash } from 'node:crypto';

/** dbt's names for a generic test (`synthesize_generic_test_names`): [short name for files, full name for ids]. */
export function genericTestNames(testType: string, targetName: string, args: Readonly<Record<string, unknown>>): [string, string] {
  const flat: string[] = [];
  for (const argName of Object.keys(args).sort()) {
    if (argName === 'model') continue;
    const value = args[argName];
    const parts = Array.isArray(value)
      ? value
      : typeof value === 'object' && value !== null
        ? Object.values(value)
        : [value];
    flat.push(...parts.map((p) => pythonStr(p)));
  }
  const unique = flat.map((a) => a.replace(/[^0-9a-zA-Z_]+/g, '_')).join('__');
  const identifier = `${testType}_${targetName}`;
  const fullName = `${identifier}_${unique}`;
  if (fullName.length >= 64) return [`${identifier.slice(0, 30)}_${md5(fullName)}`, fullName];
  return [fullName, fullName];
}

/** The 10 hex digits after `test.<package>.<name>.`: md5 of the name and the repr of the test's metadata. */
export function genericTestHash(fullName: string, testMetadata: Readonly<Record<string, unknown>>): string {
  return md5(fullName + pythonRepr(hashable(testMetadata))).slice(-10);
}

/** dbt's `get_hashable_md`: dict keys sorted, every scalar turned into its `str()`. */
function hashable(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(hashable);
  if (typeof data === 'object' && data !== null) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(data).sort()) out[k] = hashable((data as Record<string, unknown>)[k]);
    return out;
  }
  return pythonStr(data);
}

/** Python's `str()` of a JSON scalar. */
export function pythonStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** Python's `repr()` of the dicts, lists and strings `hashable` returns. */
export function pythonRepr(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.entries(v).map(([k, x]) => `${pythonRepr(k)}: ${pythonRepr(x)}`).join(', ')}}`;
  }
  const s = String(v);
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return quote + out + quote;
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}
