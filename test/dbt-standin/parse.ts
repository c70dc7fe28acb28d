/**
 * `npx tsx test/dbt-standin/parse.ts --project-dir DIR [--target T] [--vars '{"k": "v"}'] [--profiles-dir D]`
 * writes DIR/target/manifest.json as `dbt compile` (dbt 1.9.4, dbt-clickhouse) would against an empty warehouse.
 * Test and dev tooling only: the product runs the user's own dbt.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { DbtParseError, manifestText, parseProject } from './parseProject';

function main(): number {
  const { values } = parseArgs({
    options: {
      'project-dir': { type: 'string', default: '.' },
      'profiles-dir': { type: 'string' },
      target: { type: 'string', short: 't' },
      vars: { type: 'string' },
    },
  });
  const projectDir = path.resolve(values['project-dir'] ?? '.');
  // dbt reads --vars as YAML (JSON is YAML).
  const vars: unknown = values.vars ? parseYaml(values.vars) : undefined;
  if (vars !== undefined && (typeof vars !== 'object' || vars === null || Array.isArray(vars))) {
    console.error('--vars must be a YAML or JSON mapping');
    return 2;
  }
  try {
    const manifest = parseProject(projectDir, {
      target: values.target,
      vars: vars as Record<string, unknown> | undefined,
      profilesDir: values['profiles-dir'],
    });
    const out = path.join(projectDir, 'target', 'manifest.json');
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, manifestText(manifest));
    const nodes = Object.values(manifest.nodes as Record<string, { resource_type: string }>);
    const count = (t: string): number => nodes.filter((n) => n.resource_type === t).length;
    console.log(`Wrote ${path.relative(process.cwd(), out)}: ${count('model')} models, ${count('test')} data tests, ${count('seed')} seeds, ${count('snapshot')} snapshots`);
    return 0;
  } catch (err) {
    if (err instanceof DbtParseError) {
      console.error(`Parsing Error\n  ${err.message}`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main();
