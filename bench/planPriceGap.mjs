// Plans the price-gap refill on a project as the CLI would, in a fresh process: read dbt_project.yml, the manifest
// and dbt-recovery.yml, plan (from-date 2026-04-17, today 2026-04-27, the runbook's `--project-dir /app
// --profiles-dir /app`), print the plan text, then the dbt process starts of the plan against the runbook script's
// for the same refill. For scripts/bench.mjs until `dbt-recovery plan price-gap` exists.
//
//   node bench/planPriceGap.mjs <project dir> [--format text|json]
//
// The planner is TypeScript: it is bundled once with esbuild into bench/out/ and rebuilt when one of its sources is
// newer than the bundle (the bench's untimed first run does that).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(root, 'bench', 'out');
const BUNDLE = path.join(OUT, 'planPriceGap.bundle.cjs');
const INPUTS = path.join(OUT, 'planPriceGap.inputs.json');
const require = createRequire(import.meta.url);

const ENTRY = `
export { planPriceGap, renderPlanText, planToJson, countDbtStarts, seedScriptDbtStarts, seedScriptShape } from './src/core/plan';
export { readProject, loadManifest } from './src/core/manifest';
export { loadRecoveryProfile } from './src/core/lint/profile/loadRecoveryProfile';
`;

function stale() {
  if (!existsSync(BUNDLE) || !existsSync(INPUTS)) return true;
  const built = statSync(BUNDLE).mtimeMs;
  return JSON.parse(readFileSync(INPUTS, 'utf8')).some((f) => !existsSync(path.join(root, f)) || statSync(path.join(root, f)).mtimeMs > built);
}

async function planner() {
  if (stale()) {
    const esbuild = await import('esbuild');
    mkdirSync(OUT, { recursive: true });
    const r = await esbuild.build({
      stdin: { contents: ENTRY, resolveDir: root, loader: 'ts', sourcefile: 'planPriceGapEntry.ts' },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile: BUNDLE,
      metafile: true,
      logLevel: 'warning',
      absWorkingDir: root,
    });
    writeFileSync(INPUTS, JSON.stringify(Object.keys(r.metafile.inputs).filter((f) => !f.startsWith('<'))));
  }
  return require(BUNDLE);
}

const args = process.argv.slice(2);
const projectDir = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(OUT, 'project'));
const format = args.includes('--format') ? args[args.indexOf('--format') + 1] : 'text';

const core = await planner();
const project = core.readProject(projectDir);
const manifest = core.loadManifest(project.manifestPath);
const { profile } = core.loadRecoveryProfile(project.root);
const plan = core.planPriceGap({ project, manifest, profile, fromDate: '2026-04-17', today: '2026-04-27', projectDir: '/app', profilesDir: '/app' });
process.stdout.write(format === 'json' ? `${JSON.stringify(core.planToJson(plan), null, 2)}\n` : core.renderPlanText(plan));
const shape = core.seedScriptShape(plan);
process.stdout.write(
  `dbt process starts: this plan ${core.countDbtStarts(plan)}; the runbook's refill_after_price_gap.sh ${core.seedScriptDbtStarts(shape)} ` +
    `(${shape.months} month(s) x (2 runs + 2 dbt ls + 2 x ${shape.cohortSize} run-operation OPTIMIZE) + Phase 2 + Phase 3)\n`,
);
