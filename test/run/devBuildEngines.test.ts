import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import type { RelationRef } from '../../src/core/compare/types';
import { dropTableSql, readingViewsSql, relationExistsSql, verifyPromotionSql } from '../../src/core/plan';
import { ClickHouseWarehouse, cloneRelation, DuckDbWarehouse, promoteRelation, type Warehouse } from '../../src/core/warehouse';
import { openChdbWarehouse } from '../support/chdb';
import { ClickHouseTestServer, serverTarget } from '../support/clickhouseServer';

interface Engine {
  warehouse(): Warehouse;
  /** Relations of the test's own (a fresh database or schema per test). */
  relation(space: 'dev' | 'prod', name: string): RelationRef;
  setUp(id: string): Promise<void>;
  tearDown(): Promise<void>;
  createTable(r: RelationRef, rows: Array<[number, string, number]>): Promise<void>;
  /** A view reading `r`. */
  createView(view: RelationRef, r: RelationRef): Promise<void>;
  /** Where the old production rows are after a promotion: in dev (swap), in `<prod>__before_promotion`, or gone. */
  oldProdAfterPromotion(dev: RelationRef, prod: RelationRef): Promise<RelationRef | null>;
}

const q = (w: Warehouse, r: RelationRef): string => w.relation(w.engine === 'clickhouse' ? null : r.database, r.schema, r.name);

async function amounts(w: Warehouse, r: RelationRef): Promise<Array<[number, number]>> {
  const rows = await w.query<{ id: unknown; amount: unknown }>(`SELECT id, amount FROM ${q(w, r)} ORDER BY id`);
  return rows.map((x) => [Number(x.id), Number(x.amount)]);
}

function devBuildEngineTests(engine: Engine): void {
  const w = (): Warehouse => engine.warehouse();
  beforeEach(() => engine.setUp(randomUUID().slice(0, 8)));
  afterEach(() => engine.tearDown());

  it('finds the production relation, and the views that read it (not those of a longer name)', async () => {
    const prod = engine.relation('prod', 'fct_orders');
    await engine.createTable(prod, [[1, '2026-04-07', 10]]);
    await engine.createTable(engine.relation('prod', 'fct_orders_v2'), [[1, '2026-04-07', 10]]);
    await engine.createView(engine.relation('prod', 'orders_report'), prod);
    await engine.createView(engine.relation('prod', 'v2_report'), engine.relation('prod', 'fct_orders_v2'));
    const exists = await w().query(relationExistsSql(w().engine, prod));
    assert.deepEqual(exists.map((r) => r.name), ['fct_orders']);
    assert.deepEqual(await w().query(relationExistsSql(w().engine, engine.relation('prod', 'missing'))), []);
    const views = await w().query(readingViewsSql(w().engine, prod));
    assert.deepEqual(views.map((r) => r.name), ['orders_report']);
  });

  it('verification has a row only when production is empty or breaks a sanity rule', async () => {
    const prod = engine.relation('prod', 'fct_orders');
    const sanity = [{ column: 'amount', max: 1000, min: 0 }];
    await engine.createTable(prod, [[1, '2026-04-07', 10], [2, '2026-04-08', 20]]);
    assert.deepEqual(await w().query(verifyPromotionSql(w().engine, prod, sanity)), []);
    await w().exec(`INSERT INTO ${q(w(), prod)} (id, day, amount) VALUES (3, '2026-04-09', 11290000000000)`);
    const bad = await w().query(verifyPromotionSql(w().engine, prod, sanity));
    assert.deepEqual(bad.map((r) => [Number(r.n), Number(r.bad_rows)]), [[3, 1]]);
    const empty = engine.relation('prod', 'empty_orders');
    await engine.createTable(empty, []);
    assert.deepEqual((await w().query(verifyPromotionSql(w().engine, empty, []))).map((r) => Number(r.n)), [0]);
  });

  it('clones production into dev, then promotes dev into production, keeping the old rows where the engine can', async () => {
    const prod = engine.relation('prod', 'fct_orders');
    const dev = engine.relation('dev', 'fct_orders');
    await engine.createTable(prod, [[1, '2026-03-31', 10], [2, '2026-04-08', 11290000], [3, '2026-04-09', 30]]);
    const cloned = await cloneRelation(w(), prod, dev);
    assert.ok(cloned.statements.length > 0);
    assert.deepEqual(await amounts(w(), dev), [[1, 10], [2, 11290000], [3, 30]], 'dev is a copy of production');
    // The dev build rebuilds it with the bad day fixed.
    await w().exec(dropTableSql(w().engine, dev));
    await engine.createTable(dev, [[1, '2026-03-31', 10], [2, '2026-04-08', 20], [3, '2026-04-09', 30]]);
    assert.deepEqual(await amounts(w(), dev), [[1, 10], [2, 20], [3, 30]]);
    const promoted = await promoteRelation(w(), dev, prod);
    assert.ok(promoted.statements.length > 0);
    assert.deepEqual(await amounts(w(), prod), [[1, 10], [2, 20], [3, 30]], 'production holds the dev build');
    const old = await engine.oldProdAfterPromotion(dev, prod);
    if (old) assert.deepEqual(await amounts(w(), old), [[1, 10], [2, 11290000], [3, 30]], 'the old production rows are kept for a rollback');
    await w().exec(dropTableSql(w().engine, dev));
    await w().exec(dropTableSql(w().engine, dev));
  });
}

function clickhouseEngine(open: () => Promise<ClickHouseWarehouse>, exchange: boolean): Engine {
  let w: ClickHouseWarehouse;
  let prodDb = '';
  let devDb = '';
  return {
    warehouse: () => w,
    relation: (space, name) => ({ database: null, schema: space === 'dev' ? devDb : prodDb, name }),
    async setUp(id) {
      w ??= await open();
      prodDb = `prod_${id}`;
      devDb = `dev_${id}`;
      await w.exec(`CREATE DATABASE ${prodDb}`);
    },
    async tearDown() {
      for (const db of [prodDb, devDb]) await w.exec(`DROP DATABASE IF EXISTS ${db}`);
    },
    async createTable(r, rows) {
      await w.exec(`CREATE TABLE ${q(w, r)} (id UInt32, day Date, amount Float64) ENGINE = MergeTree() PARTITION BY toStartOfMonth(day) ORDER BY id`);
      if (rows.length > 0) await w.exec(`INSERT INTO ${q(w, r)} VALUES ${rows.map(([i, d, a]) => `(${i}, '${d}', ${a})`).join(', ')}`);
    },
    async createView(view, r) {
      await w.exec(`CREATE VIEW ${q(w, view)} AS SELECT day, sum(amount) AS amount FROM ${q(w, r)} GROUP BY day`);
    },
    async oldProdAfterPromotion(dev, prod) {
      assert.equal((await w.capabilities()).exchangeTables, exchange);
      return exchange ? dev : { ...prod, name: `${prod.name}__before_promotion` };
    },
  };
}

describe('dev build: checks, clone and promotion on DuckDB', function () {
  this.timeout(60_000);
  let w: DuckDbWarehouse;
  let prodSchema = '';
  let devSchema = '';
  devBuildEngineTests({
    warehouse: () => w,
    relation: (space, name) => ({ database: 'memory', schema: space === 'dev' ? devSchema : prodSchema, name }),
    async setUp(id) {
      w ??= await DuckDbWarehouse.openPath(':memory:');
      prodSchema = `prod_${id}`;
      devSchema = `dev_${id}`;
      await w.exec(`CREATE SCHEMA ${prodSchema}`);
    },
    async tearDown() {
      for (const s of [prodSchema, devSchema]) await w.exec(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    },
    async createTable(r, rows) {
      await w.exec(`CREATE TABLE ${q(w, r)} (id INTEGER, day DATE, amount DOUBLE)`);
      if (rows.length > 0) await w.exec(`INSERT INTO ${q(w, r)} VALUES ${rows.map(([i, d, a]) => `(${i}, '${d}', ${a})`).join(', ')}`);
    },
    async createView(view, r) {
      await w.exec(`CREATE VIEW ${q(w, view)} AS SELECT day, sum(amount) AS amount FROM ${q(w, r)} GROUP BY day`);
    },
    oldProdAfterPromotion: () => Promise.resolve(null),
  });
  after(async () => w?.close());
});

describe('dev build: checks, clone and promotion on ClickHouse 26 (chdb)', function () {
  this.timeout(60_000);
  devBuildEngineTests(clickhouseEngine(() => openChdbWarehouse(), true));
});

describe('dev build: checks, clone and promotion on the ClickHouse server 18.16', function () {
  this.timeout(60_000);
  let server: ClickHouseTestServer | null = null;
  const engine = clickhouseEngine(async () => {
    server = await ClickHouseTestServer.start();
    return ClickHouseWarehouse.connect(serverTarget(server, { profile: 'p', target: 'prod' }));
  }, false);
  devBuildEngineTests(engine);
  after(async () => {
    await engine.warehouse()?.close();
    await server?.stop();
  });
});
