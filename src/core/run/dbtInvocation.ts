import * as path from 'node:path';
import type { DbtStep, Plan } from '../plan/types';

export interface DbtInvocation {
  /** The executable (the first word of the plan's dbtCommand). */
  file: string;
  /** Everything after it: the command prefix's own arguments, the step's argv, then the runner's flags. */
  args: string[];
  /** Environment the runner sets for dbt (added to the caller's). */
  env: Record<string, string>;
  logFormat: 'json' | 'text';
}

/** The value of `--name value` or `--name=value` in argv (the last one wins, as with click). */
export function flagValue(argv: readonly string[], ...names: string[]): string | null {
  let found: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    for (const n of names) {
      if (a === n && i + 1 < argv.length) found = argv[i + 1]!;
      else if (a.startsWith(`${n}=`)) found = a.slice(n.length + 1);
    }
  }
  return found;
}

/**
 * How a dbt step runs: `[...plan.dbtCommand, ...step.argv, '--log-format', 'json']`, an argv array (never a shell
 * string). The flag goes after the subcommand, where dbt 1.5+ documents its flags (before it is legacy); dbt also
 * gets `DBT_LOG_FORMAT=json`, because a DBT_LOG_FORMAT the user exported would otherwise win over a flag placed after
 * the subcommand (dbt-core#10304), and because dbt 1.0-1.4, which reject the flag there, read the variable (the
 * runner retries without the flag on that usage error: see `rejectsLogFormatFlag`). A step whose argv already sets
 * `--log-format` is left as written.
 */
export function dbtInvocation(plan: Pick<Plan, 'dbtCommand'>, step: Pick<DbtStep, 'argv'>, opts: { logFormat: 'json' | 'text'; withFlag?: boolean }): DbtInvocation {
  const [file, ...prefix] = plan.dbtCommand;
  if (!file) throw new Error('The plan has an empty dbtCommand: it needs at least the dbt executable (["dbt"]).');
  const given = flagValue(step.argv, '--log-format');
  if (given !== null) {
    return { file, args: [...prefix, ...step.argv], env: {}, logFormat: given === 'json' ? 'json' : 'text' };
  }
  if (opts.logFormat === 'text') return { file, args: [...prefix, ...step.argv], env: {}, logFormat: 'text' };
  const flag = opts.withFlag ?? true ? ['--log-format', 'json'] : [];
  return { file, args: [...prefix, ...step.argv, ...flag], env: { DBT_LOG_FORMAT: 'json' }, logFormat: 'json' };
}

/** dbt 1.0-1.4 (argparse) or a wrapper that does not know `--log-format` after the subcommand: a usage error. */
export function rejectsLogFormatFlag(exitCode: number | null, output: string): boolean {
  return exitCode === 2 && /unrecognized arguments:.*--log-format|no such option:?\s*['"]?--log-format/i.test(output);
}

/**
 * Where the step's dbt writes run_results.json: `--target-path` of the step (relative to its project folder), else
 * the project's target folder as seen from here.
 */
export function runResultsPathOf(plan: Pick<Plan, 'projectDir'>, step: Pick<DbtStep, 'argv'>, defaultTargetPath: string): string {
  const projectDir = flagValue(step.argv, '--project-dir') ?? plan.projectDir;
  const targetPath = flagValue(step.argv, '--target-path');
  return path.join(targetPath ? path.resolve(projectDir, targetPath) : defaultTargetPath, 'run_results.json');
}
