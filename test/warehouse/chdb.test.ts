import type { ClickHouseWarehouse } from '../../src/core/warehouse';
import { openChdbWarehouse } from '../support/chdb';
import { clickhouseContract } from './clickhouseContract';

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
    silentNoopOptimize: false,
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
});
