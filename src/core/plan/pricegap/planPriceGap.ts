/**
 * The price-gap refill as a Plan (shared/seeds/clickhouse-price-gap-refill.md, issue 4): preflight, Phase 1 (the
 * refill cohort rewritten month by month in lineage layers, each table's month OPTIMIZEd before the next layer
 * reads it), the Phase 1.5 canary, Phase 2 (the lighter price consumers with a widened lookback), Phase 3 (what is
 * downstream of the cohort) and verification. Pure: everything comes from the caller, nothing is read or run.
 */
import { closestMatch } from '../../graph/closestMatch';
import { compareIds, DbtGraph } from '../../graph/dbtGraph';
import { selectNodes } from '../../graph/selector';
import { SelectorError } from '../../graph/selectorError';
import { monthFilterBranch } from '../../lint/source/monthFilterBranch';
import { parseModelSource } from '../../lint/source/parseModelSource';
import type { Finding } from '../../lint/types';
import type { RecoveryProfile } from '../../lint/profile/recoveryProfile';
import type { Manifest, ManifestNode } from '../../manifest/types';
import { dropPartitionSql, optimizePartitionSql, pendingMutationsSql } from '../../warehouse/clickhouseSql';
import { dbtVars } from '../dbtVars';
import { PlanError } from '../planError';
import { shellLine } from '../shellQuote';
import type { CheckStep, DbtStep, GateStep, Plan, PlanWarning, SqlStep, Step } from '../types';
import { monthPartition, partitionLiteralSql, partitionValue, type MonthPartition } from './monthPartition';
import { canarySql, duplicateKeysSql, rowsOnDaySql, uniqueKeyColumns, valuesOnDaySql, zeroUsdSql } from './priceGapSql';
import { addDays, refillWindow, type RefillWindow } from './refillWindow';
import { documentedColumns, outerSelectItems, referencedNames, relationColumns } from './relationColumns';
import { keyColumns, valueDerivedKeys, type ValueDerivedKey } from './valueDerivedKey';

/** The Phase 1.5 canary: an adjacent-day ratio scan of one series. */
export interface CanaryOptions {
  /** Model name (as in `ref()`). */
  model: string;
  /** A boolean SQL expression over the model's columns that picks one series. */
  filter: string;
  valueColumn: string;
  dateColumn: string;
  /** A day above `up` x or below `down` x the day before stops the run. */
  up: number;
  down: number;
  /** Days before the first refilled month that the scan also covers (at least 1: the month's first day is compared
   * with the day before it, where the runbook's incident showed its 4x jump). */
  marginDays: number;
}

/** The runbook's canary: GNO supply in the supply/holders model (the example project's columns). */
export const DEFAULT_CANARY: CanaryOptions = {
  model: 'int_execution_tokens_supply_holders_daily',
  filter: "symbol = 'GNO'",
  valueColumn: 'supply',
  dateColumn: 'date',
  up: 1.5,
  down: 0.66,
  marginDays: 3,
};

export interface VerifyOptions {
  /** Relations whose name starts with this are the API checked on the gap day: rows, and none whose value columns
   * (`value`, `*_usd`) are zero or NULL. Default `api_`. */
  apiPrefix: string;
  /** The day column of those relations. Default `date`. */
  dateColumn: string;
}

export const DEFAULT_VERIFY: VerifyOptions = { apiPrefix: 'api_', dateColumn: 'date' };

export interface PriceGapInput {
  /** The dbt project (a DbtProject fits): its root is the plan's projectDir. */
  project: { root: string; name: string };
  manifest: Manifest;
  profile: RecoveryProfile;
  /** The first day with wrong values, YYYY-MM-DD. Exactly one of fromDate and lookbackDays. */
  fromDate?: string;
  /** The whole window in days, today included (no buffer on top). */
  lookbackDays?: number;
  /** Days added to the lookback for soft edges (default 1); with fromDate only. */
  bufferDays?: number;
  /** Phase 2's root selector (default `<price root>+`). */
  select?: string;
  /** Leave out Phase 1, the canary and Phase 3 ("only Phase 2", as the runbook's flag). */
  skipBalancesRewrite?: boolean;
  /** Leave out Phase 2 and Phase 3 ("only Phase 1", as the runbook's flag). */
  skipPriceDependent?: boolean;
  /** The day the plan is for, YYYY-MM-DD (the caller defaults it to today in UTC). */
  today: string;
  /** The first day of data, when the caller knows it; default: the earliest `begin` config of the price root and
   * the cohort, if any has one. A window starting earlier is refused. */
  dataBegins?: string;
  /** The executable and fixed arguments in front of every dbt step (default `['dbt']`). */
  dbtCommand?: string[];
  /** `--project-dir` for dbt, as given (it may be a path inside a container, like the runbook's `/app`). */
  projectDir?: string;
  profilesDir?: string;
  target?: string;
  /** The connection the sql and check steps use, described without secrets. */
  connection?: string;
  /** Canary settings over DEFAULT_CANARY; `false` plans without a canary. */
  canary?: Partial<CanaryOptions> | false;
  verify?: Partial<VerifyOptions>;
  /** Cohort models (names as in `ref()`) whose month partition is dropped (`ALTER TABLE ... DROP PARTITION`) right
   * before their layer rewrites the month, because their key is computed from refilled values (see the
   * `value-derived-key` warning): append + OPTIMIZE cannot replace a row whose key the refill no longer writes.
   * Readers see no rows of that table for the month from the DROP until the layer's run ends. Each must be in the
   * cohort and filter to the start_month/end_month window (else the month would come back with the lookback only). */
  clearMonthFor?: string[];
  /** Lint findings (the caller's Linter): those on cohort models, and `price-lookback-ignored` on Phase 2 models,
   * become plan warnings named by a gate before anything runs. */
  lint?: readonly Finding[];
  /** The server has `system.mutations.latest_fail_reason` (Capabilities.mutationFailReason; not 18.16). Default
   * false: the preflight query then runs on every version. */
  mutationFailReason?: boolean;
}

/** One cohort member as Phase 1 handles it. */
interface CohortTable {
  node: ManifestNode;
  database: string;
  table: string;
  partition: MonthPartition;
  /** Key columns computed from price / USD values (empty for most). */
  derivedKeys: ValueDerivedKey[];
  /** In clearMonthFor: the month partition is dropped before the layer runs. */
  clearMonth: boolean;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function ident(value: unknown, what: string): string {
  if (typeof value !== 'string' || !IDENT.test(value)) {
    throw new PlanError(`${what} ${JSON.stringify(value)} is not a column name.`, 'Give a plain column name (letters, digits, underscores).');
  }
  return value;
}

function relationOf(node: ManifestNode): { database: string; table: string } {
  const database = node.schema;
  if (!database) {
    throw new PlanError(`${node.name} has no schema in the manifest, so its ClickHouse database is unknown.`, 'Run `dbt parse` (or `dbt compile`) again so the manifest has it.');
  }
  return { database, table: node.alias ?? node.name };
}

/** How a model is named in `--select`: its name (`name.v2` for a version), package-qualified when another package
 * has a model so named. */
function selectorName(node: ManifestNode, models: ModelsByName): string {
  if (node.version !== null) return `${node.name}.v${node.version}`;
  return (models.get(node.name) ?? []).some((m) => m.packageName !== node.packageName) ? `${node.packageName}.${node.name}` : node.name;
}

/** Models by name (several when packages share a name), built once per plan. */
type ModelsByName = ReadonlyMap<string, readonly ManifestNode[]>;

function findModel(models: ModelsByName, name: string, what: string, remedy: string): ManifestNode {
  const found = models.get(name) ?? [];
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    throw new PlanError(`${what} ${name} names ${found.length} models (${found.map((n) => n.uniqueId).join(', ')}).`, remedy);
  }
  const suggestion = closestMatch(name, models.keys());
  throw new PlanError(`${what} ${name} is not a model of this manifest${suggestion ? `; did you mean ${suggestion}?` : '.'}`, remedy);
}

function select(manifest: Manifest, graph: DbtGraph, sel: string[], exclude: string[], what: string): string[] {
  try {
    return selectNodes(manifest, { select: sel, exclude, resourceTypes: ['model'] }, graph).ids;
  } catch (err) {
    if (err instanceof SelectorError) {
      throw new PlanError(`${what}: ${err.message}.`, err.suggestion ? `Did you mean '${err.suggestion}'?` : 'Fix the selector; `dbt-recovery ls --select ...` shows what it matches.');
    }
    throw err;
  }
}

/** True when `part`, split on dots as dbt's fqn matching does, starts with `name`. */
function leadsWith(part: string | undefined, name: string): boolean {
  return part !== undefined && part.startsWith(name) && (part.length === name.length || part[name.length] === '.');
}

/**
 * What `dbt run --select <root>+ --exclude tag:<refill tag>` selects when the root is a model name that nothing else
 * in the project is named after (no other node's fqn ends with it, no package or top-level folder has the name): the
 * root and its descendants, models only, less the cohort. The same as selectNodes for that case, without its fqn
 * method, which prepares every node's fqn (a third of a second on 10,000 models). Null when the shortcut does not
 * apply, so the caller asks the selector.
 */
function rootAndDescendants(manifest: Manifest, graph: DbtGraph, root: ManifestNode, exclude: ReadonlySet<string>): string[] | null {
  const name = root.name;
  if (root.version !== null) return null;
  for (const n of manifest.nodes.values()) {
    if (n === root || n.resourceType === 'source') continue;
    const f = n.fqn;
    if (f[f.length - 1] === name || leadsWith(f[0], name) || leadsWith(f[1], name)) return null;
    if (n.version !== null && f[f.length - 2] === name) return null;
  }
  const ids = [root.uniqueId, ...graph.descendants(root.uniqueId)].filter((id) => manifest.nodes.get(id)?.resourceType === 'model' && !exclude.has(id));
  return ids.sort(compareIds);
}

/**
 * `--select tag:<tag>+ --exclude tag:<tag>` for `dbt run`: the models downstream of every node with the tag, less
 * those nodes. The same as selectNodes for a tag without wildcards (which a refill tag, an identifier, never has),
 * with one walk of the graph.
 */
function downstreamOfTag(manifest: Manifest, graph: DbtGraph, tag: string): string[] {
  if (/[*?[]/.test(tag)) return select(manifest, graph, [`tag:${tag}+`], [`tag:${tag}`], 'Phase 3 selector');
  const tagged: string[] = [];
  for (const n of manifest.nodes.values()) if (n.tags.includes(tag)) tagged.push(n.uniqueId);
  const excluded = new Set(tagged);
  const ids = [...graph.descendants(tagged)].filter((id) => !excluded.has(id) && manifest.nodes.get(id)?.resourceType === 'model');
  return ids.sort(compareIds);
}

/**
 * For every node upstream of the cohort that `isStale` picks, the names of the cohort members that read it (through
 * any path), in cohort order. One pass over the cohort's upstream in dependency order, carrying per node a bitset of
 * the stale nodes above it, instead of one graph walk per member.
 */
function cohortReaders(manifest: Manifest, graph: DbtGraph, cohortNodes: readonly ManifestNode[], isStale: (n: ManifestNode) => boolean): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (cohortNodes.length === 0) return out;
  const upstream = graph.ancestors(cohortNodes.map((c) => c.uniqueId));
  const stale = [...upstream].filter((id) => isStale(manifest.nodes.get(id)!)).sort(compareIds);
  if (stale.length === 0) return out;
  const bitOf = new Map(stale.map((id, b) => [graph.indexOf(id), b]));
  const words = Math.ceil(stale.length / 32);
  const region = new Set<number>([...upstream, ...cohortNodes.map((c) => c.uniqueId)].map((id) => graph.indexOf(id)));
  const above = new Map<number, Uint32Array>();
  for (const id of graph.topologicalOrder()) {
    const v = graph.indexOf(id);
    if (!region.has(v)) continue;
    const bits = new Uint32Array(words);
    for (const p of graph.parentIndices(v)) {
      const pb = above.get(p);
      if (pb) for (let w = 0; w < words; w++) bits[w]! |= pb[w]!;
      const b = bitOf.get(p);
      if (b !== undefined) bits[b >>> 5]! |= 1 << (b & 31);
    }
    above.set(v, bits);
  }
  for (const c of cohortNodes) {
    const bits = above.get(graph.indexOf(c.uniqueId))!;
    stale.forEach((id, b) => {
      if ((bits[b >>> 5]! & (1 << (b & 31))) === 0) return;
      const readers = out.get(id);
      if (readers) readers.push(c.name);
      else out.set(id, [c.name]);
    });
  }
  return out;
}

/**
 * True when `node`'s date column holds month starts, not days: its name ends in `_monthly`, or its outer SELECT
 * computes that column with toStartOfMonth(...) or from a column named `month` / `*_month` (`month AS date`).
 */
function isMonthly(node: ManifestNode, dateColumn: string): boolean {
  if (/_monthly$/i.test(node.name)) return true;
  const expression = outerSelectItems(node.compiledCode ?? '').find((i) => i.name === dateColumn)?.expression;
  if (expression === undefined) return false;
  return /^\s*toStartOfMonth\s*\(/i.test(expression) || referencedNames(expression).some((n) => /^(?:month|\w+_month)$/i.test(n));
}

/** The plan of a price-gap refill. Throws PlanError, saying what to do, when the input cannot make one. */
export function planPriceGap(input: PriceGapInput): Plan {
  const { manifest, profile } = input;
  const tag = profile.refillTag;
  const graph = DbtGraph.of(manifest);
  const withPhase1 = input.skipBalancesRewrite !== true;
  const withPhase2 = input.skipPriceDependent !== true;
  const withPhase3 = withPhase1 && withPhase2;
  if (!withPhase1 && !withPhase2) {
    throw new PlanError('--skip-balances-rewrite and --skip-price-dependent together leave nothing to run.', 'Give at most one of them.');
  }
  const dbtCommand = input.dbtCommand ?? ['dbt'];
  if (dbtCommand.length === 0 || dbtCommand.some((a) => typeof a !== 'string' || a === '')) {
    throw new PlanError(`The dbt command ${JSON.stringify(dbtCommand)} is empty or has an empty argument.`, "Give the executable and its fixed arguments, e.g. ['dbt'] or ['docker', 'exec', 'dbt', 'dbt'].");
  }

  // --- the cohort, its layers and partitions --------------------------------------------------------------------
  const cohortNodes: ManifestNode[] = [];
  const models = new Map<string, ManifestNode[]>();
  for (const n of manifest.nodes.values()) {
    if (n.resourceType !== 'model') continue;
    const same = models.get(n.name);
    if (same) same.push(n);
    else models.set(n.name, [n]);
    if (n.tags.includes(tag)) cohortNodes.push(n);
  }
  const cohortIds = new Set(cohortNodes.map((n) => n.uniqueId));
  if (withPhase1 && cohortNodes.length === 0) {
    throw new PlanError(
      `No model of this manifest is tagged ${tag}, so Phase 1 has nothing to rewrite.`,
      `Tag the heavy aggregates ${tag} (the heavy-model-untagged lint rule finds them) and run dbt parse, or plan Phase 2 alone with --skip-balances-rewrite.`,
    );
  }
  const clearNames = new Set<string>();
  for (const name of input.clearMonthFor ?? []) {
    const remedy = `Give the name of a ${tag} model (as in ref()), or leave clearMonthFor out.`;
    if (!withPhase1) throw new PlanError(`clearMonthFor ${name}: --skip-balances-rewrite leaves out Phase 1, which is what clears and rewrites the month.`, 'Leave out one of them.');
    const node = findModel(models, name, 'clearMonthFor:', remedy);
    if (!cohortIds.has(node.uniqueId)) throw new PlanError(`clearMonthFor: ${name} is not tagged ${tag}, so Phase 1 does not rewrite its month.`, remedy);
    const src = node.rawCode !== null ? parseModelSource(node.rawCode) : null;
    if (!src || !monthFilterBranch(src, profile.vars)) {
      throw new PlanError(
        `clearMonthFor: ${name} has no {% if ${profile.vars.startMonth} and ${profile.vars.endMonth} %} branch${src ? '' : ' (no SQL in the manifest)'}, so after its month is dropped ` +
          'the refill would write back only its incremental lookback and the rest of the month would be lost.',
        `Add the month branch first (the refill-append-month-filter lint rule shows how), or leave ${name} out of clearMonthFor.`,
      );
    }
    clearNames.add(node.uniqueId);
  }
  const layers: CohortTable[][] = withPhase1
    ? graph.layers(cohortIds, { transitive: true }).map((layer) =>
        layer.map((id) => {
          const node = manifest.nodes.get(id)!;
          return { node, ...relationOf(node), partition: monthPartition(node, tag), derivedKeys: valueDerivedKeys(node), clearMonth: clearNames.has(id) };
        }),
      )
    : [];

  // --- the window --------------------------------------------------------------------------------------------
  let dataBegins = input.dataBegins;
  let dataBeginsSource = input.dataBegins !== undefined ? 'dataBegins' : undefined;
  if (dataBegins === undefined) {
    for (const n of [...(models.get(profile.priceRoot) ?? []), ...cohortNodes]) {
      const begin = n.config.begin;
      if (typeof begin === 'string' && /^\d{4}-\d{2}-\d{2}/.test(begin) && (dataBegins === undefined || begin.slice(0, 10) < dataBegins)) {
        dataBegins = begin.slice(0, 10);
        dataBeginsSource = `the begin config of ${n.name}`;
      }
    }
  }
  const window: RefillWindow = refillWindow({
    fromDate: input.fromDate,
    lookbackDays: input.lookbackDays,
    bufferDays: input.bufferDays,
    today: input.today,
    dataBegins,
    dataBeginsSource,
  });

  // --- Phase 2 and 3 selections ---------------------------------------------------------------------------------
  const cohortExclude = cohortNodes.length > 0 ? [`tag:${tag}`] : [];
  let phase2Select: string[];
  let phase2Ids: string[];
  if (input.select !== undefined) {
    phase2Select = input.select.trim().split(/\s+/).filter((s) => s !== '');
    if (phase2Select.length === 0) throw new PlanError('--select is empty.', `Give Phase 2's root selector, e.g. ${profile.priceRoot}+ (the default).`);
    phase2Ids = select(manifest, graph, phase2Select, cohortExclude, 'Phase 2 selector');
  } else {
    const root = findModel(models, profile.priceRoot, 'The price root', 'Set price_root in dbt-recovery.yml to the model that reads the price feed, or give --select.');
    phase2Select = [`${profile.priceRoot}+`];
    phase2Ids = rootAndDescendants(manifest, graph, root, cohortIds) ?? select(manifest, graph, phase2Select, cohortExclude, 'Phase 2 selector');
  }
  const phase3Ids = withPhase3 ? downstreamOfTag(manifest, graph, tag) : [];

  // --- warnings -------------------------------------------------------------------------------------------------
  const warnings: PlanWarning[] = [];
  const phase2Set = new Set(phase2Ids);
  for (const f of input.lint ?? []) {
    if (f.uniqueId === null) continue;
    const inCohort = withPhase1 && cohortIds.has(f.uniqueId);
    const staysStale = withPhase2 && f.ruleId === 'price-lookback-ignored' && phase2Set.has(f.uniqueId);
    if (!inCohort && !staysStale) continue;
    const name = manifest.nodes.get(f.uniqueId)?.name ?? f.uniqueId;
    warnings.push({ code: `lint/${f.ruleId}`, message: `${name} (${f.ruleId}, ${f.severity}): ${f.message}`, uniqueId: f.uniqueId });
  }
  if (withPhase1) {
    // A cohort member that reads a materialized price consumer outside the cohort is rebuilt from that table's stale
    // rows: Phase 2 refreshes it only after Phase 1.
    const lineage = phase2Set;
    const readersOf = cohortReaders(manifest, graph, cohortNodes, (n) => lineage.has(n.uniqueId) && n.resourceType === 'model' && n.config.materialized !== 'view' && n.config.materialized !== 'ephemeral');
    for (const id of [...readersOf.keys()].sort()) {
      const n = manifest.nodes.get(id)!;
      const readers = readersOf.get(id)!;
      warnings.push({
        code: 'cohort-reads-stale-consumer',
        message:
          `${readers.join(', ')} (refill cohort) ${readers.length === 1 ? 'reads' : 'read'} ${n.name}, a materialized price consumer outside the cohort that ` +
          `Phase 2 refreshes only after Phase 1, so Phase 1 rebuilds from its stale rows. Tag ${n.name} ${tag}, or refill it before this plan.`,
        uniqueId: id,
      });
    }
    // A key computed from refilled values: the refill writes the corrected rows under new keys, and OPTIMIZE keeps
    // the stale rows of the old keys beside them.
    for (const layer of layers) {
      for (const t of layer) {
        if (t.derivedKeys.length === 0 || t.clearMonth) continue;
        const keys = keyColumns(t.node);
        const derived = t.derivedKeys.map((d) => d.key);
        const kept = keys.filter((k) => !derived.includes(k));
        const first = t.partition.fn === 'toYYYYMM' ? partitionValue(t.partition, window.months[0]!) : `'${window.months[0]!}'`;
        warnings.push({
          code: 'value-derived-key',
          message:
            `${t.node.name}: its key (${keys.join(', ')}) has ${t.derivedKeys.map((d) => `${d.key}, computed from ${d.reads.join(', ')}`).join('; ')}. ` +
            `When the refill changes ${t.derivedKeys.length === 1 && t.derivedKeys[0]!.reads.length === 1 ? 'that value' : 'those values'}, a row moves to another key: ` +
            "append + OPTIMIZE ... FINAL DEDUPLICATE collapses only rows of the same key, so the month's stale rows stay beside the corrected ones, " +
            'however often Phase 1 runs. Either clear the month first (plan with clearMonthFor / --clear-month-for ' +
            `${t.node.name}: ALTER TABLE ${t.database}.${t.table} DROP PARTITION ${first} runs right before its layer${window.months.length > 1 ? ', and so for each later month' : ''}, and readers see no rows of it for ` +
            `the month until the layer's append ends), or take it out of the ${tag} cohort with a unique_key without ${derived.join(', ')}` +
            `${kept.length > 0 ? ` (e.g. (${kept.join(', ')}))` : ''}, so Phase 2's delete+insert replaces every row of a refilled day.`,
          uniqueId: t.node.uniqueId,
        });
      }
    }
  }
  if (!withPhase2) {
    warnings.push({
      code: 'downstream-stale',
      message: `--skip-price-dependent: Phase 2 and Phase 3 are left out, so the price consumers outside the cohort and the fct_*/api_* relations downstream of it keep their stale values until they run.`,
      uniqueId: null,
    });
  }

  // --- steps -----------------------------------------------------------------------------------------------------
  const passThrough = [
    ...(input.projectDir !== undefined ? ['--project-dir', input.projectDir] : []),
    ...(input.profilesDir !== undefined ? ['--profiles-dir', input.profilesDir] : []),
    ...(input.target !== undefined ? ['--target', input.target] : []),
  ];
  const steps: Step[] = [];
  const usedIds = new Set<string>();
  const uid = (id: string): string => {
    let out = id;
    for (let k = 2; usedIds.has(out); k++) out = `${id}-${k}`;
    usedIds.add(out);
    return out;
  };
  const gate = (id: string, phase: string, title: string, description: string): GateStep => {
    const g: GateStep = { kind: 'gate', id: uid(id), phase, title, description, idempotent: true, writes: false, shows: [] };
    steps.push(g);
    return g;
  };
  const dbt = (id: string, phase: string, description: string, args: string[], expected: string[]): void => {
    const s: DbtStep = { kind: 'dbt', id: uid(id), phase, description, argv: [...args, ...passThrough], expectedNodes: expected, idempotent: true, writes: true };
    steps.push(s);
  };
  const check = (id: string, phase: string, description: string, sql: string, rule: CheckStep['rule'], columns: string[]): void => {
    steps.push({ kind: 'check', id: uid(id), phase, description, sql, rule, columns, idempotent: true, writes: false });
  };

  if (warnings.length > 0) {
    const named = [...new Set(warnings.map((w) => (w.uniqueId ? (manifest.nodes.get(w.uniqueId)?.name ?? w.uniqueId) : w.code)))];
    const shown = named.length > 6 ? `${named.slice(0, 5).join(', ')} and ${named.length - 5} more` : named.join(', ');
    gate(
      'preflight-warnings',
      'preflight',
      `Go ahead despite ${warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`} (${shown})`,
      'The warnings above name models that this refill may leave wrong or that may fail; fix them first, or approve to go on.',
    );
  }

  const allDatabases = new Set<string>();
  for (const layer of layers) for (const t of layer) allDatabases.add(t.database);
  for (const id of [...phase2Ids, ...phase3Ids]) {
    const s = manifest.nodes.get(id)?.schema;
    if (s) allDatabases.add(s);
  }
  const mutationDb = allDatabases.size === 1 ? [...allDatabases][0]! : null;
  check(
    'preflight-mutations',
    'preflight',
    `No unfinished mutations ${mutationDb ? `in ${mutationDb}` : 'on the server'}: a poisoned DELETE left by a killed delete+insert (reading a dropped __dbt_new_data_* table) blocks every later write; found ones are shown and, after approval, killed where the server has KILL MUTATION`,
    pendingMutationsSql(mutationDb, { failReason: input.mutationFailReason === true }).sql,
    { type: 'no-pending-mutations' },
    ['database', 'table', 'mutation_id', 'command', 'create_time', 'parts_to_do', 'latest_fail_reason'],
  );

  let canaryStep: { options: CanaryOptions; database: string; table: string } | null = null;
  if (withPhase1) {
    const tableCount = layers.reduce((k, l) => k + l.length, 0);
    const cleared = layers.flat().filter((t) => t.clearMonth);
    gate(
      'phase1-approve',
      'phase1',
      `Rewrite ${window.months.length === 1 ? `month ${window.months[0]}` : `${window.months.length} months (${window.months[0]} to ${window.months[window.months.length - 1]})`} of ${tableCount} ${tag} tables in ${layers.length} ${layers.length === 1 ? 'layer' : 'layers'} (append + OPTIMIZE ... FINAL DEDUPLICATE` +
        `${cleared.length > 0 ? `; the month of ${cleared.map((t) => t.table).join(', ')} dropped first` : ''})`,
      'Phase 1 writes to the target: each layer is appended for the month, then every table of the layer has its month partition deduplicated and checked for duplicate keys before the next layer reads it.' +
        (cleared.length > 0 ? ` ${cleared.map((t) => `${t.database}.${t.table}`).join(', ')} ${cleared.length === 1 ? 'has its' : 'have their'} month partition dropped (DROP PARTITION) right before ${cleared.length === 1 ? 'its' : 'their'} layer runs: readers see no rows of ${cleared.length === 1 ? 'it' : 'them'} for the month until that layer's append ends.` : ''),
    );
    for (const month of window.months) {
      const vars = dbtVars({ [profile.vars.startMonth]: month, [profile.vars.endMonth]: month });
      layers.forEach((layer, li) => {
        const k = li + 1;
        const names = layer.map((t) => selectorName(t.node, models));
        for (const t of layer) {
          if (!t.clearMonth) continue;
          const partition = partitionValue(t.partition, month);
          const statement = dropPartitionSql(t.database, t.table, partition).sql;
          const s: SqlStep = {
            kind: 'sql',
            id: uid(`p1-${month}-layer${k}-clear-${t.table}`),
            phase: 'phase1',
            description:
              `Clear partition ${typeof partition === 'number' ? partition : `'${partition}'`} of ${t.database}.${t.table} before layer ${k} rewrites it (clearMonthFor): ` +
              'its key is computed from refilled values, so only an empty month ends with no stale row. Readers see no rows of it for the month until the layer\'s append ends.',
            operation: { op: 'exec', statement },
            sql: statement,
            idempotent: true,
            writes: true,
          };
          steps.push(s);
        }
        dbt(
          `p1-${month}-layer${k}-run`,
          'phase1',
          `Month ${month}, layer ${k} of ${layers.length}: rewrite ${names.length === 1 ? '1 model' : `${names.length} models`} in append mode` +
            (k > 1 ? ` (${names.length === 1 ? 'it reads' : 'they read'} the layers above, already deduplicated)` : ''),
          ['run', '--select', ...names, '--vars', vars],
          layer.map((t) => t.node.uniqueId),
        );
        for (const t of layer) {
          const partition = partitionValue(t.partition, month);
          const why = t.clearMonth
            ? 'the month holds only the rows just appended (it was cleared before the layer ran); a re-run\'s copies collapse'
            : t.derivedKeys.length > 0
              ? `each old row whose key the refill wrote again collapses to the new one; a row whose key (${t.derivedKeys.map((d) => d.key).join(', ')}, computed from refilled values) the refill no longer writes stays (see the value-derived-key warning)`
              : k < layers.length
                ? 'the next layer must read merged rows'
                : 'each old row whose key the refill wrote again collapses to the new one';
          const s: SqlStep = {
            kind: 'sql',
            id: uid(`p1-${month}-layer${k}-optimize-${t.table}`),
            phase: 'phase1',
            description: `Deduplicate partition ${typeof partition === 'number' ? partition : `'${partition}'`} (${t.partition.expression}) of ${t.database}.${t.table}: ${why}`,
            operation: { op: 'optimize-partition', database: t.database, table: t.table, partition: String(partition) },
            sql: optimizePartitionSql(t.database, t.table, partition, { throwIfNoop: false }).sql,
            idempotent: true,
            writes: true,
          };
          steps.push(s);
        }
        // Before the next layer's run reads these tables: a month that OPTIMIZE did not collapse stops the run here.
        for (const t of layer) {
          const keys = uniqueKeyColumns(t.node.config.uniqueKey);
          if (keys.length === 0) continue;
          check(
            `p1-${month}-duplicates-${t.table}`,
            'phase1',
            `No key (${keys.join(', ')}) left more than once in ${t.database}.${t.table}'s ${month} partition after OPTIMIZE` +
              (k < layers.length ? `, before layer ${k + 1} reads it` : ''),
            duplicateKeysSql(t.database, t.table, keys, t.partition.expression, partitionLiteralSql(t.partition, month)),
            { type: 'all-equal', column: 'copies', expected: 1, onMismatch: 'stop' },
            [...keys, 'copies'],
          );
        }
      });
    }

    if (input.canary !== false) {
      const c: CanaryOptions = { ...DEFAULT_CANARY, ...(input.canary ?? {}) };
      ident(c.valueColumn, 'The canary value column');
      ident(c.dateColumn, 'The canary date column');
      if (typeof c.filter !== 'string' || c.filter.trim() === '') throw new PlanError('The canary filter is empty.', "Give a SQL condition that picks one series, e.g. symbol = 'GNO'.");
      if (!(typeof c.up === 'number' && c.up > 1 && Number.isFinite(c.up))) throw new PlanError(`The canary's upper ratio ${String(c.up)} is not above 1.`, 'Give a ratio above 1, e.g. 1.5.');
      if (!(typeof c.down === 'number' && c.down > 0 && c.down < 1)) throw new PlanError(`The canary's lower ratio ${String(c.down)} is not between 0 and 1.`, 'Give a ratio between 0 and 1, e.g. 0.66.');
      if (!(Number.isInteger(c.marginDays) && c.marginDays >= 1)) {
        throw new PlanError(`The canary margin ${String(c.marginDays)} is not a whole number of days, 1 or more.`, "Give at least 1, so that the first refilled day is compared with the day before it.");
      }
      const node = findModel(models, c.model, 'The canary model', 'Set the canary model (an aggregate of the cohort, e.g. the supply per token per day), or plan without a canary.');
      canaryStep = { options: c, ...relationOf(node) };
      const from = addDays(window.months[0]!, -c.marginDays);
      check(
        'canary',
        'canary',
        `Canary: sum(${c.valueColumn}) per day of ${canaryStep.database}.${canaryStep.table} where ${c.filter}, ${from} to ${window.today}; ` +
          `a day above ${c.up}x or below ${c.down}x of the day before stops the run (an aggregator read an unmerged upstream)`,
        canarySql({ database: canaryStep.database, table: canaryStep.table, filter: c.filter, valueColumn: c.valueColumn, dateColumn: c.dateColumn, from, to: window.today }),
        { type: 'adjacent-day-ratio', up: c.up, down: c.down },
        ['day', c.valueColumn, 'ratio'],
      );
    }
  }

  if (withPhase2) {
    if (phase2Ids.length === 0) {
      // Nothing selected: dbt would run nothing; no gate for an empty phase.
    } else {
      gate('phase2-approve', 'phase2', `Re-derive ${phase2Ids.length} models of the price lineage with ${profile.vars.lookbackDays} = ${window.lookbackDays}`, 'Phase 2 writes to the target: a delete+insert over the widened lookback of every model in the selection.');
      dbt(
        'phase2-run',
        'phase2',
        `Re-derive ${phase2Select.join(' ')}${cohortExclude.length ? ` except the ${tag} cohort` : ''} over the last ${window.lookbackDays} days (${profile.vars.lookbackDays} widens ${profile.lookbackMacro})`,
        ['run', '--select', ...phase2Select, ...(cohortExclude.length ? ['--exclude', ...cohortExclude] : []), '--vars', dbtVars({ [profile.vars.lookbackDays]: window.lookbackDays })],
        phase2Ids,
      );
    }
  }
  if (withPhase3 && phase3Ids.length > 0) {
    gate('phase3-approve', 'phase3', `Rebuild ${phase3Ids.length} models downstream of the ${tag} cohort`, 'Phase 3 writes to the target: fct_* tables are full rebuilds that hold stale aggregates until re-run; views only recompile.');
    dbt('phase3-run', 'phase3', `Rebuild everything downstream of the ${tag} cohort (fct_* tables hold the old aggregates until re-run)`, ['run', '--select', `tag:${tag}+`, '--exclude', `tag:${tag}`], phase3Ids);
  }

  // --- verification ----------------------------------------------------------------------------------------------
  const notes: string[] = [];
  const verify: VerifyOptions = { ...DEFAULT_VERIFY, ...(input.verify ?? {}) };
  ident(verify.dateColumn, 'The verification date column');
  const noUsd: string[] = [];
  const unknownCols: string[] = [];
  for (const layer of layers) {
    for (const t of layer) {
      const cols = relationColumns(t.node);
      const usd = cols.columns.filter((c) => /_usd$/i.test(c) && IDENT.test(c));
      if (usd.length === 0) {
        (cols.source === 'unknown' ? unknownCols : noUsd).push(t.table);
        continue;
      }
      check(
        `verify-usd-${t.table}`,
        'verify',
        `Days from ${window.from} to ${window.today} where ${t.database}.${t.table} has ${usd.join(' or ')} zero or NULL (expected: none` +
          (t.derivedKeys.length > 0 && !t.clearMonth ? `; stale rows of a key the refill moved (${t.derivedKeys.map((d) => d.key).join(', ')}) count here too` : '') +
          ')',
        zeroUsdSql(t.database, t.table, t.partition.argument, usd, window.from, window.today),
        { type: 'all-equal', column: 'zero_usd', expected: 0, onMismatch: 'warn' },
        ['day', 'rows', 'zero_usd'],
      );
    }
  }
  const apiIds = [...new Set([...(withPhase2 ? phase2Ids : []), ...phase3Ids])].sort();
  const apiNoDate: string[] = [];
  const apiNoValue: string[] = [];
  const apiMonthly: string[] = [];
  const gapMonth = `${window.from.slice(0, 7)}-01`;
  for (const id of apiIds) {
    const n = manifest.nodes.get(id)!;
    if (!n.name.startsWith(verify.apiPrefix)) continue;
    const rel = relationOf(n);
    const columns = relationColumns(n).columns;
    if (!documentedColumns(n).includes(verify.dateColumn) && !columns.includes(verify.dateColumn)) {
      apiNoDate.push(n.name);
      continue;
    }
    // A monthly relation has one row per month start: its gap-day row is the month's.
    const monthly = isMonthly(n, verify.dateColumn);
    const day = monthly ? gapMonth : window.from;
    if (monthly) apiMonthly.push(n.name);
    const values = columns.filter((c) => IDENT.test(c) && c !== verify.dateColumn && /^value$|_usd$/i.test(c));
    if (values.length === 0) {
      apiNoValue.push(n.name);
      check(
        `verify-gap-day-${rel.table}`,
        'verify',
        `${rel.database}.${rel.table} has rows on ${day}, ${monthly ? `the month of ${window.from}` : 'the first day of the window'}`,
        rowsOnDaySql(rel.database, rel.table, verify.dateColumn, day),
        { type: 'some-rows', onNone: 'warn' },
        ['day', 'rows'],
      );
      continue;
    }
    check(
      `verify-gap-day-${rel.table}`,
      'verify',
      `${rel.database}.${rel.table} has rows on ${day}, ${monthly ? `the month of ${window.from}` : 'the first day of the window'}, and none with ${values.join(' or ')} zero or NULL`,
      valuesOnDaySql(rel.database, rel.table, verify.dateColumn, day, values),
      { type: 'rows-nonzero', column: 'zero_values', onFail: 'warn' },
      ['day', 'rows', 'zero_values'],
    );
  }

  // --- gates show what follows them -------------------------------------------------------------------------------
  for (let i = 0; i < steps.length; i++) {
    const g = steps[i]!;
    if (g.kind !== 'gate') continue;
    for (let j = i + 1; j < steps.length && steps[j]!.kind !== 'gate'; j++) {
      const s = steps[j]!;
      if (s.kind === 'dbt') g.shows.push(shellLine([...dbtCommand, ...s.argv]));
      else if (s.kind === 'sql' || s.kind === 'check') g.shows.push(s.sql);
    }
  }

  // --- notes -------------------------------------------------------------------------------------------------------
  notes.push(`Window ${window.from} to ${window.today}: ${profile.vars.lookbackDays} = ${window.derivation}. Months: every month start from ${window.from} to ${window.today}.`);
  if (withPhase1) {
    notes.push(
      `Phase 1 rewrites the ${tag} cohort (${cohortNodes.length} models) month by month in ${layers.length} ${layers.length === 1 ? 'layer' : 'layers'} of its lineage ` +
        '(a member that reads another through a model outside the cohort is still later): a layer runs only after every table above it had its month ' +
        `deduplicated, so no aggregator reads an unmerged upstream. The runbook's two passes are the two-layer case of this.`,
      'Re-running a half-done Phase 1 step is safe: a re-appended month writes the same keys again from the same inputs, and the next OPTIMIZE ... FINAL DEDUPLICATE collapses them. ' +
        'What append + OPTIMIZE never removes, on the first run or any re-run, is an old row whose key the refill no longer writes: a key computed from refilled values (the value-derived-key warning) needs its month cleared first.',
      "OPTIMIZE runs on the plan's connection, not through dbt run-operation: the runner checks each partition against the table's partition key and system.parts first and sets optimize_throw_if_noop where the server has it, because a wrong literal is a silent no-op. " +
        "A month a table has no rows for (a sparse model) is a warning, nothing to deduplicate; a literal that is not the month the table's key makes stops the run.",
    );
    if (window.bufferDays > 0) notes.push(`The ${window.bufferDays}-day buffer widens Phase 2's lookback only; Phase 1 rewrites the months from the from-date on.`);
  } else {
    notes.push('--skip-balances-rewrite: Phase 1, the canary and Phase 3 are left out; only Phase 2 runs.');
  }
  if (noUsd.length > 0) notes.push(`No *_usd column in ${noUsd.join(', ')}: no zero-USD check for ${noUsd.length === 1 ? 'it' : 'them'}.`);
  if (unknownCols.length > 0) notes.push(`Columns unknown (not documented, no compiled SQL in the manifest) for ${unknownCols.join(', ')}: no zero-USD check; document them or run dbt compile.`);
  for (const t of layers.flat()) {
    if (t.derivedKeys.length === 0) continue;
    const what = t.derivedKeys.map((d) => `${d.key} (from ${d.reads.join(', ')})`).join(', ');
    notes.push(
      t.clearMonth
        ? `${t.table}'s key has ${what}, computed from refilled values: its month is dropped before its layer runs (clearMonthFor), so it ends with the refill's rows only; readers see no rows of it for the month until that layer's append ends.`
        : `${t.table}'s key has ${what}, computed from refilled values: the refill leaves its stale rows of the moved keys in place, so verify-usd-${t.table} may still find zero-USD rows on the gap days. They are those rows, not a failed refill; clear the month (clearMonthFor) to remove them.`,
    );
  }
  if (apiMonthly.length > 0) {
    notes.push(`${apiMonthly.join(', ')} ${apiMonthly.length === 1 ? 'is' : 'are'} monthly (${verify.dateColumn} is a month start): the gap-day check looks at ${gapMonth}, the month of ${window.from}.`);
  }
  if (apiNoValue.length > 0) notes.push(`No value column (value, *_usd) known in ${apiNoValue.join(', ')}: the gap-day check asks only for rows there.`);
  if (apiNoDate.length > 0) notes.push(`No ${verify.dateColumn} column known in ${apiNoDate.join(', ')}: no gap-day check for ${apiNoDate.length === 1 ? 'it' : 'them'}.`);
  if (withPhase2 && phase2Ids.length === 0) notes.push(`Phase 2's selection (${phase2Select.join(' ')} minus the cohort) selects no model: nothing to re-derive.`);

  return {
    workflow: 'price-gap',
    version: 1,
    projectDir: input.project.root,
    profilesDir: input.profilesDir ?? null,
    target: input.target ?? null,
    dbtCommand: [...dbtCommand],
    connection: input.connection ?? null,
    params: {
      fromDate: input.fromDate ?? null,
      lookbackDays: input.lookbackDays ?? null,
      bufferDays: input.bufferDays ?? null,
      select: input.select ?? null,
      skipBalancesRewrite: input.skipBalancesRewrite ?? false,
      skipPriceDependent: input.skipPriceDependent ?? false,
      dataBegins: dataBegins ?? null,
      projectDirArg: input.projectDir ?? null,
      canaryModel: canaryStep?.options.model ?? null,
      ...(clearNames.size > 0 ? { clearMonthFor: [...clearNames].map((id) => manifest.nodes.get(id)!.name).join(',') } : {}),
    },
    today: window.today,
    lookbackDays: window.lookbackDays,
    months: window.months,
    warnings,
    notes,
    steps,
  };
}
