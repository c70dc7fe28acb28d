import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Command, Option } from 'commander';
import { loadManifest, readProject } from '../../core/manifest';
import { parseRelationArg, planDevBuild, planToJson, renderPlanText, todayUtc, type Plan, type SanityRule } from '../../core/plan';
import { loadWarehouseTarget } from '../../core/profiles';
import { EXIT_OK, UsageError, type CliIo } from '../io';
import { commaList, numberOption, sanityRule } from '../optionValues';
import { PLAN_FORMATS } from './plan';

export interface DevBuildOptions {
  projectDir: string;
  manifest?: string;
  profilesDir?: string;
  target?: string;
  prodTarget: string;
  model: string;
  mode: 'full-refresh' | 'backfill';
  backfillDate?: string;
  backfillColumns?: string[];
  warehouse?: string;
  key?: string[];
  since?: string;
  dateColumn?: string;
  sanity?: SanityRule[];
  top?: string;
  explainAbove?: string;
  spotCheck?: string;
  spotCheckDev?: string;
  spotCheckTolerance?: string;
  dev?: string;
  prod?: string;
  cleanup?: boolean;
  today?: string;
  dbtCommand?: string[];
  dbtProjectDir?: string;
  dbtProfilesDir?: string;
}

function readSql(io: CliIo, flag: string, file: string): string {
  try {
    return readFileSync(path.resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${file} cannot be read (${(err as Error).message}).`);
  }
}

/** The options every dev-build command takes. */
export function addDevBuildOptions(cmd: Command): Command {
  return cmd
    .option('--project-dir <dir>', 'the dbt project folder (holds dbt_project.yml)', '.')
    .option('--manifest <path>', 'manifest.json to read (default: <target-path>/manifest.json of the project); it must name the production relations')
    .option('--profiles-dir <dir>', 'where profiles.yml is, passed to every dbt step (default: as dbt looks for it)')
    .option('--target <name>', 'the dev target dbt builds in (default: the profile\'s own, or DBT_TARGET); passed to every dbt step')
    .option('--prod-target <name>', 'the production target: promoted into, never given to dbt', 'prod')
    .requiredOption('--model <name>', 'the model to build in dev, compare and promote')
    .addOption(new Option('--mode <mode>', 'rebuild from scratch, or backfill from a day into a clone of production').choices(['full-refresh', 'backfill']).makeOptionMandatory())
    .option('--backfill-date <YYYY-MM-DD>', 'backfill: the first day to rebuild (the backfill_date var)')
    .option('--backfill-columns <c1,c2>', 'backfill: only these columns are recomputed (the backfill_columns var)', commaList)
    .option('--warehouse <name>', 'Snowflake: run the dev build on this warehouse (the model file gets a config() line for the run, taken back after it)')
    .option('--key <k1,k2>', 'the columns that identify a row (default: the model\'s unique_key)', commaList)
    .option('--since <YYYY-MM-DD>', 'compare only rows from this day on (default: the backfill date)')
    .option('--date-column <column>', 'the model\'s day column (default: the key column named like a date, else event_time)')
    .option('--sanity <rule>', "a sanity threshold, COLUMN<=N or COLUMN>=N (repeatable): dev values outside stop the run", sanityRule)
    .option('--top <n>', 'outliers shown per column (default 20)')
    .option('--explain-above <fraction>', 'outliers above this relative change need a note before promotion (default 0.05)')
    .option('--spot-check <file>', 'SQL against the true upstream returning (key..., value), compared with --spot-check-dev')
    .option('--spot-check-dev <file>', 'SQL against dev returning (key..., value) for the spot check')
    .option('--spot-check-tolerance <n>', 'the spot check\'s allowed difference (default 0)')
    .option('--dev <relation>', 'the dev relation, when not <dev database>.<dev schema>.<model>')
    .option('--prod <relation>', 'the production relation, when not the manifest\'s')
    .option('--cleanup', 'end with a gated DROP of the dev relation')
    .option('--today <YYYY-MM-DD>', 'the day to plan for (default: today in UTC)')
    .option('--dbt-command <part...>', 'how to start dbt, as separate words (e.g. --dbt-command docker exec dbt dbt)', ['dbt'])
    .option('--dbt-project-dir <dir>', '--project-dir as dbt sees it, when dbt runs elsewhere')
    .option('--dbt-profiles-dir <dir>', '--profiles-dir as dbt sees it, when dbt runs elsewhere');
}

/** Reads the project, its manifest, the dev and production targets and (for the override) the model file; plans. */
export function buildDevBuildPlan(opts: DevBuildOptions, io: CliIo): Plan {
  const project = readProject(path.resolve(io.cwd, opts.projectDir), { manifestPath: opts.manifest ? path.resolve(io.cwd, opts.manifest) : undefined, env: io.env });
  const manifest = loadManifest(project.manifestPath);
  for (const w of manifest.warnings) io.stderr(`warning: ${w}\n`);
  const targetOf = (target: string | undefined) => loadWarehouseTarget({ projectDir: project.root, profilesDir: opts.profilesDir, target, env: io.env, cwd: io.cwd });
  const dev = targetOf(opts.target);
  const prod = targetOf(opts.prodTarget);
  const devRelation = opts.dev ? parseRelationArg('--dev', opts.dev, dev) : undefined;
  const prodRelation = opts.prod ? parseRelationArg('--prod', opts.prod, prod) : undefined;

  let modelSource: string | null = null;
  if (opts.warehouse !== undefined) {
    // The planner names a missing or ambiguous model; here only its file is read, for the override to pin.
    const node = [...manifest.nodes.values()].find((n) => n.resourceType === 'model' && (n.uniqueId === opts.model || n.name === opts.model));
    try {
      modelSource = node ? readFileSync(path.join(project.root, node.originalFilePath), 'utf8') : null;
    } catch {
      modelSource = null;
    }
  }
  if ((opts.spotCheck === undefined) !== (opts.spotCheckDev === undefined)) throw new UsageError('--spot-check and --spot-check-dev go together: the upstream query and the dev query it is compared with.');
  const spotCheck =
    opts.spotCheck !== undefined && opts.spotCheckDev !== undefined
      ? { upstreamSql: readSql(io, '--spot-check', opts.spotCheck), devSql: readSql(io, '--spot-check-dev', opts.spotCheckDev), tolerance: numberOption('--spot-check-tolerance', opts.spotCheckTolerance) ?? 0 }
      : null;

  return planDevBuild({
    project,
    manifest,
    dev,
    prod,
    model: opts.model,
    mode: opts.mode,
    backfillDate: opts.backfillDate,
    backfillColumns: opts.backfillColumns,
    warehouseOverride: opts.warehouse,
    modelSource,
    key: opts.key,
    devRelation,
    prodRelation,
    compare: {
      since: opts.since,
      dateColumn: opts.dateColumn,
      sanity: opts.sanity,
      spotCheck,
      top: numberOption('--top', opts.top),
      explainAbove: numberOption('--explain-above', opts.explainAbove),
    },
    cleanup: opts.cleanup === true,
    dbtCommand: opts.dbtCommand && opts.dbtCommand.length > 0 ? opts.dbtCommand : ['dbt'],
    projectDir: opts.dbtProjectDir,
    profilesDir: opts.dbtProfilesDir ?? opts.profilesDir,
    today: opts.today ?? todayUtc(),
  });
}

interface PlanDevBuildCliOptions extends DevBuildOptions {
  format: (typeof PLAN_FORMATS)[number];
  out?: string;
}

/** `dbt-recovery plan dev-build`, under the `plan` command (registered after it). */
export function registerPlanDevBuild(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const plan = program.commands.find((c) => c.name() === 'plan');
  if (!plan) throw new Error('registerPlanDevBuild needs the plan command registered first.');
  addDevBuildOptions(
    plan
      .command('dev-build')
      .summary('plan a dev build, its comparison with production, and an approved promotion')
      .description(
        'Plans the dev build of one model (shared runbook: build in the dev target, a clone of production first for ' +
          'a backfill; compare dev with production in the warehouse; promote only after an approval that shows the ' +
          'exact statements and has every outlier explained) and prints it. dbt runs only against the dev target; ' +
          'a plan that would give dbt the production target is refused. Run it with `dbt-recovery run PLAN.json`.',
      ),
  )
    .addOption(new Option('--format <format>', 'how to print the plan').choices(PLAN_FORMATS).default('text'))
    .option('--out <file>', 'also write the plan as JSON to this file (for `dbt-recovery run`)')
    .action((opts: PlanDevBuildCliOptions) => {
      const p = buildDevBuildPlan(opts, io);
      if (opts.out) writeFileSync(path.resolve(io.cwd, opts.out), JSON.stringify(planToJson(p), null, 2) + '\n');
      io.stdout(opts.format === 'json' ? JSON.stringify(planToJson(p), null, 2) + '\n' : renderPlanText(p));
      setExit(EXIT_OK);
    });
}
