/**
 * TEST CODE: a runner in a process of its own whose sql and check steps run on the test's embedded ClickHouse through
 * a ChdbRelay, for tests that kill the runner mid-run. `node -r tsx/cjs relayRunnerChild.ts PLAN.json TARGET_PATH
 * RELAY_URL` runs the plan with every gate approved and prints each run event as one JSON line; dbt (the stand-in)
 * gets this process's environment.
 */
import { readFileSync } from 'node:fs';
import type { Plan } from '../../src/core/plan/types';
import { approveAll, runPlan } from '../../src/core/run';
import { openRelayWarehouse } from './relayWarehouse';

const [planFile, targetPath, relayUrl] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile!, 'utf8')) as Plan;
const warehouse = openRelayWarehouse(relayUrl!);
void runPlan(plan, {
  approve: approveAll('runner-child'),
  targetPath: targetPath!,
  warehouse,
  onEvent: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
}).then(async (o) => {
  await warehouse.close();
  process.exitCode = o.status === 'done' ? 0 : 1;
});
