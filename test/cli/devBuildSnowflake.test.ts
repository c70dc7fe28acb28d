import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Secret } from '../../src/core/profiles';
import type { Journal } from '../../src/core/run';
import { SnowflakeWarehouse } from '../../src/core/warehouse';
import { STANDIN } from '../run/runFixture';
import { runBuiltCli } from '../support/builtCli';
import { SnowflakeTestServer } from '../support/snowflakeServer';

const EXECUTOR = path.resolve(__dirname, '../dbt-standin/warehouseExecutor.ts');
const PASSWORD = 'dev-build-Secret-31';

const MODEL = `{{ config(materialized='incremental', unique_key='date', snowflake_warehouse='ANALYTICS_S') }}
select date, sum(amount_usd) as daily_volume
from "ETHEREUM"."RAW"."DEX_TRADES"
{% if is_incremental() %}
where date >= '{{ var("backfill_date") }}'
{% endif %}
group by date
`;

/**
 * The runbook's incident on the Snowflake test server (the real snowflake-sdk, answered by DuckDB): production
 * ETHEREUM.PROD_CORE.FACT_DEX_VOLUMES (transient, as dbt-snowflake makes tables) holds $11.29 quadrillion for
 * 2026-04-08, where the trades say $1.676B; a view reads it. The dev target builds in DEV.DEV_ANA; the model's
 * warehouse is ANALYTICS_S, overridden to ANALYTICS_XL for the dev build.
 */
describe('cli: the runbook\'s dev build on Snowflake (test server), with the warehouse override', function () {
  this.timeout(120_000);
  let server: SnowflakeTestServer;
  let dir: string;
  let admin: SnowflakeWarehouse;

  before(async () => {
    server = await SnowflakeTestServer.start({ users: { ana: PASSWORD }, databases: ['DEV', 'ETHEREUM'] });
  });
  after(async () => {
    await server?.stop();
  });

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-snowflake-'));
    writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: artemis\nversion: "1.0.0"\nconfig-version: 2\nprofile: artemis\nmodel-paths: ["models"]\ntarget-path: "target"\n');
    const [host, port] = new URL(server.accessUrl).host.split(':');
    const output = (database: string, schema: string): string =>
      `      type: snowflake\n      account: xy12345\n      user: ana\n      password: "{{ env_var('SNOWFLAKE_PASSWORD') }}"\n      role: TRANSFORMER\n      warehouse: ANALYTICS_S\n      database: ${database}\n      schema: ${schema}\n      host: ${host}\n      port: ${port}\n      protocol: http\n      connect_retries: 0\n`;
    writeFileSync(path.join(dir, 'profiles.yml'), `artemis:\n  target: dev\n  outputs:\n    dev:\n${output('DEV', 'DEV_ANA')}    prod:\n${output('ETHEREUM', 'PROD_CORE')}`);
    mkdirSync(path.join(dir, 'models'));
    writeFileSync(path.join(dir, 'models', 'fact_ethereum_daily_dex_volumes.sql'), MODEL);
    const node = {
      unique_id: 'model.artemis.fact_ethereum_daily_dex_volumes', resource_type: 'model', package_name: 'artemis', name: 'fact_ethereum_daily_dex_volumes',
      fqn: ['artemis', 'fact_ethereum_daily_dex_volumes'], path: 'fact_ethereum_daily_dex_volumes.sql', original_file_path: 'models/fact_ethereum_daily_dex_volumes.sql',
      database: 'ETHEREUM', schema: 'PROD_CORE', alias: 'FACT_DEX_VOLUMES', tags: [], raw_code: MODEL, language: 'sql', depends_on: { nodes: [], macros: [] }, columns: {},
      config: { enabled: true, tags: [], materialized: 'incremental', unique_key: 'date', snowflake_warehouse: 'ANALYTICS_S' },
    };
    mkdirSync(path.join(dir, 'target'));
    writeFileSync(
      path.join(dir, 'target', 'manifest.json'),
      JSON.stringify({
        metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', dbt_version: '1.9.4', project_name: 'artemis', adapter_type: 'snowflake' },
        nodes: { [node.unique_id]: node }, sources: {}, exposures: {}, metrics: {}, semantic_models: {}, saved_queries: {}, unit_tests: {}, macros: {}, docs: {}, groups: {}, selectors: {}, disabled: {},
        parent_map: { [node.unique_id]: [] }, child_map: { [node.unique_id]: [] },
      }),
    );
    admin = await SnowflakeWarehouse.connect({
      type: 'snowflake', origin: { file: 'test', profile: 'artemis', target: 'admin' }, account: 'xy12345', user: 'ana', password: new Secret(PASSWORD), authenticator: 'snowflake',
      privateKeyPath: null, privateKeyPassphrase: null, token: null, role: null, warehouse: null, database: 'ETHEREUM', schema: 'PROD_CORE', accessUrl: server.accessUrl,
      connectRetries: 0, connectTimeoutSeconds: null, queryTag: null,
    });
    for (const s of ['DROP SCHEMA IF EXISTS "ETHEREUM"."RAW" CASCADE', 'DROP SCHEMA IF EXISTS "ETHEREUM"."PROD_CORE" CASCADE', 'DROP SCHEMA IF EXISTS "DEV"."DEV_ANA" CASCADE']) await admin.exec(s);
    for (const s of ['CREATE SCHEMA "ETHEREUM"."RAW"', 'CREATE SCHEMA "ETHEREUM"."PROD_CORE"', 'CREATE SCHEMA "DEV"."DEV_ANA"']) await admin.exec(s);
    await admin.exec('CREATE TABLE "ETHEREUM"."RAW"."DEX_TRADES" ("DATE" DATE, "AMOUNT_USD" DOUBLE)');
    await admin.exec(`INSERT INTO "ETHEREUM"."RAW"."DEX_TRADES" VALUES ('2026-04-06', 1500000000), ('2026-04-07', 1600000000), ('2026-04-08', 1000000000), ('2026-04-08', 676000000), ('2026-04-09', 1700000000)`);
    await admin.exec('CREATE TRANSIENT TABLE "ETHEREUM"."PROD_CORE"."FACT_DEX_VOLUMES" ("DATE" DATE, "DAILY_VOLUME" DOUBLE)');
    await admin.exec(`INSERT INTO "ETHEREUM"."PROD_CORE"."FACT_DEX_VOLUMES" VALUES ('2026-04-06', 1500000000), ('2026-04-07', 1600000000), ('2026-04-08', 11290000000000000), ('2026-04-09', 1700000000)`);
    await admin.exec('CREATE VIEW "ETHEREUM"."PROD_CORE"."EZ_METRICS" AS SELECT "DATE", "DAILY_VOLUME" AS total_economic_activity FROM "ETHEREUM"."PROD_CORE"."FACT_DEX_VOLUMES"');
  });
  afterEach(async () => {
    await admin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({
    SNOWFLAKE_PASSWORD: PASSWORD, DBT_PROFILES_DIR: dir, DBT_STANDIN_EXECUTOR: EXECUTOR, STANDIN_EXECUTOR_LOG: path.join(dir, 'executor.log'), ...extra,
  });
  const journal = (): Journal => {
    const runs = path.join(dir, 'target', 'dbt-recovery', 'runs');
    const [only] = existsSync(runs) ? readdirSync(runs) : [];
    return JSON.parse(readFileSync(path.join(runs, only!, 'journal.json'), 'utf8')) as Journal;
  };
  const volumes = async (rel: string): Promise<Record<string, number>> =>
    Object.fromEntries((await admin.query<{ date: string; daily_volume: number }>(`SELECT "DATE" AS date, "DAILY_VOLUME" AS daily_volume FROM ${rel} ORDER BY 1`)).map((r) => [r.date, Number(r.daily_volume)]));

  it('a failed dev build takes the override back; the resume builds on ANALYTICS_XL, and the promotion waits for the outlier\'s note', async () => {
    const planFile = path.join(dir, 'plan.json');
    const planned = await runBuiltCli(
      ['plan', 'dev-build', '--project-dir', dir, '--model', 'fact_ethereum_daily_dex_volumes', '--mode', 'backfill', '--backfill-date', '2026-04-08', '--backfill-columns', 'daily_volume',
        '--warehouse', 'ANALYTICS_XL', '--sanity', 'daily_volume<=1e12', '--today', '2026-04-27', '--out', planFile, '--dbt-command', process.execPath, STANDIN],
      { env: env() },
    );
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stdout, /revert-warehouse-override {2}\(read-only, always runs, even after a failure, a refusal or a cancel\)/);
    assert.ok(!planned.stdout.includes(PASSWORD));

    // 1. dbt fails: the run stops, and the override is taken out of the model file all the same.
    const failed = await runBuiltCli(['run', planFile, '--yes'], { env: env({ DBT_STANDIN_FAIL: 'fact_ethereum_daily_dex_volumes:error' }) });
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.equal(readFileSync(path.join(dir, 'models', 'fact_ethereum_daily_dex_volumes.sql'), 'utf8'), MODEL, 'the model file is back, byte for byte');
    assert.match(failed.stdout, /Run failed: Step dbt-run-dev failed: .* Then ran the step that always runs: revert-warehouse-override done\./);
    let j = journal();
    assert.deepEqual(j.steps.map((s) => [s.id, s.status]).slice(0, 6), [
      ['prod-exists', 'done'], ['approve-dev-build', 'done'], ['clone-prod-to-dev', 'done'], ['override-warehouse', 'done'], ['dbt-run-dev', 'failed'], ['revert-warehouse-override', 'done'],
    ]);
    assert.match(j.steps.find((s) => s.id === 'clone-prod-to-dev')!.statements[0]!, /^CREATE OR REPLACE TRANSIENT TABLE "DEV"\."DEV_ANA"\."FACT_ETHEREUM_DAILY_DEX_VOLUMES" CLONE "ETHEREUM"\."PROD_CORE"\."FACT_DEX_VOLUMES"$/);

    // 2. The resume puts the override back for dbt, builds, compares; --yes without the note refuses the promotion.
    const resumed = await runBuiltCli(['run', '--resume', j.runId, '--project-dir', dir, '--yes'], { env: env() });
    assert.equal(resumed.code, 1, resumed.stdout + resumed.stderr);
    assert.equal(readFileSync(path.join(dir, 'models', 'fact_ethereum_daily_dex_volumes.sql'), 'utf8'), MODEL);
    const built = readFileSync(path.join(dir, 'executor.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { target: string; incremental: boolean; snowflakeWarehouse: string });
    assert.deepEqual(built.map((b) => [b.target, b.incremental, b.snowflakeWarehouse]), [['dev', true, 'ANALYTICS_XL']], 'dbt ran once, on the dev target, with the override in place');
    assert.match(resumed.stderr, /--yes does not explain outliers: 1 of 1/);
    // The column as the warehouse's catalog names it (Snowflake folds unquoted names to upper case).
    assert.match(resumed.stderr, /2026-04-08 DAILY_VOLUME: prod 11290000000000000, dev 1676000000, -100\.00%\n {4}--explain '2026-04-08:DAILY_VOLUME=<why this change is expected>'/);
    assert.equal((await volumes('"ETHEREUM"."PROD_CORE"."FACT_DEX_VOLUMES"'))['2026-04-08'], 11290000000000000, 'production untouched');
    assert.equal((await volumes('"DEV"."DEV_ANA"."FACT_ETHEREUM_DAILY_DEX_VOLUMES"'))['2026-04-08'], 1676000000);
    j = journal();
    const views = j.steps.find((s) => s.id === 'reading-views')!.check!;
    assert.deepEqual(views.rows.map((r) => r.name), ['EZ_METRICS']);
    assert.equal(j.steps.find((s) => s.id === 'compare')!.comparison!.history!.differing, 0);

    // 3. With the note, the promotion clones dev over production, and the verification passes.
    const promoted = await runBuiltCli(['run', '--resume', j.runId, '--project-dir', dir, '--yes', '--explain', '2026-04-08:DAILY_VOLUME=stale Dune batch; the source says $1.676B'], { env: env() });
    assert.equal(promoted.code, 0, promoted.stdout + promoted.stderr);
    assert.deepEqual(await volumes('"ETHEREUM"."PROD_CORE"."FACT_DEX_VOLUMES"'), { '2026-04-06': 1500000000, '2026-04-07': 1600000000, '2026-04-08': 1676000000, '2026-04-09': 1700000000 });
    j = journal();
    assert.equal(j.status, 'done');
    assert.deepEqual(j.steps.find((s) => s.id === 'promote')!.statements, ['CREATE OR REPLACE TRANSIENT TABLE "ETHEREUM"."PROD_CORE"."FACT_DEX_VOLUMES" CLONE "DEV"."DEV_ANA"."FACT_ETHEREUM_DAILY_DEX_VOLUMES"']);
    assert.deepEqual(j.approvals.at(-1)!.explanations, [{ key: ['2026-04-08'], column: 'DAILY_VOLUME', note: 'stale Dune batch; the source says $1.676B' }]);
    assert.ok(!JSON.stringify(j).includes(PASSWORD));
  });
});
