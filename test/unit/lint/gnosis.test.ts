import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Linter } from '../../../src/core/lint/linter';
import { DEFAULT_PROFILE } from '../../../src/core/lint/profile/recoveryProfile';
import type { Finding } from '../../../src/core/lint/types';
import { loadManifest, type Manifest } from '../../../src/core/manifest';
import { fixture } from '../fixtures';

// The real dbt-cerebro manifest (Gnosis Chain, dbt 1.9.4, dbt-clickhouse): 241 models, 78 of them incremental
// delete+insert, none tagged refill_append, none with full_refresh=false, no price root of that name. There are no
// .sql files for it: each model's source is its `raw_code`, which is the file's content (its sha256 is the
// manifest's checksum, checked below).
const GNOSIS = fixture('gnosischain__dbt-cerebro__v12.json');

// Checked by hand against each model's raw_code: the evidence named in each message is in the SQL.
const HEAVY: Record<string, string> = {
  int_esg_dynamic_power_consumption: 'COUNT(DISTINCT client_type)',
  int_esg_node_classification: 'COUNT(DISTINCT peer_id); SUM(s.estimated_total_nodes) OVER (PARTITION BY s.date)',
  int_esg_node_client_distribution: 'SUM(observed_client_nodes) OVER (PARTITION BY date)',
  int_esg_node_geographic_distribution: 'SUM(estimated_nodes) OVER (PARTITION BY date)',
  int_esg_node_population_chao1: 'COUNT(DISTINCT crawl_id); COUNT(DISTINCT peer_id)',
  fct_esg_carbon_footprint_uncertainty: 'COUNT(DISTINCT country_code)',
  int_consensus_validators_per_index_apy_daily: 'lagInFrame(toNullable(t1.balance), 1, NULL) OVER (',
  // A true monthly aggregate: `toStartOfMonth(date) AS month ... GROUP BY month, project` over daily bitmaps.
  int_execution_transactions_by_project_alltime_state: 'GROUP BY month, project (groups whole months of toStartOfMonth(date))',
  int_yields_sdai_rate_daily: 'lagInFrame(sdai_conversion) OVER (',
  int_p2p_discv4_visits_daily: 'COUNT(DISTINCT crawl_id)',
  int_p2p_discv5_visits_daily: 'COUNT(DISTINCT crawl_id)',
};

describe('lint: the Gnosis dbt-cerebro manifest (sources from raw_code)', () => {
  let manifest: Manifest;
  let linter: Linter;
  let findings: Finding[];
  const byFile = new Map<string, string>();

  before(() => {
    manifest = loadManifest(GNOSIS);
    for (const n of manifest.nodes.values()) if (n.resourceType === 'model' && n.rawCode !== null) byFile.set(n.originalFilePath, n.rawCode);
    linter = new Linter({
      project: { root: '/nonexistent/gnosis', name: 'gnosis_dbt', modelPaths: ['models'] },
      manifest,
      profile: DEFAULT_PROFILE,
      readFile: () => null,
      listModelFiles: () => [],
    });
    findings = linter.lintProject((file) => byFile.get(file) ?? null);
  });

  it('builds each model\'s source from raw_code, which is the file dbt read (sha256 = checksum)', () => {
    let checked = 0;
    for (const n of manifest.nodes.values()) {
      if (n.resourceType !== 'model' || n.checksum === null) continue;
      assert.equal(createHash('sha256').update(n.rawCode!).digest('hex'), n.checksum, n.uniqueId);
      checked++;
    }
    assert.equal(checked, 241);
    assert.equal(linter.lintedFiles, 241);
  });

  it('lints without crashing, with these counts per rule', () => {
    const counts: Record<string, number> = {};
    for (const f of findings) counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1;
    // No refill_append tag anywhere, so the four cohort rules have nothing to check; no microbatch model; no price
    // root, so no price lineage (see the notice below).
    assert.deepEqual(counts, { 'full-refresh-unprotected': 78, 'heavy-model-untagged': 11 });
  });

  it('says once, for the project, that the configured price root is not in the graph', () => {
    assert.deepEqual(linter.notices.map((n) => n.code), ['price-root-missing']);
    assert.match(linter.notices[0]!.message, /^The price root `int_execution_token_prices_daily` \(price_root in dbt-recovery\.yml\) is not a model of this project, so no model is in the price lineage and price-lookback-ignored checked nothing\./);
    assert.equal(linter.modelInfo('model.gnosis_dbt.int_execution_rwa_backedfi_prices')?.roles.includes('price-lineage'), false);
  });

  it('full-refresh-unprotected: every incremental model, since none sets full_refresh=false and no run shows one is small', () => {
    const raw = JSON.parse(readFileSync(GNOSIS, 'utf8')) as { nodes: Record<string, { resource_type: string; config: Record<string, unknown> }> };
    const unprotected = Object.entries(raw.nodes)
      .filter(([, n]) => n.resource_type === 'model' && n.config.materialized === 'incremental' && n.config.full_refresh !== false)
      .map(([id]) => id)
      .sort();
    assert.equal(unprotected.length, 78);
    assert.deepEqual(findings.filter((f) => f.ruleId === 'full-refresh-unprotected').map((f) => f.uniqueId).sort(), unprotected);

    const blob = findings.find((f) => f.ruleId === 'full-refresh-unprotected' && f.uniqueId === 'model.gnosis_dbt.int_consensus_blob_commitments_daily')!;
    assert.equal(blob.file, 'models/consensus/intermediate/int_consensus_blob_commitments_daily.sql');
    // No full_refresh kwarg: the config() call, from `config(` on line 2 to its `)` on line 10.
    assert.deepEqual(blob.range, { start: { line: 1, character: 4 }, end: { line: 9, character: 5 } });
    assert.equal(
      blob.message,
      '`int_consensus_blob_commitments_daily` is an incremental model (no run_results.json, so its size is unknown) that has ' +
        'no full_refresh=false: a `dbt run --full-refresh` during a recovery would rebuild its whole history instead of ' +
        'the broken window. Add full_refresh=false.',
    );
    const chao1 = findings.find((f) => f.ruleId === 'full-refresh-unprotected' && f.uniqueId === 'model.gnosis_dbt.int_esg_node_population_chao1')!;
    assert.match(chao1.message, /\(heavy: COUNT\(DISTINCT crawl_id\); COUNT\(DISTINCT peer_id\); no run_results\.json, so its size is unknown\)/);
  });

  it('heavy-model-untagged: the eleven incremental models with window functions, exact distinct counts or a monthly GROUP BY', () => {
    const heavy = findings.filter((f) => f.ruleId === 'heavy-model-untagged');
    assert.deepEqual(heavy.map((f) => f.uniqueId!.split('.').pop()).sort(), Object.keys(HEAVY).sort());
    for (const f of heavy) {
      const name = f.uniqueId!.split('.').pop()!;
      assert.ok(f.message.startsWith(`\`${name}\` looks heavy (`), f.message);
      assert.ok(f.message.includes(HEAVY[name]!), `${name}: ${f.message}`);
      assert.equal(f.fix?.kind, 'add-tag');
    }
    // Points at the tags kwarg: `    tags=['production','execution','transactions']` (two-space config indent).
    const monthly = heavy.find((f) => f.uniqueId === 'model.gnosis_dbt.int_execution_transactions_by_project_alltime_state')!;
    assert.deepEqual(monthly.range, { start: { line: 8, character: 4 }, end: { line: 8, character: 50 } });
  });

  it('counts GROUP BYs over days and uniq() (approximate) as light: the other 67 incremental models', () => {
    const heavyIds = new Set(findings.filter((f) => f.ruleId === 'heavy-model-untagged').map((f) => f.uniqueId));
    const blob = [...manifest.nodes.values()].find((n) => n.name === 'int_consensus_blob_commitments_daily')!;
    // `toStartOfDay(slot_timestamp) AS date ... GROUP BY 1`: a day bucket, not a month.
    assert.match(blob.rawCode!, /GROUP BY 1/);
    assert.equal(heavyIds.has(blob.uniqueId), false);
  });

  it('with a price root that exists (backed.fi prices), its lineage is computed and its root is not a consumer', () => {
    const withRoot = new Linter({
      project: { root: '/nonexistent/gnosis', name: 'gnosis_dbt', modelPaths: ['models'] },
      manifest,
      profile: { ...DEFAULT_PROFILE, priceRoot: 'int_execution_rwa_backedfi_prices' },
      readFile: () => null,
      listModelFiles: () => [],
    });
    const lookback = withRoot.lintProject((file) => byFile.get(file) ?? null).filter((f) => f.ruleId === 'price-lookback-ignored');
    assert.deepEqual(withRoot.notices, []);
    // The root is itself incremental but is the price source, not a consumer; below it are views only.
    const lineage = [...manifest.nodes.values()].filter((n) => withRoot.modelInfo(n.uniqueId)?.roles.includes('price-lineage'));
    assert.deepEqual(lineage.map((n) => `${n.name}:${n.config.materialized}`).sort(), [
      'api_execution_rwa_backedfi_prices_daily:view',
      'fct_execution_rwa_backedfi_prices_daily:view',
      'int_execution_rwa_backedfi_prices:incremental',
    ]);
    assert.deepEqual(lookback, []);
  });
});
