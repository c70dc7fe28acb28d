import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { readProject } from '../../core/manifest';
import { renderPlanText, type Plan } from '../../core/plan';
import { loadWarehouseTarget, Secret, type WarehouseTarget } from '../../core/profiles';
import {
  approveAll,
  findRunDir,
  formatRunEvent,
  readRun,
  resumeRun,
  runPlan,
  type Approver,
  type OutlierExplanation,
  type OutlierToExplain,
  type RunOutcome,
} from '../../core/run';
import { openWarehouse, type Warehouse } from '../../core/warehouse';
import { EXIT_FAILED, EXIT_OK, UsageError, type CliIo } from '../io';
import { addPriceGapOptions, buildPriceGapPlan, type PriceGapOptions } from './plan';

interface ConnectionOptions {
  profilesDir?: string;
  target?: string;
  yes?: boolean;
  /** `KEY:COLUMN=NOTE` notes on outliers, and a JSON file of `[{key, column, note}]`. */
  explain?: string[];
  explanations?: string;
}

/** Every credential in a target (passwords, tokens, keys), for the runner to scrub from what it writes. */
function secretsOf(target: WarehouseTarget): Secret[] {
  return Object.values(target).filter((v): v is Secret => v instanceof Secret);
}

function outlierLabel(o: OutlierToExplain): string {
  const pct = o.relDelta === null ? '' : `, ${o.relDelta >= 0 ? '+' : ''}${(o.relDelta * 100).toFixed(2)}%`;
  return `${o.key.join(',')} ${o.column}: prod ${o.prod ?? 'NULL'}, dev ${o.dev ?? 'NULL'}${pct}`;
}

function sameOutlier(e: OutlierExplanation, o: OutlierToExplain): boolean {
  return e.column === o.column && e.key.length === o.key.length && e.key.every((v, i) => v === o.key[i]);
}

/** `--explain KEY:COLUMN=NOTE` (key values joined by commas) and `--explanations FILE` (`[{key, column, note}]`). */
export function givenExplanations(opts: Pick<ConnectionOptions, 'explain' | 'explanations'>, io: CliIo): OutlierExplanation[] {
  const out: OutlierExplanation[] = [];
  for (const e of opts.explain ?? []) {
    const eq = e.indexOf('=');
    const left = eq < 0 ? '' : e.slice(0, eq);
    const colon = left.lastIndexOf(':');
    if (eq < 0 || colon <= 0 || colon === left.length - 1) {
      throw new UsageError(`--explain ${e}: expected KEY:COLUMN=NOTE, the key's values joined by commas (e.g. --explain '2026-04-08,GNO:daily_volume=late Dune batch corrected').`);
    }
    out.push({ key: left.slice(0, colon).split(','), column: left.slice(colon + 1), note: e.slice(eq + 1) });
  }
  if (opts.explanations) {
    const file = path.resolve(io.cwd, opts.explanations);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`--explanations ${opts.explanations} cannot be read as JSON (${(err as Error).message}).`);
    }
    const items = Array.isArray(json) ? json : (json as { explanations?: unknown })?.explanations;
    const ok = (x: unknown): x is { key: unknown; column: string; note: string } =>
      typeof x === 'object' && x !== null && typeof (x as { column?: unknown }).column === 'string' && typeof (x as { note?: unknown }).note === 'string';
    if (!Array.isArray(items) || !items.every(ok)) {
      throw new UsageError(`--explanations ${opts.explanations}: expected a JSON array of {"key": ["v1", ...], "column": "c", "note": "why"}.`);
    }
    for (const x of items) out.push({ key: (Array.isArray(x.key) ? x.key : [x.key]).map(String), column: x.column, note: x.note });
  }
  return out;
}

/** The `--yes` approver, a terminal prompt, or a refusal that says how to approve when nobody can be asked. */
function approverFor(opts: ConnectionOptions, io: CliIo): Approver {
  const given = givenExplanations(opts, io);
  const noted = (o: OutlierToExplain): OutlierExplanation | undefined => given.find((e) => sameOutlier(e, o) && e.note.trim() !== '');
  if (opts.yes) {
    const yes = approveAll('--yes');
    return async (request) => {
      if (!request.explain || request.explain.length === 0) return yes(request);
      // --yes approves, but it never explains an outlier: the notes must come from --explain or --explanations.
      const missing = request.explain.filter((o) => !noted(o));
      if (missing.length > 0) {
        io.stderr(
          [
            `error: --yes does not explain outliers: ${missing.length} of ${request.explain.length} outlier(s) above the threshold have no note, so "${request.title}" is refused and nothing after it runs.`,
            'Read each, then give its note with --explain KEY:COLUMN=NOTE (or --explanations FILE) and resume:',
            ...missing.map((o) => `  ${outlierLabel(o)}
    --explain '${o.key.join(',')}:${o.column}=<why this change is expected>'`),
            '',
          ].join('\n'),
        );
      }
      return { approved: true, automatic: true, by: '--yes', explanations: request.explain.flatMap((o) => noted(o) ?? []) };
    };
  }
  const prompt = io.prompt;
  if (!prompt) {
    return () => {
      io.stderr('error: this step needs an approval and there is no terminal to ask: run with --yes to approve every gate, after reading the plan (--dry-run prints it).\n');
      return Promise.resolve(false);
    };
  }
  return async (request) => {
    io.stdout(['', `APPROVAL: ${request.title}`, request.description, ...request.shows.map((s) => `  ${s}`), ''].join('\n'));
    const explanations: OutlierExplanation[] = [];
    if (request.explain && request.explain.length > 0) {
      io.stdout(`Each of these ${request.explain.length} outlier(s) above the threshold needs a note (why the change is expected) before this can be approved; an empty note leaves it unexplained and the gate refused.\n`);
      for (const o of request.explain) {
        const pre = noted(o);
        if (pre) {
          io.stdout(`  ${outlierLabel(o)}\n    note (given): ${pre.note}\n`);
          explanations.push({ key: o.key, column: o.column, note: pre.note });
          continue;
        }
        const note = (await prompt(`  ${outlierLabel(o)}\n    note: `)).trim();
        if (note !== '') explanations.push({ key: o.key, column: o.column, note });
      }
    }
    const answer = (await prompt('Approve and run this? Type "yes" to approve: ')).trim().toLowerCase();
    return { approved: answer === 'yes' || answer === 'y', explanations };
  };
}

/** Opens the plan's connection when it has steps that need one (from profiles.yml, as dbt finds it). */
async function connect(plan: Plan, opts: ConnectionOptions, io: CliIo): Promise<{ warehouse: Warehouse | null; connect?: () => Promise<Warehouse>; secrets: Secret[] }> {
  const needs = plan.steps.some((s) => s.kind === 'check' || s.kind === 'compare' || (s.kind === 'sql' && s.operation.op !== 'edit-file'));
  if (!needs) return { warehouse: null, secrets: [] };
  const target = loadWarehouseTarget({
    projectDir: plan.projectDir,
    profilesDir: opts.profilesDir ?? plan.profilesDir ?? undefined,
    target: opts.target ?? plan.connectionTarget ?? plan.target ?? undefined,
    env: io.env,
    cwd: io.cwd,
  });
  if (target.type === 'duckdb') {
    // One writing process per DuckDB file: checked now (a bad path fails before anything runs), then opened by the
    // runner only for its own steps, so that dbt can open the file for its steps.
    await (await openWarehouse(target)).close();
    return { warehouse: null, connect: () => openWarehouse(target), secrets: secretsOf(target) };
  }
  return { warehouse: await openWarehouse(target), secrets: secretsOf(target) };
}

async function execute(plan: Plan, opts: ConnectionOptions, io: CliIo, resumeId: string | null): Promise<number> {
  const { warehouse, connect: open, secrets } = await connect(plan, opts, io);
  try {
    const options = {
      approve: approverFor(opts, io),
      warehouse,
      ...(open ? { connect: open } : {}),
      secrets,
      // dbt gets the environment this command was given (the same as the process's when run from a shell).
      env: Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined)),
      signal: io.signal,
      onEvent: (e: Parameters<typeof formatRunEvent>[0]) => {
        const lines = formatRunEvent(e, plan);
        if (lines.length > 0) io.stdout(lines.join('\n') + '\n');
      },
    };
    const outcome: RunOutcome = resumeId ? await resumeRun(resumeId, { ...options, plan, targetPath: readProject(plan.projectDir, { env: io.env }).targetPath }) : await runPlan(plan, options);
    const byHand = plan.warnings.filter((w) => w.code === 'downstream-rebuild');
    if (outcome.status === 'done' && byHand.length > 0) {
      io.stdout(['', 'Downstream, by hand (dbt Recovery never runs dbt against production):', ...byHand.map((w) => `  - ${w.message}`), ''].join('\n'));
    }
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
    .option('--yes', 'approve every gate without asking (recorded in the journal as automatic); it never explains an outlier')
    .option('--explain <KEY:COLUMN=NOTE>', 'a note on an outlier a gate needs explained (key values joined by commas); repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .option('--explanations <file>', 'notes on outliers as JSON: [{"key": ["v1"], "column": "c", "note": "why"}]')
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
