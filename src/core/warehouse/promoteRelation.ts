import { promotionStatements, type PromotionMethod, type TableRef } from './promotionStatements';
import { cloneTableSql, SnowflakeWarehouse, type TableKind } from './snowflakeWarehouse';
import type { Warehouse } from './warehouse';
import { invalidInput } from './warehouseError';

export interface PromotionOutcome {
  method: PromotionMethod;
  /** Every statement sent that changes something, in order (a refused Snowflake kind and a DuckDB ROLLBACK
   * included): for the journal. */
  statements: string[];
  /** Where the previous production rows are now (ClickHouse), or null (replaced). */
  previous: TableRef | null;
  note: string;
  /** Snowflake: the kind prod was cloned as, and whether the first kind was refused. */
  kind: TableKind | null;
  fellBack: boolean;
}

const label = (t: TableRef): string => [t.database, t.schema, t.name].filter((p) => p).join('.');

/**
 * Puts `dev` in the place of `prod`, running exactly promotionStatements(...) for this server (ClickHouse: EXCHANGE
 * where the server has it, else the RENAME that keeps the old table as `<prod>__before_promotion`, refused before
 * anything is sent when that name is taken; DuckDB: in a transaction, rolled back on failure; Snowflake: the clone,
 * with the other kind when Snowflake refuses the first). Only call this after the gate's approval.
 */
export async function promoteRelation(w: Warehouse, dev: TableRef, prod: TableRef, opts: { kind?: TableKind } = {}): Promise<PromotionOutcome> {
  if (label(dev) === label(prod)) throw invalidInput(`Dev and prod are the same relation (${label(dev)}).`, 'Promote from the dev location.', w.engine);
  const caps = w.engine === 'clickhouse' ? await w.capabilities() : null;
  const plan = promotionStatements(w.engine, dev, prod, { exchangeTables: caps?.exchangeTables ?? false, ...(opts.kind ? { kind: opts.kind } : {}) });
  const statements: string[] = [];
  const run = async (sql: string): Promise<void> => {
    statements.push(sql);
    await w.exec(sql);
  };
  const outcome = (extra: Partial<PromotionOutcome> = {}): PromotionOutcome => ({ method: plan.method, statements, previous: plan.previous, note: plan.note, kind: null, fellBack: false, ...extra });
  switch (w.engine) {
    case 'clickhouse': {
      if (plan.previous && plan.method === 'rename') {
        const [taken] = await w.query<{ n: string | number }>(
          `SELECT count() AS n FROM system.tables WHERE database = ${w.quoteLiteral(plan.previous.schema)} AND name = ${w.quoteLiteral(plan.previous.name)}`,
        );
        if (Number(taken?.n ?? 0) > 0) {
          throw invalidInput(
            `${label(plan.previous)} already exists (the table an earlier promotion replaced), and this server's RENAME promotion keeps the current production table under that name.`,
            `Check that the earlier promotion is verified, then drop it (DROP TABLE ${w.relation(null, plan.previous.schema, plan.previous.name)}) and promote again.`,
            'clickhouse',
          );
        }
      }
      for (const sql of plan.statements) await run(sql);
      return outcome();
    }
    case 'duckdb': {
      const [begin, replace, commit] = plan.statements as [string, string, string];
      await run(begin);
      try {
        await run(replace);
        await run(commit);
      } catch (err) {
        await run('ROLLBACK').catch(() => undefined);
        throw err;
      }
      return outcome();
    }
    case 'snowflake': {
      if (!(w instanceof SnowflakeWarehouse)) throw new Error('promoteRelation on Snowflake needs a SnowflakeWarehouse');
      const first = opts.kind ?? 'transient';
      const [d, p] = [w.relation(dev.database, dev.schema, dev.name), w.relation(prod.database, prod.schema, prod.name)];
      const r = await w.cloneTable(p, d, { prefer: first });
      statements.push(...(r.fellBack ? [cloneTableSql(p, d, first), r.statement] : [r.statement]));
      return outcome({ kind: r.kind, fellBack: r.fellBack });
    }
  }
}
