import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Command, Option } from 'commander';
import { DbtGraph } from '../../core/graph';
import { Linter } from '../../core/lint/linter';
import { priceLookbackIgnored } from '../../core/lint/rules/price-lookback-ignored';
import { formatProfileProblem, loadRecoveryProfile } from '../../core/lint/profile/loadRecoveryProfile';
import type { Finding } from '../../core/lint/types';
import { loadManifest, readProject } from '../../core/manifest';
import { planPriceGap, planToJson, renderPlanText, todayUtc, type Plan } from '../../core/plan';
import { describe as describeTarget, loadWarehouseTarget } from '../../core/profiles';
import { EXIT_OK, UsageError, type CliIo } from '../io';

export const PLAN_FORMATS = ['text', 'json'] as const;

/** The options every price-gap command takes (`plan price-gap`, `refill-after-price-gap`). */
export interface PriceGapOptions {
  projectDir: string;
  manifest?: string;
  profilesDir?: string;
  target?: string;
  fromDate?: string;
  lookbackDays?: string;
  bufferDays?: string;
  select?: string;
  skipBalancesRewrite?: boolean;
  skipPriceDependent?: boolean;
  clearMonthFor?: string[];
  today?: string;
  dbtCommand?: string[];
  dbtProjectDir?: string;
  dbtProfilesDir?: string;
}

export function addPriceGapOptions(cmd: Command): Command {
  return cmd
    .option('--project-dir <dir>', 'the dbt project folder (holds dbt_project.yml)', '.')
    .option('--manifest <path>', 'manifest.json to read (default: <target-path>/manifest.json of the project)')
    .option('--profiles-dir <dir>', 'where profiles.yml is, passed to every dbt step (default: as dbt looks for it)')
    .option('--target <name>', 'the profiles.yml target, passed to every dbt step and used for the OPTIMIZE connection')
    .option('--from-date <YYYY-MM-DD>', 'the first day with wrong values (the gap)')
    .option('--lookback-days <n>', 'instead of --from-date: the whole window in days, today included')
    .option('--buffer-days <n>', 'days added to the lookback for soft edges, with --from-date (default 1)')
    .option('--select <selector>', 'Phase 2 root selector (default: <price root>+ from the recovery profile)')
    .option('--skip-balances-rewrite', 'leave out Phase 1 (the refill cohort) and Phase 3: only Phase 2')
    .option('--skip-price-dependent', 'leave out Phase 2 and Phase 3: only Phase 1')
    .option('--clear-month-for <model...>', 'cohort models whose month partition is dropped right before their layer rewrites it (a key computed from refilled values; readers see no rows of them for the month until then)')
    .option('--today <YYYY-MM-DD>', 'the day to plan for (default: today in UTC); makes plans reproducible')
    .option('--dbt-command <part...>', 'how to start dbt, as separate words (e.g. --dbt-command docker exec dbt dbt)', ['dbt'])
    .option('--dbt-project-dir <dir>', '--project-dir as dbt sees it, when dbt runs elsewhere (e.g. /app in a container)')
    .option('--dbt-profiles-dir <dir>', '--profiles-dir as dbt sees it, when dbt runs elsewhere (--profiles-dir is then only for this tool)');
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`${flag} ${v}: expected a whole number of days.`);
  return Number(v);
}

/**
 * Reads the project and plans the price-gap refill. Only the refill cohort's files are linted (their findings
 * become plan warnings), so planning stays cheap on a large project.
 */
export function buildPriceGapPlan(opts: PriceGapOptions, io: CliIo): Plan {
  const project = readProject(path.resolve(io.cwd, opts.projectDir), {
    manifestPath: opts.manifest ? path.resolve(io.cwd, opts.manifest) : undefined,
    env: io.env,
  });
  const manifest = loadManifest(project.manifestPath);
  for (const w of manifest.warnings) io.stderr(`warning: ${w}\n`);
  const loaded = loadRecoveryProfile(project.root);
  for (const p of loaded.problems) io.stderr(`${formatProfileProblem(p)}\n`);
  const profile = loaded.profile;

  // The cohort's contract (every rule), and the price consumers that bypass the lookback macro (the runbook's
  // "two missed models in the gpay chain"): both become warnings the plan names before anything runs. Only those
  // files are read, so planning stays cheap on a large project.
  const full = new Linter({ project, manifest, profile });
  const lookbackOnly = new Linter({ project, manifest, profile, rules: [priceLookbackIgnored] });
  const priceRoot = [...manifest.nodes.values()].find((n) => n.resourceType === 'model' && n.name === profile.priceRoot);
  const lineage = priceRoot ? DbtGraph.of(manifest).descendants(priceRoot.uniqueId) : new Set<string>();
  const findings: Finding[] = [];
  for (const node of manifest.nodes.values()) {
    if (node.resourceType !== 'model' || node.packageName !== (manifest.metadata.projectName ?? project.name)) continue;
    const cohort = node.tags.includes(profile.refillTag);
    if (!cohort && !(lineage.has(node.uniqueId) && node.config.materialized === 'incremental')) continue;
    const file = node.originalFilePath;
    const text = readText(path.join(project.root, file)) ?? node.rawCode;
    if (text !== null) findings.push(...(cohort ? full : lookbackOnly).lintFile(file, text));
  }

  let connection: string | undefined;
  try {
    connection = describeTarget(loadWarehouseTarget({ projectDir: project.root, profilesDir: opts.profilesDir, target: opts.target, env: io.env, cwd: io.cwd }));
  } catch (err) {
    io.stderr(`note: the OPTIMIZE and check connection is not named: ${err instanceof Error ? err.message : String(err)}\n`);
  }

  return planPriceGap({
    project,
    manifest,
    profile,
    fromDate: opts.fromDate,
    lookbackDays: positiveInt('--lookback-days', opts.lookbackDays),
    bufferDays: positiveInt('--buffer-days', opts.bufferDays),
    select: opts.select,
    skipBalancesRewrite: opts.skipBalancesRewrite === true,
    skipPriceDependent: opts.skipPriceDependent === true,
    clearMonthFor: opts.clearMonthFor,
    today: opts.today ?? todayUtc(),
    dbtCommand: opts.dbtCommand && opts.dbtCommand.length > 0 ? opts.dbtCommand : ['dbt'],
    projectDir: opts.dbtProjectDir,
    profilesDir: opts.dbtProfilesDir ?? opts.profilesDir,
    target: opts.target,
    connection,
    lint: findings,
  });
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

interface PlanCliOptions extends PriceGapOptions {
  format: (typeof PLAN_FORMATS)[number];
  out?: string;
}

export function registerPlan(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const plan = program.command('plan').summary('plan a recovery without running anything (prints every command and statement)');
  addPriceGapOptions(
    plan
      .command('price-gap')
      .summary('plan the ClickHouse refill after a gap in the price feed')
      .description(
        'Plans the price-gap refill (shared runbook: Phase 1 append + OPTIMIZE of the refill cohort per month in ' +
          'lineage layers, a canary, Phase 2 with a widened lookback, Phase 3 downstream, verification) and prints ' +
          'it. Nothing runs: run the JSON with `dbt-recovery run PLAN.json`, or plan and run with ' +
          '`dbt-recovery refill-after-price-gap`.',
      ),
  )
    .addOption(new Option('--format <format>', 'how to print the plan').choices(PLAN_FORMATS).default('text'))
    .option('--out <file>', 'also write the plan as JSON to this file (for `dbt-recovery run`)')
    .action((opts: PlanCliOptions) => {
      const p = buildPriceGapPlan(opts, io);
      if (opts.out) writeFileSync(path.resolve(io.cwd, opts.out), JSON.stringify(planToJson(p), null, 2) + '\n');
      io.stdout(opts.format === 'json' ? JSON.stringify(planToJson(p), null, 2) + '\n' : renderPlanText(p));
      setExit(EXIT_OK);
    });
}
