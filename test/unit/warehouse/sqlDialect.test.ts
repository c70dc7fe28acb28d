import { strict as assert } from 'node:assert';
import {
  bindPlaceholders,
  clickhouseDialect as ch,
  cloneTableSql,
  duckdbDialect as duck,
  isIsoDate,
  killMutationSql,
  optimizePartitionSql,
  pendingMutationsSql,
  snowflakeDialect as sf,
  sqlDate,
  statementText,
  WarehouseError,
  type SqlParam,
} from '../../../src/core/warehouse';

function refused(fn: () => unknown, ...patterns: RegExp[]): WarehouseError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WarehouseError, `expected WarehouseError, got ${String(err)}`);
    assert.equal(err.kind, 'invalid-input');
    for (const p of patterns) assert.match(err.message, p);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('warehouse: quoting and literals (pure)', () => {
  it('ClickHouse identifiers: backticks with backslash escapes', () => {
    assert.equal(ch.quoteIdent('t'), '`t`');
    assert.equal(ch.quoteIdent('a`b'), '`a\\`b`');
    assert.equal(ch.quoteIdent('a\\b'), '`a\\\\b`');
    assert.equal(ch.quoteIdent('my table "x" ü'), '`my table "x" ü`');
    assert.equal(ch.relation(null, 'dbt', 'int_x'), '`dbt`.`int_x`');
    assert.equal(ch.relation('dbt', 'dbt', 'int_x'), '`dbt`.`int_x`', 'dbt-clickhouse manifests repeat the schema as database');
    refused(() => ch.relation('other', 'dbt', 'x'), /no level above the database/);
  });

  it('DuckDB and Snowflake identifiers: double quotes doubled; Snowflake folds plain names to upper case', () => {
    assert.equal(duck.quoteIdent('a"b'), '"a""b"');
    assert.equal(duck.relation('memory', 'main', 't'), '"memory"."main"."t"');
    assert.equal(duck.relation(null, 'main', 't'), '"main"."t"');
    assert.equal(sf.quoteIdent('my_model'), '"MY_MODEL"', 'what unquoted my_model resolves to, also for reserved words');
    assert.equal(sf.quoteIdent('select'), '"SELECT"');
    assert.equal(sf.quoteIdent('Mixed Case'), '"Mixed Case"');
    assert.equal(sf.quoteIdent('a"b'), '"a""b"');
    assert.equal(sf.quoteIdent('ünï'), '"ünï"', 'not a valid unquoted name: kept as is');
    assert.equal(sf.relation('DEV', 'DEV_alice', 'fact_x'), '"DEV"."DEV_ALICE"."FACT_X"');
  });

  it('refuses empty names and NUL characters, saying why', () => {
    for (const d of [ch, duck, sf]) {
      refused(() => d.quoteIdent(''), /is empty/);
      refused(() => d.quoteIdent('a\0b'), /NUL character/);
      refused(() => d.relation(null, '', 't'), /schema|database/, /is empty/);
    }
    refused(() => sf.quoteIdent('x'.repeat(256)), /255/);
  });

  it('string literals escape what each engine reads', () => {
    assert.equal(ch.quoteLiteral("it's \\ ok"), "'it\\'s \\\\ ok'");
    assert.equal(duck.quoteLiteral("it's \\ ok"), "'it''s \\ ok'", 'DuckDB reads no backslash escapes');
    assert.equal(sf.quoteLiteral("it's \\ ok"), "'it''s \\\\ ok'", 'Snowflake reads backslash escapes');
    for (const d of [ch, duck, sf]) refused(() => d.quoteLiteral('a\0'), /NUL/);
  });

  it('numbers, booleans, NULL and dates', () => {
    assert.equal(ch.quoteLiteral(1.5), '1.5');
    assert.equal(ch.quoteLiteral(12345678901234567890n), '12345678901234567890');
    assert.equal(ch.quoteLiteral(true), '1', '18.16 has no Bool');
    assert.equal(duck.quoteLiteral(false), 'FALSE');
    assert.equal(sf.quoteLiteral(null), 'NULL');
    assert.equal(ch.quoteLiteral(sqlDate('2026-04-17')), "toDate('2026-04-17')");
    assert.equal(duck.quoteLiteral(sqlDate('2026-04-17')), "DATE '2026-04-17'");
    assert.equal(sf.quoteLiteral(sqlDate('2024-02-29')), "DATE '2024-02-29'");
    for (const bad of [NaN, Infinity, -Infinity]) refused(() => ch.quoteLiteral(bad), /not a finite number/);
    refused(() => ch.quoteLiteral({} as unknown as SqlParam), /cannot be a SQL value/);
  });

  it('dates must be YYYY-MM-DD and real', () => {
    assert.ok(isIsoDate('2024-02-29'));
    assert.ok(!isIsoDate('2026-02-29'));
    refused(() => sqlDate('2026-02-30'), /not a real calendar date/);
    refused(() => sqlDate('2026-13-01'), /not a real calendar date/);
    refused(() => sqlDate('2026-4-1'), /YYYY-MM-DD/);
    refused(() => sqlDate("2026-04-01' OR 1=1 --"), /YYYY-MM-DD/);
    refused(() => sqlDate('20260401'), /YYYY-MM-DD/);
    assert.equal(sqlDate('2026-04-17').iso, '2026-04-17');
  });
});

describe('warehouse: {name} placeholders (pure)', () => {
  const lit = (_n: string, v: SqlParam): string => ch.quoteLiteral(v);

  it('replaces placeholders outside strings, quoted names and comments', () => {
    const sql = "SELECT '{a}', `{a}`, \"{a}\" -- {a}\n/* {a} */ FROM t WHERE x = {a} AND d >= {d}";
    assert.equal(
      bindPlaceholders(sql, { a: "o'k", d: sqlDate('2026-04-01') }, 'clickhouse', lit),
      "SELECT '{a}', `{a}`, \"{a}\" -- {a}\n/* {a} */ FROM t WHERE x = 'o\\'k' AND d >= toDate('2026-04-01')",
    );
  });

  it('knows where each engine ends a string: backslashes escape in ClickHouse and Snowflake, not in DuckDB', () => {
    // In ClickHouse `'a\' {x}'` is one string, so {x} is text in it and the value is unused.
    refused(() => bindPlaceholders("SELECT 'a\\' {x}'", { x: 1 }, 'clickhouse', () => '?'), /not used/);
    assert.equal(bindPlaceholders("SELECT 'a\\', {x}", { x: 1 }, 'duckdb', () => '$x'), "SELECT 'a\\', $x");
  });

  it('leaves ClickHouse {name:Type} and map literals alone', () => {
    assert.equal(bindPlaceholders("SELECT {p:UInt8}, map('a', 1), {'k': 1}", undefined, 'clickhouse', lit), "SELECT {p:UInt8}, map('a', 1), {'k': 1}");
  });

  it('a placeholder without value, or a value without placeholder, is an error', () => {
    refused(() => bindPlaceholders('SELECT {a}', {}, 'duckdb', lit), /uses \{a\}, but no value/);
    refused(() => bindPlaceholders('SELECT 1', { a: 1 }, 'duckdb', lit), /a are not used/);
    refused(() => bindPlaceholders('SELECT {a}', { a: Number.NaN }, 'duckdb', lit), /a is NaN/);
  });
});

describe('warehouse: ClickHouse and Snowflake statement builders (pure)', () => {
  it('OPTIMIZE PARTITION with the no-op guard as a request setting, not a SETTINGS clause (18.16 refuses the clause)', () => {
    const s = optimizePartitionSql('dbt', 'int_x', '2026-04-01', { throwIfNoop: true });
    assert.deepEqual(s, { sql: "OPTIMIZE TABLE `dbt`.`int_x` PARTITION '2026-04-01' FINAL DEDUPLICATE", settings: { optimize_throw_if_noop: 1 } });
    assert.equal(statementText(s), "OPTIMIZE TABLE `dbt`.`int_x` PARTITION '2026-04-01' FINAL DEDUPLICATE  -- with optimize_throw_if_noop = 1");
    assert.equal(optimizePartitionSql('dbt', 't', 202604, { throwIfNoop: false, deduplicate: false }).sql, 'OPTIMIZE TABLE `dbt`.`t` PARTITION 202604 FINAL');
    assert.equal(optimizePartitionSql('dbt', 't', { id: 'f290b2' }, { throwIfNoop: false }).sql, "OPTIMIZE TABLE `dbt`.`t` PARTITION ID 'f290b2' FINAL DEDUPLICATE");
    assert.deepEqual(optimizePartitionSql('dbt', 't', { id: 'x' }, { throwIfNoop: false }).settings, {});
    refused(() => optimizePartitionSql('dbt', 't', '', { throwIfNoop: true }), /partition literal is empty/);
    refused(() => optimizePartitionSql('dbt', 't', 1.5, { throwIfNoop: true }), /not an integer/);
  });

  it('mutations: latest_fail_reason only where the server has it; KILL MUTATION by id', () => {
    assert.match(pendingMutationsSql(null, { failReason: true }).sql, /latest_fail_reason FROM system\.mutations WHERE is_done = 0 ORDER BY/);
    assert.match(pendingMutationsSql('dbt', { failReason: false }).sql, /'' AS latest_fail_reason FROM system\.mutations WHERE is_done = 0 AND database = 'dbt'/);
    assert.equal(killMutationSql('dbt', "t'x", 'mutation_4.txt').sql, "KILL MUTATION WHERE database = 'dbt' AND table = 't\\'x' AND mutation_id = 'mutation_4.txt'");
  });

  it('Snowflake clone statements', () => {
    const dev = sf.relation('DEV', 'DEV_ALICE', 'fact_x');
    const prod = sf.relation('PROD', 'CORE', 'fact_x');
    assert.equal(cloneTableSql(dev, prod, 'transient'), 'CREATE OR REPLACE TRANSIENT TABLE "DEV"."DEV_ALICE"."FACT_X" CLONE "PROD"."CORE"."FACT_X"');
    assert.equal(cloneTableSql(prod, dev, 'permanent'), 'CREATE OR REPLACE TABLE "PROD"."CORE"."FACT_X" CLONE "DEV"."DEV_ALICE"."FACT_X"');
  });
});
