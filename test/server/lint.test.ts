import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CodeLens, Diagnostic, DocumentDiagnosticReport, Hover, TextEdit } from 'vscode-languageserver-protocol';
import { applyEdits } from '../../src/core/lint/fixes';
import type { ProjectStatusParams } from '../../src/protocol/projectStatus';
import { ROOT } from '../support/builtCli';
import { LspTestClient } from '../support/lspClient';

const EXAMPLE = path.resolve(__dirname, '../../examples/price-gap');
const BY_SECTOR = 'models/execution/tokens/intermediate/int_execution_tokens_balances_by_sector_daily.sql';
const SUPPLY = 'models/execution/tokens/intermediate/int_execution_tokens_supply_holders_daily.sql';

describe('language server: recovery-readiness lint', function () {
  this.timeout(60_000);
  let ws: string;
  let client: LspTestClient;

  before(async () => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-lsp-lint-'));
    cpSync(EXAMPLE, path.join(ws, 'price-gap'), { recursive: true, preserveTimestamps: true });
    client = new LspTestClient();
    await client.initialize([ws], { extensionRoot: ROOT });
    await client.waitFor<ProjectStatusParams>('dbtRecovery/projectStatus', (p) => p.projects[0]?.kind === 'loaded');
  });
  after(async () => {
    await client.stop();
    rmSync(ws, { recursive: true, force: true });
  });

  const uriOf = (rel: string): string => pathToFileURL(path.join(ws, 'price-gap', rel)).toString();
  let version = 1;

  async function open(rel: string): Promise<string> {
    const uri = uriOf(rel);
    const text = readFileSync(path.join(ws, 'price-gap', rel), 'utf8');
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: version++, text } });
    return text;
  }

  async function diagnostics(rel: string): Promise<Diagnostic[]> {
    const report = await client.connection.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri: uriOf(rel) } });
    assert.equal(report.kind, 'full');
    return report.kind === 'full' ? report.items : [];
  }

  it('pulls the diagnostics of a non-compliant model, with the rule id, a doc link and the fix in data', async () => {
    await open(BY_SECTOR);
    const items = await diagnostics(BY_SECTOR);
    const hooks = items.filter((d) => d.code === 'refill-append-hooks');
    assert.equal(hooks.length, 1, JSON.stringify(items, null, 1));
    const d = hooks[0]!;
    assert.equal(d.source, 'dbt Recovery');
    assert.equal(d.codeDescription?.href, pathToFileURL(path.join(ROOT, 'docs', 'rules', 'refill-append-hooks.md')).toString());
    assert.ok(existsSync(path.join(ROOT, 'docs', 'rules', 'refill-append-hooks.md')), 'the linked page exists');
    assert.equal(d.severity, 1, 'an error: a refill of this model without the hooks runs out of memory (Code 241)');
    const message = typeof d.message === 'string' ? d.message : d.message.value;
    assert.match(message, /Code: 241/);
    assert.match(message, /refill_safe_pre_hook\(\)/);
    assert.ok((d.data as { fix?: unknown }).fix, 'the quick fix travels in Diagnostic.data');
  });

  it('applies the quick fix from a code action, and the diagnostic goes', async () => {
    const text = readFileSync(path.join(ws, 'price-gap', BY_SECTOR), 'utf8');
    const before = await diagnostics(BY_SECTOR);
    const hooks = before.find((d) => d.code === 'refill-append-hooks')!;
    const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: uriOf(BY_SECTOR) },
      range: hooks.range,
      context: { diagnostics: [hooks] },
    });
    assert.equal(actions.length, 1);
    const action = actions[0]!;
    assert.equal(action.kind, 'quickfix');
    const edits = action.edit?.changes?.[uriOf(BY_SECTOR)] as TextEdit[];
    assert.ok(edits && edits.length > 0);
    const fixed = applyEdits(text, edits);
    assert.match(fixed, /pre_hook=refill_safe_pre_hook\(\)/);
    assert.match(fixed, /post_hook=refill_safe_post_hook\(\)/);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uriOf(BY_SECTOR), version: version++ },
      contentChanges: [{ text: fixed }],
    });
    const after = await diagnostics(BY_SECTOR);
    assert.deepEqual(after.filter((d) => d.code === 'refill-append-hooks'), []);
  });

  it('a compliant cohort model has no findings, and shows its role in a hover and the refill lens', async () => {
    const text = await open(SUPPLY);
    assert.deepEqual(await diagnostics(SUPPLY), []);
    const at = text.indexOf('config(');
    const line = text.slice(0, at).split('\n').length - 1;
    const character = at - (text.lastIndexOf('\n', at - 1) + 1);
    const hover = await client.connection.sendRequest<Hover | null>('textDocument/hover', {
      textDocument: { uri: uriOf(SUPPLY) },
      position: { line, character: character + 2 },
    });
    const value = (hover?.contents as { value: string } | undefined)?.value ?? '';
    assert.match(value, /\*\*int_execution_tokens_supply_holders_daily\*\*/);
    assert.match(value, /refill cohort/);
    assert.match(value, /price lineage consumer/);
    assert.match(value, /Upstream: \d+ models? · downstream: \d+ models?/);
    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uriOf(SUPPLY) } });
    assert.deepEqual(lenses.map((l) => l.command?.title), ['Refill after price gap…', 'Plan dev build…']);
    assert.deepEqual(lenses[0]!.command?.arguments, [uriOf(SUPPLY)]);
  });

  it('an unrelated model gets only the dev build lens', async () => {
    const rel = 'models/p2p/intermediate/int_p2p_discv5_clients_daily.sql';
    await open(rel);
    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: uriOf(rel) } });
    assert.deepEqual(lenses.map((l) => l.command?.title), ['Plan dev build…']);
  });

  it('reports every non-compliant model of the project through workspace diagnostics', async () => {
    const report = await client.connection.sendRequest<{ items: Array<{ uri: string; kind: string; items?: Diagnostic[] }> }>('workspace/diagnostic', { previousResultIds: [] });
    const codes = new Map<string, string[]>();
    for (const item of report.items) {
      if (item.kind !== 'full') continue;
      const rel = path.relative(path.join(ws, 'price-gap'), new URL(item.uri).pathname);
      codes.set(rel, (item.items ?? []).map((d) => String(d.code)));
    }
    // Each deliberately non-compliant model (marked in its source) is reported with its rule; open documents come
    // from document pulls instead, so the two opened above are not in this report.
    const expected: Record<string, string> = {
      'models/execution/tokens/intermediate/int_execution_account_balance_history_daily.sql': 'refill-append-strategy',
      'models/revenue/intermediate/int_revenue_gpay_fees_daily.sql': 'refill-append-month-filter',
      'models/execution/tokens/intermediate/int_execution_tokens_active_holders_monthly.sql': 'heavy-model-untagged',
      'models/execution/gpay/intermediate/int_execution_gpay_payments_by_token_daily.sql': 'price-lookback-ignored',
      'models/execution/transfers/intermediate/int_execution_transfers_usd_daily.sql': 'full-refresh-unprotected',
      'models/consensus/intermediate/int_consensus_blocks_daily.sql': 'microbatch-config',
    };
    for (const [file, rule] of Object.entries(expected)) assert.ok(codes.get(file)?.includes(rule), `${file}: ${rule} in ${JSON.stringify(codes.get(file))}`);
    assert.ok(!codes.has(BY_SECTOR), 'an open document is not in the workspace report');
  });
});

describe('language server: lint without a manifest', function () {
  this.timeout(60_000);
  let ws: string;
  let client: LspTestClient;
  before(async () => {
    ws = mkdtempSync(path.join(os.tmpdir(), 'dbt-recovery-lsp-nomanifest-'));
    cpSync(EXAMPLE, path.join(ws, 'price-gap'), { recursive: true, preserveTimestamps: true });
    rmSync(path.join(ws, 'price-gap', 'target'), { recursive: true, force: true });
    client = new LspTestClient();
    await client.initialize([ws], { extensionRoot: ROOT });
    await client.waitFor<ProjectStatusParams>('dbtRecovery/projectStatus', (p) => p.projects[0]?.kind === 'missing');
  });
  after(async () => {
    await client.stop();
    rmSync(ws, { recursive: true, force: true });
  });

  it('runs the source rules and hints to run dbt parse', async () => {
    const uri = pathToFileURL(path.join(ws, 'price-gap', BY_SECTOR)).toString();
    const text = readFileSync(path.join(ws, 'price-gap', BY_SECTOR), 'utf8');
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    const report = await client.connection.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri } });
    const items = report.kind === 'full' ? report.items : [];
    // The tag and the missing hooks are both in the model's own config(): no manifest needed to see them.
    assert.deepEqual(items.map((d) => d.code).sort(), ['no-manifest', 'refill-append-hooks']);
    const hint = items.find((d) => d.code === 'no-manifest')!;
    assert.equal(hint.severity, 4, 'a hint, not a warning');
    assert.match(typeof hint.message === 'string' ? hint.message : hint.message.value, /dbt parse/);
  });
});
