import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Command, Option } from 'commander';
import { version } from '../../../package.json';
import { closestMatch } from '../../core/graph/closestMatch';
import { loadManifest, ManifestError, readProject, type Manifest } from '../../core/manifest';
import { loadRunResults, type RunResults } from '../../core/manifest/runResults';
import { Linter } from '../../core/lint/linter';
import { formatProfileProblem, loadRecoveryProfile } from '../../core/lint/profile/loadRecoveryProfile';
import { RULES } from '../../core/lint/rules';
import { RULE_IDS, SEVERITIES, type Finding, type FindingSeverity, type Severity } from '../../core/lint/types';
import { EXIT_FAILED, EXIT_OK, UsageError, type CliIo } from '../io';

export const LINT_FORMATS = ['text', 'json', 'sarif'] as const;
type LintFormat = (typeof LINT_FORMATS)[number];

interface LintOptions {
  projectDir?: string;
  manifest?: string;
  runResults?: string;
  format: LintFormat;
  maxWarnings?: string;
  rule?: string[];
}

/** Where the rule docs live, relative to the repository root (SARIF's helpUri). */
const DOCS = 'docs/rules';

export function registerLint(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('lint')
    .summary('check that models are ready for recovery (refill cohort contract, price lineage, full-refresh protection)')
    .description(
      'Lints every model of the dbt project for recovery readiness (rules: docs/rules/README.md), reading the model ' +
        'files, target/manifest.json, target/run_results.json and the project\'s dbt-recovery.yml. Without a manifest ' +
        'only the rules that need no project graph run.\n\n' +
        'Exit codes: 0 clean, 1 an error-severity finding or more warnings than --max-warnings, 2 bad input.',
    )
    .option('--project-dir <dir>', 'the dbt project folder (holds dbt_project.yml)', '.')
    .option('--manifest <path>', 'manifest.json to read (default: <target-path>/manifest.json of the project, if any)')
    .option('--run-results <path>', 'run_results.json to read (default: <target-path>/run_results.json, if any)')
    .addOption(new Option('--format <format>', 'output format').choices(LINT_FORMATS).default('text'))
    .option('--max-warnings <n>', 'exit 1 when there are more warnings than this')
    .option('--rule <id=severity...>', `set a rule's severity (${SEVERITIES.join('|')}), over dbt-recovery.yml`)
    .action((opts: LintOptions) => {
      setExit(runLint(opts, io));
    });
}

function parseRuleFlags(specs: readonly string[]): Record<string, Severity> {
  const rules: Record<string, Severity> = {};
  for (const spec of specs) {
    const m = /^([^=\s]+)=([^=\s]+)$/.exec(spec.trim());
    if (!m) throw new UsageError(`--rule ${spec}: expected ID=SEVERITY, such as --rule heavy-model-untagged=error.`);
    const [, id, severity] = m as unknown as [string, string, string];
    if (!(RULE_IDS as readonly string[]).includes(id)) {
      const near = closestMatch(id, RULE_IDS);
      throw new UsageError(`--rule ${spec}: there is no rule \`${id}\`.${near ? ` Did you mean \`${near}\`?` : ''} The rules are ${RULE_IDS.join(', ')}.`);
    }
    if (!(SEVERITIES as readonly string[]).includes(severity)) {
      const near = closestMatch(severity, SEVERITIES) ?? SEVERITIES.find((s) => s.startsWith(severity));
      throw new UsageError(`--rule ${spec}: \`${severity}\` is not a severity.${near ? ` Did you mean \`${near}\`?` : ''} Use one of ${SEVERITIES.join(', ')}.`);
    }
    rules[id] = severity as Severity;
  }
  return rules;
}

function parseMaxWarnings(v: string | undefined): number | null {
  if (v === undefined) return null;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--max-warnings ${v}: expected a whole number of warnings, 0 or more.`);
  return Number(v);
}

export function runLint(opts: LintOptions, io: CliIo): number {
  const maxWarnings = parseMaxWarnings(opts.maxWarnings);
  const ruleFlags = parseRuleFlags(opts.rule ?? []);
  const project = readProject(path.resolve(io.cwd, opts.projectDir ?? '.'), {
    manifestPath: opts.manifest ? path.resolve(io.cwd, opts.manifest) : undefined,
    env: io.env,
  });

  let manifest: Manifest | null = null;
  if (opts.manifest || existsSync(project.manifestPath)) {
    manifest = loadManifest(project.manifestPath);
    for (const w of manifest.warnings) io.stderr(`warning: ${w}\n`);
  } else {
    io.stderr(`note: no manifest at ${project.manifestPath}: run \`dbt parse\`: only source rules ran.\n`);
  }

  let runResults: RunResults | null = null;
  const runResultsPath = opts.runResults ? path.resolve(io.cwd, opts.runResults) : path.join(project.targetPath, 'run_results.json');
  if (opts.runResults) runResults = loadRunResults(runResultsPath);
  else if (existsSync(runResultsPath)) {
    // The default one is optional: a half-written file (dbt running) is a warning, not bad input.
    try {
      runResults = loadRunResults(runResultsPath);
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      io.stderr(`warning: ${err.message} Linting without run results.\n`);
    }
  }
  for (const w of runResults?.warnings ?? []) io.stderr(`warning: ${w}\n`);

  const loaded = loadRecoveryProfile(project.root, Object.keys(ruleFlags).length > 0 ? { overrides: { rules: ruleFlags }, overridesLabel: '--rule' } : {});
  for (const p of loaded.problems) io.stderr(`${formatProfileProblem({ ...p, file: displayPath(p.file, io.cwd) })}\n`);

  const linter = new Linter({ project, manifest, runResults, profile: loaded.profile });
  const findings = linter.lintProject((file) => {
    try {
      return readFileSync(path.join(project.root, file), 'utf8');
    } catch {
      return null;
    }
  });
  for (const n of linter.notices) if (n.code !== 'no-manifest') io.stderr(`note: ${n.message}\n`);

  const counts = countBySeverity(findings);
  switch (opts.format) {
    case 'json':
      io.stdout(JSON.stringify(findings.map(jsonFinding), null, 2) + '\n');
      break;
    case 'sarif':
      io.stdout(JSON.stringify(sarifLog(findings, project.root, linter), null, 2) + '\n');
      break;
    case 'text':
      io.stdout(textReport(findings, project.root, io.cwd, linter.lintedFiles, counts));
      break;
  }
  if (counts.error > 0) return EXIT_FAILED;
  if (maxWarnings !== null && counts.warning > maxWarnings) {
    io.stderr(`error: ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, more than --max-warnings ${maxWarnings}.\n`);
    return EXIT_FAILED;
  }
  return EXIT_OK;
}

function displayPath(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

function countBySeverity(findings: readonly Finding[]): Record<FindingSeverity, number> {
  const counts: Record<FindingSeverity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** The `json` format: exactly the issue's keys, zero-based positions, file relative to the project dir. */
function jsonFinding(f: Finding): Pick<Finding, 'ruleId' | 'severity' | 'message' | 'uniqueId' | 'file' | 'range'> {
  return { ruleId: f.ruleId, severity: f.severity, message: f.message, uniqueId: f.uniqueId, file: f.file, range: f.range };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `file:line:col  severity  message  [rule-id]` per finding (1-based, the path relative to the working folder so
 * it opens from the terminal), then a summary. */
function textReport(findings: readonly Finding[], root: string, cwd: string, files: number, counts: Record<FindingSeverity, number>): string {
  const lines = findings.map((f) => {
    const file = displayPath(path.join(root, f.file), cwd).split(path.sep).join('/');
    return `${file}:${f.range.start.line + 1}:${f.range.start.character + 1}  ${f.severity}  ${f.message}  [${f.ruleId}]`;
  });
  const parts = [plural(counts.error, 'error'), plural(counts.warning, 'warning')];
  if (counts.info > 0) parts.push(`${counts.info} info`);
  if (counts.hint > 0) parts.push(plural(counts.hint, 'hint'));
  const summary = findings.length === 0
    ? `No problems in ${plural(files, 'model file')}.`
    : `${plural(findings.length, 'problem')} (${parts.join(', ')}) in ${plural(files, 'model file')}.`;
  return [...lines, ...(lines.length > 0 ? [''] : []), summary, ''].join('\n');
}

const SARIF_LEVEL: Record<FindingSeverity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };
const BASE_ID = 'PROJECTROOT';

function region(r: Finding['range']): Record<string, number> {
  return { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

/** SARIF 2.1.0 for code-scanning uploads: one run, the rules with their docs, results with 1-based regions. */
function sarifLog(findings: readonly Finding[], root: string, linter: Linter): Record<string, unknown> {
  const rules = RULES.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)(\w)/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: r.description },
    helpUri: `${DOCS}/${r.id}.md`,
    defaultConfiguration: { level: SARIF_LEVEL[r.defaultSeverity], enabled: linter.severityOf(r.id) !== 'off' },
  }));
  const index = new Map(RULES.map((r, i) => [r.id, i]));
  const artifact = (file: string) => ({ uri: file, uriBaseId: BASE_ID });
  const results = findings.map((f) => {
    const result: Record<string, unknown> = {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId),
      level: SARIF_LEVEL[f.severity],
      message: { text: f.message },
      locations: [{ physicalLocation: { artifactLocation: artifact(f.file), region: region(f.range) } }],
    };
    if (f.uniqueId) result.properties = { uniqueId: f.uniqueId, severity: f.severity };
    else result.properties = { severity: f.severity };
    if (f.fix && f.fix.changes.some((c) => c.edits.length > 0)) {
      result.fixes = [{
        description: { text: f.fix.title },
        artifactChanges: f.fix.changes.filter((c) => c.edits.length > 0).map((c) => ({
          artifactLocation: artifact(c.file),
          replacements: c.edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
        })),
      }];
    }
    return result;
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'dbt-recovery', version, rules } },
      originalUriBaseIds: { [BASE_ID]: { uri: pathToFileURL(root.endsWith(path.sep) ? root : root + path.sep).href } },
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
}
