import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DuckDbTarget } from '../../src/core/profiles';
import { DuckDbWarehouse, openWarehouse, sqlDate } from '../../src/core/warehouse';
import { expectWarehouseError } from './clickhouseContract';

describe('warehouse: DuckDB (@duckdb/node-api)', function () {
  this.timeout(30_000);
  let dir: string;
  let w: DuckDbWarehouse;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-duckdb-'));
    w = await DuckDbWarehouse.openPath(':memory:');
  });
  after(async () => {
    await w?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('probes its capabilities', async () => {
    const caps = await w.capabilities();
    assert.match(caps.version, /^v1\.\d+\.\d+/);
    assert.deepEqual({ ...caps, version: '' }, {
      engine: 'duckdb',
      version: '',
      windowFunctions: true,
      queryParameters: true,
      cteSubqueries: true,
      killMutation: false,
      exchangeTables: false,
      optimizeThrowIfNoop: false,
      mutationsSync: false,
      mutationFailReason: false,
      joinAlgorithm: false,
      zeroCopyClone: false,
    });
  });

  it('quotes awkward identifiers so they round-trip through CREATE, INSERT and SELECT', async () => {
    await w.exec(`CREATE SCHEMA ${w.quoteIdent('dev "alice" ü')}`);
    const names = ['my table', 'quote"d', "it's", 'back`tick', 'ünïcødé 表', 'select'];
    for (const [i, name] of names.entries()) {
      const rel = w.relation(null, 'dev "alice" ü', name);
      const col = w.quoteIdent(`${name} col`);
      await w.exec(`CREATE TABLE ${rel} (${col} VARCHAR, n INTEGER)`);
      await w.exec(`INSERT INTO ${rel} VALUES ({v}, {i})`, { v: `value of ${name}`, i });
      assert.deepEqual(await w.query(`SELECT ${col}, n FROM ${rel}`), [{ [`${name} col`]: `value of ${name}`, n: i }]);
    }
    const tables = await w.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = {s} ORDER BY t", { s: 'dev "alice" ü' });
    assert.deepEqual(tables.map((t) => t.t).sort(), [...names].sort());
    assert.equal(w.relation('memory', 'main', 't'), '"memory"."main"."t"');
  });

  it('binds parameters (dates as DATE, whole numbers as integers, not DOUBLE) and refuses bad values before sending', async () => {
    const [row] = await w.query('SELECT {s} AS s, {d} + 1 AS d, {i} AS i, {f} AS f, {z} IS NULL AS z, typeof({i}) AS ti', {
      s: "it's \\ {x}",
      d: sqlDate('2024-02-28'),
      i: 7,
      f: 0.25,
      z: null,
    });
    assert.deepEqual(row, { s: "it's \\ {x}", d: '2024-02-29', i: '7', f: 0.25, z: true, ti: 'HUGEINT' });
    await expectWarehouseError((async () => w.query('SELECT {d}', { d: sqlDate('2026-02-30') }))(), 'invalid-input', /not a real calendar date/);
    await expectWarehouseError(w.query('SELECT 1', undefined, { settings: { threads: 1 } }), 'invalid-input', /no per-statement settings/);
  });

  it('a failing statement and an interrupted one give clear errors', async () => {
    const err = await expectWarehouseError(w.query('SELECT * FROM no_such_table'), 'query', /DuckDB error: Catalog Error: Table with name no_such_table does not exist/);
    assert.equal(err.sql, 'SELECT * FROM no_such_table');
    await expectWarehouseError(w.query('SELECT count(*) FROM range(100000000000) a', undefined, { timeoutMs: 100 }), 'timeout', /within 100 ms; the statement was interrupted/);
    assert.deepEqual(await w.query('SELECT 1 AS still_usable'), [{ still_usable: 1 }]);
  });

  it('opens a profiles.yml target on a file; a path it cannot open is a clear error', async () => {
    const file = path.join(dir, 'warehouse.duckdb');
    const target: DuckDbTarget = { type: 'duckdb', origin: { file: 'p.yml', profile: 'p', target: 'dev' }, path: file, schema: 'main', database: 'warehouse' };
    const a = await openWarehouse(target);
    assert.equal(a.description, `DuckDB ${file}, schema main (profile p, target dev)`);
    await a.exec('CREATE TABLE t AS SELECT 42 AS answer');
    await a.close();
    const b = await openWarehouse(target);
    assert.deepEqual(await b.query(`SELECT answer FROM ${b.relation('warehouse', 'main', 't')}`), [{ answer: 42 }]);
    await b.close();
    await expectWarehouseError(DuckDbWarehouse.openPath(path.join(dir, 'missing', 'x.duckdb')), 'connection', /DuckDB cannot open/);
  });
});
