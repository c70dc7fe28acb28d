import type { ClickHouseWarehouse } from '../../src/core/warehouse';
import { openChdbWarehouse } from '../support/chdb';
import { clickhouseCompareContract } from './clickhouseCompareContract';

describe('compare, clone and promote: embedded ClickHouse 26 (chdb)', function () {
  this.timeout(60_000);
  let warehouse: ClickHouseWarehouse;

  before(async () => {
    warehouse = await openChdbWarehouse();
  });
  after(async () => {
    await warehouse?.close();
  });

  clickhouseCompareContract({ warehouse: () => warehouse, modern: true });
});
