import { createInterface } from 'node:readline/promises';
import { runCli } from './program';

// Ctrl-C or SIGTERM cancels a running plan (its dbt runs in its own process group and would not get the signal);
// a second Ctrl-C leaves at once.
const controller = new AbortController();
let interrupted = false;
const runs = ['run', 'refill-after-price-gap'].includes(process.argv[2] ?? '');
for (const sig of runs ? (['SIGINT', 'SIGTERM'] as const) : []) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nCancelling: stopping dbt and marking the run\'s journal (Ctrl-C again to leave at once)\n');
    controller.abort();
  });
}

/** A question on the terminal, only when there is one to ask. */
const prompt = process.stdin.isTTY
  ? async (question: string): Promise<string> => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    }
  : undefined;

// The bundled entry of `dbt-recovery`. Output goes through process.stdout.write so large listings are not split
// into console.log calls; the exit code is set, not forced, so buffered output always drains.
void runCli(process.argv.slice(2), {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
  prompt,
  signal: controller.signal,
}).then((code) => {
  process.exitCode = code;
  // A warehouse driver can keep timers alive after its connection closed (snowflake-sdk's retries): a run leaves
  // once its output has drained.
  if (runs) process.stdout.write('', () => process.exit(code));
});
