/**
 * What compareRelations, cloneRelation and promoteRelation must do on every ClickHouse: run by chdb.test.ts
 * (embedded 26.x) and clickhouseServer.test.ts (Debian's 18.16 over HTTP). Each test makes its own databases (with
 * names that need quoting) and drops them.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { compareRelations, type RelationRef } from '../../src/core/compare';
import { cloneRelation, promoteRelation, promotionStatements, type ClickHouseWarehouse } from '../../src/core/warehouse';
import { expectWarehouseError } from '../warehouse/clickhouseContract';
import { expectedFull, expectedScoped, fullSpec, scopedSpec, seedWorld, withoutTiming, type World } from './compareWorld';

export interface ClickHouseCompareUnderTest {
  warehouse(): ClickHouseWarehouse;
  /** 26.x: `isNotDistinctFrom` and EXCHANGE TABLES; 18.16: neither. */
  modern: boolean;
}

export function clickhouseCompareContract(engine: ClickHouseCompareUnderTest): void {
  let prodDb: string;
  let devDb: string;
  let world: World;
  const w = (): ClickHouseWarehouse => engine.warehouse();
  const rel = (r: RelationRef): string => w().relation(r.database, r.schema, r.name);
  const rows = async (r: RelationRef): Promise<unknown[]> => w().query(`SELECT * FROM ${rel(r)} ORDER BY chain, d, volume`);
  const tables = async (db: string): Promise<string[]> => (await w().query<{ name: string }>(`SELECT name FROM system.tables WHERE database = ${w().quoteLiteral(db)} ORDER BY name`)).map((t) => t.name);

  beforeEach(async () => {
    const id = randomUUID().slice(0, 8);
    prodDb = `prod core ü ${id}`;
    devDb = `dev 'alice' ${id}`;
    for (const db of [prodDb, devDb]) await w().exec(`CREATE DATABASE ${w().quoteIdent(db)}`);
    world = await seedWorld(w(), { dev: { database: null, schema: devDb }, prod: { database: null, schema: prodDb } });
  });
  afterEach(async () => {
    for (const db of [prodDb, devDb]) await w().exec(`DROP DATABASE IF EXISTS ${w().quoteIdent(db)}`);
  });

  it('compares everything at once (keys, schema, changes, history, sanity, spot check, outliers, months): every number', async () => {
    const c = await compareRelations(w(), fullSpec(w(), world));
    assert.deepEqual(withoutTiming(c), expectedFull(world));
    const all = c.statements.join('\n');
    if (engine.modern) assert.match(all, /isNotDistinctFrom\(_d0, _p0\)/);
    else {
      assert.doesNotMatch(all, /isNotDistinctFrom/);
      assert.match(all, /\(ifNull\(_d0 = _p0, 0\) OR \(isNull\(_d0\) AND isNull\(_p0\)\)\)/);
    }
    assert.doesNotMatch(all, /!=|\bWITH\b|\bOVER\s*\(/, 'no != and nothing 18.16 lacks (CTEs, window functions)');
    assert.equal(c.statements.filter((s) => /ENGINE = Log AS SELECT/.test(s)).length, 2, 'one scratch table for the comparison, one for the history');
    assert.deepEqual(await tables(devDb), ['fact_daily_volumes'], 'the scratch tables are dropped');
  });

  it('compares the range the backfill touched, with day counts filled in', async () => {
    const c = await compareRelations(w(), scopedSpec(world));
    assert.deepEqual(withoutTiming(c), expectedScoped(world));
    assert.ok(c.statements.some((s) => s.includes("`d` >= toDate('2026-04-05') AND `d` < toDate('2026-04-10')")), c.statements.join('\n'));
    assert.deepEqual(await tables(devDb), ['fact_daily_volumes']);
  });

  it('says clearly when a relation or a key column is missing, and drops nothing it did not make', async () => {
    await expectWarehouseError(compareRelations(w(), { ...scopedSpec(world), dev: { ...world.dev, name: 'not_built_yet' } }), 'invalid-input', /The dev relation .*not_built_yet does not exist/, /Build it in dev first/);
    await expectWarehouseError(compareRelations(w(), { ...scopedSpec(world), key: ['chain', 'day'] }), 'invalid-input', /The key column "day" is not a column of the dev relation \(its columns: chain, d, volume, fees, txs, price\)/);
    await expectWarehouseError(compareRelations(w(), { ...scopedSpec(world), scope: { column: 'd', from: '2026-04-31', to: null } }), 'invalid-input', /2026-04-31 is not a real calendar date/);
    assert.deepEqual(await tables(devDb), ['fact_daily_volumes']);
  });

  it('clones prod into dev with the same engine and keys, partition by partition, and the clone compares equal', async () => {
    const clone: RelationRef = { database: null, schema: devDb, name: 'fact_daily_volumes_clone' };
    const r = await cloneRelation(w(), world.prod, clone);
    const [p, d] = [rel(world.prod), rel(clone)];
    assert.deepEqual(r, {
      statements: [
        `CREATE DATABASE IF NOT EXISTS ${w().quoteIdent(devDb)}`,
        `DROP TABLE IF EXISTS ${d}`,
        `CREATE TABLE ${d} AS ${p}`,
        `ALTER TABLE ${d} REPLACE PARTITION ID '20260301' FROM ${p}`,
        `ALTER TABLE ${d} REPLACE PARTITION ID '20260401' FROM ${p}`,
      ],
      kind: null,
      fellBack: false,
      refusal: null,
      partitions: 2,
    });
    assert.deepEqual(await rows(clone), await rows(world.prod));
    assert.equal((await rows(clone)).length, 21);
    const info = await w().query<{ engine: string; partition_key: string; sorting_key: string }>(
      `SELECT engine, partition_key, sorting_key FROM system.tables WHERE database = ${w().quoteLiteral(devDb)} AND name = 'fact_daily_volumes_clone'`,
    );
    assert.deepEqual(info, [{ engine: 'MergeTree', partition_key: 'toStartOfMonth(d)', sorting_key: 'chain, d' }]);
    // Cloning again replaces the copy (dev rows gone, prod's back).
    await w().exec(`INSERT INTO ${d} SELECT * FROM ${d}`);
    await cloneRelation(w(), world.prod, clone);
    assert.equal((await rows(clone)).length, 21);

    const c = await compareRelations(w(), { ...fullSpec(w(), world), dev: clone, spotCheck: null, historyBefore: null, partitions: null });
    assert.deepEqual(
      { rowCounts: c.rowCounts, keys: c.keys, schema: c.schema, changedRows: c.changedRows, outliers: c.outliers, anomalies: c.anomalies.map((a) => a.rows) },
      {
        rowCounts: { dev: 21, prod: 21 },
        // Prod's own duplicate of (gno, 03-31) is in the copy too.
        keys: { onlyInDev: 0, onlyInProd: 0, duplicatedInDev: 1, duplicatedInProd: 1, matched: 20 },
        schema: { added: [], removed: [], retyped: [], types: [] },
        changedRows: 0,
        outliers: [],
        anomalies: [0, 0],
      },
    );
    assert.deepEqual(c.matchRates.map((m) => [m.column, m.matched, m.total]), [['volume', 19, 19], ['fees', 19, 19], ['txs', 19, 19], ['legacy_flag', 19, 19]]);
    await expectWarehouseError(cloneRelation(w(), { ...world.prod, name: 'missing' }, clone), 'invalid-input', /does not exist, so there is nothing to clone/);
  });

  if (engine.modern) {
    it('promotes with EXCHANGE TABLES: prod then equals dev, and dev holds the previous production rows', async () => {
      const [devBefore, prodBefore] = [await rows(world.dev), await rows(world.prod)];
      const expected = promotionStatements('clickhouse', world.dev, world.prod, { exchangeTables: true });
      const r = await promoteRelation(w(), world.dev, world.prod);
      assert.deepEqual(r.statements, [`EXCHANGE TABLES ${rel(world.prod)} AND ${rel(world.dev)}`]);
      assert.deepEqual(r.statements, expected.statements);
      assert.equal(r.method, 'exchange');
      assert.deepEqual(r.previous, world.dev);
      assert.deepEqual(await rows(world.prod), devBefore);
      assert.equal(devBefore.length, 22);
      assert.deepEqual(await rows(world.dev), prodBefore);
    });
  } else {
    it('promotes with one atomic RENAME (no EXCHANGE TABLES): prod then equals dev, the old table is kept; a second promotion is refused before anything is sent', async () => {
      const [devBefore, prodBefore] = [await rows(world.dev), await rows(world.prod)];
      const r = await promoteRelation(w(), world.dev, world.prod);
      const previous: RelationRef = { ...world.prod, name: 'fact_daily_volumes__before_promotion' };
      assert.deepEqual(r.statements, [`RENAME TABLE ${rel(world.prod)} TO ${rel(previous)}, ${rel(world.dev)} TO ${rel(world.prod)}`]);
      assert.deepEqual(r.statements, promotionStatements('clickhouse', world.dev, world.prod, { exchangeTables: false }).statements);
      assert.equal(r.method, 'rename');
      assert.deepEqual(r.previous, previous);
      assert.deepEqual(await rows(world.prod), devBefore);
      assert.equal(devBefore.length, 22);
      assert.deepEqual(await rows(previous), prodBefore);
      assert.deepEqual(await tables(devDb), [], 'dev was renamed into prod');

      await cloneRelation(w(), world.prod, world.dev);
      await expectWarehouseError(promoteRelation(w(), world.dev, world.prod), 'invalid-input', /fact_daily_volumes__before_promotion already exists/, /DROP TABLE/);
      assert.deepEqual(await rows(world.prod), devBefore, 'nothing was sent');
      assert.deepEqual(await rows(previous), prodBefore);
    });
  }
}
