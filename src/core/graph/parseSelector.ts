import { closestMatch } from './closestMatch';
import { SelectorError } from './selectorError';

/** Every method name dbt-core knows (`MethodName` in core/dbt/graph/selector_methods.py). */
export const METHOD_NAMES = [
  'fqn',
  'tag',
  'group',
  'access',
  'source',
  'path',
  'file',
  'package',
  'config',
  'test_name',
  'test_type',
  'resource_type',
  'state',
  'exposure',
  'metric',
  'result',
  'source_status',
  'version',
  'semantic_model',
  'saved_query',
  'unit_test',
  'selector',
] as const;

export type MethodName = (typeof METHOD_NAMES)[number];

/** Methods that read something besides the manifest; dbt Recovery evaluates selections on the manifest alone. */
export const UNSUPPORTED_METHODS: Readonly<Partial<Record<MethodName, string>>> = {
  state: 'it compares the project with the artifacts of another run (dbt\'s --state)',
  result: 'it reads the run_results.json of a previous run (dbt\'s --state)',
  source_status: 'it compares source freshness results (sources.json) of two runs',
  selector: 'it names a YAML selector from selectors.yml',
};

/** One `method:value` with its graph operators, as dbt's `SelectionCriteria` holds it. */
export interface SelectionCriteria {
  raw: string;
  method: MethodName;
  /** `config.meta.owner:x` -> ['meta', 'owner']; other methods ignore them, as dbt does. */
  methodArgs: string[];
  value: string;
  childrensParents: boolean;
  parents: boolean;
  parentsDepth: number | null;
  children: boolean;
  childrenDepth: number | null;
}

/** The criteria of one space-separated member of a selection argument, to be intersected (`a,b`). */
export interface SelectionIntersection {
  raw: string;
  criteria: SelectionCriteria[];
}

/**
 * dbt's RAW_SELECTOR_PATTERN (selector_spec.py): `@` prefix, `N+` parents, `method.args:` and the value, `+N`
 * children. Python's `\w` is Unicode-aware and its `.` stops at a newline; the classes below do the same.
 */
const RAW_SELECTOR =
  /^(?<childrensParents>@)?(?<parents>(?<parentsDepth>\d*)\+)?(?:(?<method>[\p{L}\p{N}_.]+):)?(?<value>[^\n]*?)(?<children>\+(?<childrenDepth>\d*))?$/u;

/**
 * A method-less value is a path if it has a path separator, a file if it ends in .sql, .py or .csv, else an fqn
 * (`SelectionCriteria.default_method`). dbt checks `os.sep`/`os.altsep`; both separators count here, whatever the OS.
 */
export function defaultMethod(value: string): MethodName {
  if (value.includes('/') || value.includes('\\')) return 'path';
  if (/\.(?:sql|py|csv)$/i.test(value)) return 'file';
  return 'fqn';
}

/** Parses one criterion (`2+tag:nightly`, `@orders`, `config.materialized:incremental+`) as dbt does. */
export function parseSelector(raw: string): SelectionCriteria {
  const m = RAW_SELECTOR.exec(raw);
  const g = m?.groups;
  if (!g) throw new SelectorError(`Invalid selector spec '${raw}'`, raw);
  const value = g.value ?? '';
  let method: MethodName;
  let methodArgs: string[] = [];
  if (g.method === undefined) {
    method = defaultMethod(value);
  } else {
    const [name = '', ...args] = g.method.split('.');
    if (!(METHOD_NAMES as readonly string[]).includes(name)) {
      const suggestion = closestMatch(name, METHOD_NAMES);
      throw new SelectorError(
        suggestion
          ? `'${name}' is not a selector method; did you mean '${suggestion}'?`
          : `'${name}' is not a selector method (in '${raw}'); the methods are ${METHOD_NAMES.join(', ')}`,
        name,
        suggestion,
      );
    }
    method = name as MethodName;
    methodArgs = args;
  }
  const criteria: SelectionCriteria = {
    raw,
    method,
    methodArgs,
    value,
    childrensParents: g.childrensParents !== undefined,
    parents: g.parents !== undefined,
    parentsDepth: g.parentsDepth ? Number(g.parentsDepth) : null,
    children: g.children !== undefined,
    childrenDepth: g.childrenDepth ? Number(g.childrenDepth) : null,
  };
  if (criteria.childrensParents && criteria.children) {
    const fixed = raw.slice(0, raw.length - (g.children?.length ?? 0));
    throw new SelectorError(
      `Invalid selector '${raw}': the '@' prefix and the '+' suffix cannot be combined ('@' already selects all children and their parents); use '${fixed}'`,
      raw,
      fixed,
    );
  }
  const unsupported = UNSUPPORTED_METHODS[method];
  if (unsupported) {
    throw new SelectorError(
      `The '${method}' method ('${raw}') is not supported here: ${unsupported}, and dbt Recovery selects from the manifest alone. Run dbt itself for this selection.`,
      method,
    );
  }
  if (value === '') {
    throw new SelectorError(`Invalid selector '${raw}': it has no value to match${g.method === undefined ? '' : ` after '${g.method}:'`}`, raw);
  }
  if (method === 'config' && methodArgs.length === 0) {
    throw new SelectorError(`Invalid selector '${raw}': the config method needs a key, as in 'config.materialized:${value}'`, raw, `config.materialized:${value}`);
  }
  return criteria;
}

/**
 * Parses the values of one `--select` or `--exclude` (dbt's `parse_union`): each value is split on spaces into a
 * union, each member on commas into an intersection. Empty members (from doubled spaces) select nothing in dbt
 * and are skipped here.
 */
export function parseSelectionArgs(values: readonly string[]): SelectionIntersection[] {
  const members: SelectionIntersection[] = [];
  for (const value of values) {
    for (const raw of value.split(' ')) {
      if (raw === '') continue;
      const parts = raw.split(',');
      if (parts.includes('')) {
        throw new SelectorError(`Invalid selection '${raw}': it has an empty part (a comma at an end or two in a row)`, raw, parts.filter((p) => p !== '').join(','));
      }
      members.push({ raw, criteria: parts.map((part) => parseSelector(part)) });
    }
  }
  return members;
}
