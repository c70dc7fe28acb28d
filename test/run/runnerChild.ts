/**
 * TEST CODE: a runner in a process of its own, for the test that kills it mid-run. `node -r tsx/cjs runnerChild.ts
 * PLAN.json TARGET_PATH` runs the plan with every gate approved and prints each run event as one JSON line.
 */
import { readFileSync } from 'node:fs';
import type { Plan } from '../../src/core/plan/types';
import { approveAll, runPlan } from '../../src/core/run';

const [planFile, targetPath] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile!, 'utf8')) as Plan;
void runPlan(plan, {
  approve: approveAll('runner-child'),
  targetPath: targetPath!,
  onEvent: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
}).then((o) => {
  process.exitCode = o.status === 'done' ? 0 : 1;
});
