/**
 * dbt's node selection (`dbt ls --select ... --exclude ... --resource-type ...`) on the normalized manifest,
 * following dbt-core's NodeSelector (core/dbt/graph/selector.py), cli.py's parse_difference and task/list.py.
 */
import type { Manifest } from '../manifest/types';
import { closestMatch } from './closestMatch';
import { compareIds, DbtGraph } from './dbtGraph';
import { parseSelectionArgs, type SelectionCriteria, type SelectionIntersection } from './parseSelector';
import { SelectorError } from './selectorError';
import { isParsed, noMatchError, searchMethod } from './selectorMethods';

export { SelectorError } from './selectorError';

export type IndirectSelection = 'eager' | 'cautious' | 'buildable' | 'empty';

export interface SelectOptions {
  select?: string[];
  exclude?: string[];
  resourceTypes?: string[];
  indirectSelection?: IndirectSelection;
}

export interface Selection {
  /** Selected unique ids, sorted as `dbt ls` prints them. */
  ids: string[];
  warnings: string[];
}

/**
 * What dbt selects without --select (cli.py DEFAULT_INCLUDES, dbt 1.7+). `fqn:*` alone already matches every member
 * but sources (exposures, metrics, semantic models, saved queries, unit tests, functions all have an fqn).
 */
export const DEFAULT_INCLUDES: readonly string[] = ['fqn:*', 'source:*', 'exposure:*', 'metric:*', 'semantic_model:*'];

/** `dbt ls`'s resource types without --resource-type (ListTask.DEFAULT_RESOURCE_VALUES, dbt 1.11). */
export const DEFAULT_RESOURCE_TYPES: readonly string[] = [
  'model', 'snapshot', 'seed', 'test', 'source', 'exposure', 'metric', 'saved_query', 'semantic_model', 'unit_test', 'function',
];

/** `--resource-type all` (ALL_RESOURCE_VALUES): the defaults and analyses. Hooks (operations) are never listed. */
export const ALL_RESOURCE_TYPES: readonly string[] = [...DEFAULT_RESOURCE_TYPES, 'analysis'];

const INDIRECT_MODES: readonly string[] = ['eager', 'cautious', 'buildable', 'empty'];

type Ids = Set<number>;

/** A selection's nodes as dbt carries them up its spec tree: `direct` are selected, `indirect` may still be. */
interface Bundle {
  direct: Ids;
  indirect: Ids;
}

/**
 * Selects nodes as `dbt ls` does: --select (or the defaults) minus --exclude, tests picked up by indirect selection,
 * then the resource-type filter. Throws SelectorError for a malformed selector, an unknown or unsupported method, a
 * value its method refuses, or a criterion that matches nothing; an intersection that comes out empty is a warning.
 */
export function selectNodes(manifest: Manifest, options: SelectOptions, graph: DbtGraph = DbtGraph.of(manifest)): Selection {
  const mode = options.indirectSelection ?? 'eager';
  if (!INDIRECT_MODES.includes(mode)) {
    const suggestion = closestMatch(mode, INDIRECT_MODES);
    throw new SelectorError(`'${String(mode)}' is not an indirect selection mode (eager, cautious, buildable, empty)`, String(mode), suggestion);
  }
  const resourceTypes = resolveResourceTypes(options.resourceTypes);
  const select = options.select ?? [];
  // dbt treats an empty --select like none at all (`if include == (): include = None`).
  const explicit = select.length > 0;
  // Everything is parsed before anything is searched, so a syntax error anywhere is reported first.
  const include = parseSelectionArgs(explicit ? select : DEFAULT_INCLUDES);
  const exclude = parseSelectionArgs(options.exclude ?? []);

  const selector = new Selector(graph);
  const included = selector.union(include, mode, explicit ? 'select' : null);
  // Test exclusion is always greedy (dbt's docs; dbt-core 1.0-1.4 parse --exclude with eager expansion): a test is
  // excluded when any of its parents is. dbt-core 1.5+ passes --indirect-selection to --exclude as well, which only
  // differs under cautious/buildable/empty.
  const excluded = selector.union(exclude, 'eager', 'exclude');
  const direct = difference(included.direct, excluded.direct);
  const indirect = difference(union([included.direct, included.indirect]), union([excluded.direct, excluded.indirect]));
  const selected = selector.incorporate(direct, indirect, mode);

  const ids: string[] = [];
  for (const i of selected) {
    if (resourceTypes.has(graph.nodeAt(i).resourceType)) ids.push(graph.idAt(i));
  }
  ids.sort(compareIds);
  if (ids.length === 0) selector.warnings.push('No nodes selected!');
  return { ids, warnings: selector.warnings };
}

/** dbt's `resource_types_from_args` with ListTask's values: `default` and `all` expand; names are case-insensitive. */
export function resolveResourceTypes(types: readonly string[] | undefined): Set<string> {
  const given = (types ?? []).flatMap((t) => t.split(' ')).filter((t) => t !== '');
  if (given.length === 0) return new Set(DEFAULT_RESOURCE_TYPES);
  const out = new Set<string>();
  for (const raw of given) {
    const t = raw.toLowerCase();
    if (t === 'all') ALL_RESOURCE_TYPES.forEach((x) => out.add(x));
    else if (t === 'default') DEFAULT_RESOURCE_TYPES.forEach((x) => out.add(x));
    else if (ALL_RESOURCE_TYPES.includes(t)) out.add(t);
    else {
      const suggestion = closestMatch(t, [...ALL_RESOURCE_TYPES, 'default', 'all']);
      throw new SelectorError(
        `'${raw}' is not a --resource-type${suggestion ? `; did you mean '${suggestion}'?` : ''} (choose from ${[...ALL_RESOURCE_TYPES, 'default', 'all'].join(', ')})`,
        raw,
        suggestion,
      );
    }
  }
  return out;
}

class Selector {
  readonly warnings: string[] = [];

  constructor(private readonly graph: DbtGraph) {}

  /**
   * dbt's `select_nodes_recursively` for a parsed argument: a union of intersections of criteria. `arg` is null
   * for the built-in defaults, whose criteria may match nothing (a project without metrics) without complaint.
   */
  union(members: readonly SelectionIntersection[], mode: IndirectSelection, arg: 'select' | 'exclude' | null): Bundle {
    const bundles = members.map((m) => this.intersection(m, mode, arg));
    return this.combine(bundles, mode, union);
  }

  private intersection(member: SelectionIntersection, mode: IndirectSelection, arg: 'select' | 'exclude' | null): Bundle {
    const bundle = this.combine(
      member.criteria.map((c) => this.criteria(c, mode, arg)),
      mode,
      intersection,
    );
    if (arg !== null && bundle.direct.size === 0) {
      // Each criterion matched something (else it threw), so only an intersection can come out empty.
      this.warnings.push(
        `The selection criterion '${member.raw}' (--${arg}) does not match any enabled nodes: each of its parts matches something, but no node matches all of them.`,
      );
    }
    return bundle;
  }

  private combine(bundles: readonly Bundle[], mode: IndirectSelection, op: (sets: readonly Ids[]) => Ids): Bundle {
    const direct = op(bundles.map((b) => b.direct));
    const indirect = op(bundles.map((b) => union([b.direct, b.indirect])));
    return { direct: this.incorporate(direct, indirect, mode), indirect };
  }

  /** dbt's `get_nodes_from_criteria`: search, graph operators, then indirect selection of adjacent tests. */
  private criteria(c: SelectionCriteria, mode: IndirectSelection, arg: 'select' | 'exclude' | null): Bundle {
    const collected = searchMethod(this.graph, c);
    if (collected.size === 0 && arg !== null) throw noMatchError(this.graph, c, arg);
    const selected = new Set(collected);
    if (c.childrensParents) {
      // `@x`: x, its descendants, and every ancestor of those.
      const down = union([this.graph.reach(collected, undefined, false), collected]);
      addAll(selected, down);
      addAll(selected, this.graph.reach(down, undefined, true));
    }
    if (c.parents) addAll(selected, this.graph.reach(collected, c.parentsDepth ?? undefined, true));
    if (c.children) addAll(selected, this.graph.reach(collected, c.childrenDepth ?? undefined, false));
    if (mode === 'empty') return { direct: selected, indirect: new Set() };
    return this.expand(selected, mode);
  }

  /**
   * dbt's `expand_selection`: the tests and unit tests that are direct children of the selection. Eager takes each
   * one; cautious those whose parents are all selected; buildable also those whose parents are all selected or
   * upstream of the selection (or sources). The rest are kept as indirect, in case a union completes them.
   */
  private expand(selected: Ids, mode: IndirectSelection): Bundle {
    const direct = new Set(selected);
    const indirect: Ids = new Set();
    let selectedAndParents: Ids | null = null;
    for (const s of selected) {
      for (const t of this.graph.childIndices(s)) {
        const type = this.graph.nodeAt(t).resourceType;
        if (type !== 'test' && type !== 'unit_test') continue;
        if (mode === 'eager' || this.parentsWithin(t, selected)) {
          direct.add(t);
          continue;
        }
        if (mode === 'buildable') {
          selectedAndParents ??= union([selected, this.graph.reach(selected, undefined, true), this.sources()]);
          if (this.parentsWithin(t, selectedAndParents)) {
            direct.add(t);
            continue;
          }
        }
        indirect.add(t);
      }
    }
    return { direct, indirect };
  }

  /**
   * dbt's `incorporate_indirect_nodes`: tests held back by cautious/buildable join once all their parents are
   * selected (buildable: or upstream of the selection). Unit tests are not reconsidered here, as in dbt.
   */
  incorporate(direct: Ids, indirect: Ids, mode: IndirectSelection): Ids {
    if ((mode !== 'cautious' && mode !== 'buildable') || sameSet(direct, indirect)) return direct;
    const selected = new Set(direct);
    const within = mode === 'buildable' ? union([selected, this.graph.reach(selected, undefined, true)]) : selected;
    for (const t of indirect) {
      if (selected.has(t) || !isParsed(this.graph.nodeAt(t))) continue;
      if (this.parentsWithin(t, within)) selected.add(t);
    }
    return selected;
  }

  /** `set(node.depends_on_nodes) <= selected`: the node's declared parents, which dbt compares, not graph edges. */
  private parentsWithin(t: number, set: Ids): boolean {
    const graph = this.graph;
    const dependsOn = graph.memo('dependsOn', () =>
      Array.from({ length: graph.size }, (_, i) => Int32Array.from(graph.nodeAt(i).dependsOn, (id) => graph.indexOf(id))),
    );
    for (const p of dependsOn[t]!) if (!set.has(p)) return false;
    return true;
  }

  private sources(): readonly number[] {
    return this.graph.index('resource_type', (n) => [n.resourceType]).get('source') ?? [];
  }
}

function addAll(target: Ids, source: Iterable<number>): void {
  for (const x of source) target.add(x);
}

function union(sets: readonly Iterable<number>[]): Ids {
  const out: Ids = new Set();
  for (const s of sets) addAll(out, s);
  return out;
}

function intersection(sets: readonly Ids[]): Ids {
  if (sets.length === 0) return new Set();
  const sorted = [...sets].sort((a, b) => a.size - b.size);
  const out: Ids = new Set();
  for (const x of sorted[0]!) if (sorted.every((s) => s.has(x))) out.add(x);
  return out;
}

function difference(a: Ids, b: Ids): Ids {
  const out: Ids = new Set();
  for (const x of a) if (!b.has(x)) out.add(x);
  return out;
}

function sameSet(a: Ids, b: Ids): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
