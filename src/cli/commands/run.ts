import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { readProject } from '../../core/manifest';
import { renderPlanText, type Plan } from '../../core/plan';
import { loadWarehouseTarget, Secret, type WarehouseTarget } from '../../core/profiles';
import { approveAll, findRunDir, formatRunEvent, readRun, resumeRun, runPlan, type Approver, type RunOutcome } from '../../core/run';
import { openWarehouse, type Warehouse } from '../../core/warehouse';
import { EXIT_FAILED, EXIT_OK, UsageError, type CliIo } from '../io';
import { addPriceGapOptions, buildPriceGapPlan, type PriceGapOptions } from './plan';

interface ConnectionOptions {
  profilesDir?: string;
  target?: string;
  yes?: boolean;
}

/** Every credential in a target (passwords, tokens, keys), for the runner to scrub from what it writes. */
function secretsOf(target: WarehouseTarget): Secret[] {
  return Object.values(target).filter((v): v is Secret => v instanceof Secret);
}

/** The `--yes` approver, a terminal prompt, or a refusal that says how to approve when nobody can be asked. */
function approverFor(opts: ConnectionOptions, io: CliIo): Approver {
  if (opts.yes) return approveAll('--yes');
  const prompt = io.prompt;
  if (!prompt) {
    return () => {
      io.stderr('error: this step needs an approval and there is no terminal to ask: run with --yes to approve every gate, after reading the plan (--dry-run prints it).\n');
      return Promise.resolve(false);
    };
  }
  return async (request) => {
    io.stdout(['', `APPROVAL: ${request.title}`, request.description, ...request.shows.map((s) => `  ${s}`), ''].join('\n'));
    const answer = (await prompt('Approve and run this? Type "yes" to approve: ')).trim().toLowerCase();
    return answer === 'yes' || answer === 'y';
  };
}

/** Opens the plan's connection when it has sql or check steps (from profiles.yml, as dbt finds it). */
async function connect(plan: Plan, opts: ConnectionOptions, io: CliIo): Promise<{ warehouse: Warehouse | null; secrets: Secret[] }> {
  if (!plan.steps.some((s) => s.kind === 'sql' || s.kind === 'check')) return { warehouse: null, secrets: [] };
  const target = loadWarehouseTarget({
    projectDir: plan.projectDir,
    profilesDir: opts.profilesDir ?? plan.profilesDir ?? undefined,
    target: opts.target ?? plan.target ?? undefined,
    env: io.env,
    cwd: io.cwd,
  });
  return { warehouse: await openWarehouse(target), secrets: secretsOf(target) };
}

async function execute(plan: Plan, opts: ConnectionOptions, io: CliIo, resumeId: string | null): Promise<number> {
  const { warehouse, secrets } = await connect(plan, opts, io);
  try {
    const options = {
      approve: approverFor(opts, io),
      warehouse,
      secrets,
      signal: io.signal,
      onEvent: (e: Parameters<typeof formatRunEvent>[0]) => {
        const lines = formatRunEvent(e, plan);
        if (lines.length > 0) io.stdout(lines.join('\n') + '\n');
      },
    };
    const outcome: RunOutcome = resumeId ? await resumeRun(resumeId, { ...options, plan, targetPath: readProject(plan.projectDir, { env: io.env }).targetPath }) : await runPlan(plan, options);
    return outcome.status === 'done' ? EXIT_OK : EXIT_FAILED;
  } finally {
    await warehouse?.close();
  }
}

function readPlanFile(file: string): Plan {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file} is not a plan: ${(err as Error).message}. Write one with \`dbt-recovery plan price-gap ... --out ${path.basename(file)}\`.`);
  }
  const p = json as Partial<Plan>;
  if (typeof json !== 'object' || json === null || p.version !== 1 || !Array.isArray(p.steps) || typeof p.projectDir !== 'string') {
    throw new UsageError(`${file} is not a dbt Recovery plan (version 1 with steps). Write one with \`dbt-recovery plan price-gap ... --out PLAN.json\`.`);
  }
  return json as Plan;
}

interface RunCliOptions extends ConnectionOptions {
  resume?: string;
  projectDir: string;
}

export function registerRun(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('run [plan]')
    .summary('run a plan written by `dbt-recovery plan ... --out PLAN.json`, or resume a run')
    .description(
      'Runs the plan\'s steps in order: dbt through your dbt (argv, no shell), SQL and checks on the profile\'s ' +
        'connection, and stops at every gate for an approval that shows exactly what follows (--yes approves ' +
        'them all, recorded as automatic). A journal under <target-path>/dbt-recovery/runs/ records every step; ' +
        'after a failure or Ctrl-C, --resume RUN_ID continues at the first unfinished step.',
    )
    .option('--resume <run-id>', 'continue the run with this id (or journal folder) at its first unfinished step')
    .option('--project-dir <dir>', 'with --resume: the dbt project whose target folder holds the run', '.')
    .option('--profiles-dir <dir>', 'where profiles.yml is (default: the plan\'s, else as dbt looks for it)')
    .option('--target <name>', 'the profiles.yml target for the SQL steps (default: the plan\'s)')
    .option('--yes', 'approve every gate without asking (recorded in the journal as automatic)')
    .action(async (planFile: string | undefined, opts: RunCliOptions) => {
      if (opts.resume && planFile) throw new UsageError('Give a plan file or --resume RUN_ID, not both.');
      if (opts.resume) {
        const project = readProject(path.resolve(io.cwd, opts.projectDir), { env: io.env });
        const stored = readRun(findRunDir(opts.resume, project.targetPath));
        setExit(await execute(stored.plan, opts, io, stored.dir));
        return;
      }
      if (!planFile) throw new UsageError('Give the plan to run (PLAN.json), or --resume RUN_ID.');
      setExit(await execute(readPlanFile(path.resolve(io.cwd, planFile)), opts, io, null));
    });
}

interface RefillOptions extends PriceGapOptions, ConnectionOptions {
  dryRun?: boolean;
}

export function registerRefill(program: Command, io: CliIo, setExit: (code: number) => void): void {
  addPriceGapOptions(
    program
      .command('refill-after-price-gap')
      .summary('plan and run the ClickHouse refill after a gap in the price feed')
      .description(
        'Plans the price-gap refill (as `dbt-recovery plan price-gap`) and runs it, asking at each gate. ' +
          '--dry-run prints the plan and runs nothing; --yes approves every gate.',
      ),
  )
    .option('--dry-run', 'print the plan (every command and statement) and run nothing')
    .option('--yes', 'approve every gate without asking (recorded in the journal as automatic)')
    .action(async (opts: RefillOptions) => {
      const plan = buildPriceGapPlan(opts, io);
      if (opts.dryRun) {
        io.stdout(renderPlanText(plan));
        setExit(EXIT_OK);
        return;
      }
      setExit(await execute(plan, opts, io, null));
    });
}
