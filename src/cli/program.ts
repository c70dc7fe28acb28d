import { Command, CommanderError } from 'commander';
import { version } from '../../package.json';
import { ManifestError } from '../core/manifest';
import { SelectorError } from '../core/graph';
import { registerLint } from './commands/lint';
import { registerLs } from './commands/ls';
import { registerPlan } from './commands/plan';
import { registerPlanDevBuild } from './commands/planDevBuild';
import { registerCompare } from './commands/compare';
import { registerRefill, registerRun } from './commands/run';
import { RunError } from '../core/run';
import { ProfileError } from '../core/profiles';
import { WarehouseError } from '../core/warehouse';
import { PlanError } from '../core/plan';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CliIo } from './io';

/** Runs `dbt-recovery <argv>` and resolves with the exit code; never calls process.exit itself. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const program = new Command('dbt-recovery')
    .description('Plan, lint and run dbt data recoveries. Reads the dbt project\'s own artifacts; drives your dbt.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .exitOverride();
  program.addHelpCommand('help [command]', 'show help for a command');
  registerLs(program, io, (code) => (exitCode = code));
  registerLint(program, io, (code) => (exitCode = code));
  registerPlan(program, io, (code) => (exitCode = code));
  registerPlanDevBuild(program, io, (code) => (exitCode = code));
  registerCompare(program, io, (code) => (exitCode = code));
  registerRun(program, io, (code) => (exitCode = code));
  registerRefill(program, io, (code) => (exitCode = code));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with a CommanderError whose exitCode is 0.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof ManifestError || err instanceof SelectorError || err instanceof UsageError || err instanceof PlanError) {
      io.stderr(`error: ${err.message}\n`);
      return EXIT_USAGE;
    }
    // A run refused before it started (a changed plan, a live process), a profile that cannot be read, a connection
    // that cannot be made: said plainly, with what to do; nothing ran.
    if (err instanceof RunError || err instanceof ProfileError || err instanceof WarehouseError) {
      io.stderr(`error: ${err.message}\n`);
      return EXIT_FAILED;
    }
    io.stderr(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_FAILED;
  }
}
