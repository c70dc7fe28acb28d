import { strict as assert } from 'node:assert';
import type { ClickHouseWarehouse } from '../../src/core/warehouse';
import { openChdbWarehouse } from '../support/chdb';
import { clickhouseContract, expectWarehouseError } from './clickhouseContract';

describe('warehouse: embedded ClickHouse 26 (chdb) through @clickhouse/client', function () {
  this.timeout(60_000);
  let warehouse: ClickHouseWarehouse;

  before(async () => {
    warehouse = await openChdbWarehouse();
  });
  after(async () => {
    await warehouse?.close();
  });

  clickhouseContract({
    warehouse: () => warehouse,
    expected: {
      engine: 'clickhouse',
      versionPrefix: '26.',
      windowFunctions: true,
      queryParameters: true,
      cteSubqueries: true,
      killMutation: true,
      exchangeTables: true,
      optimizeThrowIfNoop: true,
      mutationsSync: true,
      mutationFailReason: true,
      joinAlgorithm: true,
      zeroCopyClone: false,
    },
  });

  // chdb applies a request's settings as session SETs: test/support/chdb.ts puts each back after its request.
  it("a request's settings hold for that request only, as over HTTP; a SET statement holds for the session", async () => {
    const setting = async (name: string, options = {}): Promise<string | undefined> =>
      (await warehouse.query<{ value: string }>('SELECT value FROM system.settings WHERE name = {name}', { name }, options))[0]?.value;
    assert.equal(await setting('optimize_throw_if_noop'), '0');
    assert.equal(await setting('optimize_throw_if_noop', { settings: { optimize_throw_if_noop: 1 } }), '1', 'in effect for its own request');
    assert.equal(await setting('optimize_throw_if_noop'), '0', 'not after it');
    const before = [await setting('optimize_throw_if_noop'), await setting('max_threads')];
    await warehouse.exec('SELECT 1', undefined, { settings: { optimize_throw_if_noop: 1, max_threads: 3 } });
    assert.deepEqual([await setting('optimize_throw_if_noop'), await setting('max_threads')], before, 'every setting of the request back to its default');
    assert.notEqual(before[1], '3');
    await expectWarehouseError(warehouse.exec('SELECT no_such_column', undefined, { settings: { optimize_throw_if_noop: 1 } }), 'query', /no_such_column/);
    assert.equal(await setting('optimize_throw_if_noop'), '0', 'not after a request that failed');
    // The wrong partition literal, sent raw after a request that set optimize_throw_if_noop: silent, as on a server.
    await warehouse.exec('CREATE DATABASE IF NOT EXISTS settings_scope');
    try {
      await warehouse.exec('CREATE TABLE settings_scope.t (d Date) ENGINE = MergeTree() PARTITION BY toStartOfMonth(d) ORDER BY d');
      await warehouse.exec("INSERT INTO settings_scope.t VALUES ('2026-04-17')");
      await warehouse.exec("OPTIMIZE TABLE settings_scope.t PARTITION '2026-04-01' FINAL", undefined, { settings: { optimize_throw_if_noop: 1 } });
      await warehouse.exec("OPTIMIZE TABLE settings_scope.t PARTITION '2026-04-15' FINAL");
      // A SET statement, as a dbt pre-hook sends it, stays for the session until it is set back.
      await warehouse.exec('SET optimize_throw_if_noop = 1');
      assert.equal(await setting('optimize_throw_if_noop'), '1');
      await expectWarehouseError(warehouse.exec("OPTIMIZE TABLE settings_scope.t PARTITION '2026-04-15' FINAL"), 'query', /ClickHouse error 388/);
    } finally {
      await warehouse.exec('SET optimize_throw_if_noop = 0');
      await warehouse.exec('DROP DATABASE settings_scope');
    }
  });
});
