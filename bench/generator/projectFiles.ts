import { PRICE_LOOKBACK_DAYS, PROJECT, type MacroDef } from './macros';
import { type ExposureSpec } from './manifestNodes';
import { columnsOf, type ModelSpec, type SeedSpec, type SourceTable, type TestSpec } from './projectPlan';
import { columnDef, type DomainDef } from './vocabulary';

/** The text of the project's files other than model SQL: dbt_project.yml, property files, seeds, macros. */

const q = (s: string): string => JSON.stringify(s);
const list = (items: readonly string[]): string => `[${items.map(q).join(', ')}]`;

export function dbtProjectYml(): string {
  return `name: ${q(PROJECT)}
version: "1.0.0"
config-version: 2
profile: "bench_clickhouse"

model-paths: ["models"]
seed-paths: ["seeds"]
snapshot-paths: ["snapshots"]
macro-paths: ["macros"]
test-paths: ["tests"]
analysis-paths: ["analyses"]
target-path: "target"
clean-targets: ["target", "dbt_packages"]

vars:
  # Widened by the price-gap refill script (e.g. --vars '{"price_lookback_days": 12}').
  price_lookback_days: ${PRICE_LOOKBACK_DAYS}

models:
  ${PROJECT}:
    +materialized: view
    staging:
      +materialized: view
    intermediate:
      +materialized: view
    marts:
      +materialized: table

seeds:
  ${PROJECT}:
    +quote_columns: false
`;
}

export function packagesYml(): string {
  return `packages:
  - package: dbt-labs/dbt_utils
    version: [">=1.3.0", "<2.0.0"]
`;
}

export function profilesYml(): string {
  return `bench_clickhouse:
  target: dev
  outputs:
    dev:
      type: clickhouse
      driver: http
      host: 127.0.0.1
      port: 8123
      user: default
      password: ""
      schema: dbt
      threads: 4
      connect_timeout: 10
      send_receive_timeout: 3600
      custom_settings:
        allow_experimental_json_type: 1
`;
}

function testYml(t: TestSpec, indent: string): string {
  const name = t.kind === 'unique_combination_of_columns' ? 'dbt_utils.unique_combination_of_columns' : t.kind;
  const args: string[] = [];
  if (t.kind === 'accepted_values') args.push(`values: ${list(t.values!)}`);
  if (t.kind === 'relationships') args.push(`to: ref('${t.to!}')`, `field: ${t.field!}`);
  if (t.kind === 'unique_combination_of_columns') args.push(`combination_of_columns: ${list(t.columns!)}`);
  if (t.severity === 'warn') args.push('config:', '  severity: warn');
  if (args.length === 0) return `${indent}- ${name}\n`;
  return `${indent}- ${name}:\n${args.map((a) => `${indent}    ${a}\n`).join('')}`;
}

/** One schema.yml for a folder of models: descriptions, columns, data tests, and the meta/tags config. */
export function schemaYml(models: readonly ModelSpec[]): string {
  let out = 'version: 2\n\nmodels:\n';
  for (const m of models) {
    if (!m.documented) continue;
    out += `  - name: ${m.name}\n    description: ${q(m.description)}\n`;
    out += `    config:\n      meta:\n        owner: ${m.owner}\n        authoritative: ${m.anchor}\n        generated_by: schema-writer\n      tags: ${list(m.tags)}\n`;
    if (m.kind === 'api') out += '      access: public\n';
    const modelTests = m.tests.filter((t) => t.column === null);
    if (modelTests.length > 0) out += `    data_tests:\n${modelTests.map((t) => testYml(t, '      ')).join('')}`;
    out += '    columns:\n';
    for (const c of columnsOf(m)) {
      const def = columnDef(c);
      out += `      - name: ${c}\n        description: ${q(def.description)}\n        data_type: ${q(def.type)}\n`;
      const tests = m.tests.filter((t) => t.column === c);
      if (tests.length > 0) out += `        data_tests:\n${tests.map((t) => testYml(t, '          ')).join('')}`;
    }
    out += '\n';
  }
  return out;
}

export function sourcesYml(domain: DomainDef, tables: readonly SourceTable[]): string {
  const bySource = new Map<string, SourceTable[]>();
  for (const t of tables) bySource.set(t.source, [...(bySource.get(t.source) ?? []), t]);
  let out = 'version: 2\n\nsources:\n';
  for (const [source, ts] of bySource) {
    out += `  - name: ${source}\n    schema: ${source}\n    description: ${q(sourceDescription(source, domain))}\n    loaded_at_field: ${ts[0]!.timeColumn}\n`;
    out += '    freshness:\n      warn_after: {count: 26, period: hour}\n      error_after: {count: 72, period: hour}\n';
    out += `    tags: [${q(source)}]\n    tables:\n`;
    for (const t of ts) {
      out += `      - name: ${t.table}\n        description: ${q(t.description)}\n        columns:\n`;
      for (const c of t.columns) {
        out += `          - name: ${c}\n            description: ${q(columnDef(c).description)}\n            data_type: ${q(columnDef(c).type)}\n`;
        const tests = t.tests.filter((x) => x.column === c);
        if (tests.length > 0) out += `            data_tests:\n${tests.map((x) => testYml(x, '              ')).join('')}`;
      }
    }
  }
  return out;
}

export function sourceDescription(source: string, domain: DomainDef): string {
  if (source === 'dune') return 'Daily token prices exported from a Dune query. A skipped day upstream leaves a gap that every *_usd column downstream inherits.';
  return `Raw tables for ${domain.about}, written by the indexers into the ${source} database.`;
}

export function seedCsv(seed: SeedSpec): string {
  return `${seed.columns.join(',')}\n${seed.rows.map((r) => r.map((v) => (v.includes(',') ? q(v) : v)).join(',')).join('\n')}\n`;
}

export function seedsYml(seeds: readonly SeedSpec[]): string {
  let out = 'version: 2\n\nseeds:\n';
  for (const s of seeds) {
    out += `  - name: ${s.name}\n    description: ${q(s.description)}\n    config:\n      column_types:\n`;
    for (const c of s.columns) out += `        ${c}: ${q(columnDef(c).type)}\n`;
    out += '    columns:\n';
    for (const c of s.columns) out += `      - name: ${c}\n        description: ${q(columnDef(c).description)}\n`;
  }
  return out;
}

/** Macro files, grouped by path as they are in the project. */
export function macroFiles(macros: readonly MacroDef[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of macros) {
    if (m.packageName !== PROJECT) continue;
    files.set(m.path, `${files.get(m.path) ?? ''}${files.has(m.path) ? '\n\n' : ''}${m.sql}\n`);
  }
  return files;
}

export function macrosYml(macros: readonly MacroDef[]): string {
  let out = 'version: 2\n\nmacros:\n';
  for (const m of macros) if (m.packageName === PROJECT && m.description) out += `  - name: ${m.name}\n    description: ${q(m.description)}\n`;
  return out;
}

export function exposuresYml(exposures: readonly ExposureSpec[]): string {
  let out = 'version: 2\n\nexposures:\n';
  for (const e of exposures) {
    out += `  - name: ${e.name}\n    label: ${q(e.label)}\n    type: dashboard\n    maturity: ${e.maturity}\n    url: https://dashboards.example.org/d/${e.name}\n    description: ${q(e.description)}\n`;
    out += `    depends_on:\n${e.dependsOn.map((d) => `      - ref('${d}')\n`).join('')}    owner:\n      name: ${e.owner}\n      email: ${e.owner}@example.org\n`;
  }
  return out;
}
