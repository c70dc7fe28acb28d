import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatProfileProblem, loadRecoveryProfile, parseRecoveryProfile, PROFILE_FILE } from '../../../src/core/lint/profile/loadRecoveryProfile';
import { DEFAULT_PROFILE } from '../../../src/core/lint/profile/recoveryProfile';

describe('dbt-recovery.yml', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-profile-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const project = (name: string, yml: string | null): string => {
    const root = path.join(dir, name);
    mkdirSync(root, { recursive: true });
    if (yml !== null) writeFileSync(path.join(root, PROFILE_FILE), yml);
    return root;
  };

  it('is optional: without it the profile is the runbook\'s defaults', () => {
    const loaded = loadRecoveryProfile(project('none', null));
    assert.deepEqual(loaded, { profile: DEFAULT_PROFILE, problems: [], file: null });
    assert.notEqual(loaded.profile.hooks.requiredSettings, DEFAULT_PROFILE.hooks.requiredSettings, 'a copy, not the shared defaults');
  });

  it('reads every key over the defaults', () => {
    const root = project('full', [
      'version: 1',
      'refill_tag: month_rewrite',
      'hooks:',
      '  pre_hook_macro: spill_on',
      '  post_hook_macro: spill_off',
      '  required_settings: [max_memory_usage, join_algorithm]',
      'vars:',
      '  start_month: from_month',
      '  end_month: to_month',
      '  incremental_end_date: until',
      '  lookback_days: lookback',
      'price_root: prices_daily',
      'lookback_macro: lookback_filter',
      'default_strategy: insert_overwrite',
      'heavy:',
      '  run_seconds: 120',
      'large_run_seconds: 30',
      'rules:',
      '  heavy-model-untagged: error',
      '  microbatch-config: off',
      '',
    ].join('\n'));
    const { profile, problems, file } = loadRecoveryProfile(root);
    assert.deepEqual(problems, []);
    assert.equal(file, path.join(root, PROFILE_FILE));
    assert.deepEqual(profile, {
      refillTag: 'month_rewrite',
      hooks: { preHookMacro: 'spill_on', postHookMacro: 'spill_off', requiredSettings: ['max_memory_usage', 'join_algorithm'] },
      vars: { startMonth: 'from_month', endMonth: 'to_month', incrementalEndDate: 'until', lookbackDays: 'lookback' },
      priceRoot: 'prices_daily',
      lookbackMacro: 'lookback_filter',
      defaultStrategy: 'insert_overwrite',
      heavy: { runSeconds: 120 },
      largeRunSeconds: 30,
      rules: { 'heavy-model-untagged': 'error', 'microbatch-config': 'off' },
    });
  });

  it('reports each bad key with the file, its line and column, what was expected and what to do, keeping its default', () => {
    const root = project('bad', [
      'refil_tag: heavy',
      'hooks:',
      '  pre_hook_macro: my pre hook',
      '  required_settings: [max_memory_usage, 3]',
      'vars: [start_month]',
      'heavy:',
      '  run_seconds: -1',
      'large_run_seconds: "60"',
      'rules:',
      '  refill-append-hook: error',
      '  heavy-model-untagged: warn',
      '  microbatch-config: hint',
      'price_root: prices_daily',
      '',
    ].join('\n'));
    const { profile, problems } = loadRecoveryProfile(root);
    const file = path.join(root, PROFILE_FILE);
    assert.deepEqual(
      problems.map((p) => formatProfileProblem(p).replace(file, 'F')),
      [
        'F:1:1: error: Unknown key `refil_tag` in dbt-recovery.yml. Did you mean `refill_tag`? Remove it or fix its name; the keys here are `version`, `refill_tag`, `hooks`, `vars`, `price_root`, `lookback_macro`, `default_strategy`, `heavy`, `large_run_seconds`, `rules`.',
        'F:3:19: error: `hooks.pre_hook_macro` in dbt-recovery.yml must be the macro whose call as pre_hook sets the spill-to-disk settings (a name such as `my_name`: letters, digits, underscores), but found the string "my pre hook". Fix the value or remove the key; until then the default (refill_safe_pre_hook) applies.',
        'F:4:22: error: `hooks.required_settings` in dbt-recovery.yml must be the ClickHouse settings the pre-hook must establish (a list of setting names, e.g. [max_memory_usage]), but it holds the number 3, which is not a setting name. Fix the value or remove the key; until then the default ([max_memory_usage, max_bytes_before_external_group_by, max_bytes_before_external_sort, join_algorithm]) applies.',
        'F:5:7: error: `vars` in dbt-recovery.yml must be a mapping with the keys `start_month`, `end_month`, `incremental_end_date`, `lookback_days`, but found a list. Until it is, their defaults apply.',
        'F:7:16: error: `heavy.run_seconds` in dbt-recovery.yml must be the run time from which a model counts as heavy (a number of seconds, 0 or more), but found the number -1. Fix the value or remove the key; until then the default (300) applies.',
        'F:8:20: error: `large_run_seconds` in dbt-recovery.yml must be the run time from which an incremental model counts as large (a number of seconds, 0 or more), but found the string "60". Fix the value or remove the key; until then the default (60) applies.',
        'F:10:3: error: `rules.refill-append-hook` in dbt-recovery.yml: there is no rule `refill-append-hook`. Did you mean `refill-append-hooks`? The rules are refill-append-hooks, refill-append-strategy, refill-append-month-filter, refill-append-engine, heavy-model-untagged, price-lookback-ignored, full-refresh-unprotected, microbatch-config, disable-directive (docs/rules/README.md).',
        'F:11:25: error: `rules.heavy-model-untagged` in dbt-recovery.yml must be one of off, hint, info, warning, error, but found the string "warn". Did you mean `warning`? Until it is, the rule keeps its default severity.',
      ],
    );
    // The good keys are read, the bad ones keep their defaults.
    assert.equal(profile.priceRoot, 'prices_daily');
    assert.deepEqual(profile.rules, { 'microbatch-config': 'hint' });
    assert.equal(profile.refillTag, DEFAULT_PROFILE.refillTag);
    assert.deepEqual(profile.hooks, DEFAULT_PROFILE.hooks);
    assert.equal(profile.heavy.runSeconds, 300);
    // Ranges are zero-based and cover the key or value.
    assert.deepEqual(problems[0]!.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 9 } });
  });

  it('falls back to every default on broken YAML, with the parser\'s position', () => {
    const root = project('broken', 'rules:\n  heavy-model-untagged: [error\nprice_root: x\n');
    const { profile, problems } = loadRecoveryProfile(root);
    assert.deepEqual(profile, DEFAULT_PROFILE);
    assert.ok(problems.length >= 1);
    for (const p of problems) {
      assert.equal(p.severity, 'error');
      assert.ok(p.range);
      assert.match(p.message, /^dbt-recovery\.yml is not valid YAML: .*\. Every setting keeps its default until the file parses; fix the YAML \(docs\/recovery-profile\.md shows the format\)\.$/);
    }
    const dup = parseRecoveryProfile('price_root: a\nprice_root: b\n', 'dbt-recovery.yml');
    assert.match(dup.problems[0]!.message, /Map keys must be unique/);
    assert.equal(dup.profile.priceRoot, DEFAULT_PROFILE.priceRoot);
  });

  it('says so when the file is not a mapping, and accepts an empty one', () => {
    assert.match(parseRecoveryProfile('- a\n- b\n', 'dbt-recovery.yml').problems[0]!.message, /^dbt-recovery\.yml must be a mapping of settings .* but it holds a list\./);
    assert.deepEqual(parseRecoveryProfile('# nothing yet\n', 'dbt-recovery.yml').problems, []);
  });

  it('warns about a strategy dbt-clickhouse does not know and an empty settings list, but uses them', () => {
    const { profile, problems } = parseRecoveryProfile('default_strategy: delete_insert\nhooks:\n  required_settings: []\n', 'dbt-recovery.yml');
    assert.equal(profile.defaultStrategy, 'delete_insert');
    assert.deepEqual(profile.hooks.requiredSettings, []);
    assert.deepEqual(problems.map((p) => p.severity), ['warning', 'warning']);
    assert.match(problems[0]!.message, /Did you mean `delete\+insert`\?/);
  });

  it('applies overrides (VS Code settings) over the file, validated the same way, named by their label', () => {
    const root = project('over', 'rules:\n  microbatch-config: error\nprice_root: from_file\n');
    const { profile, problems } = loadRecoveryProfile(root, {
      overrides: { rules: { 'microbatch-config': 'info', 'nope-rule': 'off' }, heavy: { run_secs: 1 } },
      overridesLabel: 'dbtRecovery.lint',
    });
    assert.equal(profile.rules['microbatch-config'], 'info');
    assert.equal(profile.priceRoot, 'from_file');
    assert.deepEqual(problems.map((p) => [p.file, p.range]), [['dbtRecovery.lint', null], ['dbtRecovery.lint', null]]);
    assert.match(problems[0]!.message, /^`rules\.nope-rule` in dbtRecovery\.lint: there is no rule `nope-rule`\./);
    assert.match(formatProfileProblem(problems[1]!), /^dbtRecovery\.lint: error: Unknown key `heavy\.run_secs` in dbtRecovery\.lint\./);
  });

  it('names an unreadable file instead of throwing', () => {
    const root = project('dir', null);
    mkdirSync(path.join(root, PROFILE_FILE));
    const { profile, problems } = loadRecoveryProfile(root);
    assert.deepEqual(profile, DEFAULT_PROFILE);
    assert.match(problems[0]!.message, /^dbt-recovery\.yml cannot be read \(.*EISDIR.*\)\. Every setting keeps its default/);
  });
});
