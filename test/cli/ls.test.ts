import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture } from '../unit/fixtures';
import { ROOT, runBuiltCli } from '../support/builtCli';

const V12 = fixture('yu-iskw__dbt-artifacts-parser__v12.json');
const GNOSIS = fixture('gnosischain__dbt-cerebro__v12.json');

describe('cli: dbt-recovery ls', () => {
  let project: string;
  before(() => {
    project = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-cli-'));
    writeFileSync(path.join(project, 'dbt_project.yml'), 'name: jaffle_shop\nprofile: jaffle_shop\n');
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  const ls = (...argv: string[]) => runBuiltCli(['ls', '--project-dir', project, '--manifest', V12, ...argv]);

  it('prints what dbt ls prints for a model and its attached tests (default output: selector)', async () => {
    // `dbt ls -s stg_locations` selects the model, then eager indirect selection adds every test that has a
    // selected parent: its two generic tests and its unit test. Lines are sorted by unique id; models and tests
    // print their fqn, unit tests `unit_test:<package>.<name>`.
    const r = await ls('--select', 'stg_locations');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdout.split('\n'), [
      'jaffle_shop.staging.stg_locations',
      'jaffle_shop.staging.not_null_stg_locations_location_id',
      'jaffle_shop.staging.unique_stg_locations_location_id',
      'unit_test:jaffle_shop.test_does_location_opened_at_trunc_to_date',
      '',
    ]);
  });

  it('prints names, paths and sources in dbt\'s forms', async () => {
    // `source:ecom.raw_stores+`: the source and its child stg_locations (and that model's tests; the source has
    // no tests of its own). Source names print as `source_name.table`, selectors as `source:pkg.source.table`.
    const names = await ls('--select', 'source:ecom.raw_stores+', '--resource-type', 'source', 'model', '--output', 'name');
    assert.deepEqual(names.stdout.trim().split('\n'), ['locations', 'stg_locations', 'ecom.raw_stores']);
    const selectors = await ls('--select', 'source:ecom.raw_stores', '--output', 'selector');
    assert.equal(selectors.stdout, 'source:jaffle_shop.ecom.raw_stores\n');
    const paths = await ls('--select', 'stg_locations', '--resource-type', 'model', '--output', 'path');
    assert.equal(paths.stdout, 'models/staging/stg_locations.sql\n');
  });

  it('prints --output json with dbt\'s keys, in the manifest\'s order, as Python\'s json.dumps writes them', async () => {
    const r = await ls('--select', 'stg_locations', '--resource-type', 'model', '--output', 'json');
    const line = r.stdout.trimEnd();
    assert.equal(line.split('\n').length, 1);
    const obj = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual(Object.keys(obj), ['name', 'resource_type', 'package_name', 'original_file_path', 'unique_id', 'alias', 'config', 'tags', 'depends_on']);
    assert.equal(obj.unique_id, 'model.jaffle_shop.stg_locations');
    assert.ok(line.startsWith('{"name": "stg_locations", "resource_type": "model", '), line.slice(0, 80));
    const keys = await ls('--select', 'stg_locations', '--resource-type', 'model', '--output', 'json', '--output-keys', 'unique_id', 'config.materialized');
    assert.equal(keys.stdout, '{"unique_id": "model.jaffle_shop.stg_locations", "config.materialized": "view"}\n');
  });

  it('lists every enabled node when nothing is selected, like dbt ls', async () => {
    const r = await ls();
    const lines = r.stdout.trim().split('\n');
    // 13 models + 7 seeds + 27 tests + 6 sources + 19 metrics + 6 semantic models + 3 saved queries + 3 unit tests.
    assert.equal(lines.length, 84);
    assert.deepEqual([...lines].sort(), [...new Set(lines)].sort(), 'no duplicates');
  });

  it('uses the project\'s target path when --manifest is not given', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-cli-'));
    try {
      writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: gnosis_dbt\ntarget-path: out\n');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(path.join(dir, 'out'));
      writeFileSync(path.join(dir, 'out', 'manifest.json'), readFileSync(GNOSIS));
      const r = await runBuiltCli(['ls', '--project-dir', dir, '--select', 'config.materialized:incremental', '--resource-type', 'model', '--output', 'name']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 78);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 naming the bad token of a malformed selector or an unknown model', async () => {
    const unknown = await ls('--select', 'stg_locatons');
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /^error: .*stg_locatons/);
    assert.match(unknown.stderr, /stg_locations/, 'suggests the near name');
    const malformed = await ls('--select', '@stg_locations+');
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /@stg_locations\+/);
    const badMethod = await ls('--select', 'tga:nightly');
    assert.equal(badMethod.code, 2);
    assert.match(badMethod.stderr, /tga/);
  });

  it('exits 2 with a clear message for a missing or truncated manifest', async () => {
    const missing = await runBuiltCli(['ls', '--project-dir', project]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /target\/manifest\.json does not exist/);
    assert.match(missing.stderr, /dbt parse/);
    const cut = path.join(project, 'cut.json');
    writeFileSync(cut, readFileSync(V12, 'utf8').slice(0, 10_000));
    const truncated = await runBuiltCli(['ls', '--project-dir', project, '--manifest', cut]);
    assert.equal(truncated.code, 2);
    assert.match(truncated.stderr, /cut\.json is not complete JSON/);
    assert.doesNotMatch(truncated.stderr, /\n\s+at /, 'no stack trace');
  });

  it('exits 2 on a bad option or a project folder without dbt_project.yml', async () => {
    const badOutput = await ls('--output', 'xml');
    assert.equal(badOutput.code, 2);
    assert.match(badOutput.stderr, /xml/);
    const noProject = await runBuiltCli(['ls', '--project-dir', os.tmpdir()]);
    assert.equal(noProject.code, 2);
    assert.match(noProject.stderr, /dbt_project\.yml does not exist/);
  });

  it('has --help for every command and --version', async () => {
    const version = await runBuiltCli(['--version']);
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), pkg.version);
    assert.equal(version.code, 0);
    const help = await runBuiltCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: dbt-recovery/);
    assert.match(help.stdout, /\bls\b/);
    const lsHelp = await runBuiltCli(['ls', '--help']);
    assert.equal(lsHelp.code, 0);
    for (const flag of ['--project-dir', '--manifest', '--select', '--exclude', '--resource-type', '--output']) {
      assert.ok(lsHelp.stdout.includes(flag), `ls --help mentions ${flag}`);
    }
    const none = await runBuiltCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: dbt-recovery/);
  });
});
