import { Random } from './random';
import {
  DOMAINS,
  MEASURES,
  QUALIFIERS,
  RAW_SUFFIXES,
  TIME_COLUMN,
  isAddressLike,
  type DomainDef,
  type EntityDef,
  type Grain,
  type MeasureDef,
} from './vocabulary';

/**
 * The plan of the synthetic project: every source, seed, snapshot and model with its parents, columns, tags and
 * config choices, decided before any text is written so that files and manifest are built from one truth.
 */

export type Kind = 'stg' | 'int' | 'fct' | 'api';
export type Materialized = 'view' | 'incremental' | 'table';
/** How a refill_append model gets its spill-to-disk settings; `partial` and `none` are the non-compliant ones. */
export type HookStyle = 'macro' | 'raw' | 'partial' | 'none';

export interface RefillSpec {
  hooks: HookStyle;
  /** Uses the `'append' if (var('start_month') or var('incremental_end_date')) else 'delete+insert'` expression. */
  strategyExpr: boolean;
  /** Has the `{% if start_month and end_month %}` filter branch. */
  monthBranch: boolean;
}

export type TestKind = 'not_null' | 'unique' | 'accepted_values' | 'relationships' | 'unique_combination_of_columns';

export interface TestSpec {
  kind: TestKind;
  column: string | null;
  /** relationships: the ref'd model and its column. */
  to?: string;
  field?: string;
  values?: string[];
  columns?: string[];
  severity: 'error' | 'warn';
}

export interface SourceTable {
  source: string;
  table: string;
  domain: string;
  columns: string[];
  timeColumn: string;
  description: string;
  tests: TestSpec[];
}

export interface SeedSpec {
  name: string;
  columns: string[];
  key: string;
  rows: string[][];
  description: string;
}

export interface SnapshotSpec {
  name: string;
  domain: string;
  source: SourceTable;
  uniqueKey: string;
  columns: string[];
}

export interface ModelSpec {
  name: string;
  kind: Kind;
  domain: string;
  entity: string;
  measure: MeasureDef | null;
  grain: Grain;
  level: number;
  materialized: Materialized;
  strategy: 'delete+insert' | 'append' | null;
  /** ref() targets (models, seeds, snapshots), in the order the SQL first names them. */
  parents: string[];
  sources: Array<[string, string]>;
  timeColumn: string;
  /** Columns between the time column and the dimensions (staging keys). */
  keys: string[];
  dims: string[];
  metrics: string[];
  tags: string[];
  heavy: boolean;
  /** Wraps the aggregate in a running-window CTE (balances from deltas). */
  running: boolean;
  refill: RefillSpec | null;
  /** Raw SET hooks on a model that is not refill_append (JSON type settings and the like). */
  otherHooks: string[];
  /** Has an entry in a schema .yml (description, columns, tests). */
  documented: boolean;
  description: string;
  tests: TestSpec[];
  owner: string;
  anchor: boolean;
}

export interface Producer {
  name: string;
  resourceType: 'model' | 'seed' | 'snapshot';
  columns: string[];
  timeColumn: string | null;
  level: number;
}

export interface ProjectPlan {
  domains: DomainDef[];
  sources: SourceTable[];
  seeds: SeedSpec[];
  snapshots: SnapshotSpec[];
  models: ModelSpec[];
  producers: Map<string, Producer>;
  maxLevel: number;
}

export function columnsOf(m: Pick<ModelSpec, 'timeColumn' | 'keys' | 'dims' | 'metrics'>): string[] {
  return [m.timeColumn, ...m.keys, ...m.dims, ...m.metrics];
}

export const PRICE_ROOT = 'int_execution_token_prices_daily';
const PRICE_STAGING = 'stg_dune__prices';

const KIND_SHARE: Record<Kind, number> = { stg: 0.12, int: 0.55, fct: 0.13, api: 0.2 };
const GRAIN_WEIGHTS: Array<[Grain, number]> = [['daily', 72], ['hourly', 10], ['weekly', 6], ['monthly', 12]];
const ENUM_VALUES: Record<string, string[]> = {
  token_class: ['STABLE', 'NATIVE', 'LST', 'RWA', 'OTHER'],
  direction: ['deposit', 'withdrawal'],
  avatar_type: ['Human', 'Group', 'Organization'],
  action: ['Payment', 'Refund', 'Reversal', 'Cashback', 'Top-up'],
  order_kind: ['sell', 'buy'],
  card_network: ['VISA', 'Mastercard'],
  wallet_type: ['EOA', 'Safe', 'Other'],
  tranche: ['junior', 'senior'],
};

/** The price-gap recovery cohort from the runbook, built first so the bench's selectors hit realistic names. */
interface AnchorDef {
  name: string;
  kind: Kind;
  domain: string;
  entity: string;
  measure: string | null;
  level: number;
  materialized: Materialized;
  parents: string[];
  dims: string[];
  metrics?: string[];
  refill: boolean;
}

const ANCHORS: AnchorDef[] = [
  { name: PRICE_ROOT, kind: 'int', domain: 'execution', entity: 'tokens', measure: null, level: 2, materialized: 'view', parents: [PRICE_STAGING, 'token_whitelist'], dims: ['token_address', 'symbol'], refill: false },
  { name: 'int_execution_transfers_whitelisted_daily', kind: 'int', domain: 'execution', entity: 'tokens', measure: 'transfers', level: 2, materialized: 'incremental', parents: ['stg_execution__tokens_transfers', 'token_whitelist'], dims: ['token_address', 'address'], refill: false },
  { name: 'int_execution_tokens_balances_daily', kind: 'int', domain: 'execution', entity: 'tokens', measure: 'balances', level: 3, materialized: 'incremental', parents: ['int_execution_transfers_whitelisted_daily', PRICE_ROOT], dims: ['token_address', 'address'], refill: true },
  { name: 'int_execution_lending_aave_user_balances_daily', kind: 'int', domain: 'execution', entity: 'lending_aave', measure: 'balances', level: 3, materialized: 'incremental', parents: ['stg_execution__lending_aave_events', PRICE_ROOT], dims: ['user_address', 'reserve_address', 'symbol'], refill: true },
  { name: 'int_execution_gpay_activity', kind: 'int', domain: 'execution', entity: 'gpay', measure: 'activity', level: 3, materialized: 'incremental', parents: ['stg_execution__gpay_events', PRICE_ROOT], dims: ['wallet_address', 'token_address', 'action'], refill: true },
  { name: 'int_execution_pools_fees_daily', kind: 'int', domain: 'execution', entity: 'pools', measure: 'fees', level: 3, materialized: 'incremental', parents: ['stg_execution__pools_events', PRICE_ROOT], dims: ['pool_address', 'token_address'], refill: true },
  { name: 'int_execution_tokens_supply_holders_daily', kind: 'int', domain: 'execution', entity: 'tokens', measure: 'holders', level: 4, materialized: 'incremental', parents: ['int_execution_tokens_balances_daily'], dims: ['token_address'], refill: true },
  { name: 'int_execution_tokens_balance_cohorts_daily', kind: 'int', domain: 'execution', entity: 'tokens', measure: 'cohorts', level: 4, materialized: 'incremental', parents: ['int_execution_tokens_balances_daily', PRICE_ROOT], dims: ['token_address', 'symbol'], refill: true },
  { name: 'int_execution_tokens_balances_by_sector_daily', kind: 'int', domain: 'execution', entity: 'tokens', measure: 'balances', level: 4, materialized: 'incremental', parents: ['int_execution_tokens_balances_daily', 'sector_labels'], dims: ['sector', 'token_address'], refill: true },
  { name: 'int_execution_account_balance_history_daily', kind: 'int', domain: 'execution', entity: 'account', measure: 'balances', level: 4, materialized: 'incremental', parents: ['int_execution_tokens_balances_daily'], dims: ['address', 'token_address'], refill: true },
  { name: 'int_execution_lending_aave_balance_cohorts_daily', kind: 'int', domain: 'execution', entity: 'lending_aave', measure: 'cohorts', level: 4, materialized: 'incremental', parents: ['int_execution_lending_aave_user_balances_daily'], dims: ['reserve_address', 'symbol'], refill: true },
  { name: 'int_revenue_holdings_fees_daily', kind: 'int', domain: 'revenue', entity: 'holdings', measure: 'revenue', level: 5, materialized: 'incremental', parents: ['int_execution_tokens_balances_by_sector_daily', PRICE_ROOT], dims: ['token_address', 'sector'], refill: true },
  { name: 'int_revenue_sdai_fees_daily', kind: 'int', domain: 'revenue', entity: 'sdai', measure: 'revenue', level: 5, materialized: 'incremental', parents: ['int_execution_tokens_balances_daily', PRICE_ROOT], dims: ['address', 'token_address'], refill: true },
  { name: 'int_revenue_gpay_fees_daily', kind: 'int', domain: 'revenue', entity: 'gpay', measure: 'revenue', level: 5, materialized: 'incremental', parents: ['int_execution_gpay_activity', PRICE_ROOT], dims: ['wallet_address', 'token_address'], refill: true },
  { name: 'fct_execution_tokens_metrics_daily', kind: 'fct', domain: 'execution', entity: 'tokens', measure: 'supply', level: 5, materialized: 'table', parents: ['int_execution_tokens_supply_holders_daily', 'int_execution_tokens_balances_daily'], dims: ['token_address'], refill: false },
  { name: 'api_execution_gpay_volume_payments_by_token_daily', kind: 'api', domain: 'execution', entity: 'gpay', measure: 'volume', level: 4, materialized: 'view', parents: ['int_execution_gpay_activity'], dims: ['label'], metrics: ['value'], refill: false },
  { name: 'api_execution_account_search_index', kind: 'api', domain: 'execution', entity: 'account', measure: 'balances', level: 5, materialized: 'view', parents: ['int_execution_account_balance_history_daily'], dims: ['address', 'token_address'], refill: false },
];

/** Staging tables the anchors read: `stg_<source>__<table>`. */
const ANCHOR_STAGING: Array<{ source: string; table: string; entity: string }> = [
  { source: 'execution', table: 'tokens_transfers', entity: 'tokens' },
  { source: 'execution', table: 'lending_aave_events', entity: 'lending_aave' },
  { source: 'execution', table: 'gpay_events', entity: 'gpay' },
  { source: 'execution', table: 'pools_events', entity: 'pools' },
];

const STG_KEYS = ['block_number', 'transaction_hash', 'log_index'];
const STG_METRICS = ['amount_raw', 'amount', 'insert_version'];

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

export interface PlanOptions {
  models: number;
  seed: number | string;
}

export function planProject(options: PlanOptions): ProjectPlan {
  const total = options.models;
  if (!Number.isInteger(total) || total < 60) throw new Error(`models must be an integer of at least 60 (got ${total})`);
  const rng = new Random(options.seed);

  const nDomains = clamp(Math.round(total / 420), 4, DOMAINS.length);
  const execution = DOMAINS.find((d) => d.name === 'execution')!;
  const revenue = DOMAINS.find((d) => d.name === 'revenue')!;
  const domains = [execution, revenue, ...DOMAINS.filter((d) => d !== execution && d !== revenue)].slice(0, nDomains);
  const maxLevel = total >= 2000 ? 11 : total >= 500 ? 9 : 7;

  // Per-domain quotas by kind, anchors counted in, the rounding error absorbed by execution's int models.
  const weightSum = domains.reduce((a, d) => a + d.weight, 0);
  const quota = new Map<string, Record<Kind, number>>();
  for (const d of domains) {
    const share = d.weight / weightSum;
    const anchors = (k: Kind): number => ANCHORS.filter((a) => a.domain === d.name && a.kind === k).length;
    quota.set(d.name, {
      stg: Math.max(2 + (d === execution ? ANCHOR_STAGING.length + 1 : 0), Math.round(total * KIND_SHARE.stg * share)),
      int: Math.max(4 + anchors('int'), Math.round(total * KIND_SHARE.int * share)),
      fct: Math.max(1 + anchors('fct'), Math.round(total * KIND_SHARE.fct * share)),
      api: Math.max(1 + anchors('api'), Math.round(total * KIND_SHARE.api * share)),
    });
  }
  let assigned = 0;
  for (const q of quota.values()) assigned += q.stg + q.int + q.fct + q.api;
  quota.get('execution')!.int += total - assigned;
  if (quota.get('execution')!.int < 4 + ANCHORS.filter((a) => a.domain === 'execution' && a.kind === 'int').length) {
    throw new Error(`${total} models are too few for ${domains.length} domains`);
  }

  const producers = new Map<string, Producer>();
  const models: ModelSpec[] = [];
  const taken = new Set<string>();
  const claim = (name: string): string => {
    if (taken.has(name)) throw new Error(`duplicate name ${name}`);
    taken.add(name);
    return name;
  };

  // ---- sources ---------------------------------------------------------------------------------------------
  const sources: SourceTable[] = [];
  const sourcesByDomain = new Map<string, SourceTable[]>();
  const addSource = (source: string, table: string, domain: string, entity: EntityDef | null, timeColumn: string, columns: string[]): SourceTable => {
    const t: SourceTable = {
      source,
      table,
      domain,
      columns,
      timeColumn,
      description: entity
        ? `Raw ${table.replace(/_/g, ' ')} for ${entity.name.replace(/_/g, ' ')}, loaded by the indexer with one row per event and an insert_version for deduplication.`
        : `Raw ${table.replace(/_/g, ' ')} loaded from ${source}.`,
      tests: [],
    };
    if (rng.chance(0.25)) t.tests.push({ kind: 'not_null', column: timeColumn, severity: 'error' });
    sources.push(t);
    const list = sourcesByDomain.get(domain) ?? [];
    list.push(t);
    sourcesByDomain.set(domain, list);
    return t;
  };
  addSource('dune', 'prices', 'execution', null, 'date', ['date', 'symbol', 'token_address', 'price', 'insert_version']);
  for (const d of domains) {
    const want = Math.max(2, Math.ceil(quota.get(d.name)!.stg * 0.8));
    const names = new Set<string>();
    if (d === execution) for (const s of ANCHOR_STAGING) names.add(s.table);
    let guard = 0;
    while (names.size < want && guard++ < want * 20) names.add(`${rng.pick(d.entities).name}_${rng.pick(RAW_SUFFIXES)}`);
    for (const table of names) {
      const entity = d.entities.find((e) => table.startsWith(`${e.name}_`)) ?? d.entities[0]!;
      addSource(d.name, table, d.name, entity, 'block_timestamp', ['block_timestamp', ...STG_KEYS, ...entity.dims, 'amount_raw', 'updated_at', 'insert_version']);
    }
  }

  // ---- seeds -----------------------------------------------------------------------------------------------
  const seeds = makeSeeds(rng);
  for (const s of seeds) producers.set(claim(s.name), { name: s.name, resourceType: 'seed', columns: s.columns, timeColumn: null, level: 0 });

  // ---- snapshots -------------------------------------------------------------------------------------------
  const snapshots: SnapshotSpec[] = [];
  const nSnapshots = clamp(Math.round(total / 1000), 2, 10);
  for (let i = 0; i < nSnapshots; i++) {
    const d = domains[i % domains.length]!;
    const src = rng.pick(sourcesByDomain.get(d.name)!);
    const entity = d.entities.find((e) => src.table.startsWith(`${e.name}_`)) ?? d.entities[0]!;
    const name = `snap_${d.name}_${src.table}`;
    if (taken.has(name)) continue;
    const uniqueKey = entity.dims[0]!;
    const snap: SnapshotSpec = { name: claim(name), domain: d.name, source: src, uniqueKey, columns: [...src.columns, 'dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to'] };
    snapshots.push(snap);
    producers.set(name, { name, resourceType: 'snapshot', columns: snap.columns, timeColumn: 'block_timestamp', level: 1 });
  }

  // ---- models ----------------------------------------------------------------------------------------------
  /** Models of a domain by level, for parent picks; a level's list is readable only once the level is done. */
  const byLevel = new Map<string, string[][]>();
  const fctByDomain = new Map<string, string[]>();
  for (const d of domains) {
    byLevel.set(d.name, []);
    fctByDomain.set(d.name, []);
  }
  const hubs: string[] = [];

  const modelByName = new Map<string, ModelSpec>();
  const register = (spec: ModelSpec): void => {
    models.push(spec);
    modelByName.set(spec.name, spec);
    producers.set(spec.name, { name: spec.name, resourceType: 'model', columns: columnsOf(spec), timeColumn: spec.timeColumn, level: spec.level });
    if (spec.kind === 'fct') fctByDomain.get(spec.domain)!.push(spec.name);
    else {
      const levels = byLevel.get(spec.domain)!;
      (levels[spec.level] ??= []).push(spec.name);
    }
  };

  const baseSpec = (name: string, kind: Kind, d: DomainDef, entity: EntityDef, level: number): ModelSpec => ({
    name,
    kind,
    domain: d.name,
    entity: entity.name,
    measure: null,
    grain: 'daily',
    level,
    materialized: 'view',
    strategy: null,
    parents: [],
    sources: [],
    timeColumn: 'date',
    keys: [],
    dims: [],
    metrics: [],
    tags: [],
    heavy: false,
    running: false,
    refill: null,
    otherHooks: [],
    documented: rng.chance(0.92),
    description: '',
    tests: [],
    owner: rng.chance(0.7) ? 'analytics_team' : rng.pick(['data_platform', 'defi_research', 'growth', 'finance']),
    anchor: false,
  });

  // Staging: one model per raw table first, then `_deduped` / `_latest` variants.
  const stgUsed = new Map<string, number>();
  const addStaging = (d: DomainDef, src: SourceTable, forcedName?: string): ModelSpec => {
    const entity = d.entities.find((e) => src.table.startsWith(`${e.name}_`)) ?? d.entities[0]!;
    const n = stgUsed.get(`${src.source}.${src.table}`) ?? 0;
    stgUsed.set(`${src.source}.${src.table}`, n + 1);
    const variant = n === 0 ? '' : `_${['deduped', 'latest', 'filtered', 'enriched'][(n - 1) % 4]}${n > 4 ? `_${n}` : ''}`;
    const spec = baseSpec(claim(forcedName ?? `stg_${src.source}__${src.table}${variant}`), 'stg', d, entity, 1);
    spec.sources = [[src.source, src.table]];
    spec.timeColumn = src.timeColumn;
    if (src.source === 'dune') {
      spec.dims = ['token_address', 'symbol'];
      spec.metrics = ['price', 'insert_version'];
    } else {
      spec.keys = rng.chance(0.85) ? [...STG_KEYS] : STG_KEYS.slice(0, 2);
      spec.dims = [...entity.dims];
      spec.metrics = [...STG_METRICS];
      spec.materialized = rng.chance(0.2) ? 'incremental' : 'view';
      if (spec.materialized === 'incremental') spec.strategy = 'append';
    }
    spec.grain = 'daily';
    spec.tags = tagsFor(spec, rng);
    spec.description = describe(spec, d, src);
    register(spec);
    return spec;
  };
  addStaging(execution, sources.find((s) => s.source === 'dune')!, PRICE_STAGING);
  for (const d of domains) {
    const list = sourcesByDomain.get(d.name)!.filter((s) => s.source !== 'dune');
    let want = quota.get(d.name)!.stg - (d === execution ? 1 : 0);
    if (d === execution) {
      for (const a of ANCHOR_STAGING) addStaging(d, list.find((s) => s.table === a.table)!);
      want -= ANCHOR_STAGING.length;
    }
    for (let i = 0; want > 0; i++, want--) addStaging(d, list[i % list.length]!);
  }

  // Intermediate models, level by level, so a model only ever refs a lower level: no cycles by construction.
  const measureByName = new Map(MEASURES.map((m) => [m.name, m]));
  const intLevels = new Map<string, number[]>();
  for (const d of domains) {
    const anchorsHere = ANCHORS.filter((a) => a.domain === d.name && a.kind === 'int').length;
    const n = quota.get(d.name)!.int - anchorsHere;
    const weights: number[] = [];
    const levels: number[] = [];
    for (let l = 2; l <= maxLevel; l++) {
      levels.push(l);
      weights.push(maxLevel - l + 3);
    }
    const picks: number[] = [];
    // Every level gets one model first, so lineage chains reach the full depth in every domain.
    for (let l = 2; l <= maxLevel && picks.length < n; l++) picks.push(l);
    while (picks.length < n) picks.push(rng.weighted(levels, weights));
    intLevels.set(d.name, picks.sort((a, b) => a - b));
  }

  const below = (domain: string, level: number): string[] => {
    const levels = byLevel.get(domain)!;
    const out: string[] = [];
    for (let l = 1; l < level; l++) for (const n of levels[l] ?? []) out.push(n);
    return out;
  };
  const nearestBelow = (domain: string, level: number): string[] => {
    const levels = byLevel.get(domain)!;
    for (let l = level - 1; l >= 1; l--) if ((levels[l] ?? []).length > 0) return levels[l]!;
    return [];
  };

  const reserved = new Set(ANCHORS.map((a) => a.name));
  const free = (n: string): boolean => !taken.has(n) && !reserved.has(n);
  const uniqueModelName = (parts: string[], grain: string): string => {
    const base = parts.join('_');
    const first = `${base}_${grain}`;
    if (free(first)) return claim(first);
    const start = rng.int(0, QUALIFIERS.length - 1);
    for (let i = 0; i < QUALIFIERS.length; i++) {
      const n = `${base}_${QUALIFIERS[(start + i) % QUALIFIERS.length]}_${grain}`;
      if (free(n)) return claim(n);
    }
    for (let i = 2; ; i++) {
      const n = `${base}_${grain}_v${i}`;
      if (free(n)) return claim(n);
    }
  };

  const pickGrain = (): Grain => rng.weighted(GRAIN_WEIGHTS.map((g) => g[0]), GRAIN_WEIGHTS.map((g) => g[1]));

  const chooseDims = (entity: EntityDef): string[] => {
    const n = rng.weighted([1, 2, 3], [35, 45, 20]);
    return entity.dims.slice(0, Math.min(n, entity.dims.length));
  };

  const chooseMetrics = (measure: MeasureDef): string[] => {
    const metrics = [...measure.metrics];
    if (rng.chance(0.3)) {
      const extra = rng.pick(MEASURES);
      for (const m of extra.metrics) if (!metrics.includes(m) && metrics.length < 8) metrics.push(m);
    }
    return metrics;
  };

  const addExtraParents = (spec: ModelSpec, level: number): void => {
    const d = spec.domain;
    const add = (n: string | undefined): void => {
      if (n && n !== spec.name && !spec.parents.includes(n)) spec.parents.push(n);
    };
    const lower = below(d, level);
    if (rng.chance(0.35) && lower.length > 0) add(rng.pick(lower));
    if (rng.chance(0.12)) {
      const eligible = hubs.filter((h) => producers.get(h)!.level < level);
      if (eligible.length > 0) add(rng.pick(eligible));
    }
    if (rng.chance(0.08) && domains.length > 1) {
      const other = rng.pick(domains.filter((x) => x.name !== d));
      const pool = below(other.name, level);
      if (pool.length > 0) add(rng.pick(pool));
    }
    // Seeds keyed by a code join on that code, so only when the primary parent carries it; address-keyed seeds
    // are label lookups by the row's account.
    const primaryColumns = producers.get(spec.parents[0]!)?.columns ?? [];
    if (spec.dims.includes('token_address') && rng.chance(0.06)) add('token_whitelist');
    if (spec.dims.includes('sector') && rng.chance(0.25)) add('sector_labels');
    if (spec.dims.includes('country_code') && primaryColumns.includes('country_code') && rng.chance(0.25)) add('country_codes');
    if (spec.dims.includes('chain_id') && primaryColumns.includes('chain_id') && rng.chance(0.3)) add('chain_ids');
    if (spec.dims.includes('client_type') && primaryColumns.includes('client_type') && rng.chance(0.2)) add('client_aliases');
    if (rng.chance(0.02)) {
      const snap = snapshots.find((s) => s.domain === d && spec.dims.includes(s.uniqueKey));
      if (snap) add(snap.name);
    }
    if (spec.measure?.priced && level > 2 && rng.chance(0.3)) add(PRICE_ROOT);
  };

  const domainDef = (name: string): DomainDef => domains.find((d) => d.name === name)!;

  const addAnchor = (a: AnchorDef): void => {
    const d = domainDef(a.domain);
    const entity = d.entities.find((e) => e.name === a.entity) ?? d.entities[0]!;
    const spec = baseSpec(claim(a.name), a.kind, d, entity, a.level);
    spec.anchor = true;
    spec.documented = true;
    spec.owner = 'analytics_team';
    spec.measure = a.measure ? measureByName.get(a.measure)! : null;
    spec.materialized = a.materialized;
    spec.strategy = a.materialized === 'incremental' ? 'delete+insert' : null;
    spec.parents = [...a.parents];
    spec.dims = [...a.dims];
    spec.metrics = a.metrics ? [...a.metrics] : a.name === PRICE_ROOT ? ['price'] : [...spec.measure!.metrics];
    spec.heavy = a.refill;
    spec.running = a.refill && a.measure === 'balances';
    spec.refill = a.refill ? { hooks: 'macro', strategyExpr: true, monthBranch: true } : null;
    spec.tags = tagsFor(spec, rng);
    spec.description = describe(spec, d, null);
    register(spec);
    if (a.name === PRICE_ROOT || a.name === 'int_execution_tokens_balances_daily') hubs.push(a.name);
  };

  for (let level = 2; level <= maxLevel; level++) {
    for (const d of domains) {
      for (const a of ANCHORS) if (a.kind === 'int' && a.domain === d.name && a.level === level) addAnchor(a);
      const count = intLevels.get(d.name)!.filter((l) => l === level).length;
      for (let i = 0; i < count; i++) {
        const entity = rng.pick(d.entities);
        const measure = rng.pick(MEASURES);
        const grain = pickGrain();
        const spec = baseSpec(uniqueModelName(['int', d.name, entity.name, measure.name], grain), 'int', d, entity, level);
        spec.measure = measure;
        spec.grain = grain;
        spec.timeColumn = TIME_COLUMN[grain];
        spec.dims = chooseDims(entity);
        spec.metrics = chooseMetrics(measure);
        spec.materialized = rng.weighted<Materialized>(['incremental', 'view', 'table'], [65, 25, 10]);
        if (spec.materialized === 'incremental') spec.strategy = rng.chance(0.92) ? 'delete+insert' : 'append';
        spec.heavy = measure.heavy || spec.metrics.some((m) => /^(holders|users|active_addresses|rank|share|value_change_7d|value_ma_30d|counterparties|distinct_senders)$/.test(m));
        spec.running = spec.heavy && spec.materialized === 'incremental' && rng.chance(0.3);
        const primary = nearestBelow(d.name, level);
        spec.parents.push(rng.pick(primary));
        addExtraParents(spec, level);
        if (rng.chance(0.02)) spec.otherHooks = [rng.pick(['SET allow_experimental_json_type = 1', 'SET join_use_nulls = 1', 'SET max_threads = 8'])];
        register(spec);
        // The first models of a domain's level 2 are its "base" tables that many later models join.
        if (level === 2 && i < 2) hubs.push(spec.name);
      }
    }
  }

  // Refill cohort beyond the runbook's twelve: ~2% of the project, on heavy daily incremental models.
  const anchorsRefill = ANCHORS.filter((a) => a.refill).length;
  // At least a few beyond the runbook's, so even a small project has non-compliant ones for the lint to find.
  const wantRefill = Math.max(4, Math.round(total * 0.02) - anchorsRefill);
  const eligible = models.filter((m) => m.kind === 'int' && !m.anchor && m.materialized === 'incremental' && m.grain === 'daily' && m.level >= 3);
  const heavyFirst = [...eligible.filter((m) => m.heavy), ...eligible.filter((m) => !m.heavy)];
  const chosen = heavyFirst.length <= wantRefill ? heavyFirst : rng.sample(heavyFirst.slice(0, Math.max(wantRefill, Math.round(heavyFirst.length * 0.6))), wantRefill);
  for (const m of chosen) {
    m.heavy = true;
    m.running = m.running || rng.chance(0.4);
    m.strategy = 'delete+insert';
    m.otherHooks = [];
    m.refill = {
      hooks: rng.weighted<HookStyle>(['macro', 'raw', 'partial', 'none'], [60, 15, 12, 13]),
      strategyExpr: !rng.chance(0.08),
      monthBranch: !rng.chance(0.08),
    };
  }
  // A past run needs two models that OOMed for want of spill hooks (run_results.json), whatever the dice said.
  const isUnsafe = (m: ModelSpec): boolean => m.refill!.hooks === 'none' || m.refill!.hooks === 'partial';
  const unsafe = chosen.filter(isUnsafe).length;
  chosen.filter((m) => !isUnsafe(m)).slice(0, Math.max(0, 2 - unsafe)).forEach((m, i) => (m.refill!.hooks = i === 0 ? 'none' : 'partial'));

  // Marts: fct tables over the domain's intermediate models, a second tier over the first; api views on top.
  for (const d of domains) {
    const q = quota.get(d.name)!;
    for (const a of ANCHORS) if (a.kind === 'fct' && a.domain === d.name) addAnchor(a);
    const nFct = q.fct - ANCHORS.filter((a) => a.kind === 'fct' && a.domain === d.name).length;
    const ints = below(d.name, maxLevel + 1).filter((n) => n.startsWith('int_'));
    const tier1 = Math.ceil(nFct * 0.8);
    const tier1Names: string[] = [...fctByDomain.get(d.name)!];
    for (let i = 0; i < nFct; i++) {
      const entity = rng.pick(d.entities);
      const measure = rng.pick(MEASURES);
      const grain = rng.chance(0.85) ? 'daily' : rng.pick<Grain>(['weekly', 'monthly']);
      const spec = baseSpec(uniqueModelName(['fct', d.name, entity.name, measure.name], grain), 'fct', d, entity, 0);
      spec.measure = measure;
      spec.grain = grain;
      spec.timeColumn = TIME_COLUMN[grain];
      spec.dims = chooseDims(entity);
      spec.metrics = chooseMetrics(measure);
      spec.materialized = rng.chance(0.9) ? 'table' : 'incremental';
      if (spec.materialized === 'incremental') spec.strategy = 'delete+insert';
      spec.heavy = measure.heavy;
      const nParents = rng.weighted([1, 2, 3, 4], [30, 40, 20, 10]);
      // The second tier reads the first: fct over fct, never deeper.
      if (i >= tier1 && tier1Names.length > 0) spec.parents.push(rng.pick(tier1Names));
      while (spec.parents.length < nParents && ints.length > 0) {
        // Of two candidates take the deeper one: marts sit on the top of the intermediate stack.
        const a = rng.pick(ints);
        const b = rng.pick(ints);
        const p = producers.get(a)!.level >= producers.get(b)!.level ? a : b;
        if (!spec.parents.includes(p)) spec.parents.push(p);
        else if (rng.chance(0.5)) break;
      }
      if (measure.priced && rng.chance(0.15) && !spec.parents.includes(PRICE_ROOT)) spec.parents.push(PRICE_ROOT);
      spec.level = 1 + Math.max(...spec.parents.map((p) => producers.get(p)!.level));
      spec.tags = tagsFor(spec, rng);
      spec.description = describe(spec, d, null);
      register(spec);
      if (i < tier1) tier1Names.push(spec.name);
    }
  }
  for (const d of domains) {
    const q = quota.get(d.name)!;
    for (const a of ANCHORS) if (a.kind === 'api' && a.domain === d.name) addAnchor(a);
    const nApi = q.api - ANCHORS.filter((a) => a.kind === 'api' && a.domain === d.name).length;
    const fcts = fctByDomain.get(d.name)!;
    const ints = below(d.name, maxLevel + 1).filter((n) => n.startsWith('int_'));
    for (let i = 0; i < nApi; i++) {
      const fromFct = fcts.length > 0 && rng.chance(0.75);
      const parent = fromFct ? rng.pick(fcts) : rng.pick(ints);
      const p = modelByName.get(parent) ?? null;
      const entity = d.entities.find((e) => e.name === p?.entity) ?? rng.pick(d.entities);
      const measure = p?.measure ?? rng.pick(MEASURES);
      const latest = rng.chance(0.12);
      const grain: Grain = p?.grain ?? 'daily';
      const spec = baseSpec(uniqueModelName(['api', d.name, entity.name, measure.name], latest ? 'latest' : grain), 'api', d, entity, 0);
      spec.measure = measure;
      spec.grain = grain;
      spec.timeColumn = TIME_COLUMN[grain];
      spec.parents.push(parent);
      if (rng.chance(0.15)) {
        const second = rng.pick(fcts.length > 0 ? fcts : ints);
        if (second !== parent) spec.parents.push(second);
      }
      // Dashboards read long (date, label, value) series or a wide row per key.
      if (rng.chance(0.7)) {
        spec.dims = ['label'];
        spec.metrics = ['value'];
      } else {
        spec.dims = p ? [...p.dims] : chooseDims(entity);
        spec.metrics = p ? p.metrics.slice(0, 4) : [...measure.metrics];
      }
      spec.level = 1 + Math.max(...spec.parents.map((x) => producers.get(x)!.level));
      spec.tags = tagsFor(spec, rng);
      spec.description = describe(spec, d, null);
      register(spec);
    }
  }

  // Tags and descriptions of intermediate models once refill choices are made.
  for (const m of models) {
    if (m.kind !== 'int') continue;
    m.tags = tagsFor(m, rng);
    m.description = describe(m, domainDef(m.domain), null);
  }
  for (const m of models) m.tests = m.documented ? testsFor(m, producers, rng) : [];
  return { domains, sources, seeds, snapshots, models, producers, maxLevel };
}

function tagsFor(spec: ModelSpec, rng: Random): string[] {
  const tags = [rng.chance(0.95) ? 'production' : 'dev', spec.domain];
  if (spec.entity !== spec.domain) tags.push(spec.entity);
  if (spec.kind === 'stg') tags.push('staging');
  else if (spec.grain === 'hourly') tags.push('hourly');
  else tags.push('daily');
  if (spec.kind === 'fct') tags.push('fct');
  if (spec.kind === 'api') tags.push('api');
  if (spec.kind === 'api' && rng.chance(0.1)) tags.push('tier1');
  if (spec.refill) tags.push('refill_append');
  return [...new Set(tags)];
}

function describe(spec: ModelSpec, d: DomainDef, src: SourceTable | null): string {
  const what = spec.entity.replace(/_/g, ' ');
  const parents = spec.parents.slice(0, 3).join(', ');
  const grainWord = { daily: 'Daily', hourly: 'Hourly', weekly: 'Weekly', monthly: 'Monthly' }[spec.grain];
  const parts: string[] = [];
  switch (spec.kind) {
    case 'stg':
      parts.push(`Staging view over ${src ? `${src.source}.${src.table}` : 'the raw table'} for ${d.about}: renames columns, lower-cases addresses and casts raw amounts.`);
      if (spec.materialized === 'incremental') parts.push('Materialized incrementally because the raw table is large; deduplicated by ReplacingMergeTree on insert_version.');
      break;
    case 'int':
      if (spec.name === PRICE_ROOT) {
        parts.push('One USD price per whitelisted token and day, from the Dune price feed. The root of the price lineage: every *_usd column downstream joins this view.');
        parts.push('When the feed skips a day there is no row for it, and models that joined the view in the meantime hold zero USD values until they are refilled.');
        break;
      }
      parts.push(`${grainWord} ${spec.measure?.phrase ?? 'values'} of ${what} for ${d.about}, built from ${parents}.`);
      if (spec.metrics.some((m) => m.endsWith('_usd'))) parts.push(`USD values use the daily price from ${PRICE_ROOT}; a day with no price yields 0 USD.`);
      if (spec.materialized === 'incremental') parts.push(`Incremental (${spec.strategy}) on monthly partitions of ${spec.timeColumn}.`);
      if (spec.refill) parts.push('Heavy aggregate: refilled month by month in append mode with OPTIMIZE FINAL between passes during price-gap recovery (tag refill_append).');
      break;
    case 'fct':
      parts.push(`${grainWord} fact table of ${spec.measure?.phrase ?? 'values'} for ${what} (${d.about}), rebuilt in full from ${parents}.`);
      parts.push('Holds stale values after an upstream refill until it is run again.');
      break;
    case 'api':
      parts.push(`Dashboard view of ${spec.measure?.phrase ?? 'values'} for ${what} (${d.about}), read by the public API from ${parents}.`);
      break;
  }
  return parts.join(' ');
}

function testsFor(m: ModelSpec, producers: Map<string, Producer>, rng: Random): TestSpec[] {
  const tests: TestSpec[] = [];
  const sev = (): 'error' | 'warn' => (rng.chance(0.1) ? 'warn' : 'error');
  if (rng.chance(0.75)) tests.push({ kind: 'not_null', column: m.timeColumn, severity: sev() });
  for (const d of m.dims) if (rng.chance(0.35)) tests.push({ kind: 'not_null', column: d, severity: sev() });
  for (const x of m.metrics) if (rng.chance(0.08)) tests.push({ kind: 'not_null', column: x, severity: sev() });
  if (m.dims.length === 0 && m.kind !== 'stg' && rng.chance(0.6)) tests.push({ kind: 'unique', column: m.timeColumn, severity: 'error' });
  if (m.dims.length > 0 && m.kind !== 'stg' && m.kind !== 'api' && rng.chance(0.45)) {
    tests.push({ kind: 'unique_combination_of_columns', column: null, columns: [m.timeColumn, ...m.dims], severity: sev() });
  }
  if (m.kind === 'stg' && m.keys.includes('log_index') && rng.chance(0.3)) {
    tests.push({ kind: 'unique_combination_of_columns', column: null, columns: ['transaction_hash', 'log_index'], severity: 'warn' });
  }
  for (const d of m.dims) {
    const values = ENUM_VALUES[d];
    if (values && rng.chance(0.5)) tests.push({ kind: 'accepted_values', column: d, values, severity: sev() });
  }
  if (m.kind === 'int' || m.kind === 'fct') {
    for (const p of m.parents) {
      const prod = producers.get(p)!;
      if (prod.resourceType === 'snapshot') continue;
      const shared = m.dims.find((d) => prod.columns.includes(d) && isAddressLike(d));
      if (shared && rng.chance(prod.resourceType === 'seed' ? 0.5 : 0.12)) {
        tests.push({ kind: 'relationships', column: shared, to: p, field: shared, severity: sev() });
        break;
      }
    }
  }
  // dbt refuses two tests with the same name in one file.
  const seen = new Set<string>();
  return tests.filter((t) => {
    const k = `${t.kind}:${t.column}:${t.to ?? ''}:${(t.columns ?? []).join(',')}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function makeSeeds(rng: Random): SeedSpec[] {
  const addr = (): string => `0x${rng.hex(40)}`;
  const symbols = ['GNO', 'WXDAI', 'sDAI', 'USDC', 'USDC.e', 'USDT', 'EURe', 'GBPe', 'WETH', 'wstETH', 'osGNO', 'WBTC', 'COW', 'SAFE', 'BAL', 'CRV', 'AGVE', 'HOPR', 'bC3M', 'bIB01', 'rETH', 'OLAS', 'UNI', 'LINK', 'AAVE', 'DAI', 'xDAI', 'SWPR', 'PNK', 'MKR'];
  const classes: Record<string, string> = { GNO: 'NATIVE', WXDAI: 'STABLE', sDAI: 'STABLE', USDC: 'STABLE', 'USDC.e': 'STABLE', USDT: 'STABLE', EURe: 'STABLE', GBPe: 'STABLE', DAI: 'STABLE', xDAI: 'NATIVE', wstETH: 'LST', osGNO: 'LST', rETH: 'LST', bC3M: 'RWA', bIB01: 'RWA' };
  const tokens = symbols.map((s) => [addr(), s, String(s.startsWith('USD') ? 6 : 18), classes[s] ?? 'OTHER']);
  const sectors = ['DeFi', 'Payments', 'Bridges', 'Staking', 'CEX', 'Gaming', 'Identity', 'Infrastructure', 'DAO', 'NFT'];
  const labels = Array.from({ length: 80 }, (_, i) => [addr(), `${rng.pick(['Safe', 'CoW', 'Balancer', 'Curve', 'Aave', 'Spark', 'Omnibridge', 'Gnosis Pay', 'Circles', 'Hop', 'Connext', 'Stakewise'])} ${['Vault', 'Router', 'Pool', 'Treasury', 'Relayer', 'Module'][i % 6]} ${i}`, rng.pick(sectors)]);
  const countries = [['DE', 'Germany', 'Europe'], ['US', 'United States', 'Americas'], ['FR', 'France', 'Europe'], ['NL', 'Netherlands', 'Europe'], ['GB', 'United Kingdom', 'Europe'], ['CA', 'Canada', 'Americas'], ['SG', 'Singapore', 'Asia'], ['JP', 'Japan', 'Asia'], ['AU', 'Australia', 'Oceania'], ['BR', 'Brazil', 'Americas'], ['IN', 'India', 'Asia'], ['ZA', 'South Africa', 'Africa'], ['CH', 'Switzerland', 'Europe'], ['FI', 'Finland', 'Europe'], ['PL', 'Poland', 'Europe']];
  const chains = [['1', 'Ethereum'], ['10', 'Optimism'], ['56', 'BNB Chain'], ['100', 'Gnosis'], ['137', 'Polygon'], ['8453', 'Base'], ['42161', 'Arbitrum One'], ['43114', 'Avalanche']];
  const clients = [['Lighthouse', 'consensus'], ['Teku', 'consensus'], ['Nimbus', 'consensus'], ['Lodestar', 'consensus'], ['Prysm', 'consensus'], ['Nethermind', 'execution'], ['Erigon', 'execution'], ['Geth', 'execution'], ['Besu', 'execution'], ['Reth', 'execution']];
  return [
    { name: 'token_whitelist', columns: ['token_address', 'symbol', 'decimals', 'token_class'], key: 'token_address', rows: tokens, description: 'Tokens tracked by the project with their decimals and class; the price root only prices these.' },
    { name: 'sector_labels', columns: ['address', 'label', 'sector'], key: 'address', rows: labels, description: 'Curated labels and sectors for well-known contracts.' },
    { name: 'country_codes', columns: ['country_code', 'country_name', 'region'], key: 'country_code', rows: countries, description: 'ISO 3166-1 alpha-2 country codes with names and regions.' },
    { name: 'chain_ids', columns: ['chain_id', 'chain_name'], key: 'chain_id', rows: chains, description: 'EIP-155 chain ids of bridge counterparties.' },
    { name: 'client_aliases', columns: ['client_type', 'layer'], key: 'client_type', rows: clients, description: 'Client implementations and the layer they run on.' },
  ];
}
