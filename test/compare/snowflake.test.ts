import { strict as assert } from 'node:assert';
import { compareRelations, type RelationRef } from '../../src/core/compare';
import type { SnowflakeTarget } from '../../src/core/profiles';
import { cloneRelation, promoteRelation, promotionStatements, SnowflakeWarehouse } from '../../src/core/warehouse';
import { pollUntil } from '../support/pollUntil';
import { aliceTarget, SnowflakeTestServer } from '../support/snowflakeServer';
import { expectWarehouseError } from '../warehouse/clickhouseContract';
import { expectedFull, expectedScoped, fullSpec, scopedSpec, seedWorld, withoutTiming, type World } from './compareWorld';

const PASSWORD = 'cl0ne-and-Compare-9';

describe('compare, clone and promote: Snowflake through the real snowflake-sdk (in-repo test server on DuckDB)', function () {
  this.timeout(30_000);
  let server: SnowflakeTestServer;
  let w: SnowflakeWarehouse;
  let world: World;
  const rel = (r: RelationRef): string => w.relation(r.database, r.schema, r.name);
  const rows = async (r: RelationRef): Promise<unknown[]> => w.query(`SELECT * FROM ${rel(r)} ORDER BY chain, d, volume`);

  const target = (password: string): SnowflakeTarget => aliceTarget(server, password);

  before(async () => {
    server = await SnowflakeTestServer.start({ users: { alice: PASSWORD }, databases: ['DEV', 'PROD'] });
    w = await SnowflakeWarehouse.connect(target(PASSWORD), { probeIntervalMs: 100 });
    await w.exec('CREATE SCHEMA IF NOT EXISTS PROD.CORE');
    world = await seedWorld(w, { dev: { database: 'DEV', schema: 'DEV_ALICE' }, prod: { database: 'PROD', schema: 'CORE' } });
  });
  after(async () => {
    await w?.close();
    await server?.stop();
  });

  it('a refused login is a clear error that never shows the password', async () => {
    const err = await expectWarehouseError(SnowflakeWarehouse.connect(target(`${PASSWORD}!`)), 'login', /Snowflake refused the login of alice/, /profile artemis, target dev/);
    assert.ok(!err.message.includes(PASSWORD));
  });

  it('compares everything at once: every number, with <> and no !=', async () => {
    const c = await compareRelations(w, fullSpec(w, world));
    assert.deepEqual(withoutTiming(c), expectedFull(world));
    // The catalog of each database, names as Snowflake folds them.
    assert.equal(
      c.statements[0],
      `SELECT column_name AS col_name, data_type AS col_type, numeric_precision AS num_precision, numeric_scale AS num_scale FROM "DEV".information_schema.columns WHERE table_schema = 'DEV_ALICE' AND table_name = 'FACT_DAILY_VOLUMES' ORDER BY ordinal_position`,
    );
    const sent = server.queries.slice(-c.statements.length);
    assert.deepEqual(sent, c.statements, 'the statements are what the driver sent');
    assert.ok(sent.some((s) => s.includes('count_if(_nd <> _np)')));
    assert.ok(sent.every((s) => !s.includes('!=')));
    assert.equal(sent.filter((s) => /^CREATE TEMPORARY TABLE "__DBT_RECOVERY_CMP_[0-9A-F]{8}_(DIFF|HISTORY)" AS SELECT/.test(s)).length, 2);
    assert.deepEqual(await server.duckdb("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%RECOVERY_CMP%'"), []);
  });

  it('compares the range the backfill touched', async () => {
    const c = await compareRelations(w, scopedSpec(world));
    assert.deepEqual(withoutTiming(c), expectedScoped(world));
  });

  it('clones prod into dev as a transient table, falls back when Snowflake refuses the kind, and promotes dev into prod', async () => {
    const clone: RelationRef = { database: 'DEV', schema: 'DEV_ALICE', name: 'fact_daily_volumes_clone' };
    const a = await cloneRelation(w, world.prod, clone);
    assert.deepEqual(a, { statements: [`CREATE OR REPLACE TRANSIENT TABLE ${rel(clone)} CLONE ${rel(world.prod)}`], kind: 'transient', fellBack: false, refusal: null, partitions: null });
    assert.ok(server.isTransient('DEV.DEV_ALICE.FACT_DAILY_VOLUMES_CLONE'));
    assert.deepEqual(await rows(clone), await rows(world.prod));

    // A permanent copy of the (transient) clone is refused; it is made transient instead, and both statements are told.
    const copy: RelationRef = { ...clone, name: 'fact_daily_volumes_copy' };
    const b = await cloneRelation(w, clone, copy, { kind: 'permanent' });
    assert.deepEqual(b.statements, [`CREATE OR REPLACE TABLE ${rel(copy)} CLONE ${rel(clone)}`, `CREATE OR REPLACE TRANSIENT TABLE ${rel(copy)} CLONE ${rel(clone)}`]);
    assert.equal(b.fellBack, true);
    assert.match(b.refusal ?? '', /Transient object cannot be cloned to a permanent object/);
    assert.deepEqual(await rows(copy), await rows(world.prod));

    const devBefore = await rows(world.dev);
    const planned = promotionStatements('snowflake', world.dev, world.prod);
    const p = await promoteRelation(w, world.dev, world.prod);
    assert.deepEqual(p.statements, [`CREATE OR REPLACE TRANSIENT TABLE "PROD"."CORE"."FACT_DAILY_VOLUMES" CLONE "DEV"."DEV_ALICE"."FACT_DAILY_VOLUMES"`]);
    assert.deepEqual(p.statements, planned.statements);
    assert.deepEqual([p.method, p.kind, p.fellBack, p.previous], ['clone', 'transient', false, null]);
    assert.deepEqual(await rows(world.prod), devBefore);
    assert.equal(devBefore.length, 22);
    assert.ok(server.isTransient('PROD.CORE.FACT_DAILY_VOLUMES'));
    const c = await compareRelations(w, { ...scopedSpec(world), scope: null, partitions: null });
    assert.deepEqual([c.rowCounts, c.changedRows, c.keys.onlyInDev, c.keys.onlyInProd, c.schema.retyped], [{ dev: 22, prod: 22 }, 0, 0, 0, []]);

    // Promoting the transient dev table as a permanent one is refused by Snowflake: the fallback the plan showed runs.
    const q = await promoteRelation(w, clone, world.prod, { kind: 'permanent' });
    assert.deepEqual(q.statements, [...promotionStatements('snowflake', clone, world.prod, { kind: 'permanent' }).statements, ...promotionStatements('snowflake', clone, world.prod, { kind: 'permanent' }).fallback]);
    assert.deepEqual([q.kind, q.fellBack], ['transient', true]);
    assert.deepEqual(await rows(world.prod), await rows(clone));
  });

  // Last: it drops the connection.
  it('a connection dropped during a comparison is a clear error', async () => {
    server.dropConnectionOnNextQuery();
    const before = server.queries.length;
    const err = await expectWarehouseError(compareRelations(w, scopedSpec(world)), 'connection', /The connection to Snowflake at http:\/\/127\.0\.0\.1:\d+ was dropped while the statement ran/, /Check the network/);
    assert.match(err.sql ?? '', /information_schema\.columns/);
    assert.ok(!err.message.includes(PASSWORD));
    // The SDK retries in the background until the endpoint answers again; let it land so nothing keeps the process up.
    await server.resume();
    await pollUntil('the SDK retries the dropped statement', () => Promise.resolve(server.queries.length > before ? true : undefined), { timeoutMs: 20_000 });
  });
});
