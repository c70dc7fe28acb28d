import { DEFAULT_PROFILE, type RecoveryProfile } from '../lint/profile/recoveryProfile';
import type { Step } from '../plan/types';
import { killMutationSql } from '../warehouse/clickhouseSql';
import { clickhouseDialect as ch } from '../warehouse/sqlDialect';
import type { Explanation } from './types';

/** What is known where a failure happened, besides its text. */
export interface FailureContext {
  /** The step that failed. */
  step: Pick<Step, 'kind' | 'phase'> & Partial<Pick<Step, 'id'>> & { argv?: readonly string[]; operation?: unknown };
  /** The model the message is about, from dbt's log (`node_info`) or run_results.json. */
  node?: {
    uniqueId?: string | null;
    name: string;
    /** The model's file relative to the project (`models/x/int_y.sql`), or its path under the model folder. */
    file?: string | null;
    tags?: readonly string[] | null;
    /** Where the model is built (ClickHouse: database = dbt's schema). */
    database?: string | null;
    alias?: string | null;
  } | null;
  /** An OPTIMIZE's table and partition, for sql steps. */
  table?: { database: string; table: string; partition?: string | null } | null;
  profile?: RecoveryProfile;
}

/** The first ClickHouse error code in a text (`Code: 241.` from 19.x on, `Code: 241,` on 18.16, `code: 241`). */
export function clickhouseCode(text: string): number | null {
  const m = /\bCode:\s*(\d+)\b/i.exec(text) ?? /\berror code (\d+)\b/i.exec(text);
  return m ? Number(m[1]) : null;
}

/** `Database Error in model int_x (models/x/int_x.sql)`: dbt's own naming of the failing model. */
function modelFromText(text: string): { name: string; file: string | null } | null {
  const m = /\bError in (?:model|seed|snapshot|test) (\S+) \(([^)]+)\)/.exec(text);
  return m ? { name: m[1]!, file: m[2]! } : null;
}

function refillVarsIn(argv: readonly string[] | undefined, profile: RecoveryProfile): boolean {
  if (!argv) return false;
  return argv.some((a) => a.includes(profile.vars.startMonth) || a.includes(profile.vars.incrementalEndDate));
}

function tableOf(ctx: FailureContext): { database: string; table: string } | null {
  if (ctx.table) return ctx.table;
  const db = ctx.node?.database;
  const t = ctx.node?.alias ?? ctx.node?.name;
  return db && t ? { database: db, table: t } : null;
}

/**
 * Explains the failures the price-gap runbook (shared/seeds/clickhouse-price-gap-refill.md, "Failure modes") knows,
 * where they happen: a model's Code 241, a mutation's Code 341 (and the poisoned mutation naming a dropped
 * `__dbt_new_data_*` table), an OPTIMIZE cancelled because merges are stopped (236), and an OPTIMIZE partition
 * literal that matches nothing. `stepOutput` is the failure's text: dbt's error for the model, or the warehouse
 * error of a sql step. Null when the failure is not one of these.
 */
export function explainFailure(stepOutput: string, context: FailureContext): Explanation | null {
  const profile = context.profile ?? DEFAULT_PROFILE;
  const fromText = modelFromText(stepOutput);
  const name = context.node?.name ?? fromText?.name ?? null;
  const file = context.node?.file ?? fromText?.file ?? null;
  const model = { model: context.node?.uniqueId ?? null, modelName: name, file };
  const code = clickhouseCode(stepOutput);
  const tagged = context.node?.tags ? context.node.tags.includes(profile.refillTag) : null;
  const who = name ? `\`${name}\`` : 'A model';

  // A poisoned mutation first: it is a 341 too, and its text may mention memory.
  const temp = /`?(\w+)`?\.`?(__dbt_new_data_\w+)`?|(__dbt_new_data_\w+)/.exec(stepOutput);
  if (temp && (code === 341 || /mutation/i.test(stepOutput))) {
    const tempTable = temp[2] ?? temp[3]!;
    const mutationId = /mutation '?((?:mutation_)?\d+(?:\.txt)?)'?/i.exec(stepOutput)?.[1] ?? null;
    const table = tableOf(context) ?? (temp[1] && context.node?.alias ? { database: temp[1], table: context.node.alias } : null);
    const find = `SELECT database, table, mutation_id, command FROM system.mutations WHERE is_done = 0 AND command LIKE '%__dbt_new_data_%'`;
    const statements = table && mutationId ? [killMutationSql(table.database, table.table, mutationId).sql] : [find];
    return {
      code: 'poisoned-mutation',
      ...model,
      title: `A poisoned mutation blocks ${table ? `${table.database}.${table.table}` : who}: it reads the dropped table ${tempTable} (ClickHouse Code: 341)`,
      detail:
        `An earlier delete+insert run was killed between its ALTER TABLE ... DELETE and the cleanup of its temporary table ${tempTable}. ` +
        'The mutation it left can never finish, and every later mutation of the table waits behind it and fails.',
      fix:
        table && mutationId
          ? `Kill it (the plan's preflight check finds such mutations and kills them after approval): ${statements[0]}. ` +
            'On ClickHouse before 19.x, which has no KILL MUTATION, remove the mutation\'s file from the table\'s data folder and DETACH/ATTACH the table. Then resume the run.'
          : `Find it with ${find}, then KILL MUTATION WHERE database = '<database>' AND table = '<table>' AND mutation_id = '<mutation_id>' ` +
            '(the plan\'s preflight check does this after approval). Then resume the run.',
      statements,
      quickFix: null,
    };
  }

  // A 341 of a mutation that ran out of memory quotes the 241 inside: the first code is the one that failed.
  if (code === 241 || (code === null && /\bMEMORY_LIMIT_EXCEEDED\b/.test(stepOutput))) {
    const hooks = `pre_hook=${profile.hooks.preHookMacro}(), post_hook=${profile.hooks.postHookMacro}()`;
    if (tagged === false) {
      return {
        code: 'memory-limit',
        ...model,
        title: `${who} ran out of memory (ClickHouse Code: 241, MEMORY_LIMIT_EXCEEDED)`,
        detail:
          `${who} is not in the refill cohort (tag ${profile.refillTag}), so it was rebuilt by delete+insert over the whole lookback, ` +
          'which is what runs out of memory on a heavy aggregate.',
        fix:
          `Tag it ${profile.refillTag} (the heavy-model-untagged finding's quick fix "Add the ${profile.refillTag} tag"), give it the three-branch strategy, ` +
          `the ${profile.vars.startMonth}/${profile.vars.endMonth} filter and ${hooks}; then plan the refill again.`,
        statements: [],
        quickFix: { ruleId: 'heavy-model-untagged', title: `Add the ${profile.refillTag} tag` },
      };
    }
    return {
      code: 'memory-limit',
      ...model,
      title: `${who} ran out of memory (ClickHouse Code: 241, MEMORY_LIMIT_EXCEEDED)`,
      detail:
        `The month rewrite of ${who} needs more memory than the server allows: it is missing the spill-to-disk hook contract, ` +
        'which caps its memory and makes big GROUP BYs, sorts and joins spill to disk (join_algorithm = grace_hash).',
      fix:
        `Add ${hooks} to its config()${file ? ` in ${file}` : ''}: the refill-append-hooks finding's quick fix ` +
        `"Add the ${profile.hooks.preHookMacro}/${profile.hooks.postHookMacro} hooks" does it (\`dbt-recovery lint --rule refill-append-hooks\` lists it). ` +
        'Then resume the run: append + OPTIMIZE is idempotent, so the step runs again safely.',
      statements: [],
      quickFix: { ruleId: 'refill-append-hooks', title: `Add the ${profile.hooks.preHookMacro}/${profile.hooks.postHookMacro} hooks` },
    };
  }

  if (code === 341) {
    const refill = refillVarsIn(context.step.argv, profile) || tagged === true;
    const expr = `incremental_strategy=('append' if (var('${profile.vars.startMonth}', none) or var('${profile.vars.incrementalEndDate}', none)) else '${profile.defaultStrategy}')`;
    return {
      code: 'mutation-failed',
      ...model,
      title: `${who}: a mutation failed (ClickHouse Code: 341)`,
      detail: refill
        ? `The refill rewrites ${who} in append mode, which issues no mutation; a 341 means it ran as ${profile.defaultStrategy} instead, ` +
          `whose ALTER TABLE ... DELETE over the month ran out of memory. Its strategy expression lacks the ${profile.vars.startMonth} branch.`
        : `The ALTER TABLE ... DELETE of ${who}'s ${profile.defaultStrategy} over the widened lookback failed (usually out of memory): ` +
          `a model this heavy belongs in the refill cohort (tag ${profile.refillTag}), rewritten by append + OPTIMIZE.`,
      fix: refill
        ? `Check the strategy expression${file ? ` in ${file}` : ''}: it must be ${expr} (the refill-append-strategy finding's quick fix writes it). Then resume the run.`
        : `Tag it ${profile.refillTag} with the three-branch strategy ${expr}, then plan the refill again.`,
      statements: [],
      quickFix: refill
        ? { ruleId: 'refill-append-strategy', title: `Make incremental_strategy 'append' during a month refill, else '${profile.defaultStrategy}'` }
        : { ruleId: 'heavy-model-untagged', title: `Add the ${profile.refillTag} tag` },
    };
  }

  const t = tableOf(context);
  const rel = t ? ch.relation(null, t.database, t.table) : null;
  if (code === 236 || /merges are stopped|Cancelled merging parts/i.test(stepOutput)) {
    const start = rel ? `SYSTEM START MERGES ${rel}` : 'SYSTEM START MERGES <database>.<table>';
    return {
      code: 'merges-stopped',
      ...model,
      title: `The OPTIMIZE${t ? ` of ${t.database}.${t.table}` : ''} was cancelled: merges are stopped (ClickHouse Code: 236)`,
      detail: 'Someone ran SYSTEM STOP MERGES on the table (or the whole server), and OPTIMIZE is a merge, so ClickHouse refuses it. The duplicates the append left stay until it runs.',
      fix: `Run ${start}, then resume the run (OPTIMIZE is idempotent).`,
      statements: [start],
      quickFix: null,
    };
  }

  const noPartition = /No active partition of .* matches/i.test(stepOutput);
  if (noPartition || (code === 388 && context.step.kind === 'sql')) {
    const literal = context.table?.partition ?? /matches '([^']*)'/.exec(stepOutput)?.[1] ?? null;
    const hint = /Active partitions: [^\n]*/.exec(stepOutput)?.[0] ?? null;
    return {
      code: 'wrong-partition',
      ...model,
      title: `The partition literal${literal ? ` '${literal}'` : ''} matches no partition${t ? ` of ${t.database}.${t.table}` : ''}`,
      detail:
        'OPTIMIZE ... PARTITION with a literal that names no partition does nothing, silently on older servers, so the duplicates would have stayed. ' +
        'The literal must be written as system.parts shows the partition (a month start such as 2026-04-01 for toStartOfMonth(date)).' +
        (hint ? ` ${hint}` : ''),
      fix: 'Plan again with the month as the table\'s partition key writes it (the planner reads it from system.parts); the steps already done stay done.',
      statements: [],
      quickFix: null,
    };
  }
  return null;
}
