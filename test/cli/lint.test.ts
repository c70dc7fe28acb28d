import { strict as assert } from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runBuiltCli } from '../support/builtCli';

const EXAMPLE = path.join(ROOT, 'examples', 'price-gap');
const ALL_WARNINGS = ['--rule', 'refill-append-hooks=warning', 'refill-append-strategy=warning', 'refill-append-month-filter=warning'];

interface JsonFinding {
  ruleId: string;
  severity: string;
  message: string;
  uniqueId: string | null;
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

describe('cli: dbt-recovery lint', () => {
  let tmp: string;
  before(() => (tmp = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-lint-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** A copy of the example project to change. */
  const copy = (name: string, withTarget = true): string => {
    const dir = path.join(tmp, name);
    cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => withTarget || !src.includes(`${path.sep}target`) });
    return dir;
  };

  it('prints file:line:col  severity  message  [rule-id] and a summary; exits 1 on error findings', async () => {
    const r = await runBuiltCli(['lint', '--project-dir', 'examples/price-gap']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 1);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 9);
    assert.equal(lines[7], '');
    assert.equal(lines[8], '7 problems (3 errors, 4 warnings) in 36 model files.');
    assert.match(lines[0]!, /^examples\/price-gap\/models\/consensus\/intermediate\/int_consensus_blocks_daily\.sql:30:13 {2}warning {2}`int_consensus_blocks_daily` is microbatch but reads the source consensus\.validators, .* {2}\[microbatch-config\]$/);
    assert.ok(lines.includes(
      'examples/price-gap/models/execution/tokens/intermediate/int_execution_account_balance_history_daily.sql:4:9  error  ' +
        "`int_execution_account_balance_history_daily` is tagged refill_append but its incremental_strategy is `'delete+insert'`, " +
        'not the three-branch expression: a month refill still runs delete+insert mutations, which fail with Code: 341 on a whole ' +
        "month. Use incremental_strategy=('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert').  [refill-append-strategy]",
    ));
  });

  it('--format json: the issue\'s keys, zero-based ranges, files relative to the project dir', async () => {
    const r = await runBuiltCli(['lint', '--project-dir', EXAMPLE, '--format', 'json'], { cwd: os.tmpdir() });
    assert.equal(r.code, 1);
    const findings = JSON.parse(r.stdout) as JsonFinding[];
    assert.equal(findings.length, 7);
    for (const f of findings) assert.deepEqual(Object.keys(f), ['ruleId', 'severity', 'message', 'uniqueId', 'file', 'range']);
    const strategy = findings.find((f) => f.ruleId === 'refill-append-strategy')!;
    assert.deepEqual(strategy, {
      ruleId: 'refill-append-strategy',
      severity: 'error',
      message: strategy.message,
      uniqueId: 'model.gnosis_recovery_example.int_execution_account_balance_history_daily',
      file: 'models/execution/tokens/intermediate/int_execution_account_balance_history_daily.sql',
      range: { start: { line: 3, character: 8 }, end: { line: 3, character: 44 } },
    });
  });

  it('--format sarif: SARIF 2.1.0 with rule metadata, 1-based regions relative to a base id, and fixes', async () => {
    const r = await runBuiltCli(['lint', '--project-dir', EXAMPLE, '--format', 'sarif']);
    assert.equal(r.code, 1);
    const log = JSON.parse(r.stdout) as {
      $schema: string;
      version: string;
      runs: Array<{
        tool: { driver: { name: string; version: string; rules: Array<{ id: string; shortDescription: { text: string }; helpUri: string; defaultConfiguration: { level: string } }> } };
        originalUriBaseIds: Record<string, { uri: string }>;
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: Record<string, number> } }>;
          fixes?: Array<{ description: { text: string }; artifactChanges: Array<{ artifactLocation: { uri: string }; replacements: Array<{ deletedRegion: Record<string, number>; insertedContent: { text: string } }> }> }>;
        }>;
      }>;
    };
    assert.equal(log.version, '2.1.0');
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.runs.length, 1);
    const run = log.runs[0]!;
    assert.equal(run.tool.driver.name, 'dbt-recovery');
    const ruleIds = run.tool.driver.rules.map((x) => x.id);
    assert.deepEqual(ruleIds, [
      'refill-append-hooks', 'refill-append-strategy', 'refill-append-month-filter', 'refill-append-engine',
      'heavy-model-untagged', 'price-lookback-ignored', 'full-refresh-unprotected', 'microbatch-config', 'disable-directive',
    ]);
    for (const rule of run.tool.driver.rules) {
      assert.equal(rule.helpUri, `docs/rules/${rule.id}.md`);
      assert.ok(readFileSync(path.join(ROOT, rule.helpUri), 'utf8').startsWith(`# ${rule.id}`), rule.helpUri);
      assert.ok(rule.shortDescription.text.length > 20);
      assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level));
    }
    assert.equal(run.originalUriBaseIds.PROJECTROOT?.uri, `file://${EXAMPLE}/`);
    assert.equal(run.results.length, 7);
    for (const res of run.results) {
      assert.equal(ruleIds[res.ruleIndex], res.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(res.level));
      const loc = res.locations[0]!.physicalLocation;
      assert.equal(loc.artifactLocation.uriBaseId, 'PROJECTROOT');
      assert.ok(loc.artifactLocation.uri.startsWith('models/'));
      assert.ok(loc.region.startLine! >= 1 && loc.region.startColumn! >= 1 && loc.region.endLine! >= loc.region.startLine!);
    }
    const strategy = run.results.find((x) => x.ruleId === 'refill-append-strategy')!;
    assert.deepEqual(strategy.locations[0]!.physicalLocation.region, { startLine: 4, startColumn: 9, endLine: 4, endColumn: 45 });
    assert.equal(strategy.level, 'error');
    const fix = strategy.fixes![0]!;
    assert.equal(fix.artifactChanges[0]!.artifactLocation.uri, 'models/execution/tokens/intermediate/int_execution_account_balance_history_daily.sql');
    assert.match(fix.artifactChanges[0]!.replacements[0]!.insertedContent.text, /'append' if/);
    assert.equal(run.results.find((x) => x.ruleId === 'price-lookback-ignored')!.fixes, undefined);
  });

  it('--max-warnings: exit 1 with more warnings than allowed, 0 otherwise; --rule sets severities', async () => {
    const at = async (max: string) => runBuiltCli(['lint', '--project-dir', EXAMPLE, ...ALL_WARNINGS, '--max-warnings', max]);
    const seven = await at('7');
    assert.equal(seven.code, 0);
    assert.match(seven.stdout, /7 problems \(0 errors, 7 warnings\) in 36 model files\.\n$/);
    const six = await at('6');
    assert.equal(six.code, 1);
    assert.equal(six.stderr, 'error: 7 warnings, more than --max-warnings 6.\n');
    const off = await runBuiltCli(['lint', '--project-dir', EXAMPLE, '--rule', 'refill-append-hooks=off', 'refill-append-strategy=off', 'refill-append-month-filter=off', 'full-refresh-unprotected=hint']);
    assert.equal(off.code, 0);
    assert.match(off.stdout, /4 problems \(0 errors, 3 warnings, 1 hint\) in 36 model files\.\n$/);
  });

  it('exits 2 on bad input: no project, a bad --rule or --max-warnings, a missing --manifest, a truncated --run-results', async () => {
    const noProject = await runBuiltCli(['lint', '--project-dir', tmp]);
    assert.equal(noProject.code, 2);
    assert.match(noProject.stderr, /^error: .*dbt_project\.yml does not exist, so this is not a dbt project folder\. Pass --project-dir/);
    const badRule = await runBuiltCli(['lint', '--project-dir', EXAMPLE, '--rule', 'heavy-model-untaged=error']);
    assert.equal(badRule.code, 2);
    assert.equal(badRule.stderr, 'error: --rule heavy-model-untaged=error: there is no rule `heavy-model-untaged`. Did you mean `heavy-model-untagged`? The rules are refill-append-hooks, refill-append-strategy, refill-append-month-filter, refill-append-engine, heavy-model-untagged, price-lookback-ignored, full-refresh-unprotected, microbatch-config, disable-directive.\n');
    const badShape = await runBuiltCli(['lint', '--project-dir', EXAMPLE, '--rule', 'heavy-model-untagged']);
    assert.equal(badShape.code, 2);
    assert.match(badShape.stderr, /expected ID=SEVERITY/);
    const badMax = await runBuiltCli(['lint', '--project-dir', EXAMPLE, '--max-warnings', 'ten']);
    assert.equal(badMax.code, 2);
    assert.match(badMax.stderr, /--max-warnings ten: expected a whole number/);
    const badFormat = await runBuiltCli(['lint', '--project-dir', EXAMPLE, '--format', 'xml']);
    assert.equal(badFormat.code, 2);
    const noManifest = await runBuiltCli(['lint', '--project-dir', EXAMPLE, '--manifest', path.join(tmp, 'missing.json')]);
    assert.equal(noManifest.code, 2);
    assert.match(noManifest.stderr, /missing\.json does not exist/);
    const cut = path.join(tmp, 'run_results.json');
    writeFileSync(cut, '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"}, "results": [{"unique_id"');
    const truncated = await runBuiltCli(['lint', '--project-dir', EXAMPLE, '--run-results', cut]);
    assert.equal(truncated.code, 2);
    assert.match(truncated.stderr, /run_results\.json is not complete JSON .*half-written/);
  });

  it('reads target/run_results.json: run times and memory errors feed the rules', async () => {
    const dir = copy('with-runs');
    const run = (name: string, seconds: number, status = 'success', message = 'OK') => ({
      unique_id: `model.gnosis_recovery_example.${name}`,
      status,
      execution_time: seconds,
      timing: [{ name: 'execute', started_at: '2026-04-27T01:00:00Z', completed_at: '2026-04-27T01:05:00Z' }],
      thread_id: 'Thread-1',
      adapter_response: {},
      message,
      failures: null,
    });
    writeFileSync(path.join(dir, 'target', 'run_results.json'), JSON.stringify({
      metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json', dbt_version: '1.9.4' },
      results: [
        run('int_execution_transfers_usd_daily', 4.2),
        run('int_p2p_discv5_clients_daily', 20.5, 'error', 'Code: 241. DB::Exception: Memory limit (total) exceeded. (MEMORY_LIMIT_EXCEEDED)'),
      ],
      elapsed_time: 30,
    }));
    const r = await runBuiltCli(['lint', '--project-dir', dir, '--format', 'json']);
    const findings = JSON.parse(r.stdout) as JsonFinding[];
    // A 4 s run: small, so no full_refresh=false needed; the OOM makes the p2p model heavy.
    assert.equal(findings.some((f) => f.ruleId === 'full-refresh-unprotected'), false);
    const heavy = findings.filter((f) => f.ruleId === 'heavy-model-untagged').map((f) => f.message);
    assert.equal(heavy.length, 2);
    assert.match(heavy[1]!, /^`int_p2p_discv5_clients_daily` looks heavy \(its last run failed with Code: 241 \(MEMORY_LIMIT_EXCEEDED\)\)/);
  });

  it('a half-written target/run_results.json (dbt still running) is a warning: lints without it', async () => {
    const dir = copy('half-written-runs');
    writeFileSync(path.join(dir, 'target', 'run_results.json'), '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"}, "res');
    const r = await runBuiltCli(['lint', '--project-dir', dir, '--format', 'json']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^warning: .*run_results\.json is not complete JSON .* Linting without run results\.\n$/);
    assert.equal((JSON.parse(r.stdout) as JsonFinding[]).length, 7);
  });

  it('without a manifest: a note on stderr, the source rules only', async () => {
    const dir = copy('no-manifest', false);
    const r = await runBuiltCli(['lint', '--project-dir', dir, '--format', 'json']);
    assert.equal(r.stderr, `note: no manifest at ${path.join(dir, 'target', 'manifest.json')}: run \`dbt parse\`: only source rules ran.\n`);
    const findings = JSON.parse(r.stdout) as JsonFinding[];
    assert.deepEqual(findings.map((f) => f.ruleId), ['refill-append-strategy', 'heavy-model-untagged', 'refill-append-hooks', 'refill-append-month-filter']);
    assert.ok(findings.every((f) => f.uniqueId === null));
    assert.equal(r.code, 1);
  });

  it('a broken dbt-recovery.yml is reported and linting goes on with the defaults (not exit 2)', async () => {
    const dir = copy('broken-profile');
    writeFileSync(path.join(dir, 'dbt-recovery.yml'), 'rules:\n  heavy-model-untagged: warn\n  full-refresh-unprotected: off\nrefil_tag: x\n');
    const r = await runBuiltCli(['lint', '--project-dir', dir, '--format', 'json'], { cwd: dir });
    assert.equal(r.code, 1);
    assert.deepEqual(r.stderr.trimEnd().split('\n').map((l) => l.replace(/: error: .*/, '')), ['dbt-recovery.yml:2:25', 'dbt-recovery.yml:4:1']);
    assert.match(r.stderr, /must be one of off, hint, info, warning, error, but found the string "warn"\. Did you mean `warning`\?/);
    const findings = JSON.parse(r.stdout) as JsonFinding[];
    // full-refresh-unprotected: off was read; the bad severity kept heavy-model-untagged at its default.
    assert.deepEqual(findings.map((f) => f.ruleId).sort(), ['heavy-model-untagged', 'microbatch-config', 'price-lookback-ignored', 'refill-append-hooks', 'refill-append-month-filter', 'refill-append-strategy']);
    const broken = copy('broken-yaml');
    writeFileSync(path.join(broken, 'dbt-recovery.yml'), 'rules: [\n');
    const b = await runBuiltCli(['lint', '--project-dir', broken, '--format', 'json']);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /dbt-recovery\.yml:\d+:\d+: error: dbt-recovery\.yml is not valid YAML:/);
    assert.equal((JSON.parse(b.stdout) as JsonFinding[]).length, 7);
  });

  it('exits 0 with "No problems" on a clean project', async () => {
    const dir = path.join(tmp, 'clean');
    cpSync(path.join(EXAMPLE, 'dbt_project.yml'), path.join(dir, 'dbt_project.yml'));
    const model = path.join(dir, 'models', 'stg.sql');
    cpSync(path.join(EXAMPLE, 'models/p2p/marts/api_p2p_clients_daily.sql'), model);
    const r = await runBuiltCli(['lint', '--project-dir', dir]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'No problems in 1 model file.\n');
  });
});
