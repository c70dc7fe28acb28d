/**
 * TEST CODE: the 2026 price-gap incident's world on a real ClickHouse, for test/run/priceGapIncident.test.ts. The
 * example project's (examples/price-gap) sources, seeds and snapshot with a few days of data around a month start,
 * its models built by the dbt stand-in with the ClickHouse executor (test/dbt-standin/clickhouseExecutor.ts) as the
 * daily runs left them while Dune's price export had skipped GAP_DAY, then the backfill of that day's prices.
 *
 * The data, small enough to check by hand (amounts in whole tokens; 18 decimals on chain):
 * - GNO balance changes (execution.balance_diffs), every day DAYS[0]..TODAY: on DAYS[0] the treasury gets 1000, the
 *   Gnosis Pay safe 600 and a plain holder 400; every later day the treasury sends 10, 5 to each of the others. So
 *   every holder has a row every day, holders = 3 and supply = 2000 on every day (transfers move, never mint).
 * - Prices (dune.prices): GNO 120 USD and EUR 1.1 USD every day but GAP_DAY, which has none until `backfillPrices`
 *   writes GNO 125 and EUR 1.1 for it (a newer updated_at, as Dune's backfill). So supply_usd is 240000 a day,
 *   250000 on GAP_DAY once refilled, and 0 on GAP_DAY before.
 * - Gnosis Pay: one wallet in the snapshot, one 20 EURe card payment a day (int_execution_gpay_activity).
 * - Pools: one pool, a swap selling GNO with a 0.5 GNO fee and a 500 GNO reserve every day.
 *
 * Every MergeTree table the executor creates gets `max_bytes_to_merge_at_max_space_in_pool = 1`: no background merge
 * ever joins two parts (as production's lazy merges, but deterministic), while OPTIMIZE ... FINAL still does.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ClickHouseWarehouse } from '../../src/core/warehouse/clickhouseWarehouse';

export const DAYS = ['2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31', '2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04', '2026-04-05'];
/** The day Dune's export skipped. */
export const GAP_DAY = '2026-04-02';
export const TODAY = '2026-04-05';
export const MONTH = '2026-04-01';

export const GNO = '0x9c58bacc331c9aa871afd802db6379a98e80cedb';
export const EURE = '0xcb444e90d8198415266c6a2724b7900fb12fc56e';
/** In the address_sectors seed: Treasury. */
export const TREASURY = '0x849d52316331967b6ff1198e5e32a0eb168d039d';
/** In the address_sectors seed: Gnosis Pay. */
export const PAY_SAFE = '0xa818f1b57c201e092c4a2017a91815034326efd1';
/** In no sector. */
export const HOLDER = '0x1111111111111111111111111111111111111111';
export const CARD_WALLET = '0x2222222222222222222222222222222222222222';
export const POOL = '0x3333333333333333333333333333333333333333';
/** Gnosis Pay's spender module: a transfer to it from a card wallet is a Payment (int_execution_gpay_activity). */
const SPENDER = '0x4822521e6135cd2599199c83ea35179229a172ee';

export const GNO_PRICE = 120;
export const GNO_PRICE_GAP_DAY = 125;
export const EUR_PRICE = 1.1;

/** The databases the example project writes and reads (its target schema and its sources' schemas). */
export const DATABASES = ['dbt', 'execution', 'dune'] as const;

const E18 = '000000000000000000';

/** A GNO holder's balance at the end of `day`, in GNO, as the data above defines it. */
export function gnoBalance(address: string, day: string): number {
  const k = DAYS.indexOf(day);
  if (k < 0) throw new Error(`${day} is not a day of the scenario`);
  if (address === TREASURY) return 1000 - 10 * k;
  if (address === PAY_SAFE) return 600 + 5 * k;
  if (address === HOLDER) return 400 + 5 * k;
  throw new Error(`${address} holds no GNO here`);
}

export interface StandinResult {
  code: number | null;
  output: string;
}

export class PriceGapWorld {
  constructor(
    private readonly w: ClickHouseWarehouse,
    /** The temp copy of examples/price-gap (with target/manifest.json). */
    readonly projectDir: string,
    /** The dbt stand-in's executable (test/dbt-standin/dbt.mjs). */
    private readonly standin: string,
    /** DBT_STANDIN_EXECUTOR and the executor's settings. */
    readonly dbtEnv: Readonly<Record<string, string>>,
  ) {}

  /** Sources, seeds and the snapshot, with every day's data except GAP_DAY's prices. */
  async createSources(): Promise<void> {
    const w = this.w;
    await this.drop();
    for (const db of DATABASES) await w.exec(`CREATE DATABASE ${db}`);

    // Seeds, as `dbt seed` loads them (column_types from dbt_project.yml).
    await w.exec('CREATE TABLE dbt.tokens_whitelist (address String, symbol String, decimals UInt8, price_symbol String, token_class String) ENGINE = MergeTree() ORDER BY address');
    await w.exec('CREATE TABLE dbt.address_sectors (address String, sector String) ENGINE = MergeTree() ORDER BY address');
    for (const seed of ['tokens_whitelist', 'address_sectors']) {
      const lines = readFileSync(path.join(this.projectDir, 'seeds', `${seed}.csv`), 'utf8').trim().split('\n').slice(1);
      const rows = lines.map((l) => `(${l.split(',').map((v) => (/^\d+$/.test(v) ? v : w.quoteLiteral(v))).join(', ')})`);
      await w.exec(`INSERT INTO dbt.${seed} VALUES ${rows.join(', ')}`);
    }
    // The snapshot's table, as `dbt snapshot` leaves it: one current row per card wallet.
    await w.exec(
      'CREATE TABLE dbt.gpay_wallets_snapshot (wallet_address String, owner_address String, status String, updated_at DateTime, dbt_scd_id String, dbt_updated_at DateTime, dbt_valid_from DateTime, dbt_valid_to Nullable(DateTime)) ENGINE = MergeTree() ORDER BY wallet_address',
    );
    await w.exec(`INSERT INTO dbt.gpay_wallets_snapshot VALUES ('${CARD_WALLET}', '0x5555555555555555555555555555555555555555', 'active', '2026-01-10 00:00:00', 'scd1', '2026-01-10 00:00:00', '2026-01-10 00:00:00', NULL)`);

    await w.exec("CREATE TABLE execution.balance_diffs (block_timestamp DateTime64(0, 'UTC'), token_address String, address String, delta_raw Int256) ENGINE = MergeTree() ORDER BY (block_timestamp, token_address, address)");
    const diffs: string[] = [];
    DAYS.forEach((day, k) => {
      const deltas: Array<[string, number]> = k === 0 ? [[TREASURY, 1000], [PAY_SAFE, 600], [HOLDER, 400]] : [[TREASURY, -10], [PAY_SAFE, 5], [HOLDER, 5]];
      for (const [address, gno] of deltas) diffs.push(`('${day} 12:00:00', '${GNO}', '${address}', ${gno}${E18})`);
    });
    await w.exec(`INSERT INTO execution.balance_diffs VALUES ${diffs.join(', ')}`);

    await w.exec(
      "CREATE TABLE execution.transfers (block_timestamp DateTime64(0, 'UTC'), transaction_hash String, log_index UInt32, token_address String, from_address String, to_address String, amount_raw UInt256) ENGINE = MergeTree() ORDER BY (block_timestamp, transaction_hash, log_index)",
    );
    await w.exec(`INSERT INTO execution.transfers VALUES ${DAYS.map((day) => `('${day} 15:00:00', '0xpay${day.replace(/-/g, '')}', 1, '${EURE}', '${CARD_WALLET}', '${SPENDER}', 20${E18})`).join(', ')}`);

    await w.exec("CREATE TABLE execution.pool_swaps (block_timestamp DateTime('UTC'), pool_address String, token_sold_address String, fee_raw UInt256) ENGINE = MergeTree() ORDER BY block_timestamp");
    await w.exec(`INSERT INTO execution.pool_swaps VALUES ${DAYS.map((day) => `('${day} 10:00:00', '${POOL}', '${GNO}', 500000000000000000)`).join(', ')}`);
    await w.exec("CREATE TABLE execution.pool_reserves (block_timestamp DateTime('UTC'), pool_address String, token_address String, reserve_raw UInt256) ENGINE = MergeTree() ORDER BY block_timestamp");
    await w.exec(`INSERT INTO execution.pool_reserves VALUES ${DAYS.map((day) => `('${day} 23:00:00', '${POOL}', '${GNO}', 500${E18})`).join(', ')}`);

    await w.exec('CREATE TABLE dune.prices (block_date Date, symbol String, price Float64, updated_at DateTime) ENGINE = MergeTree() ORDER BY (block_date, symbol)');
    const prices = DAYS.filter((d) => d !== GAP_DAY).flatMap((d) => [`('${d}', 'GNO', ${GNO_PRICE}, '${d} 23:30:00')`, `('${d}', 'EUR', ${EUR_PRICE}, '${d} 23:30:00')`]);
    await w.exec(`INSERT INTO dune.prices VALUES ${prices.join(', ')}`);
  }

  /** Dune backfills the skipped day: the prices view shows it at once; the materialized models do not. */
  async backfillPrices(): Promise<void> {
    await this.w.exec(`INSERT INTO dune.prices VALUES ('${GAP_DAY}', 'GNO', ${GNO_PRICE_GAP_DAY}, '2026-04-06 09:00:00'), ('${GAP_DAY}', 'EUR', ${EUR_PRICE}, '2026-04-06 09:00:00')`);
  }

  /**
   * The models as the daily runs left them: the price lineage and the staging views it reads, built while GAP_DAY had
   * no price (every *_usd of that day is 0).
   */
  async buildModels(): Promise<void> {
    const r = await this.dbt(['run', '--select', 'int_execution_token_prices_daily+', 'stg_execution__balance_diffs', 'stg_execution__transfers']);
    if (r.code !== 0) throw new Error(`The initial build failed (exit ${r.code}):\n${r.output}`);
  }

  /** One `dbt run` of the stand-in with the executor, in the project folder. */
  dbt(argv: string[], env: Readonly<Record<string, string>> = {}): Promise<StandinResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [this.standin, ...argv], { cwd: this.projectDir, env: { ...process.env, ...this.dbtEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, output }));
    });
  }

  async drop(): Promise<void> {
    for (const db of DATABASES) await this.w.exec(`DROP DATABASE IF EXISTS ${db}`);
  }
}
