import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { applyEdits } from '../../../src/core/lint/fixes';
import { Linter } from '../../../src/core/lint/linter';
import { DEFAULT_PROFILE } from '../../../src/core/lint/profile/recoveryProfile';
import type { Finding } from '../../../src/core/lint/types';
import { loadManifest, readProject } from '../../../src/core/manifest';

const EXAMPLE = path.resolve(__dirname, '../../../examples/price-gap');

function sqlFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...sqlFiles(dir, r));
    else if (e.name.endsWith('.sql')) out.push(r);
  }
  return out;
}

const read = (file: string): string | null => {
  try {
    return readFileSync(path.join(EXAMPLE, file), 'utf8');
  } catch {
    return null;
  }
};

function newLinter(): Linter {
  const project = readProject(EXAMPLE);
  return new Linter({ project, manifest: loadManifest(project.manifestPath), profile: DEFAULT_PROFILE, readFile: read });
}

const summary = (f: Finding): string => `${f.file} ${f.ruleId}`;

describe('lint: examples/price-gap', () => {
  let findings: Finding[];
  before(() => (findings = newLinter().lintProject(read)));

  it('finds exactly the models marked `-- NON-COMPLIANT (<rule-id>)`, one finding each, and nothing else', () => {
    // The example's README lists one deliberately broken model per rule (refill-append-engine has none: every
    // cohort member is incremental ReplacingMergeTree, partitioned by toStartOfMonth, with keys). Every other model
    // was checked by hand: the cohort members are compliant; the untagged incremental models have no heavy
    // evidence (uniq() is not uniqExact, GROUP BY date is not a month); all but one carry full_refresh=false; the
    // only microbatch model is int_consensus_blocks_daily, whose other input (consensus.blocks) has event_time.
    const expected: string[] = [];
    for (const file of sqlFiles(path.join(EXAMPLE, 'models'))) {
      const text = readFileSync(path.join(EXAMPLE, 'models', file), 'utf8');
      for (const m of text.matchAll(/-- NON-COMPLIANT \(([a-z-]+)\)/g)) expected.push(`models/${file} ${m[1]!}`);
    }
    assert.equal(expected.length, 7);
    assert.deepEqual(findings.map(summary).sort(), expected.sort());
  });

  it('lists findings in a stable order (file, line, rule) with their severities and unique ids', () => {
    assert.deepEqual(
      findings.map((f) => [f.file.split('/').pop(), f.range.start.line, f.severity, f.uniqueId?.split('.').pop()]),
      [
        ['int_consensus_blocks_daily.sql', 29, 'warning', 'int_consensus_blocks_daily'],
        ['int_execution_gpay_payments_by_token_daily.sql', 27, 'warning', 'int_execution_gpay_payments_by_token_daily'],
        ['int_execution_account_balance_history_daily.sql', 3, 'error', 'int_execution_account_balance_history_daily'],
        ['int_execution_tokens_active_holders_monthly.sql', 10, 'warning', 'int_execution_tokens_active_holders_monthly'],
        ['int_execution_tokens_balances_by_sector_daily.sql', 1, 'error', 'int_execution_tokens_balances_by_sector_daily'],
        ['int_execution_transfers_usd_daily.sql', 1, 'warning', 'int_execution_transfers_usd_daily'],
        ['int_revenue_gpay_fees_daily.sql', 26, 'error', 'int_revenue_gpay_fees_daily'],
      ],
    );
  });

  const one = (rule: string): Finding => {
    const f = findings.find((x) => x.ruleId === rule);
    assert.ok(f, rule);
    return f;
  };

  it('refill-append-strategy points at the incremental_strategy kwarg and says what to write', () => {
    const f = one('refill-append-strategy');
    // `        incremental_strategy='delete+insert',` on line 4: the kwarg without its comma.
    assert.deepEqual(f.range, { start: { line: 3, character: 8 }, end: { line: 3, character: 44 } });
    assert.equal(
      f.message,
      "`int_execution_account_balance_history_daily` is tagged refill_append but its incremental_strategy is `'delete+insert'`, " +
        'not the three-branch expression: a month refill still runs delete+insert mutations, which fail with Code: 341 on a ' +
        "whole month. Use incremental_strategy=('append' if (var('start_month', none) or var('incremental_end_date', none)) else 'delete+insert').",
    );
    assert.equal(f.fix?.kind, 'strategy-expression');
  });

  it('refill-append-hooks points at config() when there is no hook kwarg, and names the fix', () => {
    const f = one('refill-append-hooks');
    assert.deepEqual(f.range, { start: { line: 1, character: 4 }, end: { line: 11, character: 5 } });
    assert.equal(
      f.message,
      '`int_execution_tokens_balances_by_sector_daily` is tagged refill_append but has no spill-to-disk hooks: its month ' +
        'rewrite can fail with Code: 241 (MEMORY_LIMIT_EXCEEDED). Add pre_hook=refill_safe_pre_hook(), post_hook=refill_safe_post_hook().',
    );
  });

  it('refill-append-month-filter points at the incremental filter the branch should wrap', () => {
    const f = one('refill-append-month-filter');
    // `  {{ apply_monthly_incremental_filter('date', 'date', true) }}` on line 27.
    assert.deepEqual(f.range, { start: { line: 26, character: 2 }, end: { line: 26, character: 62 } });
  });

  it('heavy-model-untagged names every piece of evidence and points at tags', () => {
    const f = one('heavy-model-untagged');
    assert.deepEqual(f.range, { start: { line: 10, character: 8 }, end: { line: 10, character: 48 } });
    assert.match(
      f.message,
      /^`int_execution_tokens_active_holders_monthly` looks heavy \(uniqExact\(address\); uniqExact\(date\); rank\(\) OVER \(PARTITION BY month ORDER BY active_holders DESC\); GROUP BY month, token_address \(groups whole months of toStartOfMonth\(date\)\)\) but is not tagged refill_append:/,
    );
    assert.equal(f.fix?.kind, 'add-tag');
  });

  it('price-lookback-ignored points at the is_incremental() tag that bypasses the macro, naming the price root', () => {
    const f = one('price-lookback-ignored');
    assert.deepEqual(f.range, { start: { line: 27, character: 0 }, end: { line: 27, character: 25 } });
    assert.equal(
      f.message,
      '`int_execution_gpay_payments_by_token_daily` reads `int_execution_token_prices_daily` but its is_incremental() ' +
        'filter does not call apply_monthly_incremental_filter: widening price_lookback_days for a price-gap refill ' +
        'leaves its stale rows in place. Filter with {{ apply_monthly_incremental_filter(...) }} instead.',
    );
    assert.equal(f.fix, null);
  });

  it('full-refresh-unprotected says why the model counts as large', () => {
    const f = one('full-refresh-unprotected');
    assert.match(f.message, /^`int_execution_transfers_usd_daily` is an incremental model \(no run_results\.json, so its size is unknown\) that has no full_refresh=false:/);
    assert.equal(f.fix?.kind, 'full-refresh-false');
  });

  it('microbatch-config points at the source() call of the input without event_time', () => {
    const f = one('microbatch-config');
    const text = read(f.file)!;
    const lines = text.split('\n');
    assert.equal(lines[f.range.start.line]!.slice(f.range.start.character, f.range.end.character), "source('consensus', 'validators')");
    assert.match(f.message, /reads the source consensus\.validators, which declares no event_time/);
  });

  it('each quick fix, applied, makes its finding go away and adds none (re-linting the edited text)', () => {
    const linter = newLinter();
    for (const f of findings.filter((x) => x.fix)) {
      const change = f.fix!.changes.find((c) => c.file === f.file)!;
      const fixed = applyEdits(read(f.file)!, change.edits);
      const after = linter.lintFile(f.file, fixed);
      // Adding the refill tag puts the model in the cohort, where the cohort rules then ask for the rest of the
      // contract: that is the point of tagging it, so only the tag's own finding must go.
      const remaining = after.filter((x) => x.ruleId === f.ruleId);
      assert.deepEqual(remaining.map(summary), [], `${f.ruleId} after its fix`);
      if (f.ruleId !== 'heavy-model-untagged') assert.deepEqual(after.map(summary), [], `${f.file} after the fix`);
    }
  });

  it('lintFile on an unchanged model gives what lintProject gave for it', () => {
    const linter = newLinter();
    for (const f of findings) assert.deepEqual(linter.lintFile(f.file, read(f.file)!).map(summary), [summary(f)]);
    assert.deepEqual(linter.lintFile(path.join(EXAMPLE, findings[0]!.file), read(findings[0]!.file)!).map(summary), [summary(findings[0]!)]);
  });

  it('modelInfo gives the recovery roles, lineage counts and no last run without run_results.json', () => {
    const linter = newLinter();
    linter.lintProject(read);
    const balances = linter.modelInfo('model.gnosis_recovery_example.int_execution_tokens_balances_daily')!;
    assert.deepEqual(balances.roles, ['refill-cohort', 'price-lineage']);
    assert.equal(balances.file, 'models/execution/tokens/intermediate/int_execution_tokens_balances_daily.sql');
    assert.equal(balances.lastRun, null);
    // Upstream: stg_execution__balance_diffs and the price root (the seed tokens_whitelist and the sources are not
    // models).
    assert.equal(balances.upstream, 2);
    const fct = linter.modelInfo('models/execution/tokens/marts/fct_execution_tokens_metrics_daily.sql')!;
    assert.deepEqual(fct.roles, ['price-lineage', 'downstream-of-cohort']);
    const p2p = linter.modelInfo(path.join(EXAMPLE, 'models/p2p/marts/api_p2p_clients_daily.sql'))!;
    assert.deepEqual(p2p.roles, []);
    assert.equal(p2p.upstream, 1);
    assert.equal(p2p.downstream, 0);
    assert.equal(linter.modelInfo('seed.gnosis_recovery_example.tokens_whitelist'), null);
    assert.equal(linter.modelInfo('macros/refill_safe_hooks.sql'), null);
    assert.equal(linter.needsParse, false);
    assert.deepEqual(linter.notices, []);
  });
});
