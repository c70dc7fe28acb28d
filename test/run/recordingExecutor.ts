/**
 * TEST CODE: an executor for the dbt stand-in's DBT_STANDIN_EXECUTOR hook. It executes nothing: it appends each
 * model it is asked to run (with the vars) to $RECORDING_EXECUTOR_LOG, and fails the model named in
 * $RECORDING_EXECUTOR_FAIL with the message a ClickHouse server gives, as a real executor would pass on.
 */
import { appendFileSync } from 'node:fs';
import type { ExecuteModelContext } from '../dbt-standin/dbtRun';

export function executeModel(ctx: ExecuteModelContext): Promise<void> {
  appendFileSync(process.env.RECORDING_EXECUTOR_LOG!, `${JSON.stringify({ model: ctx.node.name, vars: ctx.vars })}\n`);
  if (ctx.node.name === process.env.RECORDING_EXECUTOR_FAIL) {
    return Promise.reject(new Error('Code: 241. DB::Exception: Memory limit (for query) exceeded: would use 9.31 GiB, maximum: 9.31 GiB. (MEMORY_LIMIT_EXCEEDED) (version 26.1.1.1)'));
  }
  return Promise.resolve();
}
