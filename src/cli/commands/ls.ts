import * as path from 'node:path';
import { type Command, Option } from 'commander';
import { formatLsLine, loadManifest, LS_OUTPUTS, readProject, type LsOutput } from '../../core/manifest';
import { selectNodes } from '../../core/graph';
import { EXIT_OK, type CliIo } from '../io';

interface LsOptions {
  projectDir?: string;
  manifest?: string;
  select?: string[];
  models?: string[];
  exclude?: string[];
  resourceType?: string[];
  resourceTypes?: string[];
  output: LsOutput;
  outputKeys?: string[];
  indirectSelection: 'eager' | 'cautious' | 'buildable' | 'empty';
}

export function registerLs(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('ls')
    .alias('list')
    .summary('list the nodes a dbt selector picks, as `dbt ls` would')
    .description(
      'Prints what `dbt ls` prints for the same arguments, one node per line, sorted by unique id, reading ' +
        'target/manifest.json instead of parsing the project (so it needs no dbt and no warehouse).',
    )
    .option('--project-dir <dir>', 'the dbt project folder (holds dbt_project.yml)', '.')
    .option('--manifest <path>', 'manifest.json to read (default: <target-path>/manifest.json of the project)')
    .option('-s, --select <selector...>', 'nodes to include (dbt node selection syntax)')
    .option('-m, --models <selector...>', 'like --select, and only models (dbt\'s legacy flag)')
    .option('--exclude <selector...>', 'nodes to leave out (same syntax)')
    .option('--resource-type <type...>', 'only these resource types (or `default`, `all`)')
    .addOption(new Option('--resource-types <type...>').hideHelp())
    .addOption(new Option('-o, --output <format>', 'how to print each node').choices(LS_OUTPUTS).default('selector'))
    .option('--output-keys <key...>', 'keys printed by --output json (dotted keys such as config.materialized allowed)')
    .addOption(
      new Option('--indirect-selection <mode>', 'how tests attached to selected nodes are selected')
        .choices(['eager', 'cautious', 'buildable', 'empty'])
        .default('eager'),
    )
    .action((opts: LsOptions) => {
      setExit(runLs(opts, io));
    });
}

function mergeLists(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  return a || b ? [...(a ?? []), ...(b ?? [])] : undefined;
}

export function runLs(opts: LsOptions, io: CliIo): number {
  const project = readProject(path.resolve(io.cwd, opts.projectDir ?? '.'), {
    manifestPath: opts.manifest ? path.resolve(io.cwd, opts.manifest) : undefined,
    env: io.env,
  });
  const manifest = loadManifest(project.manifestPath);
  for (const w of manifest.warnings) io.stderr(`warning: ${w}\n`);
  const selection = selectNodes(manifest, {
    select: opts.models ?? opts.select,
    exclude: opts.exclude,
    resourceTypes: opts.models ? ['model'] : mergeLists(opts.resourceType, opts.resourceTypes),
    indirectSelection: opts.indirectSelection,
  });
  // An empty selection is not an error, as in dbt; the selector's warnings already say "No nodes selected!".
  for (const w of selection.warnings) io.stderr(`warning: ${w}\n`);
  if (selection.ids.length === 0) return EXIT_OK;
  const lines: string[] = [];
  for (const id of selection.ids) {
    const node = manifest.nodes.get(id);
    if (node) lines.push(formatLsLine(node, opts.output, opts.outputKeys));
  }
  io.stdout(lines.join('\n') + '\n');
  return EXIT_OK;
}
