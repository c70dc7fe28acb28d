import { runCli } from './program';

// The bundled entry of `dbt-recovery`. Output goes through process.stdout.write so large listings are not split
// into console.log calls; the exit code is set, not forced, so buffered output always drains.
void runCli(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
