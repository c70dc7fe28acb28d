import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const SERVER = path.join(ROOT, 'dist', 'server.js');

/** The bundles are built by `npm test` (scripts/build.mjs) before the mocha layer runs. */
export function requireBuilt(file: string): void {
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`node scripts/build.mjs\` (npm test does) first.`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bundled `dbt-recovery` CLI as a user would: a separate process, argv in, exit code and output out. */
export function runBuiltCli(argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  requireBuilt(CLI);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...argv], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
