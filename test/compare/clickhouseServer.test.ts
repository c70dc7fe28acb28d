import { Secret } from '../../src/core/profiles';
import { ClickHouseWarehouse } from '../../src/core/warehouse';
import { ClickHouseTestServer } from '../support/clickhouseServer';
import { clickhouseCompareContract } from './clickhouseCompareContract';

describe('compare, clone and promote: ClickHouse server 18.16 (Debian) over HTTP', function () {
  this.timeout(60_000);
  let server: ClickHouseTestServer;
  let warehouse: ClickHouseWarehouse;

  before(async () => {
    server = await ClickHouseTestServer.start();
    warehouse = ClickHouseWarehouse.connect({
      type: 'clickhouse',
      origin: { file: '/tmp/profiles.yml', profile: 'gnosis', target: 'dev' },
      host: '127.0.0.1',
      port: server.httpPort,
      user: 'default',
      password: new Secret(''),
      schema: 'default',
      secure: false,
      driver: 'http',
      nativePort: null,
      connectTimeoutSeconds: null,
      sendReceiveTimeoutSeconds: 30,
      customSettings: {},
    });
  });
  after(async () => {
    await warehouse?.close();
    await server?.stop();
  });

  clickhouseCompareContract({ warehouse: () => warehouse, modern: false });
});
