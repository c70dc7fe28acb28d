/**
 * What ClickHouseWarehouse must do on every ClickHouse it talks to: run by clickhouseServer.test.ts (Debian's
 * 18.16 over HTTP) and chdb.test.ts (embedded 26.x). Each test makes its own database and drops it.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { sqlDate, WarehouseError, type Capabilities, type ClickHouseWarehouse } from '../../src/core/warehouse';
import { pollUntil } from '../support/pollUntil';

export interface ClickHouseUnderTest {
  warehouse(): ClickHouseWarehouse;
  /** The capabilities this engine must report (version checked by prefix). */
  expected: Omit<Capabilities, 'version'> & { versionPrefix: string };
  /** Where KILL MUTATION is missing (18.16): follow the manual steps the error gives, to prove they work. */
  killByHand?: (err: WarehouseError, m: { database: string; table: string; mutationId: string }) => Promise<void>;
}

export async function expectWarehouseError(p: Promise<unknown>, kind: WarehouseError['kind'], ...patterns: RegExp[]): Promise<WarehouseError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WarehouseError, `expected WarehouseError, got ${(err as Error)?.stack ?? String(err)}`);
    assert.equal(err.kind, kind, err.message);
    for (const pat of patterns) assert.match(err.message, pat);
    return err;
  }
  assert.fail(`expected a ${kind} WarehouseError`);
}

export function clickhouseContract(engine: ClickHouseUnderTest): void {
  describe('the ClickHouse contract', () => clickhouseTests(engine));
}

function clickhouseTests(engine: ClickHouseUnderTest): void {
  let db: string;
  const w = (): ClickHouseWarehouse => engine.warehouse();

  beforeEach(async () => {
    db = `dbt recovery ü ${randomUUID().slice(0, 8)}`;
    await w().exec(`CREATE DATABASE ${w().quoteIdent(db)}`);
  });
  afterEach(async () => {
    await w().exec(`DROP DATABASE IF EXISTS ${w().quoteIdent(db)}`);
  });

  it('probes its capabilities', async () => {
    const caps = await w().capabilities();
    const { versionPrefix, ...rest } = engine.expected;
    assert.ok(caps.version.startsWith(versionPrefix), `version ${caps.version}`);
    assert.deepEqual({ ...caps, version: undefined }, { ...rest, version: undefined });
  });

  it('quotes awkward identifiers so they round-trip through CREATE, INSERT and SELECT', async () => {
    const names = ['my table', 'quote"d', "it's", 'back`tick', 'back\\slash', 'ünïcødé 表', 'select'];
    for (const [i, name] of names.entries()) {
      const rel = w().relation(null, db, name);
      const col = w().quoteIdent(`${name} col`);
      await w().exec(`CREATE TABLE ${rel} (${col} String, n UInt32) ENGINE = MergeTree() ORDER BY n`);
      await w().exec(`INSERT INTO ${rel} SELECT {v} AS ${col}, {i} AS n`, { v: `value of ${name}`, i });
      const rows = await w().query<Record<string, unknown>>(`SELECT ${col}, n FROM ${rel}`);
      assert.deepEqual(rows, [{ [`${name} col`]: `value of ${name}`, n: i }]);
    }
    const tables = await w().query<{ name: string }>('SELECT name FROM system.tables WHERE database = {db} ORDER BY name', { db });
    assert.deepEqual(tables.map((t) => t.name).sort(), [...names].sort());
  });

  it('binds values (parameters where the server has them, checked literals where not) and refuses bad ones before sending', async () => {
    const caps = await w().capabilities();
    const values = { s: "it's a \\ 'test' {x}", d: sqlDate('2024-02-29'), i: -42, f: 2.5, b: 12345678901234567n, z: null };
    const [row] = await w().query<Record<string, unknown>>(
      'SELECT {s} AS s, toString({d}) AS d, {i} AS i, {f} AS f, toString({b}) AS b, isNull({z}) AS z',
      values,
    );
    // Int64 comes back quoted or not depending on output_format_json_quote_64bit_integers (chdb: not).
    assert.deepEqual({ ...row, i: Number(row?.i) }, { s: values.s, d: '2024-02-29', i: -42, f: 2.5, b: '12345678901234567', z: 1 });
    assert.equal(caps.queryParameters, engine.expected.queryParameters);
    await expectWarehouseError((async () => w().query('SELECT {d} AS d', { d: sqlDate('2026-02-30') }))(), 'invalid-input', /not a real calendar date/);
    await expectWarehouseError(w().query('SELECT {s} AS s', { s: 'a\0b' }), 'invalid-input', /NUL/);
    await expectWarehouseError(w().query('SELECT {missing} AS s', {}), 'invalid-input', /no value was given/);
  });

  describe('OPTIMIZE ... PARTITION', () => {
    // Background merges are kept from running by a size cap of one byte: OPTIMIZE FINAL ignores the cap, so the
    // duplicates stay until the OPTIMIZE under test merges them. (SYSTEM STOP MERGES would block OPTIMIZE too.)
    async function tableWithDuplicates(name: string): Promise<string> {
      const rel = w().relation(null, db, name);
      await w().exec(
        `CREATE TABLE ${rel} (date Date, k String, v Float64) ENGINE = ReplacingMergeTree() PARTITION BY toStartOfMonth(date) ORDER BY (date, k) ` +
          'SETTINGS max_bytes_to_merge_at_max_space_in_pool = 1',
      );
      for (const v of [1, 2, 3]) {
        await w().exec(`INSERT INTO ${rel} VALUES ('2026-04-17', 'a', ${v})`);
        await w().exec(`INSERT INTO ${rel} VALUES ('2026-03-17', 'a', ${v})`);
      }
      return rel;
    }
    const rowsByMonth = async (rel: string): Promise<Record<string, number>> =>
      Object.fromEntries(
        (await w().query<{ m: string; c: string }>(`SELECT toString(toStartOfMonth(date)) AS m, count() AS c FROM ${rel} GROUP BY m ORDER BY m`)).map((r) => [r.m, Number(r.c)]),
      );

    it('on the right partition collapses the duplicates of that partition only', async () => {
      const rel = await tableWithDuplicates('int_balances');
      assert.deepEqual(await rowsByMonth(rel), { '2026-03-01': 3, '2026-04-01': 3 });
      const caps = await w().capabilities();
      const r = await w().optimizePartition(db, 'int_balances', '2026-04-01');
      assert.equal(r.statement.sql, `OPTIMIZE TABLE ${rel} PARTITION '2026-04-01' FINAL DEDUPLICATE`);
      assert.deepEqual(r.statement.settings, caps.optimizeThrowIfNoop ? { optimize_throw_if_noop: 1 } : {});
      assert.deepEqual(r.partition, { partition: '2026-04-01', partitionId: '20260401', parts: 3, rows: 3 });
      assert.deepEqual(await rowsByMonth(rel), { '2026-03-01': 3, '2026-04-01': 1 });
      const [kept] = await w().query<{ v: number }>(`SELECT v FROM ${rel} WHERE date = '2026-04-17'`);
      assert.equal(kept?.v, 3, 'ReplacingMergeTree keeps the last inserted row');
      // A second pass (the refill runs two) is not a no-op error: FINAL re-merges a single part.
      await w().optimizePartition(db, 'int_balances', '2026-04-01');
    });

    it('with a literal that matches no partition is an error, not a silent no-op', async () => {
      const rel = await tableWithDuplicates('int_supply');
      // The trap, measured: on 18.16 and on 26.x alike the raw statement does nothing and says nothing...
      await w().exec(`OPTIMIZE TABLE ${rel} PARTITION '2026-04-15' FINAL DEDUPLICATE`);
      assert.deepEqual(await rowsByMonth(rel), { '2026-03-01': 3, '2026-04-01': 3 });
      // ...optimize_throw_if_noop turns it into error 388 everywhere...
      await expectWarehouseError(
        w().exec(`OPTIMIZE TABLE ${rel} PARTITION '2026-04-15' FINAL DEDUPLICATE`, undefined, { settings: { optimize_throw_if_noop: 1 } }),
        'query',
        /ClickHouse error 388/,
      );
      // ...and optimizePartition refuses before sending anything, saying which partition was meant.
      await expectWarehouseError(
        w().optimizePartition(db, 'int_supply', '2026-04-15'),
        'invalid-input',
        /No active partition of .*int_supply \(partition key toStartOfMonth\(date\)\) matches '2026-04-15', so OPTIMIZE would silently do nothing/,
        /Active partitions: 2026-03-01, 2026-04-01\./,
        /the partition holding 2026-04-15 is '2026-04-01'/,
      );
      await expectWarehouseError(w().optimizePartition(db, 'int_supply', '20260401'), 'invalid-input', /20260401 is the partition ID of 2026-04-01/);
      await expectWarehouseError(w().optimizePartition(db, 'int_supply', '2026-05-01'), 'invalid-input', /'2026-05-01', which has no rows yet/);
      // A literal that is not the month the key makes stays an error when empty months are skipped.
      for (const wrong of ['2026-04-15', '20260401', '202605', '2026-13-01']) {
        await expectWarehouseError(w().optimizePartition(db, 'int_supply', wrong, { emptyMonth: 'skip' }), 'invalid-input', /so OPTIMIZE would silently do nothing/);
      }
      assert.deepEqual(await rowsByMonth(rel), { '2026-03-01': 3, '2026-04-01': 3 }, 'nothing was merged');
      await expectWarehouseError(w().optimizePartition(db, 'no_such_table', '2026-04-01'), 'invalid-input', /does not exist/);
    });

    it("with emptyMonth: 'skip', a well-formed month the table has no rows for is reported, nothing sent", async () => {
      const rel = await tableWithDuplicates('sparse');
      const empty = await w().optimizePartition(db, 'sparse', '2026-05-01', { emptyMonth: 'skip' });
      assert.deepEqual(empty, { statement: null, partition: null, emptyMonth: '2026-05' });
      // The table's own partitions are still optimized as ever.
      const april = await w().optimizePartition(db, 'sparse', '2026-04-01', { emptyMonth: 'skip' });
      assert.equal(april.statement?.sql, `OPTIMIZE TABLE ${rel} PARTITION '2026-04-01' FINAL DEDUPLICATE`);
      assert.deepEqual(await rowsByMonth(rel), { '2026-03-01': 3, '2026-04-01': 1 });
      // A key in parentheses (26.x shows it so), and a toYYYYMM key with its number.
      const byNumber = w().relation(null, db, 'sparse_yyyymm');
      await w().exec(`CREATE TABLE ${byNumber} (date Date, k String) ENGINE = ReplacingMergeTree() PARTITION BY (toYYYYMM(date)) ORDER BY k`);
      await w().exec(`INSERT INTO ${byNumber} VALUES ('2026-03-17', 'a')`);
      assert.deepEqual(await w().optimizePartition(db, 'sparse_yyyymm', '202604', { emptyMonth: 'skip' }), { statement: null, partition: null, emptyMonth: '2026-04' });
      assert.deepEqual(await w().optimizePartition(db, 'sparse_yyyymm', 202612, { emptyMonth: 'skip' }), { statement: null, partition: null, emptyMonth: '2026-12' });
      await expectWarehouseError(w().optimizePartition(db, 'sparse_yyyymm', '2026-04-01', { emptyMonth: 'skip' }), 'invalid-input', /matches '2026-04-01'/);
      // An empty table has every month empty; a table partitioned by day has no month to skip.
      const daily = w().relation(null, db, 'daily');
      await w().exec(`CREATE TABLE ${daily} (date Date, k String) ENGINE = ReplacingMergeTree() PARTITION BY date ORDER BY k`);
      await expectWarehouseError(w().optimizePartition(db, 'daily', '2026-04-01', { emptyMonth: 'skip' }), 'invalid-input', /Active partitions: none \(the table is empty\)/);
      const emptyMonthly = w().relation(null, db, 'empty_monthly');
      await w().exec(`CREATE TABLE ${emptyMonthly} (date Date, k String) ENGINE = ReplacingMergeTree() PARTITION BY toStartOfMonth(date) ORDER BY k`);
      assert.deepEqual(await w().optimizePartition(db, 'empty_monthly', '2026-04-01', { emptyMonth: 'skip' }), { statement: null, partition: null, emptyMonth: '2026-04' });
      // Without the option, an empty month is refused as before.
      await expectWarehouseError(w().optimizePartition(db, 'empty_monthly', '2026-04-01'), 'invalid-input', /which has no rows yet/);
    });

    it('names numeric partitions and tuples correctly, and refuses unpartitioned tables', async () => {
      const yyyymm = w().relation(null, db, 'by_yyyymm');
      await w().exec(`CREATE TABLE ${yyyymm} (m UInt32, k String) ENGINE = ReplacingMergeTree() PARTITION BY m ORDER BY k SETTINGS max_bytes_to_merge_at_max_space_in_pool = 1`);
      await w().exec(`INSERT INTO ${yyyymm} VALUES (202604, 'a')`);
      await w().exec(`INSERT INTO ${yyyymm} VALUES (202604, 'a')`);
      const a = await w().optimizePartition(db, 'by_yyyymm', '202604');
      assert.equal(a.statement.sql, `OPTIMIZE TABLE ${yyyymm} PARTITION 202604 FINAL DEDUPLICATE`);
      assert.deepEqual(await w().query(`SELECT count() AS c FROM ${yyyymm}`), [{ c: '1' }]);

      const tuple = w().relation(null, db, 'by_tuple');
      await w().exec(`CREATE TABLE ${tuple} (k String, d Date) ENGINE = ReplacingMergeTree() PARTITION BY (k, d) ORDER BY k SETTINGS max_bytes_to_merge_at_max_space_in_pool = 1`);
      await w().exec(`INSERT INTO ${tuple} VALUES ('x', '2026-01-01')`);
      await w().exec(`INSERT INTO ${tuple} VALUES ('x', '2026-01-01')`);
      const [part] = await w().activePartitions(db, 'by_tuple');
      const b = await w().optimizePartition(db, 'by_tuple', { id: part!.partitionId });
      assert.equal(b.statement.sql, `OPTIMIZE TABLE ${tuple} PARTITION ID '${part!.partitionId}' FINAL DEDUPLICATE`);
      assert.deepEqual(await w().query(`SELECT count() AS c FROM ${tuple}`), [{ c: '1' }]);

      await w().exec(`CREATE TABLE ${w().relation(null, db, 'flat')} (k String) ENGINE = MergeTree() ORDER BY k`);
      await expectWarehouseError(w().optimizePartition(db, 'flat', '2026-04-01'), 'invalid-input', /is not partitioned/, /without PARTITION/);
    });

    it('explains an OPTIMIZE cancelled because merges are stopped', async () => {
      const rel = await tableWithDuplicates('stopped');
      await w().exec(`SYSTEM STOP MERGES ${rel}`);
      await expectWarehouseError(w().optimizePartition(db, 'stopped', '2026-04-01'), 'query', /merges are stopped on it \(SYSTEM STOP MERGES\)/, /SYSTEM START MERGES/);
      await w().exec(`SYSTEM START MERGES ${rel}`);
    });
  });

  describe('mutations', () => {
    it('finds an ALTER TABLE ... DELETE that cannot finish (merges stopped) and kills it where the server can', async () => {
      const caps = await w().capabilities();
      const rel = w().relation(null, db, 'poisoned');
      await w().exec(`CREATE TABLE ${rel} (date Date, k String) ENGINE = MergeTree() PARTITION BY toStartOfMonth(date) ORDER BY k`);
      await w().exec(`INSERT INTO ${rel} VALUES ('2026-04-01', 'a'), ('2026-03-01', 'b')`);
      await w().exec(`SYSTEM STOP MERGES ${rel}`);
      // mutations_sync = 0 where it exists: chdb waits for the mutation by default, and this one never ends.
      await w().exec(`ALTER TABLE ${rel} DELETE WHERE k = 'a'`, undefined, caps.mutationsSync ? { settings: { mutations_sync: 0 } } : {});
      const pending = await w().pendingMutations(db);
      assert.equal(pending.length, 1);
      const m = pending[0]!;
      assert.deepEqual([m.database, m.table, m.partsToDo], [db, 'poisoned', 2]);
      assert.match(m.command, /^\(?DELETE WHERE k = 'a'\)?$/, '26.x wraps the command in parentheses');
      assert.match(m.mutationId, /^mutation_\d+\.txt$/);
      assert.equal(m.latestFailReason, caps.mutationFailReason ? '' : null);
      assert.ok((await w().pendingMutations()).some((p) => p.mutationId === m.mutationId && p.database === db), 'found across all databases too');
      if (caps.killMutation) {
        const s = await w().killMutation(m);
        assert.match(s.sql, /^KILL MUTATION WHERE database = '.*' AND table = 'poisoned' AND mutation_id = 'mutation_\d+\.txt'$/);
        assert.deepEqual(await w().pendingMutations(db), []);
      } else {
        const err = await expectWarehouseError(w().killMutation(m), 'unsupported', /has no KILL MUTATION/, new RegExp(`remove the file .*/${m.mutationId.replace('.', '\\.')}, then run DETACH TABLE`));
        assert.match(err.remedy, /KILL MUTATION WHERE database = /);
        await engine.killByHand?.(err, m);
      }
      await w().exec(`SYSTEM START MERGES ${rel}`);
    });

    it("finds the seed's poisoned mutation: a DELETE that reads a dropped __dbt_new_data_* table", async () => {
      const caps = await w().capabilities();
      const rel = w().relation(null, db, 'int_balances');
      const tmp = w().relation(null, db, '__dbt_new_data_1a2b');
      await w().exec(`CREATE TABLE ${rel} (k String) ENGINE = MergeTree() ORDER BY k`);
      await w().exec(`INSERT INTO ${rel} VALUES ('a'), ('b')`);
      await w().exec(`CREATE TABLE ${tmp} (k String) ENGINE = MergeTree() ORDER BY k`);
      await w().exec(`INSERT INTO ${tmp} VALUES ('a')`);
      // A delete+insert killed between its DELETE and the cleanup of its temporary table.
      await w().exec(`SYSTEM STOP MERGES ${rel}`);
      await w().exec(`ALTER TABLE ${rel} DELETE WHERE k IN (SELECT k FROM ${tmp})`, undefined, caps.mutationsSync ? { settings: { mutations_sync: 0 } } : {});
      await w().exec(`DROP TABLE ${tmp}`);
      await w().exec(`SYSTEM START MERGES ${rel}`);
      const [m] = await w().pendingMutations(db);
      assert.match(m?.command ?? '', /__dbt_new_data_1a2b/);
      if (caps.mutationFailReason) {
        const failing = await pollUntil('the mutation records its failure', async () => {
          const [p] = await w().pendingMutations(db);
          return p?.latestFailReason ? p : undefined;
        });
        assert.match(failing.latestFailReason!, /UNKNOWN_TABLE/);
        assert.match(failing.latestFailReason!, /__dbt_new_data_1a2b/);
        await w().killMutation(failing);
        assert.deepEqual(await w().pendingMutations(db), []);
      } else {
        assert.equal(m?.latestFailReason, null, '18.16 does not record why');
        const err = await expectWarehouseError(w().killMutation(m), 'unsupported', /has no KILL MUTATION/);
        await engine.killByHand?.(err, m);
      }
    });
  });
}
