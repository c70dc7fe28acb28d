import { ClickHouseWarehouse } from '../../src/core/warehouse';
import { ClickHouseTestServer, serverTarget } from '../support/clickhouseServer';
import { clickhouseCompareContract } from './clickhouseCompareContract';

describe('compare, clone and promote: ClickHouse server 18.16 (Debian) over HTTP', function () {
  this.timeout(60_000);
  let server: ClickHouseTestServer;
  let warehouse: ClickHouseWarehouse;

  before(async () => {
    server = await ClickHouseTestServer.start();
    warehouse = ClickHouseWarehouse.connect(serverTarget(server));
  });
  after(async () => {
    await warehouse?.close();
    await server?.stop();
  });

  clickhouseCompareContract({ warehouse: () => warehouse, modern: false });
});
