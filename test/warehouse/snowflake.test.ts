import { strict as assert } from 'node:assert';
import { inspect } from 'node:util';
import type { SnowflakeTarget } from '../../src/core/profiles';
import { openWarehouse, SnowflakeWarehouse, sqlDate } from '../../src/core/warehouse';
import { pollUntil } from '../support/pollUntil';
import { aliceTarget, SnowflakeTestServer, TEST_SNOWFLAKE_VERSION } from '../support/snowflakeServer';
import { expectWarehouseError } from './clickhouseContract';

const PASSWORD = 'sn0wfl@ke-Secret-77';

describe('warehouse: Snowflake through the real snowflake-sdk (in-repo test server on DuckDB)', function () {
  this.timeout(30_000);
  let server: SnowflakeTestServer;
  let w: SnowflakeWarehouse;

  const target = (password: string): SnowflakeTarget => aliceTarget(server, password);

  before(async () => {
    server = await SnowflakeTestServer.start({ users: { alice: PASSWORD }, databases: ['DEV', 'PROD'] });
    w = (await openWarehouse(target(PASSWORD), { snowflake: { probeIntervalMs: 100 } })) as SnowflakeWarehouse;
    await w.exec('CREATE SCHEMA IF NOT EXISTS PROD.CORE');
  });
  after(async () => {
    await w?.close();
    await server?.stop();
  });

  it('logs in, reports its capabilities, and runs a query with bound values', async () => {
    assert.equal(server.logins, 1);
    const caps = await w.capabilities();
    assert.equal(caps.version, TEST_SNOWFLAKE_VERSION);
    assert.equal(caps.zeroCopyClone, true);
    const rows = await w.query('SELECT {d} AS backfill_date, {s} AS "Label", {n} AS n, {f} AS f WHERE {n} <> 0', {
      d: sqlDate('2026-04-08'),
      s: "it's \\ {x}",
      n: 3,
      f: 1.25,
    });
    // Unquoted names come back in lower case (Snowflake folded them to upper case); quoted ones as written.
    assert.deepEqual(rows, [{ backfill_date: '2026-04-08', Label: "it's \\ {x}", n: 3, f: 1.25 }]);
    assert.equal(server.queries.at(-1), 'SELECT CAST(? AS DATE) AS backfill_date, ? AS "Label", ? AS n, ? AS f WHERE ? <> 0');
    assert.equal(w.description, 'Snowflake ' + server.accessUrl + ' as alice, role TRANSFORMER, warehouse ANALYTICS_XS, DEV.DEV_ALICE (profile artemis, target dev)');
  });

  it('a refused login is a clear error that names the profile and never the password', async () => {
    const wrong = `${PASSWORD}-typo`;
    const err = await expectWarehouseError(
      SnowflakeWarehouse.connect(target(wrong)),
      'login',
      /Snowflake refused the login of alice at http:\/\/127\.0\.0\.1:\d+: Incorrect username or password was specified\./,
      /profiles\.yml \(profile artemis, target dev\)/,
    );
    assert.equal(err.code, '390100');
    for (const text of [err.message, inspect(err), JSON.stringify(err)]) {
      assert.ok(!text.includes(PASSWORD), text);
    }
  });

  it('quotes awkward identifiers so they round-trip through CREATE, INSERT and SELECT', async () => {
    const names = ['my_model', 'my table', 'quote"d', "it's", 'ünïcødé'];
    for (const [i, name] of names.entries()) {
      const rel = w.relation('DEV', 'DEV_ALICE', name);
      const col = w.quoteIdent(`${name} col`);
      await w.exec(`CREATE TABLE ${rel} (${col} VARCHAR, n INTEGER)`);
      await w.exec(`INSERT INTO ${rel} VALUES ({v}, {i})`, { v: `value of ${name}`, i });
      assert.deepEqual(await w.query(`SELECT ${col} AS v, n FROM ${rel}`), [{ v: `value of ${name}`, n: i }]);
    }
    assert.deepEqual(await w.query('SELECT count(*) AS c FROM DEV.DEV_ALICE.my_model'), [{ c: 1 }], 'the quoted upper-case name is the unquoted one');
  });

  it('clones prod into dev as TRANSIENT, and falls back when Snowflake refuses the kind', async () => {
    const prodPermanent = w.relation('PROD', 'CORE', 'fact_volumes');
    const prodTransient = w.relation('PROD', 'CORE', 'ez_metrics');
    await w.exec(`CREATE TABLE ${prodPermanent} (d DATE, volume DOUBLE)`);
    await w.exec(`CREATE TRANSIENT TABLE ${prodTransient} (d DATE, value DOUBLE)`);
    await w.exec(`INSERT INTO ${prodPermanent} VALUES ({d}, 1676000000.5)`, { d: sqlDate('2026-04-08') });
    await w.exec(`INSERT INTO ${prodTransient} VALUES ({d}, 7)`, { d: sqlDate('2026-04-08') });

    // The seed's step 2: a transient dev clone of a permanent prod table, no fallback needed.
    const devVolumes = w.relation('DEV', 'DEV_ALICE', 'fact_volumes');
    const a = await w.cloneTable(devVolumes, prodPermanent);
    assert.deepEqual(a, { statement: `CREATE OR REPLACE TRANSIENT TABLE ${devVolumes} CLONE ${prodPermanent}`, kind: 'transient', fellBack: false, refusal: null });
    assert.ok(server.isTransient('DEV.DEV_ALICE.FACT_VOLUMES'));
    assert.deepEqual(await w.query(`SELECT d, volume FROM ${devVolumes}`), [{ d: '2026-04-08', volume: 1676000000.5 }]);

    // A permanent clone of a transient table is refused; the clone is made transient instead, and says so.
    const devMetrics = w.relation('DEV', 'DEV_ALICE', 'ez_metrics');
    const b = await w.cloneTable(devMetrics, prodTransient, { prefer: 'permanent' });
    assert.equal(b.kind, 'transient');
    assert.equal(b.fellBack, true);
    assert.match(b.refusal ?? '', /Transient object cannot be cloned to a permanent object/);
    assert.equal(b.statement, `CREATE OR REPLACE TRANSIENT TABLE ${devMetrics} CLONE ${prodTransient}`);
    assert.deepEqual(server.queries.slice(-2), [`CREATE OR REPLACE TABLE ${devMetrics} CLONE ${prodTransient}`, b.statement]);
    assert.deepEqual(await w.query(`SELECT value FROM ${devMetrics}`), [{ value: 7 }]);

    // Any other error is not swallowed by the fallback.
    await expectWarehouseError(w.cloneTable(w.relation('DEV', 'DEV_ALICE', 'x'), w.relation('PROD', 'CORE', 'missing')), 'query', /Snowflake error 002003/);
  });

  // Last: it drops the connection.
  it('a connection dropped mid-query is a clear error; the driver recovers when the endpoint is back', async () => {
    server.dropConnectionOnNextQuery();
    const dropped = 'SELECT count(*) AS n FROM DEV.DEV_ALICE.fact_volumes';
    const err = await expectWarehouseError(
      w.query(dropped),
      'connection',
      /The connection to Snowflake at http:\/\/127\.0\.0\.1:\d+ was dropped while the statement ran/,
      /Check the network/,
    );
    assert.ok(!err.message.includes(PASSWORD));
    // The SDK keeps retrying in the background (its first back-off is 1 to 3 s); with the endpoint back, its retry
    // lands, which also ends the retry loop that would otherwise keep this process alive.
    await server.resume();
    await pollUntil('the SDK retries the dropped statement', () => Promise.resolve(server.queries.includes(dropped) ? true : undefined), { timeoutMs: 20_000 });
    assert.deepEqual(await w.query('SELECT 1 AS ok'), [{ ok: 1 }]);
  });
});
