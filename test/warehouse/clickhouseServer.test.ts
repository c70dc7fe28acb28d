import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import type { ClickHouseTarget } from '../../src/core/profiles';
import { ClickHouseWarehouse } from '../../src/core/warehouse';
import { ClickHouseTestServer, serverTarget } from '../support/clickhouseServer';
import { pollUntil } from '../support/pollUntil';
import { clickhouseContract, expectWarehouseError } from './clickhouseContract';

const PASSWORD = 'correct-Horse-battery-9';

function target(server: ClickHouseTestServer, user: string, password: string): ClickHouseTarget {
  return serverTarget(server, { user, password });
}

describe('warehouse: ClickHouse server 18.16 (Debian) over HTTP', function () {
  this.timeout(60_000);
  let server: ClickHouseTestServer;
  let warehouse: ClickHouseWarehouse;

  before(async () => {
    server = await ClickHouseTestServer.start({ users: { recovery: PASSWORD } });
    warehouse = ClickHouseWarehouse.connect(target(server, 'default', ''));
  });
  after(async () => {
    await warehouse?.close();
    await server?.stop();
  });

  clickhouseContract({
    warehouse: () => warehouse,
    expected: {
      engine: 'clickhouse',
      versionPrefix: '18.16.',
      windowFunctions: false,
      queryParameters: false,
      cteSubqueries: false,
      killMutation: false,
      exchangeTables: false,
      optimizeThrowIfNoop: true,
      mutationsSync: false,
      mutationFailReason: false,
      joinAlgorithm: false,
      zeroCopyClone: false,
    },
    // The steps the error gives, done here: remove the mutation's file, DETACH and ATTACH the table.
    killByHand: async (err, m) => {
      const file = /remove the file (\S+),/.exec(err.remedy)?.[1];
      assert.ok(file && path.isAbsolute(file) && file.startsWith(server.dir), `a file under the server's data folder: ${err.remedy}`);
      rmSync(file);
      const rel = warehouse.relation(null, m.database, m.table);
      await warehouse.exec(`DETACH TABLE ${rel}`);
      await warehouse.exec(`ATTACH TABLE ${rel}`);
      assert.deepEqual(await warehouse.pendingMutations(m.database), [], 'the manual steps remove the mutation');
    },
  });

  // After the contract: the last of these kills the server.
  describe('logins, timeouts and a dropped server', () => {
    it('a user with a password logs in; a wrong password is a clear login error without the password', async () => {
      const ok = ClickHouseWarehouse.connect(target(server, 'recovery', PASSWORD));
      // 18.16 has no currentUser(): the query finds itself in system.processes.
      assert.deepEqual(await ok.query("SELECT user AS u FROM system.processes WHERE query LIKE '%who-am-i%'"), [{ u: 'recovery' }]);
      await ok.close();
      const bad = ClickHouseWarehouse.connect(target(server, 'recovery', `${PASSWORD}-wrong`));
      const err = await expectWarehouseError(bad.query('SELECT 1'), 'login', /refused the login of user recovery/, /Check user and password in profiles\.yml/);
      assert.ok(!err.message.includes(PASSWORD), err.message);
      assert.ok(!String((err as Error & { cause?: Error }).cause?.message).includes(PASSWORD));
      await bad.close();
    });

    it('a statement past its time limit is a timeout error naming the query id to kill', async () => {
      const err = await expectWarehouseError(warehouse.query('SELECT sleep(2)', undefined, { timeoutMs: 200 }), 'timeout', /did not answer within 200 ms/, /KILL QUERY WHERE query_id = '[0-9a-f-]{36}'/);
      assert.equal(err.sql, 'SELECT sleep(2)');
    });

    it('nothing listening is a clear connection error', async () => {
      const t = { ...target(server, 'default', ''), port: 1 };
      const w = ClickHouseWarehouse.connect(t);
      await expectWarehouseError(w.query('SELECT 1'), 'connection', /Nothing answers at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/, /HTTP interface/);
      await w.close();
    });

    // Last: it kills the server.
    it('a server killed mid-query is a clear "connection dropped" error', async () => {
      const dropped = expectWarehouseError(warehouse.query('SELECT sleep(3) AS s'), 'connection', /was dropped while the statement ran/, /check whether the statement took effect/);
      const observer = ClickHouseWarehouse.connect(target(server, 'default', ''));
      await pollUntil('the query is running', async () => {
        const rows = await observer.query<{ q: string }>("SELECT query AS q FROM system.processes WHERE query LIKE 'SELECT sleep(3)%'");
        return rows.length > 0 ? true : undefined;
      });
      await observer.close();
      await server.kill();
      await dropped;
      await expectWarehouseError(warehouse.query('SELECT 1'), 'connection', /Nothing answers/);
    });
  });
});
