import * as path from 'node:path';
import { type Command, Option } from 'commander';
import { compareRelations, comparisonToJson, renderComparisonText } from '../../core/compare';
import { loadManifest, readProject } from '../../core/manifest';
import { devBuildCompareSpec, devBuildRelations, parseRelationArg, todayUtc, type SanityRule } from '../../core/plan';
import { loadWarehouseTarget } from '../../core/profiles';
import { openWarehouse } from '../../core/warehouse';
import { EXIT_OK, type CliIo } from '../io';
import { commaList, numberOption, sanityRule } from '../optionValues';

interface CompareCliOptions {
  projectDir: string;
  manifest?: string;
  profilesDir?: string;
  target?: string;
  model: string;
  dev?: string;
  prod?: string;
  key?: string[];
  since?: string;
  dateColumn?: string;
  sanity?: SanityRule[];
  top?: string;
  explainAbove?: string;
  format: 'text' | 'json';
}

/**
 * `dbt-recovery compare`: a model's dev relation against its production relation, computed in the warehouse of
 * `--target` (profiles.yml as dbt finds it), printed as text or as JSON for CI. Read-only: it creates only
 * session-scoped scratch tables.
 */
export function registerCompare(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('compare')
    .summary('compare a model\'s dev relation with its production relation, inside the warehouse')
    .description(
      'Compares dev with prod on a key (the model\'s unique_key, or --key): row and key counts, keys only on one ' +
        'side or duplicated, schema changes, changed rows, per-column match rates, the top outliers by relative ' +
        'change, per-day or per-month counts of the scoped range (--since). Dev is <target database>.<target ' +
        'schema>.<model> unless --dev; prod is the manifest\'s relation unless --prod. `--format json` is for CI: ' +
        'rowCounts, keys, schema, changedRows, outliers, checks. Reads only.',
    )
    .option('--project-dir <dir>', 'the dbt project folder (holds dbt_project.yml)', '.')
    .option('--manifest <path>', 'manifest.json to read (default: <target-path>/manifest.json of the project)')
    .option('--profiles-dir <dir>', 'where profiles.yml is (default: DBT_PROFILES_DIR, the current directory, then ~/.dbt)')
    .option('--target <name>', 'the profiles.yml target to connect with; its database and schema hold the dev relation (default: the profile\'s)')
    .requiredOption('--model <name>', 'the model whose dev and production relations are compared')
    .option('--dev <relation>', 'the dev relation (database.schema.table, schema.table; database.table on ClickHouse)')
    .option('--prod <relation>', 'the production relation (default: the manifest\'s)')
    .option('--key <k1,k2>', 'the columns that identify a row (default: the model\'s unique_key)', commaList)
    .option('--since <YYYY-MM-DD>', 'compare only rows from this day on')
    .option('--date-column <column>', 'the day column --since applies to (default: the key column named like a date, else event_time)')
    .option('--sanity <rule>', 'a sanity threshold, COLUMN<=N or COLUMN>=N (repeatable)', sanityRule)
    .option('--top <n>', 'outliers per column (default 20)')
    .option('--explain-above <fraction>', 'outliers above this relative change are marked as needing a note (default 0.05)')
    .addOption(new Option('--format <format>', 'text for people, json for CI').choices(['text', 'json']).default('text'))
    .action(async (opts: CompareCliOptions) => {
      const project = readProject(path.resolve(io.cwd, opts.projectDir), { manifestPath: opts.manifest ? path.resolve(io.cwd, opts.manifest) : undefined, env: io.env });
      const manifest = loadManifest(project.manifestPath);
      for (const w of manifest.warnings) io.stderr(`warning: ${w}\n`);
      const target = loadWarehouseTarget({ projectDir: project.root, profilesDir: opts.profilesDir, target: opts.target, env: io.env, cwd: io.cwd });
      const given = { dev: opts.dev ? parseRelationArg('--dev', opts.dev, target) : undefined, prod: opts.prod ? parseRelationArg('--prod', opts.prod, target) : undefined };
      const { node, dev, prod } = devBuildRelations(manifest, target, opts.model, given);
      const spec = devBuildCompareSpec(node, dev, prod, {
        key: opts.key,
        backfillDate: null,
        today: todayUtc(),
        options: { since: opts.since, dateColumn: opts.dateColumn, sanity: opts.sanity, top: numberOption('--top', opts.top), explainAbove: numberOption('--explain-above', opts.explainAbove) },
      });
      const warehouse = await openWarehouse(target);
      try {
        const comparison = await compareRelations(warehouse, spec);
        io.stdout(opts.format === 'json' ? `${JSON.stringify(comparisonToJson(comparison), null, 2)}\n` : renderComparisonText(comparison));
      } finally {
        await warehouse.close();
      }
      setExit(EXIT_OK);
    });
}
