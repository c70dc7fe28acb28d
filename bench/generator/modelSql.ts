import { PRICE_LOOKBACK_DAYS, REFILL_POST_HOOK_SQL, REFILL_PRE_HOOK_SQL } from './macros';
import { PRICE_ROOT, type ModelSpec, type Producer, type ProjectPlan, type SnapshotSpec } from './projectPlan';
import { type Random } from './random';
import { TIME_COLUMN, TIME_TRUNC, columnDef, isAddressLike, type Grain } from './vocabulary';

/**
 * Model SQL as a dbt developer writes it (config block, refs, Jinja branches), and the compiled SQL dbt would
 * render from it. The compiler here knows exactly the Jinja this generator writes, nothing more.
 */

export const DATABASE = 'dbt';
const GNO = '0x9c58bacc331c9aa871afd802db6379a98e80cedb';
const PARTIAL_HOOK = 'SET max_memory_usage = 10000000000';
const STRATEGY_EXPR = "('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert')";

/** Hooks as dbt renders them into `config['pre-hook']` / `config['post-hook']`, and the macros the config calls. */
export interface Hooks {
  pre: string[];
  post: string[];
  macros: string[];
}

export function hooksOf(spec: ModelSpec): Hooks {
  if (spec.refill) {
    switch (spec.refill.hooks) {
      case 'macro':
        return { pre: REFILL_PRE_HOOK_SQL, post: REFILL_POST_HOOK_SQL, macros: ['refill_safe_pre_hook', 'refill_safe_post_hook'] };
      case 'raw':
        return { pre: REFILL_PRE_HOOK_SQL, post: REFILL_POST_HOOK_SQL, macros: [] };
      case 'partial':
        return { pre: [PARTIAL_HOOK], post: [], macros: [] };
      case 'none':
        return { pre: [], post: [], macros: [] };
    }
  }
  return { pre: spec.otherHooks, post: [], macros: [] };
}

export interface AdapterConfig {
  engine?: string;
  order_by?: string;
  unique_key?: string;
  partition_by?: string;
  settings?: { allow_nullable_key: number };
}

/** The ClickHouse adapter keys of a model's config, as the manifest holds them (rendered). */
export function adapterConfig(spec: ModelSpec): AdapterConfig {
  if (spec.materialized === 'view') return {};
  const keys = orderKey(spec);
  const out: AdapterConfig = {};
  if (spec.kind === 'stg') {
    out.engine = 'ReplacingMergeTree(insert_version)';
    out.order_by = keys;
    out.unique_key = keys;
    out.partition_by = 'toStartOfMonth(block_timestamp)';
    return out;
  }
  out.engine = spec.materialized === 'incremental' ? 'ReplacingMergeTree()' : 'MergeTree()';
  out.order_by = keys;
  if (spec.materialized === 'incremental') {
    out.unique_key = keys;
    out.partition_by = partitionBy(spec);
    out.settings = { allow_nullable_key: 1 };
  }
  return out;
}

function orderKey(spec: ModelSpec): string {
  if (spec.kind === 'stg') return `(${[spec.timeColumn, ...spec.keys.filter((k) => k !== 'block_number')].join(', ')})`;
  return `(${[spec.timeColumn, ...spec.dims].join(', ')})`;
}

function partitionBy(spec: ModelSpec): string {
  return spec.grain === 'monthly' ? `toStartOfYear(${spec.timeColumn})` : `toStartOfMonth(${spec.timeColumn})`;
}

function quoteList(items: readonly string[]): string {
  return `[${items.map((t) => `'${t}'`).join(', ')}]`;
}

function configBlock(spec: ModelSpec, rng: Random): string {
  const entries: string[] = [`materialized='${spec.materialized}'`];
  if (spec.materialized === 'incremental') {
    entries.push(spec.refill?.strategyExpr ? `incremental_strategy=${STRATEGY_EXPR}` : `incremental_strategy='${spec.strategy}'`);
  }
  const adapter = adapterConfig(spec);
  if (adapter.engine) entries.push(`engine='${adapter.engine}'`);
  if (adapter.order_by) entries.push(`order_by='${adapter.order_by}'`);
  if (adapter.unique_key) entries.push(`unique_key='${adapter.unique_key}'`);
  if (adapter.partition_by) entries.push(`partition_by='${adapter.partition_by}'`);
  if (adapter.settings) entries.push(`settings={'allow_nullable_key': 1}`);
  if (spec.refill) {
    switch (spec.refill.hooks) {
      case 'macro':
        entries.push('pre_hook=refill_safe_pre_hook()', 'post_hook=refill_safe_post_hook()');
        break;
      case 'raw':
        entries.push(`pre_hook=[\n            ${REFILL_PRE_HOOK_SQL.map((s) => JSON.stringify(s)).join(',\n            ')}\n        ]`);
        entries.push(`post_hook=[\n            ${REFILL_POST_HOOK_SQL.map((s) => JSON.stringify(s)).join(',\n            ')}\n        ]`);
        break;
      case 'partial':
        entries.push(`pre_hook=[${JSON.stringify(PARTIAL_HOOK)}]`);
        break;
      case 'none':
        break;
    }
  } else if (spec.otherHooks.length > 0) {
    entries.push(`pre_hook=[${spec.otherHooks.map((s) => JSON.stringify(s)).join(', ')}]`);
  }
  entries.push(`tags=${quoteList(spec.tags)}`);
  if (spec.materialized === 'view' && rng.chance(0.5)) return `{{ config(${entries.join(', ')}) }}`;
  return `{{\n    config(\n        ${entries.join(',\n        ')}\n    )\n}}`;
}

const ref = (name: string): string => `{{ ref('${name}') }}`;

const NON_INPUT = new Set(['block_number', 'log_index', 'insert_version', 'validator_index', 'proposer_index', 'committee_index', 'chain_id', 'event_id', 'fee_tier', 'asn', 'block_bucket', 'transaction_type', 'operation', 'decimals', 'rank']);

/** A numeric column of a parent to aggregate, preferring amounts over counts. */
function numericOf(p: Producer, preferUsd = false): string | null {
  const numeric = p.columns.filter((c) => c !== p.timeColumn && !NON_INPUT.has(c) && /^(Float|UInt|Int|Decimal)/.test(columnDef(c).type));
  if (preferUsd) {
    const usd = numeric.find((c) => c.endsWith('_usd'));
    if (usd) return usd;
  }
  return numeric.find((c) => columnDef(c).type === 'Float64' && !c.endsWith('_usd')) ?? numeric[0] ?? null;
}

/** The account-like column to count distinct actors by: a holder or sender rather than a token or pool. */
function actorOf(p: Producer): string | null {
  const addresses = p.columns.filter((c) => isAddressLike(c));
  return addresses.find((c) => !/^(token|pool|contract|reserve|feed|vault|collection|group|settlement)_address$/.test(c)) ?? addresses[0] ?? null;
}

/** Metrics a running sum over history makes sense for (balances from daily deltas). */
const ADDITIVE = new Set(['balance', 'supply', 'cohort_balance', 'net_flow', 'tvl', 'amount', 'volume', 'revenue', 'fees', 'net_mint', 'inflow', 'outflow', 'rewards', 'value']);

function timeExpr(parentTime: string, grain: Grain): string {
  return parentTime.replace(/^\w+\./, '') === TIME_COLUMN[grain] ? parentTime : `${TIME_TRUNC[grain]}(${parentTime})`;
}

function fallbackDim(dim: string, parentTime: string): string {
  const type = columnDef(dim).type;
  if (type === 'Date') return `toStartOfMonth(${parentTime})`;
  if (/Int/.test(type)) return '0';
  return "'unknown'";
}

const COMMENTS = [
  '-- late-arriving rows are deduplicated by ReplacingMergeTree; aggregate on the latest version only',
  '-- keep the grain explicit: one row per period and key',
  '-- addresses are lower-case hex everywhere downstream',
  '-- a missing price must not drop the row: LEFT JOIN and coalesce to 0',
  '-- exclude the current (partial) period',
  '-- amounts are already decimal-adjusted upstream',
  '-- join keys are (period, key): both sides are aggregated to the same grain first',
];

interface MetricCtx {
  time: string;
  partition: string;
  priced: boolean;
  usdColumn: (m: string) => string | null;
}

function metricExpr(m: string, ctx: MetricCtx): { expr: string; plain: boolean } {
  const { time, partition } = ctx;
  if (m.endsWith('_usd')) {
    if (ctx.priced) return { expr: 'sum(s.v * coalesce(p.price, 0))', plain: false };
    const col = ctx.usdColumn(m);
    return { expr: col ? `sum(s.${col})` : 'sum(s.v)', plain: !col };
  }
  switch (m) {
    case 'holders':
    case 'users':
    case 'active_addresses':
    case 'counterparties':
    case 'cohort_holders':
    case 'cohort_size':
      return { expr: 'uniqExact(s.actor)', plain: false };
    case 'distinct_senders':
      return { expr: 'countDistinct(s.actor)', plain: false };
    case 'new_addresses':
    case 'new_users':
    case 'retained_users':
      return { expr: 'uniqExactIf(s.actor, s.v > 0)', plain: false };
    case 'returning_users':
      return { expr: 'uniqExact(s.actor) - uniqExactIf(s.actor, s.v > 0)', plain: false };
    case 'retention_rate':
      return { expr: 'uniqExactIf(s.actor, s.v > 0) / nullIf(uniqExact(s.actor), 0)', plain: false };
    case 'tx_count':
    case 'transfer_count':
    case 'event_count':
    case 'samples':
      return { expr: 'count()', plain: false };
    case 'rank':
      return { expr: `row_number() OVER (PARTITION BY s.${time} ORDER BY sum(s.v) DESC)`, plain: false };
    case 'share':
      return { expr: `sum(s.v) / nullIf(sum(sum(s.v)) OVER (PARTITION BY s.${time}), 0)`, plain: false };
    case 'value_change_7d':
      return { expr: `sum(s.v) / nullIf(lagInFrame(sum(s.v), 7) OVER (PARTITION BY ${partition} ORDER BY s.${time} ROWS BETWEEN 7 PRECEDING AND CURRENT ROW), 0) - 1`, plain: false };
    case 'value_ma_30d':
      return { expr: `avg(sum(s.v)) OVER (PARTITION BY ${partition} ORDER BY s.${time} ROWS BETWEEN 29 PRECEDING AND CURRENT ROW)`, plain: false };
    case 'p50_latency_ms':
      return { expr: 'quantileTDigest(0.5)(s.v)', plain: false };
    case 'p95_latency_ms':
      return { expr: 'quantileTDigest(0.95)(s.v)', plain: false };
    case 'apy':
      return { expr: 'pow(1 + avg(s.v), 365) - 1', plain: false };
    case 'apr':
      return { expr: 'avg(s.v) * 365', plain: false };
    case 'rate':
    case 'gas_price_avg':
      return { expr: 'avg(s.v)', plain: false };
    case 'net_flow':
      return { expr: 'sumIf(s.v, s.v > 0) + sumIf(s.v, s.v < 0)', plain: false };
    case 'inflow':
      return { expr: 'sumIf(s.v, s.v > 0)', plain: false };
    case 'outflow':
      return { expr: '-sumIf(s.v, s.v < 0)', plain: false };
    case 'price':
      return { expr: 'avg(s.v)', plain: false };
    default:
      return { expr: 'sum(s.v)', plain: true };
  }
}

/** Aggregating model (intermediate and fct): source CTE over the first parent, joins for the others. */
function aggregateSql(spec: ModelSpec, plan: ProjectPlan, rng: Random): string {
  const producers = plan.producers;
  const t = spec.timeColumn;
  const primary = producers.get(spec.parents[0]!)!;
  const pt = primary.timeColumn ?? 'block_timestamp';
  const incremental = spec.materialized === 'incremental';
  const extra = spec.parents.slice(1).map((n) => producers.get(n)!);
  const priced = extra.some((p) => p.name === PRICE_ROOT);
  const others = extra.filter((p) => p.name !== PRICE_ROOT);

  // Source CTE columns: output name -> expression.
  const src = new Map<string, string>();
  src.set(t, `${timeExpr(pt, spec.grain)}`);
  const fromOther = new Map<string, string>();
  const otherAlias = new Map<string, string>();
  others.forEach((q, i) => otherAlias.set(q.name, `q${i + 1}`));
  for (const d of spec.dims) {
    if (primary.columns.includes(d)) src.set(d, d);
    else {
      const q = others.find((o) => o.columns.includes(d));
      if (q) fromOther.set(d, otherAlias.get(q.name)!);
      else src.set(d, fallbackDim(d, pt));
    }
  }
  const actor = actorOf(primary);
  src.set('actor', actor ?? (primary.columns.find((c) => c !== pt && columnDef(c).type.includes('String')) ?? `toString(${pt})`));
  const input = numericOf(primary);
  src.set('v', input ?? '1');
  if (priced && !src.has('token_address') && primary.columns.includes('token_address')) src.set('token_address', 'token_address');
  const usdCols = new Map<string, string>();
  if (!priced) {
    for (const m of spec.metrics) {
      if (m.endsWith('_usd')) {
        const col = primary.columns.includes(m) ? m : primary.columns.find((c) => c.endsWith('_usd'));
        if (col) {
          src.set(col, col);
          usdCols.set(m, col);
        }
      }
    }
  }
  // Join keys for the other parents: a shared dimension, else the actor for address-keyed seeds.
  const joins: string[] = [];
  const ctes: string[] = [];
  const semi: string[] = [];
  for (const q of others) {
    const qa = otherAlias.get(q.name)!;
    if (q.resourceType === 'snapshot') {
      const snap = plan.snapshots.find((s) => s.name === q.name) as SnapshotSpec;
      const col = primary.columns.includes(snap.uniqueKey) ? snap.uniqueKey : (actor ?? snap.uniqueKey);
      semi.push(`AND ${col} IN (\n          SELECT ${snap.uniqueKey}\n          FROM ${ref(q.name)}\n          WHERE dbt_valid_to IS NULL\n      )`);
      continue;
    }
    const shared = q.columns.find((c) => c !== q.timeColumn && primary.columns.includes(c) && (isAddressLike(c) || spec.dims.includes(c)) && c !== 'insert_version');
    const select: string[] = [];
    const on: string[] = [];
    if (q.resourceType === 'model' && q.timeColumn) {
      select.push(`${timeExpr(q.timeColumn, spec.grain)} AS ${t}`);
      on.push(`${qa}.${t} = s.${t}`);
    }
    if (shared) {
      select.push(shared);
      if (!src.has(shared)) src.set(shared, shared);
      on.push(`${qa}.${shared} = s.${shared}`);
    } else if (q.resourceType === 'seed') {
      const key = q.columns[0]!;
      select.push(key);
      on.push(`${qa}.${key} = s.actor`);
    }
    for (const [d, alias] of fromOther) if (alias === qa && !select.includes(d)) select.push(d);
    const qv = q.resourceType === 'model' ? numericOf(q) : null;
    if (qv) select.push(`${q.timeColumn && on.length > 0 ? 'sum' : 'any'}(${qv}) AS ${qa}_v`);
    if (select.length === 0) select.push(q.columns[0]!);
    const grouped = qv && select.length > 1 && q.timeColumn ? `\n    GROUP BY ${select.filter((c) => !c.includes(' AS ' + qa + '_v')).map((c) => c.split(' AS ').pop()).join(', ')}` : '';
    const lookback =
      incremental && q.resourceType === 'model' && q.timeColumn
        ? `\n    {% if is_incremental() %}\n    WHERE ${q.timeColumn} >= (SELECT max(${t}) FROM {{ this }}) - INTERVAL 7 DAY\n    {% endif %}`
        : '';
    ctes.push(`${qa} AS (\n    SELECT\n        ${select.join(',\n        ')}\n    FROM ${ref(q.name)}${lookback}${grouped}\n)`);
    joins.push(on.length > 0 ? `LEFT JOIN ${qa} ON ${on.join(' AND ')}` : `CROSS JOIN ${qa}`);
  }

  let filter = '';
  if (incremental) {
    if (spec.refill?.monthBranch) {
      filter = `\n    {% if start_month and end_month %}\n      AND toStartOfMonth(${pt}) >= toDate('{{ start_month }}')\n      AND toStartOfMonth(${pt}) <= toDate('{{ end_month }}')\n    {% else %}\n      {{ apply_monthly_incremental_filter('${pt}', '${t}', true) }}\n    {% endif %}`;
    } else if (spec.refill || rng.chance(0.8)) {
      filter = `\n      {{ apply_monthly_incremental_filter('${pt}', '${t}', true) }}`;
    } else {
      filter = `\n    {% if is_incremental() %}\n      AND ${pt} >= (SELECT max(${t}) FROM {{ this }})\n    {% endif %}`;
    }
  } else if (rng.chance(0.3)) {
    filter = `\n      AND ${pt} >= toDate('2020-01-01')`;
  }
  const srcSelect = [...src].map(([name, expr]) => (expr === name ? name : `${expr} AS ${name}`));
  const sourceCte = `source AS (\n    SELECT\n        ${srcSelect.join(',\n        ')}\n    FROM ${ref(primary.name)}\n    WHERE ${pt} < today()${filter}${semi.map((x) => `\n      ${x}`).join('')}\n)`;

  const priceCte = priced
    ? `prices AS (\n    SELECT\n        date,\n        token_address,\n        price\n    FROM ${ref(PRICE_ROOT)}${incremental ? `\n    {% if is_incremental() %}\n    WHERE date >= (SELECT max(${t}) FROM {{ this }}) - INTERVAL {{ var('price_lookback_days', ${PRICE_LOOKBACK_DAYS}) }} DAY\n    {% endif %}` : ''}\n)`
    : null;
  if (priced) {
    joins.push(`LEFT JOIN prices p ON p.date = toDate(s.${t}) AND p.token_address = ${src.has('token_address') ? 's.token_address' : `'${GNO}'`}`);
  }

  const partition = spec.dims.length > 0 ? spec.dims.map((d) => (fromOther.has(d) ? `${fromOther.get(d)}.${d}` : `s.${d}`)).join(', ') : '1';
  const ctx: MetricCtx = { time: t, partition, priced, usdColumn: (m) => usdCols.get(m) ?? null };
  const metricLines: string[] = [];
  let lastPlain = -1;
  spec.metrics.forEach((m, i) => {
    const { expr, plain } = metricExpr(m, ctx);
    metricLines.push(`${expr} AS ${m}`);
    if (plain) lastPlain = i;
  });
  const firstOther = others.find((q) => q.resourceType === 'model' && numericOf(q));
  if (firstOther && lastPlain >= 0) {
    const qa = otherAlias.get(firstOther.name)!;
    metricLines[lastPlain] = `sum(s.v) + any(coalesce(${qa}.${qa}_v, 0)) AS ${spec.metrics[lastPlain]!}`;
  }
  const dimLines = spec.dims.map((d) => (fromOther.has(d) ? `${fromOther.get(d)}.${d} AS ${d}` : `s.${d} AS ${d}`));
  const groupBy = [t, ...spec.dims].join(', ');
  const aggregate = `SELECT\n    s.${t} AS ${t},\n    ${[...dimLines, ...metricLines].join(',\n    ')}\nFROM source s\n${joins.join('\n')}${joins.length > 0 ? '\n' : ''}GROUP BY ${groupBy}`;

  const parts: string[] = [];
  if (spec.refill?.monthBranch) parts.push("{% set start_month = var('start_month', none) %}\n{% set end_month = var('end_month', none) %}");
  const cteList = [sourceCte, ...ctes, ...(priceCte ? [priceCte] : [])];
  const m0 = spec.metrics[0]!;
  if (spec.running && ADDITIVE.has(m0)) {
    const indent = aggregate.split('\n').join('\n    ');
    cteList.push(`agg AS (\n    ${indent}\n)`);
    const part = spec.dims.length > 0 ? spec.dims.join(', ') : '1';
    const rest = spec.metrics.slice(1);
    parts.push(
      `WITH\n\n${cteList.join(',\n\n')}\n\n-- running totals over the whole history: the window is what makes wide refills memory-hungry\nSELECT\n    ${[t, ...spec.dims].join(',\n    ')},\n    sum(${m0}) OVER (PARTITION BY ${part} ORDER BY ${t} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ${m0}${rest.length > 0 ? `,\n    ${rest.join(',\n    ')}` : ''}\nFROM agg`,
    );
  } else {
    parts.push(`WITH\n\n${cteList.join(',\n\n')}\n\n${rng.chance(0.4) ? `${rng.pick(COMMENTS)}\n` : ''}${aggregate}`);
  }
  return parts.join('\n\n');
}

function stagingSql(spec: ModelSpec, rng: Random): string {
  const [source, table] = spec.sources[0]!;
  const rel = `{{ source('${source}', '${table}') }}`;
  if (source === 'dune') {
    return `-- Dune exports one row per token and day; a skipped day simply has no row.\nSELECT\n    toDate(date) AS date,\n    lower(token_address) AS token_address,\n    symbol,\n    toFloat64(price) AS price,\n    insert_version\nFROM ${rel}\nWHERE price IS NOT NULL`;
  }
  const lines: string[] = [];
  for (const c of [spec.timeColumn, ...spec.keys, ...spec.dims, ...spec.metrics]) {
    if (c === 'amount') lines.push('toFloat64(amount_raw) / pow(10, 18) AS amount');
    else if (c === 'amount_raw') lines.push('toUInt256OrZero(toString(amount_raw)) AS amount_raw');
    else if (c === 'transaction_hash' || isAddressLike(c)) lines.push(`lower(${c}) AS ${c}`);
    else if (columnDef(c).type === 'String' && rng.chance(0.3)) lines.push(`nullIf(${c}, '') AS ${c}`);
    else lines.push(c);
  }
  const dedupe = spec.name.includes('__') && /_(deduped|latest)(_\d+)?$/.test(spec.name);
  const from = dedupe
    ? `(\n    SELECT\n        *,\n        row_number() OVER (PARTITION BY transaction_hash, log_index ORDER BY insert_version DESC) AS rn\n    FROM ${rel}\n)`
    : rel;
  const where: string[] = [];
  if (dedupe) where.push('rn = 1');
  if (rng.chance(0.5)) where.push("block_timestamp >= toDateTime('2018-10-08 00:00:00')");
  let sql = `SELECT\n    ${lines.join(',\n    ')}\nFROM ${from}`;
  if (where.length > 0) sql += `\nWHERE ${where.join('\n  AND ')}`;
  if (spec.materialized === 'incremental') {
    sql += `${where.length > 0 ? '' : '\nWHERE 1 = 1'}\n{% if is_incremental() %}\n  AND block_timestamp > (SELECT max(block_timestamp) FROM {{ this }})\n{% endif %}`;
  }
  return sql;
}

function priceRootSql(spec: ModelSpec): string {
  const [stg, seed] = spec.parents as [string, string];
  return `-- One USD price per token and day. When the Dune feed skips a day there is no row here, and every model that
-- LEFT JOINs this view gets a NULL price (0 USD) for that day until it is refilled.
SELECT
    p.date AS date,
    w.token_address AS token_address,
    w.symbol AS symbol,
    argMax(p.price, p.insert_version) AS price
FROM ${ref(stg)} p
INNER JOIN ${ref(seed)} w
    ON lower(w.symbol) = lower(p.symbol)
WHERE p.date < today()
GROUP BY date, token_address, symbol`;
}

function apiSql(spec: ModelSpec, plan: ProjectPlan, rng: Random): string {
  const t = spec.timeColumn;
  const parents = spec.parents.map((n) => plan.producers.get(n)!);
  const latest = spec.name.endsWith('_latest');
  if (spec.dims.length === 1 && spec.dims[0] === 'label' && spec.metrics.length === 1 && spec.metrics[0] === 'value') {
    const selects = parents.map((p) => {
      const pt = p.timeColumn ?? 'date';
      const label = p.columns.includes('symbol') ? 'symbol' : p.columns.includes('label') ? 'label' : (p.columns.find((c) => c !== pt && columnDef(c).type.includes('String')) ?? null);
      const value = p.columns.includes('value') ? 'value' : (numericOf(p, true) ?? 'count()');
      const labelExpr = label ? (columnDef(label).type.includes('String') ? label : `toString(${label})`) : `'${value}'`;
      return `SELECT\n    ${timeExpr(pt, spec.grain)} AS ${t},\n    ${labelExpr} AS label,\n    ${value === 'count()' ? 'toFloat64(count())' : `toFloat64(${value})`} AS value\nFROM ${ref(p.name)}\nWHERE ${pt} < today()${value === 'count()' ? `\nGROUP BY ${t}, label` : ''}`;
    });
    const body = selects.join('\n\nUNION ALL\n\n');
    if (latest) return `SELECT *\nFROM (\n${body}\n)\nORDER BY ${t} DESC\nLIMIT 1 BY label`;
    return selects.length > 1 ? `SELECT *\nFROM (\n${body}\n)\nORDER BY ${t}, label` : `${body}\nORDER BY ${t}, label`;
  }
  const p = parents[0]!;
  const pt = p.timeColumn ?? 'date';
  const cols = [`${timeExpr(`a.${pt}`, spec.grain)} AS ${t}`];
  for (const d of spec.dims) cols.push(p.columns.includes(d) ? `a.${d}` : `${fallbackDim(d, `a.${pt}`)} AS ${d}`);
  const num = numericOf(p, true);
  for (const m of spec.metrics) cols.push(p.columns.includes(m) ? `a.${m}` : `${num ? `a.${num}` : '0'} AS ${m}`);
  let sql = `SELECT\n    ${cols.join(',\n    ')}\nFROM ${ref(p.name)} AS a\nWHERE a.${pt} < today()`;
  const q = parents[1];
  if (q) sql += `\n  AND a.${pt} IN (\n      SELECT ${q.timeColumn ?? 'date'}\n      FROM ${ref(q.name)}\n  )`;
  if (latest) sql += `\nORDER BY a.${pt} DESC\nLIMIT 1${spec.dims.length > 0 ? ` BY ${spec.dims.join(', ')}` : ''}`;
  else if (rng.chance(0.5)) sql += `\nORDER BY ${t}${spec.dims.length > 0 ? `, ${spec.dims[0]!}` : ''}`;
  return sql;
}

/** The model's .sql file as written in the project. */
export function modelRawSql(spec: ModelSpec, plan: ProjectPlan, rng: Random): string {
  let body: string;
  if (spec.kind === 'stg') body = stagingSql(spec, rng);
  else if (spec.kind === 'api') body = apiSql(spec, plan, rng);
  else if (spec.name === PRICE_ROOT) body = priceRootSql(spec);
  else body = aggregateSql(spec, plan, rng);
  return `${configBlock(spec, rng)}\n\n${body}\n`;
}

export function snapshotRawSql(snap: SnapshotSpec): { file: string; body: string } {
  const body = `\n\n{{\n    config(\n      target_schema='snapshots',\n      unique_key='${snap.uniqueKey}',\n      strategy='timestamp',\n      updated_at='updated_at',\n    )\n}}\n\nSELECT *\nFROM {{ source('${snap.source.source}', '${snap.source.table}') }}\nWHERE ${snap.uniqueKey} IS NOT NULL\n\n`;
  return { file: `{% snapshot ${snap.name} %}${body}{% endsnapshot %}\n`, body };
}

export function relationOf(name: string, plan: ProjectPlan): string {
  const p = plan.producers.get(name);
  if (p?.resourceType === 'snapshot') return `\`snapshots\`.\`${name}\``;
  return `\`${DATABASE}\`.\`${name}\``;
}

function monthlyFilter(source: string, dest: string, addAnd: boolean, self: string): string {
  return `\n  \n    \n      \n    \n    \n\n   ${addAnd ? 'AND ' : 'WHERE '}\n    toStartOfMonth(toStartOfDay(${source})) >= (\n      SELECT addDays(max(toStartOfMonth(x1.${dest})), -${PRICE_LOOKBACK_DAYS})\n      FROM ${self} AS x1\n    )\n    AND toStartOfDay(${source}) >= (\n      SELECT addDays(max(toStartOfDay(x2.${dest}, 'UTC')), -${PRICE_LOOKBACK_DAYS})\n      FROM ${self} AS x2\n    )\n  \n`;
}

const ARG = /'([^']*)'|\b(true|false)\b|(\d+)/g;

/** Renders the Jinja this generator writes, as `dbt compile` would with no vars set and an existing table. */
export function compileSql(raw: string, selfName: string, plan: ProjectPlan): string {
  const self = relationOf(selfName, plan);
  let out = raw.replace(/^\{\{\s*config\([\s\S]*?\)\s*\}\}/, '');
  out = out.replace(/\{% set [^%]*%\}/g, '');
  out = out.replace(/\{% if start_month and end_month %\}[\s\S]*?\{% else %\}([\s\S]*?)\{% endif %\}/g, '$1');
  out = out.replace(/\{% if is_incremental\(\) %\}|\{% endif %\}/g, '');
  out = out.replace(/\{\{\s*(ref|source|this|var|apply_monthly_incremental_filter)\b\s*(?:\(([^)]*)\))?\s*\}\}/g, (_m, fn: string, args: string | undefined) => {
    const a: string[] = [];
    for (const x of (args ?? '').matchAll(ARG)) a.push(x[1] ?? x[2] ?? x[3] ?? '');
    switch (fn) {
      case 'ref':
        return relationOf(a[0]!, plan);
      case 'source':
        return `\`${a[0]!}\`.\`${a[1]!}\``;
      case 'this':
        return self;
      case 'var':
        return a[0] === 'price_lookback_days' ? String(PRICE_LOOKBACK_DAYS) : (a[1] ?? '');
      default:
        return monthlyFilter(a[0]!, a[1] ?? a[0]!, a[2] === 'true', self);
    }
  });
  return out;
}

/** Names passed to `ref()` in raw SQL, in first-seen order. */
export function refsInSql(raw: string): string[] {
  const out: string[] = [];
  for (const m of raw.matchAll(/\{\{\s*ref\(\s*'([^']+)'\s*\)\s*\}\}/g)) if (!out.includes(m[1]!)) out.push(m[1]!);
  return out;
}
