import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fixture } from '../../fixtures';

/** examples/price-gap, the project the lint's rules and fixes are shown on. */
export const EXAMPLE = path.resolve(__dirname, '../../../../examples/price-gap');

/** A model of the example by its path under models/. */
export function exampleModel(rel: string): string {
  return readFileSync(path.join(EXAMPLE, 'models', rel), 'utf8');
}

/** Every model `.sql` of the example, as paths under models/, sorted. */
export function exampleModelPaths(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(EXAMPLE, 'models', dir), { withFileTypes: true })) {
      const rel = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.sql')) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

export interface CorpusModel {
  name: string;
  rawCode: string;
  config: Record<string, unknown>;
}

/** The 241 models of the Gnosis dbt-cerebro manifest (a real ClickHouse project), with raw_code and config. */
export function gnosisModels(): CorpusModel[] {
  const m = JSON.parse(readFileSync(fixture('gnosischain__dbt-cerebro__v12.json'), 'utf8')) as {
    nodes: Record<string, { resource_type: string; name: string; raw_code: string; config: Record<string, unknown> }>;
  };
  return Object.values(m.nodes)
    .filter((n) => n.resource_type === 'model')
    .map((n) => ({ name: n.name, rawCode: n.raw_code, config: n.config }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The example's manifest models (written to match its sources). */
export function exampleManifestModels(): CorpusModel[] {
  const m = JSON.parse(readFileSync(path.join(EXAMPLE, 'target/manifest.json'), 'utf8')) as {
    nodes: Record<string, { resource_type: string; name: string; raw_code: string; config: Record<string, unknown> }>;
  };
  return Object.values(m.nodes)
    .filter((n) => n.resource_type === 'model')
    .map((n) => ({ name: n.name, rawCode: n.raw_code, config: n.config }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
