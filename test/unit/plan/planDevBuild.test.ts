import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeManifest, type Manifest } from '../../../src/core/manifest';
import { planDevBuild, planToJson, PlanError, renderPlanText, type DevBuildInput, type Plan, type SqlStep } from '../../../src/core/plan';
import { Secret, type ClickHouseTarget, type DuckDbTarget, type SnowflakeTarget } from '../../../src/core/profiles';
import { applyFileEdit, planProblems } from '../../../src/core/run';
import { exampleProject } from './planFixtures';

interface Spec {
  name: string;
  deps?: string[];
  config?: Record<string, unknown>;
  database?: string;
  schema?: string;
  alias?: string;
  type?: 'model' | 'snapshot' | 'exposure';
}

/** A v12 manifest of package `shop` (deps by name), with the relations a Snowflake or DuckDB prod target gives. */
function manifestOf(specs: Spec[]): Manifest {
  const nodes: Record<string, unknown> = {};
  const exposures: Record<string, unknown> = {};
  const idOf = (name: string): string => {
    const s = specs.find((x) => x.name === name)!;
    return `${s.type ?? 'model'}.shop.${name}`;
  };
  for (const s of specs) {
    const id = idOf(s.name);
    const node = {
      unique_id: id,
      resource_type: s.type ?? 'model',
      package_name: 'shop',
      name: s.name,
      fqn: ['shop', s.name],
      path: `${s.name}.sql`,
      original_file_path: `${s.type === 'snapshot' ? 'snapshots' : 'models'}/${s.name}.sql`,
      database: s.database ?? 'ETHEREUM',
      schema: s.schema ?? 'PROD_CORE',
      alias: s.alias ?? s.name,
      tags: [],
      config: { enabled: true, materialized: 'view', tags: [], ...s.config },
      depends_on: { nodes: (s.deps ?? []).map(idOf), macros: [] },
      columns: {},
    };
    if (s.type === 'exposure') exposures[id] = { ...node, type: 'dashboard', owner: { email: 'a@b' } };
    else nodes[id] = node;
  }
  return normalizeManifest(
    { metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', dbt_version: '1.9.4', project_name: 'shop' }, nodes, sources: {}, exposures, metrics: {}, semantic_models: {}, saved_queries: {}, unit_tests: {} },
    'built-manifest.json',
  );
}

const origin = (target: string) => ({ file: '/home/ana/.dbt/profiles.yml', profile: 'artemis', target });

function snowflake(target: string, database: string, schema: string): SnowflakeTarget {
  return {
    type: 'snowflake', origin: origin(target), account: 'xy12345', user: 'ANA', password: new Secret('s3cret-pw'), authenticator: 'snowflake', privateKeyPath: null,
    privateKeyPassphrase: null, token: null, role: 'TRANSFORMER', warehouse: 'ANALYTICS_S', database, schema, accessUrl: null, connectRetries: null, connectTimeoutSeconds: null, queryTag: null,
  };
}

function clickhouse(target: string, schema: string, host = '127.0.0.1'): ClickHouseTarget {
  return {
    type: 'clickhouse', origin: origin(target), host, port: 8123, user: 'default', password: new Secret('ch-pw'), schema, secure: false, driver: 'http', nativePort: null,
    connectTimeoutSeconds: null, sendReceiveTimeoutSeconds: null, customSettings: {},
  };
}

function duckdb(target: string, schema: string, file = '/data/warehouse.duckdb'): DuckDbTarget {
  return { type: 'duckdb', origin: origin(target), path: file, schema, database: path.basename(file, '.duckdb') };
}

const SOURCE = "{{ config(materialized='incremental', unique_key=['date'], snowflake_warehouse='ANALYTICS_S') }}\nselect date, daily_volume from {{ ref('stg_dex') }}\n{% if is_incremental() %}\nwhere date >= '{{ var(\"backfill_date\") }}'\n{% endif %}\n";

const SHOP: Spec[] = [
  { name: 'stg_dex' },
  { name: 'fact_ethereum_daily_dex_volumes', deps: ['stg_dex'], alias: 'FACT_DEX_VOLUMES', config: { materialized: 'incremental', unique_key: ['date'], snowflake_warehouse: 'ANALYTICS_S' } },
  { name: 'ez_metrics', deps: ['fact_ethereum_daily_dex_volumes'], config: { materialized: 'incremental', unique_key: 'date' } },
  { name: 'ez_metrics_latest', deps: ['ez_metrics'], config: { materialized: 'view' } },
  { name: 'agg_weekly', deps: ['fact_ethereum_daily_dex_volumes'], config: { materialized: 'table' } },
  { name: 'snap_volumes', deps: ['fact_ethereum_daily_dex_volumes'], type: 'snapshot', config: { materialized: 'snapshot' } },
  { name: 'frontend', deps: ['ez_metrics'], type: 'exposure' },
];

function seedInput(over: Partial<DevBuildInput> = {}): DevBuildInput {
  return {
    project: { root: '/home/ana/dbt', name: 'shop' },
    manifest: manifestOf(SHOP),
    dev: snowflake('dev', 'DEV', 'DEV_ANA'),
    prod: snowflake('prod', 'ETHEREUM', 'PROD_CORE'),
    model: 'fact_ethereum_daily_dex_volumes',
    mode: 'backfill',
    backfillDate: '2026-04-08',
    backfillColumns: ['daily_volume'],
    warehouseOverride: 'ANALYTICS_XL',
    modelSource: SOURCE,
    compare: { sanity: [{ column: 'daily_volume', max: 1e12, min: null }] },
    cleanup: true,
    today: '2026-04-27',
    ...over,
  };
}

function refusal(input: DevBuildInput, pattern: RegExp): void {
  assert.throws(() => planDevBuild(input), (err: unknown) => err instanceof PlanError && pattern.test(err.message), `expected a PlanError matching ${pattern}`);
}

const ids = (p: Plan): string[] => p.steps.map((s) => s.id);
const step = <K extends Plan['steps'][number]['kind']>(p: Plan, id: string, kind: K) => {
  const s = p.steps.find((x) => x.id === id);
  assert.ok(s && s.kind === kind, `step ${id} (${kind})`);
  return s as Extract<Plan['steps'][number], { kind: K }>;
};

describe('plan: dev build', () => {
  describe("the runbook's Snowflake backfill (DEV.DEV_<USER>, a warehouse override, cleanup)", () => {
    const plan = planDevBuild(seedInput());

    it('has every step in order, each gate before what it approves', () => {
      assert.deepEqual(ids(plan), [
        'prod-exists',
        'approve-dev-build',
        'clone-prod-to-dev',
        'override-warehouse',
        'dbt-run-dev',
        'revert-warehouse-override',
        'compare',
        'reading-views',
        'approve-promotion',
        'promote',
        'verify-prod',
        'approve-cleanup',
        'drop-dev',
      ]);
      assert.deepEqual(planProblems(plan), []);
      assert.equal(plan.workflow, 'dev-build');
      assert.equal(plan.target, 'dev');
      assert.equal(plan.connectionTarget, 'prod');
      assert.match(plan.connection!, /^Snowflake account xy12345 as ANA, role TRANSFORMER, warehouse ANALYTICS_S, ETHEREUM\.PROD_CORE \(profile artemis, target prod\)$/);
      assert.ok(!JSON.stringify(planToJson(plan)).includes('s3cret-pw'), 'no credential in the plan');
    });

    it('resolves dev (the dev target\'s database and schema, the model\'s name) and prod (the manifest\'s database, schema and alias)', () => {
      assert.equal(plan.params.devRelation, 'DEV.DEV_ANA.fact_ethereum_daily_dex_volumes');
      assert.equal(plan.params.prodRelation, 'ETHEREUM.PROD_CORE.FACT_DEX_VOLUMES');
      const check = step(plan, 'prod-exists', 'check');
      assert.equal(check.sql, `SELECT table_schema AS schema, table_name AS name, table_type AS type FROM "ETHEREUM".information_schema.tables\nWHERE table_schema = 'PROD_CORE' AND table_name = 'FACT_DEX_VOLUMES'`);
      assert.deepEqual(check.rule, { type: 'some-rows', onNone: 'stop' });
    });

    it('clones production into dev first, transient with the permanent fallback shown', () => {
      const clone = step(plan, 'clone-prod-to-dev', 'sql');
      assert.deepEqual(clone.operation, {
        op: 'clone-table',
        source: { database: 'ETHEREUM', schema: 'PROD_CORE', name: 'FACT_DEX_VOLUMES' },
        target: { database: 'DEV', schema: 'DEV_ANA', name: 'fact_ethereum_daily_dex_volumes' },
      });
      assert.equal(
        clone.sql,
        'CREATE OR REPLACE TRANSIENT TABLE "DEV"."DEV_ANA"."FACT_ETHEREUM_DAILY_DEX_VOLUMES" CLONE "ETHEREUM"."PROD_CORE"."FACT_DEX_VOLUMES"\n' +
          '-- if Snowflake refuses the transient kind for this source: CREATE OR REPLACE TABLE "DEV"."DEV_ANA"."FACT_ETHEREUM_DAILY_DEX_VOLUMES" CLONE "ETHEREUM"."PROD_CORE"."FACT_DEX_VOLUMES"',
      );
      assert.equal(clone.writes, true, 'a dev write: behind the dev-build gate');
    });

    it('runs dbt against the dev target only, named explicitly, with the backfill vars', () => {
      const run = step(plan, 'dbt-run-dev', 'dbt');
      assert.deepEqual(run.argv, ['run', '--select', 'fact_ethereum_daily_dex_volumes', '--vars', '{"backfill_date": "2026-04-08", "backfill_columns": ["daily_volume"]}', '--target', 'dev']);
      assert.deepEqual(run.expectedNodes, ['model.shop.fact_ethereum_daily_dex_volumes']);
      assert.ok(plan.steps.every((s) => s.kind !== 'dbt' || !s.argv.includes('prod')));
    });

    it('overrides the warehouse by an exact, pinned edit of the model file, and takes it back in an always step', () => {
      const apply = step(plan, 'override-warehouse', 'sql');
      const revert = step(plan, 'revert-warehouse-override', 'sql');
      assert.equal(revert.always, true);
      assert.equal(revert.undoes, 'override-warehouse');
      assert.equal(apply.always, undefined);
      assert.equal(apply.sql, "-- models/fact_ethereum_daily_dex_volumes.sql: append the line\n+ {{ config(snowflake_warehouse='ANALYTICS_XL') }}{# dbt-recovery: temporary warehouse override for a dev build; the run takes it back #}");
      const dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-override-'));
      try {
        const file = path.join(dir, 'm.sql');
        writeFileSync(file, SOURCE);
        assert.equal(applyFileEdit(file, apply.operation as Extract<SqlStep['operation'], { op: 'edit-file' }>), 'applied');
        const edited = readFileSync(file, 'utf8');
        assert.equal(edited, `${SOURCE}{{ config(snowflake_warehouse='ANALYTICS_XL') }}{# dbt-recovery: temporary warehouse override for a dev build; the run takes it back #}\n`);
        assert.equal(applyFileEdit(file, revert.operation as Extract<SqlStep['operation'], { op: 'edit-file' }>), 'applied');
        assert.equal(readFileSync(file, 'utf8'), SOURCE, 'the revert gives back the file byte for byte');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      assert.ok(plan.notes.some((n) => /^Warehouse override: --vars cannot set snowflake_warehouse, so the run appends .* The model's own warehouse is ANALYTICS_S\./.test(n)));
      assert.match(renderPlanText(plan), /revert-warehouse-override {2}\(read-only, always runs, even after a failure, a refusal or a cancel\)/);
    });

    it('compares on the unique_key, scoped to the backfill, with history before it identical', () => {
      const cmp = step(plan, 'compare', 'compare');
      assert.deepEqual(cmp.spec, {
        dev: { database: 'DEV', schema: 'DEV_ANA', name: 'fact_ethereum_daily_dex_volumes' },
        prod: { database: 'ETHEREUM', schema: 'PROD_CORE', name: 'FACT_DEX_VOLUMES' },
        key: ['date'],
        scope: { column: 'date', from: '2026-04-08', to: null },
        historyBefore: { column: 'date', before: '2026-04-08' },
        sanity: [{ column: 'daily_volume', max: 1e12, min: null }],
        spotCheck: null,
        outliers: { top: 20, explainAbove: 0.05, columns: null },
        partitions: { column: 'date', grain: 'day' },
      });
      assert.match(cmp.description, /Only daily_volume were recomputed: the other columns keep the cloned production values/);
    });

    it('gates the promotion on explained outliers, showing the exact statements and the verification', () => {
      const g = step(plan, 'approve-promotion', 'gate');
      assert.deepEqual(g.requiresExplained, ['compare']);
      const promote = step(plan, 'promote', 'sql');
      assert.deepEqual(promote.operation, { op: 'promote-table', dev: { database: 'DEV', schema: 'DEV_ANA', name: 'fact_ethereum_daily_dex_volumes' }, prod: { database: 'ETHEREUM', schema: 'PROD_CORE', name: 'FACT_DEX_VOLUMES' } });
      assert.equal(promote.sql.split('\n')[0], 'CREATE OR REPLACE TRANSIENT TABLE "ETHEREUM"."PROD_CORE"."FACT_DEX_VOLUMES" CLONE "DEV"."DEV_ANA"."FACT_ETHEREUM_DAILY_DEX_VOLUMES"');
      const verify = step(plan, 'verify-prod', 'check');
      assert.equal(
        verify.sql,
        'SELECT n, bad_rows FROM (SELECT count(*) AS n, sum(CASE WHEN "DAILY_VOLUME" > 1000000000000 THEN 1 ELSE 0 END) AS bad_rows FROM "ETHEREUM"."PROD_CORE"."FACT_DEX_VOLUMES") AS v\nWHERE n = 0 OR bad_rows > 0',
      );
      assert.deepEqual(g.shows, [promote.sql, verify.sql]);
      const build = step(plan, 'approve-dev-build', 'gate');
      assert.equal(build.shows.length, 6, 'clone, override, dbt run, revert, then the read-only compare and views check');
      assert.equal(build.shows[4], '-- compare DEV.DEV_ANA.fact_ethereum_daily_dex_volumes with ETHEREUM.PROD_CORE.FACT_DEX_VOLUMES');
      assert.equal(build.shows[2], `dbt run --select fact_ethereum_daily_dex_volumes --vars '{"backfill_date": "2026-04-08", "backfill_columns": ["daily_volume"]}' --target dev`);
      const drop = step(plan, 'drop-dev', 'sql');
      assert.equal(drop.sql, 'DROP TABLE IF EXISTS "DEV"."DEV_ANA"."FACT_ETHEREUM_DAILY_DEX_VOLUMES"');
      assert.deepEqual(step(plan, 'approve-cleanup', 'gate').shows, [drop.sql]);
    });

    it('names the downstream impact by materialization, with the commands to run by hand against production', () => {
      assert.deepEqual(
        new Map(plan.warnings.map((w) => [w.uniqueId, w.code])),
        new Map([
          ['model.shop.ez_metrics', 'downstream-rebuild'],
          ['model.shop.agg_weekly', 'downstream-rebuild'],
          ['snapshot.shop.snap_volumes', 'downstream-rebuild'],
          ['model.shop.ez_metrics_latest', 'downstream-reads-through'],
          ['exposure.shop.frontend', 'downstream-reads-through'],
        ]),
      );
      const byId = new Map(plan.warnings.map((w) => [w.uniqueId, w.message]));
      assert.equal(
        byId.get('model.shop.ez_metrics'),
        `ez_metrics (incremental) reads it: its rows from 2026-04-08 on are derived from the old values; backfill it after the promotion. By hand, against production: dbt run --select ez_metrics --vars '{"backfill_date": "2026-04-08", "backfill_columns": ["daily_volume"]}' --target prod`,
      );
      assert.equal(byId.get('model.shop.agg_weekly'), 'agg_weekly (table) reads it: it holds a copy of the old values; rebuild it after the promotion. By hand, against production: dbt run --select agg_weekly --target prod');
      assert.equal(byId.get('model.shop.ez_metrics_latest'), 'ez_metrics_latest (view) is further downstream: it reads the promoted rows as they are, nothing to rebuild.');
      const order = plan.warnings.map((w) => w.uniqueId);
      assert.ok(order.indexOf('model.shop.ez_metrics') < order.indexOf('model.shop.ez_metrics_latest'), 'in DAG order');
      assert.ok(plan.notes.some((n) => n.startsWith('Downstream, after the promotion, by hand against production (dbt Recovery never runs dbt against production), in this order: ')));
      const views = step(plan, 'reading-views', 'check');
      assert.deepEqual(views.rule, { type: 'no-rows', onRows: 'warn' });
      assert.equal(views.sql, `SELECT table_schema AS schema, table_name AS name, 'VIEW' AS type FROM "ETHEREUM".information_schema.views\nWHERE view_definition ILIKE '%FACT_DEX_VOLUMES%'\nORDER BY table_schema, table_name`);
    });

    it('renders as text and JSON through the shared renderers', () => {
      const text = renderPlanText(plan);
      assert.match(text, /^dbt Recovery plan: dev-build\n/);
      assert.match(text, / 9\. promote \| gate \| approve-promotion\n {5}APPROVAL REQUIRED: Promote dev DEV\.DEV_ANA\.fact_ethereum_daily_dex_volumes into production ETHEREUM\.PROD_CORE\.FACT_DEX_VOLUMES \(steps 10-11\)\n/);
      assert.match(text, /needs a note for every outlier above threshold of compare before it can be approved/);
      assert.match(text, /compare: dev DEV\.DEV_ANA\.fact_ethereum_daily_dex_volumes with prod ETHEREUM\.PROD_CORE\.FACT_DEX_VOLUMES on key \(date\)\n {5}scope: date from 2026-04-08 to the end\n {5}history: rows with date before 2026-04-08 must be identical\n {5}sanity: daily_volume <= 1000000000000\n/);
      const json = JSON.parse(JSON.stringify(planToJson(plan))) as Plan;
      assert.deepEqual(json, JSON.parse(JSON.stringify(plan)) as Plan, 'JSON gives back the plan');
      assert.equal(json.steps.find((s) => s.id === 'revert-warehouse-override')!.always, true);
    });
  });

  describe('refusals', () => {
    it('refuses a plan that would run dbt against production', () => {
      refusal(seedInput({ dev: snowflake('prod', 'ETHEREUM', 'PROD_CORE') }), /The dev target and the production target are both prod: a dev build never runs dbt against production\./);
      refusal(seedInput({ dbtCommand: ['dbt', '--target', 'prod'] }), /names a target itself/);
      // A dev target that writes where production lives (the manifest was written for dev, or dev = prod schema).
      refusal(seedInput({ dev: snowflake('dev', 'ETHEREUM', 'PROD_CORE'), model: 'ez_metrics', backfillColumns: [] }), /The dev relation ETHEREUM\.PROD_CORE\.ez_metrics is the production relation/);
      // A plan file edited afterwards to pass the production target is refused by the runner.
      const plan = planDevBuild(seedInput());
      const edited = { ...plan, steps: plan.steps.map((s) => (s.kind === 'dbt' ? { ...s, argv: [...s.argv, '--target', 'prod'] } : s)) };
      assert.match(planProblems(edited).join('\n'), /dbt step dbt-run-dev passes --target prod, the production target/);
      const dropped = { ...plan, steps: plan.steps.map((s) => (s.kind === 'dbt' ? { ...s, argv: s.argv.slice(0, -2) } : s)) };
      assert.match(planProblems(dropped).join('\n'), /dbt step dbt-run-dev must pass --target dev/);
    });

    it('refuses what cannot be planned, saying what to do', () => {
      refusal(seedInput({ prod: snowflake('prod', 'ETHEREUM', 'PROD_CORE'), dev: { ...snowflake('dev', 'DEV', 'DEV_ANA'), account: 'other' } }), /not the same warehouse/);
      refusal(seedInput({ dev: duckdb('dev', 'dev'), prod: duckdb('prod', 'main', '/data/other.duckdb'), warehouseOverride: undefined }), /Point both targets at one DuckDB file/);
      refusal(seedInput({ dev: duckdb('dev', 'dev'), prod: duckdb('prod', 'main') }), /--warehouse is a Snowflake setting/);
      refusal(seedInput({ backfillDate: undefined }), /A backfill needs the first day to rebuild\. Pass --backfill-date YYYY-MM-DD\./);
      refusal(seedInput({ backfillDate: '2026-4-8' }), /--backfill-date "2026-4-8" is not a day/);
      refusal(seedInput({ backfillDate: '2026-05-01' }), /after today/);
      refusal(seedInput({ mode: 'full-refresh' }), /--backfill-date and --backfill-columns are for --mode backfill/);
      refusal(seedInput({ model: 'agg_weekly', backfillColumns: [], key: ['date'] }), /materialized as table, not incremental/);
      refusal(seedInput({ model: 'fact_ethereum_daily_dex_volume' }), /is not a model of this manifest; did you mean fact_ethereum_daily_dex_volumes\?/);
      refusal(seedInput({ model: 'stg_dex', mode: 'full-refresh', backfillDate: undefined, backfillColumns: [], warehouseOverride: undefined }), /stg_dex has no unique_key.*Pass --key/);
      refusal(seedInput({ warehouseOverride: 'XL; drop' }), /is not a warehouse name/);
      refusal(seedInput({ modelSource: null }), /could not be read, and the warehouse override edits it/);
      refusal(seedInput({ key: ['id'], compare: {} }), /No day column is known .*Pass --date-column/);
      refusal(seedInput({ key: ['date; drop'] }), /is not a column name/);
    });
  });

  describe('relations per engine', () => {
    it('ClickHouse: databases only (no level above), EXCHANGE TABLES with the RENAME fallback, full refresh', () => {
      const { project, manifest } = exampleProject();
      const plan = planDevBuild({
        project,
        manifest,
        dev: clickhouse('dev', 'dbt_dev'),
        prod: clickhouse('prod', 'dbt'),
        model: 'int_execution_tokens_supply_holders_daily',
        mode: 'full-refresh',
        today: '2026-04-27',
      });
      assert.equal(plan.params.devRelation, 'dbt_dev.int_execution_tokens_supply_holders_daily');
      assert.equal(plan.params.prodRelation, 'dbt.int_execution_tokens_supply_holders_daily');
      assert.deepEqual(ids(plan), ['prod-exists', 'approve-dev-build', 'dbt-run-dev', 'compare', 'reading-views', 'approve-promotion', 'promote', 'verify-prod']);
      assert.deepEqual(step(plan, 'dbt-run-dev', 'dbt').argv, ['run', '--select', 'int_execution_tokens_supply_holders_daily', '--full-refresh', '--target', 'dev']);
      const cmp = step(plan, 'compare', 'compare');
      assert.deepEqual([cmp.spec.key, cmp.spec.scope, cmp.spec.historyBefore], [['date', 'token_address'], null, null]);
      assert.deepEqual(step(plan, 'promote', 'sql').sql.split('\n'), [
        'EXCHANGE TABLES `dbt`.`int_execution_tokens_supply_holders_daily` AND `dbt_dev`.`int_execution_tokens_supply_holders_daily`',
        '-- where the server has no EXCHANGE TABLES (before 20.x, or an Ordinary database): RENAME TABLE `dbt`.`int_execution_tokens_supply_holders_daily` TO `dbt`.`int_execution_tokens_supply_holders_daily__before_promotion`, `dbt_dev`.`int_execution_tokens_supply_holders_daily` TO `dbt`.`int_execution_tokens_supply_holders_daily`',
      ]);
      assert.equal(step(plan, 'prod-exists', 'check').sql, "SELECT database AS schema, name, engine AS type FROM system.tables WHERE database = 'dbt' AND name = 'int_execution_tokens_supply_holders_daily'");
      // The example's downstream: a table to rebuild, views that read through, the dashboard exposure.
      const byName = new Map(plan.warnings.map((w) => [w.uniqueId!.split('.').pop(), w]));
      assert.equal(byName.get('fct_execution_tokens_metrics_daily')!.code, 'downstream-rebuild');
      assert.match(byName.get('fct_execution_tokens_metrics_daily')!.message, /By hand, against production: dbt run --select fct_execution_tokens_metrics_daily --target prod$/);
      assert.equal(byName.get('api_execution_tokens_supply_daily')!.code, 'downstream-reads-through');
      assert.equal(byName.get('gnosis_analytics_dashboard')!.code, 'downstream-reads-through');
      assert.deepEqual([...byName.keys()].sort(), ['api_execution_tokens_holders_daily', 'api_execution_tokens_supply_daily', 'fct_execution_tokens_metrics_daily', 'gnosis_analytics_dashboard']);
    });

    it("ClickHouse: the example's own profile writes dev and prod to one database, which is refused", () => {
      const { project, manifest } = exampleProject();
      refusal(
        { project, manifest, dev: clickhouse('dev', 'dbt'), prod: clickhouse('prod', 'dbt'), model: 'int_execution_tokens_supply_holders_daily', mode: 'full-refresh', today: '2026-04-27' },
        /The dev relation dbt\.int_execution_tokens_supply_holders_daily is the production relation: building it would write production\. Give the dev target \(dev\) its own database \(schema\), or pass --dev/,
      );
      refusal(
        { project, manifest, dev: clickhouse('dev', 'dbt_dev', 'dev-host'), prod: clickhouse('prod', 'dbt'), model: 'int_execution_tokens_supply_holders_daily', mode: 'full-refresh', today: '2026-04-27' },
        /The dev target \(ClickHouse dev-host:8123\) and the production target \(ClickHouse 127\.0\.0\.1:8123\) are not the same warehouse/,
      );
    });

    it('DuckDB: catalog.schema.name in one file; CTAS clone and promotion; incremental children need a full rebuild after a full refresh', () => {
      const manifest = manifestOf([
        { name: 'orders', database: 'warehouse', schema: 'main', config: { materialized: 'incremental', unique_key: 'order_id' } },
        { name: 'daily', deps: ['orders'], database: 'warehouse', schema: 'main', config: { materialized: 'incremental', unique_key: 'day' } },
      ]);
      const plan = planDevBuild({ project: { root: '/p', name: 'shop' }, manifest, dev: duckdb('dev', 'dev_ana'), prod: duckdb('prod', 'main'), model: 'orders', mode: 'full-refresh', today: '2026-04-27', key: ['order_id'], cleanup: false });
      assert.equal(plan.params.devRelation, 'warehouse.dev_ana.orders');
      assert.equal(plan.params.prodRelation, 'warehouse.main.orders');
      assert.deepEqual(step(plan, 'promote', 'sql').sql.split('\n'), ['BEGIN TRANSACTION', 'CREATE OR REPLACE TABLE "warehouse"."main"."orders" AS SELECT * FROM "warehouse"."dev_ana"."orders"', 'COMMIT']);
      assert.match(step(plan, 'reading-views', 'check').sql, /FROM duckdb_views\(\)\nWHERE NOT internal AND lower\(database_name\) = lower\('warehouse'\) AND regexp_matches\(sql, '\(\^\|\[\^A-Za-z0-9_\$\]\)orders\(\[\^A-Za-z0-9_\$\]\|\$\)', 'i'\)/);
      assert.match(plan.warnings[0]!.message, /^daily \(incremental\) reads it: a full refresh changed rows of any day, so it needs a full rebuild\. By hand, against production: dbt run --select daily --full-refresh --target prod$/);
      const backfill = planDevBuild({ project: { root: '/p', name: 'shop' }, manifest, dev: duckdb('dev', 'dev_ana'), prod: duckdb('prod', 'main'), model: 'orders', mode: 'backfill', backfillDate: '2026-01-01', compare: { dateColumn: 'ordered_at', since: '2025-12-01', top: 5, explainAbove: 0.1 }, today: '2026-04-27' });
      assert.deepEqual(step(backfill, 'clone-prod-to-dev', 'sql').sql.split('\n'), ['CREATE SCHEMA IF NOT EXISTS "warehouse"."dev_ana"', 'CREATE OR REPLACE TABLE "warehouse"."dev_ana"."orders" AS SELECT * FROM "warehouse"."main"."orders"']);
      const spec = step(backfill, 'compare', 'compare').spec;
      assert.deepEqual([spec.scope, spec.historyBefore, spec.partitions, spec.outliers], [
        { column: 'ordered_at', from: '2025-12-01', to: null },
        { column: 'ordered_at', before: '2026-01-01' },
        { column: 'ordered_at', grain: 'month' },
        { top: 5, explainAbove: 0.1, columns: null },
      ]);
      assert.deepEqual(step(backfill, 'dbt-run-dev', 'dbt').argv, ['run', '--select', 'orders', '--vars', '{"backfill_date": "2026-01-01"}', '--target', 'dev']);
    });

    it('--dev and --prod replace the derived relations', () => {
      const plan = planDevBuild(seedInput({ devRelation: { database: 'SCRATCH', schema: 'ANA', name: 'DEX' }, prodRelation: { database: 'ETHEREUM', schema: 'PROD_CORE', name: 'EZ' } }));
      assert.equal(plan.params.devRelation, 'SCRATCH.ANA.DEX');
      assert.equal(plan.params.prodRelation, 'ETHEREUM.PROD_CORE.EZ');
      assert.ok(plan.notes[0]!.includes('given'));
    });
  });
});
