import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { compareRelations, type CompareSpec, type RelationRef } from '../../src/core/compare';
import { cloneRelation, DuckDbWarehouse, promoteRelation, promotionStatements } from '../../src/core/warehouse';
import { expectWarehouseError } from '../warehouse/clickhouseContract';
import { expectedFull, expectedScoped, fullSpec, scopedSpec, seedWorld, withoutTiming, type World } from './compareWorld';

describe('compare, clone and promote: DuckDB (@duckdb/node-api)', function () {
  this.timeout(30_000);
  let w: DuckDbWarehouse;
  let world: World;
  let prodSchema: string;
  let devSchema: string;
  const rel = (r: RelationRef): string => w.relation(r.database, r.schema, r.name);
  const rows = async (r: RelationRef): Promise<unknown[]> => w.query(`SELECT * FROM ${rel(r)} ORDER BY chain, d, volume`);
  const tempTables = async (): Promise<unknown[]> => w.query("SELECT table_name FROM duckdb_tables() WHERE temporary");

  before(async () => {
    w = await DuckDbWarehouse.openPath(':memory:');
  });
  after(async () => {
    await w?.close();
  });
  beforeEach(async () => {
    const id = randomUUID().slice(0, 8);
    prodSchema = `prod core ü ${id}`;
    devSchema = `dev "alice" ${id}`;
    for (const s of [prodSchema, devSchema]) await w.exec(`CREATE SCHEMA ${w.quoteIdent(s)}`);
    world = await seedWorld(w, { dev: { database: null, schema: devSchema }, prod: { database: null, schema: prodSchema } });
  });
  afterEach(async () => {
    for (const s of [prodSchema, devSchema]) await w.exec(`DROP SCHEMA IF EXISTS ${w.quoteIdent(s)} CASCADE`);
  });

  it('compares everything at once: every number (a key with two prod rows on a matched key: the grouped pass)', async () => {
    const c = await compareRelations(w, fullSpec(w, world));
    assert.deepEqual(withoutTiming(c), expectedFull(world));
    // The join pass found (gno, 2026-03-31) twice in prod, so the comparison and the history were grouped instead.
    assert.equal(c.statements.filter((s) => / FULL OUTER JOIN /.test(s)).length, 2);
    assert.equal(c.statements.filter((s) => /0 AS _s, /.test(s)).length, 2);
    assert.equal(c.statements.filter((s) => /unnest\(_rows/.test(s)).length, 0);
    assert.doesNotMatch(c.statements.join('\n'), /!=/);
    assert.deepEqual(await tempTables(), [], 'every scratch table is dropped');
  });

  it('compares the range the backfill touched (no duplicate on a matched key: the join pass alone)', async () => {
    const c = await compareRelations(w, scopedSpec(world));
    assert.deepEqual(withoutTiming(c), expectedScoped(world));
    assert.equal(c.statements.filter((s) => / FULL OUTER JOIN /.test(s)).length, 1);
    assert.equal(c.statements.filter((s) => /unnest\(_rows/.test(s)).length, 1);
    assert.equal(c.statements.filter((s) => /0 AS _s, /.test(s)).length, 0);
    assert.deepEqual(await tempTables(), []);
  });

  it('NULL keys match NULL keys, NULL values equal NULL values; a change from 0 has no relative size and needs explaining', async () => {
    const [dev, prod] = [w.relation(null, devSchema, 'n'), w.relation(null, prodSchema, 'n')];
    await w.exec(`CREATE TABLE ${dev} (k INTEGER, v DOUBLE, label VARCHAR)`);
    await w.exec(`CREATE TABLE ${prod} (k INTEGER, v DOUBLE, label VARCHAR)`);
    await w.exec(`INSERT INTO ${dev} VALUES (NULL, 1, 'a'), (1, 2, NULL), (2, NULL, 'c'), (4, 5, 'd'), (10, -3, 'e')`);
    await w.exec(`INSERT INTO ${prod} VALUES (NULL, 1, 'a'), (1, 3, NULL), (2, NULL, 'c'), (3, 0, 'x'), (4, 0, 'd'), (10, -2, 'e')`);
    const spec: CompareSpec = {
      dev: { database: null, schema: devSchema, name: 'n' },
      prod: { database: null, schema: prodSchema, name: 'n' },
      key: ['K'],
      scope: null,
      historyBefore: null,
      sanity: [],
      spotCheck: null,
      outliers: { top: 10, explainAbove: 0.4, columns: ['V'] },
      partitions: null,
    };
    const c = await compareRelations(w, spec);
    assert.deepEqual(c.rowCounts, { dev: 5, prod: 6 });
    assert.deepEqual(c.keys, { onlyInDev: 0, onlyInProd: 1, duplicatedInDev: 0, duplicatedInProd: 0, matched: 5 });
    assert.deepEqual(c.samples, { onlyInDev: [], onlyInProd: [['3']] });
    assert.equal(c.changedRows, 3);
    assert.deepEqual(c.matchRates, [
      { column: 'v', matched: 2, total: 5, rate: 0.4 },
      { column: 'label', matched: 5, total: 5, rate: 1 },
    ]);
    // Undefined relative changes first (4: from 0), then by |relDelta|: 10 (-2 to -3, -50%) before 1 (3 to 2, -33%).
    assert.deepEqual(c.outliers, [
      { key: ['4'], column: 'v', prod: 0, dev: 5, relDelta: null, needsExplanation: true },
      { key: ['10'], column: 'v', prod: -2, dev: -3, relDelta: -0.5, needsExplanation: true },
      { key: ['1'], column: 'v', prod: 3, dev: 2, relDelta: -1 / 3, needsExplanation: false },
    ]);
  });

  it('clones prod into dev (CREATE OR REPLACE TABLE ... AS SELECT), and promotes dev into prod in a transaction', async () => {
    const clone: RelationRef = { database: null, schema: `${devSchema} clones`, name: 'fact_daily_volumes' };
    const cloned = await cloneRelation(w, world.prod, clone);
    assert.deepEqual(cloned.statements, [`CREATE SCHEMA IF NOT EXISTS ${w.quoteIdent(clone.schema)}`, `CREATE OR REPLACE TABLE ${rel(clone)} AS SELECT * FROM ${rel(world.prod)}`]);
    assert.deepEqual(await rows(clone), await rows(world.prod));
    assert.equal((await rows(clone)).length, 21);

    const devBefore = await rows(world.dev);
    const promoted = await promoteRelation(w, world.dev, world.prod);
    assert.deepEqual(promoted.statements, ['BEGIN TRANSACTION', `CREATE OR REPLACE TABLE ${rel(world.prod)} AS SELECT * FROM ${rel(world.dev)}`, 'COMMIT']);
    assert.deepEqual(promoted.statements, promotionStatements('duckdb', world.dev, world.prod).statements);
    assert.equal(promoted.method, 'replace');
    assert.equal(promoted.previous, null);
    assert.deepEqual(await rows(world.prod), devBefore);
    assert.deepEqual(await rows(world.dev), devBefore, 'dev keeps its rows');
    const c = await compareRelations(w, { ...scopedSpec(world), scope: null, partitions: null });
    assert.deepEqual([c.rowCounts, c.changedRows, c.schema.added, c.outliers], [{ dev: 22, prod: 22 }, 0, [], []]);

    // A failed promotion is rolled back: prod keeps what it had.
    const gone: RelationRef = { ...world.dev, name: 'dropped_meanwhile' };
    await expectWarehouseError(promoteRelation(w, gone, world.prod), 'query', /dropped_meanwhile does not exist/);
    assert.deepEqual(await rows(world.prod), devBefore);
    assert.deepEqual(await w.query('SELECT 1 AS usable'), [{ usable: 1 }], 'no transaction left open');
    await w.exec(`DROP SCHEMA ${w.quoteIdent(clone.schema)} CASCADE`);
  });
});
